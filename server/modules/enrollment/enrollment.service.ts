import type { Platform } from '../../contract/devices.js';
import type { EnrollmentDto } from '../../contract/enrollment.js';
import type { Clock } from '../../core/clock.js';
import type { EventSink } from '../../core/events.js';
import { AppError } from '../../core/errors.js';
import { hashToken, newToken } from '../../core/ids.js';
import { buildPlist } from '../../core/plist.js';
import type { Random } from '../../core/random.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import type { CaService } from '../ca/ca.service.js';
import { signCmsAsync } from '../../pki/cms.js';
import { buildCaProfile, buildEnrollmentProfile, type TlsTrust } from '../profiles/enrollment-profile.js';
import type { ChallengeRefusal, ChallengeResult, IdentityTemplate } from '../scep/scep.ports.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { UsersStore } from '../users/users.store.js';
import type { ChallengeRow, EnrollmentRow, EnrollmentStore } from './enrollment.store.js';
import { configurationIdentityOf, deviceStillHolds, type DeviceBinding } from './identity-challenges.js';

/** How long an enrollment (its profile link) stays open. */
export const ENROLLMENT_TTL_DAYS = 14;

/** A downloaded, signed enrollment profile. */
export interface ProfileDownload {
  body: Buffer;
  expiresAt: string;
  target: 'ios' | 'macos';
  enrollmentId: string;
}

/** Where the newest downloaded profile of an enrollment stands. */
export interface ProfileStatus {
  state: 'none' | 'valid' | 'expired' | 'used' | 'enrolled';
  expiresAt: string | null;
  secondsLeft: number;
}

/** Opens enrollments, serves their profiles with fresh one-time challenges, and consumes challenges for SCEP. */
export interface EnrollmentService {
  /** Opens an enrollment; `replacing` devices (about to be superseded) do not count against the device limit. */
  create(
    input: { userId: string; platform: Platform; invitationId?: string | null },
    actor: Actor,
    sourceAddress: string | null,
    replacing?: number,
  ): EnrollmentDto & { profileUrl: string };
  /** Links the device an enrollment produced (the agent knows it at once; Apple devices at Authenticate). */
  attachDevice(enrollmentId: string, deviceId: string): void;
  /** The user's pending enrollment for a platform (reused by the portal), or a new one. */
  pendingFor(
    input: { userId: string; platform: Platform; invitationId: string | null },
    actor: Actor,
    sourceAddress: string | null,
    replacing?: number,
  ): EnrollmentDto;
  /** Serves a profile for an enrollment the caller already authorized (a signed-in portal user). */
  downloadProfileFor(
    enrollmentId: string,
    userAgent: string | undefined,
    sourceAddress: string | null,
  ): Promise<ProfileDownload>;
  /** The latest profile download of an enrollment: still valid (with seconds left), expired, used, or none. */
  profileStatus(enrollmentId: string): ProfileStatus;
  get(id: string): EnrollmentDto;
  /** The enrollment with this id, or undefined. */
  find(id: string): EnrollmentDto | undefined;
  forUser(userId: string): EnrollmentDto[];
  /** Mints a challenge (voiding the previous one), builds and signs the profile; `token` is the link's bearer secret. */
  downloadProfile(token: string, userAgent: string | undefined, sourceAddress: string | null): Promise<ProfileDownload>;
  /** Whether a SCEP challenge would be accepted now, without consuming it (before the CA signs anything). */
  checkChallenge(challenge: string | null): ChallengeResult;
  /** One-time consumption of a SCEP challenge; atomic, so a challenge issues at most one certificate. */
  consumeChallenge(challenge: string | null, info: { transactionId: string; subject: string }): ChallengeResult;
  /**
   * The identity certificate an enrollment's device gets: the subject its profile's SCEP payload names, and nothing
   * else (undefined for an unknown enrollment). The SCEP CA issues from this, never from the CSR's own subject.
   */
  identityTemplate(enrollmentId: string): IdentityTemplate | undefined;
  /** Marks an enrollment enrolled on its first TokenUpdate. */
  markEnrolled(enrollmentId: string, deviceId: string): void;
  close(enrollmentId: string, reason: string): void;
  /** Closes the pending enrollments opened through an invitation (revoked, expired or replaced). */
  closeForInvitation(invitationId: string, reason: string): void;
  /**
   * Closes enrollments abandoned during profile install: SCEP ran but no TokenUpdate came within the profile
   * validity plus `graceMinutes` (the user cancelled, or installing the MDM payload failed). Returns them.
   */
  closeAbandoned(graceMinutes?: number): EnrollmentDto[];
  enrolledPerDay(from: string): { day: string; count: number }[];
  /** A signed profile holding only the office CA, for /trust. */
  caProfile(lang: 'ja' | 'en'): Promise<Buffer>;
}

