import QRCode from 'qrcode';
import type { DeviceDto } from '../../contract/devices.js';
import type { EnrollmentDto } from '../../contract/enrollment.js';
import type { Clock } from '../../core/clock.js';
import { AppError, isAppError } from '../../core/errors.js';
import { hashToken, newToken, normalizeEmail } from '../../core/ids.js';
import { DUMMY_HASH, PASSWORD_MIN, passwordRule, type PasswordHasher } from '../../core/password.js';
import { portalPaths } from '../../core/portal-paths.js';
import type { Random } from '../../core/random.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import type { EnrollmentService, ProfileDownload, ProfileStatus } from '../enrollment/enrollment.service.js';
import type { EnrollmentUrls } from '../invitations/enrollment-url.js';
import { pinThrottleKey, type InvitationsService } from '../invitations/invitations.service.js';
import { portalEmailKey, type Throttle } from '../throttle/throttle.service.js';
import type { UserRow, UsersStore } from '../users/users.store.js';
import { helperDeepLink } from './helper-link.js';
import type { PortalStore } from './portal.store.js';

/** How long a portal session lasts. */
export const PORTAL_SESSION_MS = 2 * 3600_000;
/** How long a QR sign-in token lives. */
export const QR_TOKEN_MS = 10 * 60_000;

/** The signed-in user of a portal request. */
export interface PortalPrincipal {
  user: UserRow;
  tokenHash: string;
  csrfToken: string;
  invitationId: string | null;
  /** The user came in with a PIN and has no password yet, or has a temporary one: set it before anything else. */
  needsPassword: boolean;
  /** What the session was opened with: a QR-code session cannot change the password. */
  openedWith: 'password' | 'pin' | 'qr';
}

/**
 * What a session may do about the password: nothing from a QR-code session ('refused'), set the first one after a PIN
 * or a temporary password without the current one ('first'), else change it with the current one ('current').
 */
export function passwordChange(
  principal: Pick<PortalPrincipal, 'needsPassword' | 'openedWith'>,
): 'refused' | 'first' | 'current' {
  if (principal.openedWith === 'qr') return 'refused';
  return principal.needsPassword || principal.openedWith === 'pin' ? 'first' : 'current';
}

/** Sign-in for the /go portal: email + password, or email + one-time PIN; sessions; QR sign-in tokens. */
export interface PortalService {
  /** Checks email + password or one-time PIN with the sign-in throttle; failures and lockouts are audited. */
  verifyCredentials(
    input: { email: string; secret: string; allow?: 'password' | 'pin' | 'either'; via?: string },
    sourceAddress: string | null,
  ): Promise<{ user: UserRow; invitationId: string | null; with: 'password' | 'pin' }>;
  /**
   * Signs in with email and password or PIN; `invite` is the token of the invitation link the form came from (an
   * invitation link that no longer works only means the session is not tied to it). `allow` narrows the secret to a
   * password or a PIN; `via` names the client in the audit trail.
   */
  signIn(
    input: {
      email: string;
      secret: string;
      invite: string | null;
      allow?: 'password' | 'pin' | 'either';
      via?: string;
    },
    sourceAddress: string | null,
  ): Promise<{ token: string; principal: PortalPrincipal }>;
  session(token: string | undefined): PortalPrincipal | null;
  /**
   * Opens an invitation link: the address to sign in with, whether its PIN is still to be used, and whether the user
   * comes from the directory (and so signs in with the network password).
   */
  openInvitation(token: string, sourceAddress: string | null): { email: string; pinHint: boolean; directory: boolean };
  /** Whether the directory connector is set up, so people may sign in with a network login name too. */
  directoryLogins(): boolean;
  /** The user's devices, as the home page lists them. */
  devices(principal: PortalPrincipal): DeviceDto[];
  /** How many of the user's enrollments wait for the admin to assign them the device. */
  claimsWaiting(principal: PortalPrincipal): number;
  /**
   * Opens (or reuses) the user's pending enrollment for an Apple platform; re-enrolling one of the user's own devices
   * (`deviceId`) replaces it, so it does not count against the device limit.
   */
  startEnrollment(
    principal: PortalPrincipal,
    input: { platform: 'ios' | 'macos'; deviceId: string | null },
    sourceAddress: string | null,
  ): EnrollmentDto;
  /** One of the user's own enrollments and where its newest profile stands; others are not found. */
  enrollment(principal: PortalPrincipal, enrollmentId: string): { enrollment: EnrollmentDto; status: ProfileStatus };
  /** Where the newest profile of one of the user's own enrollments stands. */
  profileStatus(principal: PortalPrincipal, enrollmentId: string): ProfileStatus;
  /** A fresh signed profile for one of the user's own enrollments. */
  downloadProfile(
    principal: PortalPrincipal,
    enrollmentId: string,
    userAgent: string | undefined,
    sourceAddress: string | null,
  ): Promise<ProfileDownload>;
  /** A QR code that signs another device in to the portal, or enrolls the Android agent; single use, short-lived. */
  signInQr(
    principal: PortalPrincipal,
    purpose: 'portal' | 'agent',
    sourceAddress: string | null,
  ): Promise<{ kind: 'portal' | 'agent'; image: string; expiresAt: string }>;
  /**
   * Sets the user's password. The current one is asked for (and counted by the sign-in throttle like a sign-in),
   * except for the password a PIN or temporary-password session must set first; a QR-code session cannot.
   */
  setPassword(
    principal: PortalPrincipal,
    input: { password: string; current?: string | undefined },
    sourceAddress: string | null,
  ): Promise<void>;
  signOut(principal: PortalPrincipal, sourceAddress: string | null): void;
  /**
   * A single-use token that signs in another device (shown as a QR code, or carried by the helper link), or enrolls
   * the Android agent; audited as a QR code or a helper link (`via`).
   */
  createSignInToken(
    principal: Pick<PortalPrincipal, 'user'>,
    purpose: 'portal' | 'agent',
    sourceAddress: string | null,
    via?: 'qr' | 'helper-link',
  ): { token: string; expiresAt: string };
  /**
   * The Mac page's link that opens the helper (`tsunagu://enroll?...`): this server's origin, the office CA's
   * SHA-256 and a fresh single-use sign-in token (10 minutes), minted each time the page is shown.
   */
  helperLink(principal: PortalPrincipal, sourceAddress: string | null): { link: string; expiresAt: string };
  /** Redeems a portal QR token into a session. */
  redeem(token: string, sourceAddress: string | null): { token: string; principal: PortalPrincipal };
  /** Redeems an agent QR token; returns the user it was minted for. */
  redeemAgentToken(token: string): UserRow;
}