/** Dependencies of the enrollment service. */
export interface EnrollmentDeps {
  store: EnrollmentStore;
  users: UsersStore;
  settings: SettingsService;
  ca: CaService;
  /** The TLS credential that signs profiles (the device listener's certificate and chain). */
  signer: () => { certPem: string; keyPem: string; chainPem: string };
  /** Where the device listener's TLS certificate comes from now: the office CA (the default) or a public CA. */
  tlsTrust?: () => TlsTrust;
  /** The APNs topic of the uploaded push certificate, or null when none is uploaded yet. */
  topic: () => string | null;
  /** Base URL of the HTTPS device listener, e.g. https://mdm.office.lan:8443 */
  deviceBaseUrl: () => string;
  /** Base URL of the plain-HTTP bootstrap listener, e.g. http://mdm.office.lan:8080 ('' until it listens). */
  bootstrapBaseUrl: () => string;
  serverId: () => string;
  organization: string;
  audit: AuditService;
  clock: Clock;
  random: Random;
  transaction: <T>(fn: () => T) => T;
  /** Devices a user has that count against the device limit (pending or active). */
  deviceCount?: (userId: string) => number;
  /** Told when a profile was downloaded, a device enrolled or an enrollment was abandoned. */
  events?: EventSink;
  /**
   * A device's status and binding, for configuration challenges (their device must still be active and bound to the
   * enrollment they were linked to). Without it no configuration challenge is accepted.
   */
  devices?: DeviceBinding;
}

/** The subject of an enrollment's device identity: O = the organization, CN = tsunagu-<enrollment id>. */
export function identitySubject(
  organization: string,
  enrollmentId: string,
): { organization: string; commonName: string } {
  return { organization, commonName: `tsunagu-${enrollmentId}` };
}

function toDto(row: EnrollmentRow): EnrollmentDto {
  return {
    id: row.id,
    userId: row.user_id,
    platform: row.platform,
    status: row.status,
    expiresAt: row.expires_at,
    deviceId: row.device_id,
    createdAt: row.created_at,
  };
}

/** How long past its profile's validity a pending enrollment waits for its device before it counts as abandoned. */
export const ABANDONED_GRACE_MINUTES = 60;

/** Builds the enrollment service. */
export function createEnrollmentService(deps: EnrollmentDeps): EnrollmentService {
  const { store, audit, clock, random, transaction } = deps;
  const DEVICE: Actor = { type: 'device', label: 'device' };

  const issueProfile = async (
    row: EnrollmentRow,
    userAgent: string | undefined,
    sourceAddress: string | null,
  ): Promise<ProfileDownload> => {
    const now = clock.now();
    if (row.status === 'closed')
      throw new AppError(
        'ENROLLMENT_CLOSED',
        'This enrollment was closed. Ask your administrator for a new invitation.',
        { reason: 'closed' },
      );
    if (row.status === 'enrolled')
      throw new AppError(
        'ENROLLMENT_CLOSED',
        'A device was already enrolled with this link. To enroll another device, start again from your invitation.',
        { reason: 'enrolled' },
      );
    if (new Date(row.expires_at) <= now)
      throw new AppError(
        'ENROLLMENT_EXPIRED',
        'This enrollment link has expired. Ask your administrator for a new invitation.',
      );
    if (row.platform === 'android')
      throw new AppError(
        'VALIDATION_FAILED',
        'This enrollment is for an Android device; install the Tsunagu agent instead of a profile.',
        { reason: 'android' },
      );
    const topic = deps.topic();
    if (!topic)
      throw new AppError(
        'PUSH_NOT_CONFIGURED',
        'The server has no Apple push certificate yet, so Apple devices cannot enroll. Ask your administrator to upload it.',
      );
    const user = deps.users.byId(row.user_id);
    if (!user || user.deleted_at || user.disabled)
      throw new AppError('ENROLLMENT_CLOSED', 'This user cannot enroll devices now. Ask your administrator.', {
        reason: 'user',
      });
    // The enrollment's platform decides the profile (an iPad's Safari says it is a Mac); the User-Agent is only noted.
    const target = row.platform === 'macos' ? 'macos' : 'ios';
    const challenge = newToken(random, 16);
    const minutes = deps.settings.userSettings().profileValidityMinutes;
    const expiresAt = new Date(now.getTime() + minutes * 60_000).toISOString();
    const base = deps.deviceBaseUrl();
    const tlsTrust = deps.tlsTrust?.() ?? 'office-ca';
    // A device that does not trust the office CA yet cannot run SCEP over HTTPS, so in office-CA mode SCEP runs over
    // the plain-HTTP bootstrap listener: SCEP protects its own messages and the device checks the CA by the profile's
    // CAFingerprint. Only in the moment at start before that listener listens is HTTPS the one address known.
    const scepBase = tlsTrust === 'office-ca' ? deps.bootstrapBaseUrl() || base : base;
    const profile = buildEnrollmentProfile({
      serverId: deps.serverId(),
      organization: deps.organization,
      lang: user.locale,
      target,
      caDer: deps.ca.caCertificate().der,
      scepUrl: `${scepBase}/scep`,
      challenge,
      subject: identitySubject(deps.organization, row.id),
      topic,
      serverUrl: `${base}/mdm/connect`,
      checkInUrl: `${base}/mdm/checkin`,
      uuid: () => random.uuid().toUpperCase(),
      tlsTrust,
    });
    const signer = deps.signer();
    const body = await signCmsAsync(
      Buffer.from(buildPlist(profile), 'utf8'),
      { certPem: signer.certPem, keyPem: signer.keyPem, extraCertsPem: signer.chainPem ? [signer.chainPem] : [] },
      { now },
    );
    const hint = (userAgent ?? 'unknown').slice(0, 200);
    transaction(() => {
      const voided = store.voidChallenges(row.id, now.toISOString(), 'enrollment');
      store.insertChallenge({
        id: random.uuid(),
        enrollment_id: row.id,
        challenge_hash: hashToken(challenge),
        device_hint: hint,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        consumed_at: null,
        voided_at: null,
      });
      audit.record({
        actor: { type: 'user', id: user.id, label: user.email },
        action: 'profile.downloaded',
        subject: { type: 'enrollment', id: row.id, label: user.email },
        details: { target, deviceHint: hint, expiresAt, voidedChallenges: voided },
        sourceAddress,
      });
      deps.events?.emit('enrollment.profile_downloaded', {
        enrollmentId: row.id,
        userId: row.user_id,
        invitationId: row.invitation_id,
      });
    });
    return { body, expiresAt, target, enrollmentId: row.id };
  };

  // A challenge is usable when it exists, was neither consumed nor voided, has not expired, and its
  // enrollment is still open; a configuration's also when its device is still active and bound to that enrollment.
  const usableChallenge = (
    challenge: string | null,
    now: string,
  ): { ok: true; row: ChallengeRow } | { ok: false; reason: ChallengeRefusal } => {
    if (!challenge) return { ok: false, reason: 'missing' };
    const row = store.challengeByHash(hashToken(challenge));
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.consumed_at || row.voided_at) return { ok: false, reason: 'used' };
    if (row.expires_at <= now) return { ok: false, reason: 'expired' };
    const enrollment = store.byId(row.enrollment_id);
    if (!enrollment || enrollment.status === 'closed') return { ok: false, reason: 'used' };
    if (row.purpose === 'configuration') {
      if (!deps.devices || !configurationIdentityOf(row) || !deviceStillHolds(deps.devices, row))
        return { ok: false, reason: 'used' };
    }
    return { ok: true, row };
  };

  // What a usable challenge grants: the enrollment, and for a configuration's the identity it is for.
  const grant = (row: ChallengeRow): ChallengeResult => {
    const configuration = configurationIdentityOf(row);
    return configuration
      ? { ok: true, enrollmentId: row.enrollment_id, configuration }
      : { ok: true, enrollmentId: row.enrollment_id };
  };

  const service: EnrollmentService = {
    create(input, actor, sourceAddress, replacing = 0) {
      const user = deps.users.byId(input.userId);
      if (!user || user.deleted_at) throw new AppError('USER_NOT_FOUND', 'No user has this id.', { field: 'userId' });
      if (user.disabled)
        throw new AppError(
          'VALIDATION_FAILED',
          `${user.email} is disabled; enable the user before enrolling a device.`,
          { field: 'userId' },
        );
      const limit = deps.settings.userSettings().deviceLimitPerUser;
      const count = Math.max((deps.deviceCount?.(user.id) ?? 0) - replacing, 0);
      if (count >= limit)
        throw new AppError(
          'DEVICE_LIMIT',
          `${user.email} already has ${count} device(s), the most allowed (${limit}). Retire one, or raise the limit in User settings.`,
          { limit, count },
        );
      const now = clock.now();
      const token = newToken(random);
      const row: EnrollmentRow = {
        id: random.uuid(),
        user_id: user.id,
        platform: input.platform,
        status: 'pending',
        token_hash: hashToken(token),
        expires_at: new Date(now.getTime() + ENROLLMENT_TTL_DAYS * 86_400_000).toISOString(),
        device_id: null,
        closed_reason: null,
        invitation_id: input.invitationId ?? null,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      };
      transaction(() => {
        store.insert(row);
        audit.record({
          actor,
          action: 'enrollment.created',
          subject: { type: 'user', id: user.id, label: user.email },
          details: { enrollmentId: row.id, platform: row.platform, invitationId: row.invitation_id },
          sourceAddress,
        });
      });
      return { ...toDto(row), profileUrl: `${deps.deviceBaseUrl()}/profile/${token}` };
    },

    pendingFor(input, actor, sourceAddress, replacing = 0) {
      const now = clock.now().toISOString();
      const open = store
        .forUser(input.userId)
        .find(
          (e) =>
            e.status === 'pending' &&
            e.platform === input.platform &&
            e.expires_at > now &&
            e.invitation_id === input.invitationId,
        );
      if (open) return toDto(open);
      const { profileUrl: _url, ...dto } = service.create(input, actor, sourceAddress, replacing);
      return dto;
    },

    get(id) {
      const row = store.byId(id);
      if (!row) throw new AppError('ENROLLMENT_NOT_FOUND', 'No enrollment has this id.', { id });
      return toDto(row);
    },

    find(id) {
      const row = store.byId(id);
      return row ? toDto(row) : undefined;
    },

    forUser: (userId) => store.forUser(userId).map(toDto),

    async downloadProfile(token, userAgent, sourceAddress) {
      const row = token.length <= 100 ? store.byTokenHash(hashToken(token)) : undefined;
      if (!row)
        throw new AppError(
          'ENROLLMENT_NOT_FOUND',
          'This enrollment link is not valid. Ask your administrator for a new invitation.',
        );
      return issueProfile(row, userAgent, sourceAddress);
    },

    async downloadProfileFor(enrollmentId, userAgent, sourceAddress) {
      const row = store.byId(enrollmentId);
      if (!row) throw new AppError('ENROLLMENT_NOT_FOUND', 'This enrollment does not exist any more; start again.');
      return issueProfile(row, userAgent, sourceAddress);
    },

    profileStatus(enrollmentId) {
      const row = store.byId(enrollmentId);
      if (row?.status === 'enrolled') return { state: 'enrolled', expiresAt: null, secondsLeft: 0 };
      const c = store.latestChallenge(enrollmentId);
      if (!c) return { state: 'none', expiresAt: null, secondsLeft: 0 };
      if (c.consumed_at) return { state: 'used', expiresAt: c.expires_at, secondsLeft: 0 };
      const left = Math.floor((new Date(c.expires_at).getTime() - clock.now().getTime()) / 1000);
      if (c.voided_at || left <= 0) return { state: 'expired', expiresAt: c.expires_at, secondsLeft: 0 };
      return { state: 'valid', expiresAt: c.expires_at, secondsLeft: left };
    },

    checkChallenge(challenge) {
      const found = usableChallenge(challenge, clock.now().toISOString());
      return found.ok ? grant(found.row) : found;
    },

    consumeChallenge(challenge, info) {
      return transaction(() => {
        const now = clock.now().toISOString();
        const found = usableChallenge(challenge, now);
        if (!found.ok) return found;
        const row = found.row;
        if (!store.consumeChallenge(row.id, now)) return { ok: false, reason: 'used' } as const;
        audit.record({
          actor: DEVICE,
          action: 'scep.challenge_consumed',
          subject: { type: 'enrollment', id: row.enrollment_id, label: info.subject },
          details: {
            transactionId: info.transactionId,
            purpose: row.purpose,
            ...(row.purpose === 'configuration'
              ? { configurationId: row.configuration_id, deviceId: row.device_id, channel: row.channel }
              : {}),
          },
        });
        return grant(row);
      });
    },

    identityTemplate(enrollmentId) {
      if (!store.byId(enrollmentId)) return undefined;
      const { organization, commonName } = identitySubject(deps.organization, enrollmentId);
      // The order of the profile's Subject (enrollment-profile.ts): O, then CN.
      return {
        subject: [
          { shortName: 'O', value: organization },
          { shortName: 'CN', value: commonName },
        ],
      };
    },

    attachDevice(enrollmentId, deviceId) {
      store.update(enrollmentId, { device_id: deviceId, updated_at: clock.now().toISOString() });
    },

    markEnrolled(enrollmentId, deviceId) {
      store.update(enrollmentId, { status: 'enrolled', device_id: deviceId, updated_at: clock.now().toISOString() });
      const row = store.byId(enrollmentId);
      if (row)
        deps.events?.emit('enrollment.enrolled', {
          enrollmentId: row.id,
          userId: row.user_id,
          invitationId: row.invitation_id,
          deviceId,
        });
    },

    async caProfile(lang) {
      const profile = buildCaProfile({
        serverId: deps.serverId(),
        organization: deps.organization,
        lang,
        caDer: deps.ca.caCertificate().der,
        uuid: () => random.uuid().toUpperCase(),
      });
      const signer = deps.signer();
      return signCmsAsync(
        Buffer.from(buildPlist(profile), 'utf8'),
        { certPem: signer.certPem, keyPem: signer.keyPem, extraCertsPem: signer.chainPem ? [signer.chainPem] : [] },
        { now: clock.now() },
      );
    },

    closeAbandoned(graceMinutes = ABANDONED_GRACE_MINUTES) {
      const minutes = deps.settings.userSettings().profileValidityMinutes + graceMinutes;
      const before = new Date(clock.now().getTime() - minutes * 60_000).toISOString();
      const closed: EnrollmentDto[] = [];
      for (const row of store.abandoned(before)) {
        transaction(() => {
          service.close(row.id, 'cancelled during profile install');
          deps.events?.emit('enrollment.abandoned', {
            enrollmentId: row.id,
            userId: row.user_id,
            deviceId: row.device_id,
          });
          audit.record({
            actor: { type: 'system', label: 'scheduler' },
            action: 'enrollment.abandoned',
            subject: { type: 'enrollment', id: row.id, label: null },
            details: { userId: row.user_id, deviceId: row.device_id, platform: row.platform },
          });
        });
        closed.push(toDto({ ...row, status: 'closed' }));
      }
      return closed;
    },

    enrolledPerDay: (from) => store.enrolledPerDay(from),

    closeForInvitation(invitationId, reason) {
      for (const row of store.pendingForInvitation(invitationId)) service.close(row.id, reason);
    },

    close(enrollmentId, reason) {
      const at = clock.now().toISOString();
      transaction(() => {
        store.update(enrollmentId, { status: 'closed', closed_reason: reason, updated_at: at });
        store.voidChallenges(enrollmentId, at);
      });
    },
  };
  return service;
}