/** Dependencies of the portal service. */
export interface PortalDeps {
  store: PortalStore;
  users: UsersStore;
  invitations: InvitationsService;
  enrollment: EnrollmentService;
  urls: Pick<EnrollmentUrls, 'current'>;
  /** Public base URL of the device listener, e.g. https://mdm.office.lan:8443 */
  deviceBaseUrl: () => string;
  /** The office CA's SHA-256 fingerprint (Node's `AB:CD:…` spelling), which the helper pins. */
  caFingerprint256: () => string;
  /** Port: the user's devices, most recently seen first, at most `limit`. */
  devicesOf: (userId: string, limit: number) => DeviceDto[];
  /** Port: how many of the user's enrollments of a device still wait for the admin (the device is another user's). */
  claimsWaiting: (userId: string) => number;
  /** Port: the agent enrollment QR code's content for a user (a single-use token and the CA to pin). */
  agentEnrollmentQr: (user: UserRow, sourceAddress: string | null) => { payload: string; expiresAt: string };
  throttle: Throttle;
  /**
   * Port: checks a directory user's password by a bind as that user (the directory module); absent, directory users
   * cannot sign in with a password.
   */
  directorySignIn?: DirectorySignIn;
  /** Port: whether the directory connector is set up (the sign-in page then takes a network login name too). */
  directoryLogins?: () => boolean;
  hasher: PasswordHasher;
  audit: AuditService;
  clock: Clock;
  random: Random;
  transaction: <T>(fn: () => T) => T;
}

/**
 * Checks a directory user's password (what they typed as login name or email, and the password) at the directory.
 * Besides right, wrong and unreachable: the password is right but the person is out of the connector's scope now
 * ('left' the user filter, 'disabled' there, 'not_in_group'), found at sign-in before the next sync.
 */
export type DirectorySignIn = (
  user: UserRow,
  typed: string,
  password: string,
) => Promise<'ok' | 'wrong' | 'unavailable' | 'left' | 'disabled' | 'not_in_group'>;

const SCOPE_REFUSALS = {
  left: 'your account is no longer among the directory accounts this service accepts',
  disabled: 'your account is disabled in the directory',
  not_in_group: 'your account is no longer in a group that may enroll devices',
} as const;

/** Builds the portal service. */
export function createPortalService(deps: PortalDeps): PortalService {
  const { store, users, throttle, audit, clock, random, transaction } = deps;
  const actorOf = (u: Pick<UserRow, 'id' | 'email'>): Actor => ({ type: 'user', id: u.id, label: u.email });
  const subjectOf = (u: Pick<UserRow, 'id' | 'email'>) => ({ type: 'user', id: u.id, label: u.email });

  const open = (
    user: UserRow,
    invitationId: string | null,
    needsPassword: boolean,
    openedWith: PortalPrincipal['openedWith'],
    sourceAddress: string | null,
  ) => {
    const token = newToken(random);
    const now = clock.now();
    store.deleteExpired(now.toISOString());
    const row = {
      token_hash: hashToken(token),
      user_id: user.id,
      invitation_id: invitationId,
      csrf_token: newToken(random),
      needs_password: needsPassword ? (1 as const) : (0 as const),
      opened_with: openedWith,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + PORTAL_SESSION_MS).toISOString(),
      source_address: sourceAddress,
    };
    store.insertSession(row);
    return {
      token,
      principal: {
        user,
        tokenHash: row.token_hash,
        csrfToken: row.csrf_token,
        invitationId,
        needsPassword,
        openedWith,
      },
    };
  };

  // The invitation a sign-in form came from; one that no longer opens (replaced, revoked, expired) is just not linked.
  // An invitation link presented at sign-in counts only for the user it was sent to.
  const invitationOf = (token: string, userId: string, sourceAddress: string | null): string | null => {
    try {
      return deps.invitations.open(token, sourceAddress, userId).id;
    } catch (err) {
      if (isAppError(err, 'INVITATION_NOT_FOUND') || isAppError(err, 'INVITATION_CLOSED')) return null;
      throw err;
    }
  };

  const ownEnrollment = (principal: PortalPrincipal, enrollmentId: string): EnrollmentDto => {
    const e = deps.enrollment.get(enrollmentId);
    if (e.userId !== principal.user.id) throw new AppError('ENROLLMENT_NOT_FOUND', 'This enrollment does not exist.');
    return e;
  };

  const signInLocked = (retryAfterSeconds: number) =>
    new AppError(
      'SIGN_IN_LOCKED',
      `Too many failed sign-ins. Wait ${Math.ceil(retryAfterSeconds / 60)} minute(s) and try again, or ask your administrator.`,
      { retryAfterSeconds },
    );

  // The current password, checked like a sign-in: counted first by the same throttle keys, refunded when right.
  const checkCurrent = async (principal: PortalPrincipal, current: string, sourceAddress: string | null) => {
    if (!current)
      throw new AppError('VALIDATION_FAILED', 'Enter your current password to change it.', {
        field: 'current',
        reason: 'current_required',
      });
    const { user } = principal;
    const reserved = throttle.reserve([
      portalEmailKey(normalizeEmail(user.email)),
      ...(sourceAddress ? [`portal-addr:${sourceAddress}`] : []),
    ]);
    if (!reserved.ok) throw signInLocked(reserved.retryAfterSeconds);
    const fresh = users.byId(user.id);
    if (await deps.hasher.verify(fresh?.password_hash ?? DUMMY_HASH, current)) {
      throttle.refund(reserved.reservation);
      return;
    }
    const lockedMs = throttle.failed(reserved.reservation);
    audit.record({
      actor: actorOf(user),
      action: 'portal.sign_in_failed',
      subject: subjectOf(user),
      details: { reason: 'wrong current password', via: 'password change' },
      sourceAddress,
    });
    if (lockedMs > 0)
      audit.record({
        actor: actorOf(user),
        action: 'portal.sign_in_locked',
        subject: subjectOf(user),
        details: { lockedSeconds: lockedMs / 1000 },
        sourceAddress,
      });
    throw new AppError('SIGN_IN_FAILED', 'The current password is wrong.', { secret: 'current', field: 'current' });
  };

  const service: PortalService = {
    async verifyCredentials(input, sourceAddress) {
      const typed = input.email.trim();
      const secret = input.secret.trim();
      const allow = input.allow ?? 'either';
      const looksLikePin = allow !== 'password' && /^\d{4,12}$/.test(secret);
      // A directory user may sign in with their login name too; the lock is the account's either way.
      const found =
        users.byEmail(normalizeEmail(typed)) ??
        (deps.directorySignIn && !typed.includes('@') && typed.length <= 256
          ? users.byDirectoryLogin(typed)
          : undefined);
      const norm = found ? found.email_norm : normalizeEmail(input.email);
      const user = found && !found.disabled ? found : undefined;
      const directory = user?.source === 'ldap' ? deps.directorySignIn : undefined;
      const invitation = looksLikePin && user ? deps.invitations.openFor(user.id) : undefined;
      const pinHash = invitation?.pin_hash ?? null;
      // Counted before any secret is checked, per submitted email whether or not it exists (and per PIN): a burst
      // of guesses gets only the free attempts through, and a lock tells nothing about which accounts exist.
      const reserved = throttle.reserve([
        portalEmailKey(norm),
        ...(sourceAddress ? [`portal-addr:${sourceAddress}`] : []),
        ...(invitation && pinHash ? [pinThrottleKey(invitation.id)] : []),
      ]);
      if (!reserved.ok) throw signInLocked(reserved.retryAfterSeconds);
      const { reservation } = reserved;
      const actor: Actor = user ? actorOf(user) : { type: 'user', id: null, label: input.email.slice(0, 254) };
      const lockStarted = (pin: { id: string; label: string } | null) => {
        const lockedMs = throttle.failed(reservation);
        // One event per lock started; refusals while it holds are not audited one by one.
        if (lockedMs > 0)
          audit.record({
            actor,
            action: pin ? 'invitation.pin_locked' : 'portal.sign_in_locked',
            subject: pin ? { type: 'invitation', ...pin } : user ? subjectOf(user) : null,
            details: { lockedSeconds: lockedMs / 1000 },
            sourceAddress,
          });
      };
      // The same work whatever the account: one argon2 check of the password unless only a PIN is allowed, one of
      // the PIN when the secret looks like one, against a dummy hash where the account has none.
      if (allow !== 'pin' && user && directory) {
        // The directory's password as typed (not trimmed); never stored. An empty one is refused without a bind.
        const answer = input.secret.length === 0 ? 'wrong' : await directory(user, typed, input.secret);
        if (answer === 'ok') {
          throttle.refund(reservation);
          return { user, invitationId: null, with: 'password' as const };
        }
        if (answer === 'left' || answer === 'disabled' || answer === 'not_in_group') {
          // The password was right, so this is no guess: the attempt is given back, and the person is told why.
          throttle.refund(reservation);
          audit.record({
            actor,
            action: 'portal.sign_in_failed',
            subject: subjectOf(user),
            details: { reason: 'out of directory scope', scope: answer, via: input.via ?? 'portal' },
            sourceAddress,
          });
          throw new AppError(
            'DIRECTORY_ACCESS_REVOKED',
            `You cannot sign in here any more: ${SCOPE_REFUSALS[answer]}. Ask your administrator.`,
            { reason: answer },
          );
        }
        if (answer === 'unavailable') {
          // Not the person's guess: the attempt is given back, and they are told to come back, not that it was wrong.
          throttle.refund(reservation);
          audit.record({
            actor,
            action: 'portal.sign_in_failed',
            subject: subjectOf(user),
            details: { reason: 'directory unavailable', via: input.via ?? 'portal' },
            sourceAddress,
          });
          throw new AppError(
            'DIRECTORY_UNAVAILABLE',
            'Your password cannot be checked right now because the directory server is unreachable. Try again in a few minutes.',
            { reason: 'directory_unavailable' },
          );
        }
      } else if (allow !== 'pin') {
        const ok = await deps.hasher.verify(user?.password_hash ?? DUMMY_HASH, secret);
        if (ok && user?.password_hash) {
          throttle.refund(reservation);
          return { user, invitationId: null, with: 'password' as const };
        }
      }
      if (looksLikePin && user && pinHash) {
        try {
          const verified = await deps.invitations.verifyPin(user.id, secret, sourceAddress);
          throttle.refund(reservation);
          return { user, invitationId: verified.id, with: 'pin' as const };
        } catch (err) {
          // A wrong PIN is audited by the invitation; PIN_USED and PIN_EXPIRED come only for the right PIN, which
          // gets its attempt back.
          if (isAppError(err, 'SIGN_IN_FAILED'))
            lockStarted(invitation ? { id: invitation.id, label: user.email } : null);
          else throttle.refund(reservation);
          throw err;
        }
      }
      if (looksLikePin) await deps.hasher.verify(DUMMY_HASH, secret);
      audit.record({
        actor,
        action: 'portal.sign_in_failed',
        subject: user ? subjectOf(user) : null,
        details: {
          reason: !found
            ? 'unknown email'
            : found.disabled
              ? 'user disabled'
              : allow === 'pin'
                ? 'wrong PIN'
                : directory
                  ? 'wrong directory password'
                  : 'wrong password',
          via: input.via ?? 'portal',
        },
        sourceAddress,
      });
      lockStarted(null);
      throw new AppError(
        'SIGN_IN_FAILED',
        looksLikePin ? 'The email address or PIN is wrong.' : 'The email address or password is wrong.',
        { secret: looksLikePin ? 'pin' : 'password' },
      );
    },

    async signIn(input, sourceAddress) {
      const verified = await service.verifyCredentials(
        { email: input.email, secret: input.secret, allow: input.allow, via: input.via },
        sourceAddress,
      );
      const { user } = verified;
      const invitationId = input.invite ? invitationOf(input.invite, user.id, sourceAddress) : null;
      return transaction(() => {
        audit.record({
          actor: actorOf(user),
          action: 'portal.signed_in',
          subject: subjectOf(user),
          details: {
            with: verified.with,
            ...(input.via ? { via: input.via } : {}),
            ...(verified.invitationId ? { invitationId: verified.invitationId } : {}),
          },
          sourceAddress,
        });
        // A directory user has the network password only: never asked to set a local one.
        const needsPassword =
          user.source === 'ldap'
            ? false
            : verified.with === 'pin'
              ? user.password_hash === null || user.must_change_password === 1
              : user.must_change_password === 1;
        return open(user, verified.invitationId ?? invitationId, needsPassword, verified.with, sourceAddress);
      });
    },

    session(token) {
      if (!token || token.length > 200) return null;
      const row = store.session(hashToken(token));
      if (!row) return null;
      if (new Date(row.expires_at) <= clock.now()) {
        store.deleteSession(row.token_hash);
        return null;
      }
      const user = users.byId(row.user_id);
      if (!user || user.deleted_at || user.disabled) {
        store.deleteSession(row.token_hash);
        return null;
      }
      return {
        user,
        tokenHash: row.token_hash,
        csrfToken: row.csrf_token,
        invitationId: row.invitation_id,
        needsPassword: row.needs_password === 1,
        openedWith: row.opened_with,
      };
    },

    openInvitation(token, sourceAddress) {
      const invitation = deps.invitations.open(token, sourceAddress);
      return {
        email: invitation.user_email,
        pinHint: invitation.pin_hash !== null && !invitation.pin_used_at,
        directory: users.byId(invitation.user_id)?.source === 'ldap',
      };
    },

    directoryLogins: () => deps.directoryLogins?.() ?? false,

    devices: (principal) => deps.devicesOf(principal.user.id, 100),
    claimsWaiting: (principal) => deps.claimsWaiting(principal.user.id),

    startEnrollment(principal, input, sourceAddress) {
      const { user } = principal;
      const replacing = input.deviceId && deps.devicesOf(user.id, 500).some((d) => d.id === input.deviceId) ? 1 : 0;
      const invitationId = principal.invitationId ?? deps.invitations.openFor(user.id)?.id ?? null;
      return deps.enrollment.pendingFor(
        { userId: user.id, platform: input.platform, invitationId },
        actorOf(user),
        sourceAddress,
        replacing,
      );
    },

    enrollment(principal, enrollmentId) {
      const enrollment = ownEnrollment(principal, enrollmentId);
      return { enrollment, status: deps.enrollment.profileStatus(enrollment.id) };
    },

    profileStatus(principal, enrollmentId) {
      return deps.enrollment.profileStatus(ownEnrollment(principal, enrollmentId).id);
    },

    async downloadProfile(principal, enrollmentId, userAgent, sourceAddress) {
      ownEnrollment(principal, enrollmentId);
      return deps.enrollment.downloadProfileFor(enrollmentId, userAgent, sourceAddress);
    },

    async signInQr(principal, purpose, sourceAddress) {
      let qr: { payload: string; expiresAt: string };
      if (purpose === 'agent') qr = deps.agentEnrollmentQr(principal.user, sourceAddress);
      else {
        const { token, expiresAt } = service.createSignInToken(principal, 'portal', sourceAddress);
        qr = { payload: `${deps.deviceBaseUrl()}${portalPaths(deps.urls.current().key).token(token)}`, expiresAt };
      }
      // Whole pixels per module and a 4-module quiet zone scan best (ISO/IEC 18004).
      const image = await QRCode.toDataURL(qr.payload, { margin: 4, scale: 6, errorCorrectionLevel: 'M' });
      return { kind: purpose, image, expiresAt: qr.expiresAt };
    },

    async setPassword(principal, input, sourceAddress) {
      const { password } = input;
      const mode = passwordChange(principal);
      if (mode === 'refused')
        throw new AppError(
          'PASSWORD_CHANGE_REFUSED',
          'This session was opened with a QR code, so it cannot change the password. Sign in with your password on this device to change it.',
          { reason: 'qr_session' },
        );
      if (principal.user.source === 'ldap')
        throw new AppError(
          'PASSWORD_CHANGE_REFUSED',
          'You sign in with your network password, which is changed in your organization’s directory, not here.',
          { reason: 'directory' },
        );
      const problem = passwordRule(password, principal.user.email);
      if (problem)
        throw new AppError('PASSWORD_POLICY', problem.message, {
          field: 'password',
          rule: problem.rule,
          min: PASSWORD_MIN,
        });
      if (mode === 'current') await checkCurrent(principal, input.current ?? '', sourceAddress);
      const hash = await deps.hasher.hash(password);
      transaction(() => {
        const now = clock.now().toISOString();
        users.update(principal.user.id, { password_hash: hash, must_change_password: 0, updated_at: now });
        // From now on this session changes the password as a password session does: with the current one.
        store.updateSession(principal.tokenHash, { needs_password: 0, opened_with: 'password' });
        // Other sessions of this user were opened with the old secret: end them.
        store.deleteSessionsOf(principal.user.id, principal.tokenHash);
        audit.record({
          actor: actorOf(principal.user),
          action: 'portal.password_set',
          subject: subjectOf(principal.user),
          sourceAddress,
        });
      });
    },

    signOut(principal, sourceAddress) {
      transaction(() => {
        store.deleteSession(principal.tokenHash);
        audit.record({
          actor: actorOf(principal.user),
          action: 'portal.signed_out',
          subject: subjectOf(principal.user),
          sourceAddress,
        });
      });
    },

    createSignInToken(principal, purpose, sourceAddress, via = 'qr') {
      const token = newToken(random, 24);
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + QR_TOKEN_MS).toISOString();
      transaction(() => {
        store.insertToken({
          token_hash: hashToken(token),
          user_id: principal.user.id,
          purpose,
          created_at: now.toISOString(),
          expires_at: expiresAt,
          used_at: null,
        });
        audit.record({
          actor: actorOf(principal.user),
          action: via === 'qr' ? 'portal.qr_created' : 'portal.helper_link_created',
          subject: subjectOf(principal.user),
          details: { purpose, expiresAt },
          sourceAddress,
        });
      });
      return { token, expiresAt };
    },

    helperLink(principal, sourceAddress) {
      const { token, expiresAt } = service.createSignInToken(principal, 'portal', sourceAddress, 'helper-link');
      const link = helperDeepLink({
        server: deps.deviceBaseUrl(),
        caFingerprint256: deps.caFingerprint256(),
        token,
      });
      return { link, expiresAt };
    },

    redeem(token, sourceAddress) {
      return transaction(() => {
        const row = token.length <= 100 ? store.useToken(hashToken(token), clock.now().toISOString()) : undefined;
        if (!row || row.purpose !== 'portal')
          throw new AppError(
            'LINK_OUTDATED',
            'This QR code was already used or has expired. Show a new one on your signed-in device.',
            { reason: 'qr' },
          );
        const user = users.byId(row.user_id);
        if (!user || user.deleted_at || user.disabled)
          throw new AppError('LINK_OUTDATED', 'This QR code can no longer be used. Ask your administrator.', {
            reason: 'qr',
          });
        audit.record({
          actor: actorOf(user),
          action: 'portal.signed_in',
          subject: subjectOf(user),
          details: { with: 'qr' },
          sourceAddress,
        });
        return open(user, null, false, 'qr', sourceAddress);
      });
    },

    redeemAgentToken(token) {
      return transaction(() => {
        const row = token.length <= 100 ? store.useToken(hashToken(token), clock.now().toISOString()) : undefined;
        if (!row || row.purpose !== 'agent')
          throw new AppError(
            'LINK_OUTDATED',
            'This enrollment QR code was already used or has expired. Show a new one in the portal.',
          );
        const user = users.byId(row.user_id);
        if (!user || user.deleted_at || user.disabled)
          throw new AppError('LINK_OUTDATED', 'This enrollment QR code can no longer be used.');
        return user;
      });
    },
  };
  return service;
}
