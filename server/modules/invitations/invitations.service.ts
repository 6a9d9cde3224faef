import {
  INVITATION_STEPS,
  type EnrollmentUrlDto,
  type InvitationDto,
  type InvitationPage,
  type InvitationStatus,
  type InviteResult,
  type NewPinResult,
} from '../../contract/invitations.js';
import type { Clock } from '../../core/clock.js';
import type { DomainEvents } from '../../core/events.js';
import { AppError } from '../../core/errors.js';
import { hashToken, newDigits, newToken, normalizeEmail } from '../../core/ids.js';
import type { PasswordHasher } from '../../core/password.js';
import type { Random } from '../../core/random.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import type { MailService } from '../mail/mail.service.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { SettingsService } from '../settings/settings.service.js';
import { portalEmailKey, type Throttle } from '../throttle/throttle.service.js';
import type { UserRow, UsersStore } from '../users/users.store.js';
import type { EnrollmentUrls } from './enrollment-url.js';
import type { EntryLinks } from './entry-links.js';
import { buildInvitationMail } from './invitation-mail.js';
import type { InvitationListRow, InvitationRow, InvitationsStore } from './invitations.store.js';

/** Wrong PINs before a PIN locks (then by time, with backoff: the sign-in throttle's account policy). */
export const PIN_ATTEMPTS = 5;

/** The sign-in throttle's key for an invitation's PIN: counted with the email's key, cleared with a new PIN. */
export function pinThrottleKey(invitationId: string): string {
  return `pin:${invitationId}`;
}

const ORDER: readonly InvitationStatus[] = INVITATION_STEPS;
const OPEN = new Set<InvitationStatus>(INVITATION_STEPS.filter((step) => step !== 'enrolled'));
const TIMESTAMP: Partial<Record<InvitationStatus, keyof InvitationRow>> = {
  sent: 'sent_at',
  opened: 'opened_at',
  pin_verified: 'pin_verified_at',
  profile_downloaded: 'profile_downloaded_at',
  enrolled: 'enrolled_at',
};

/** Who is acting and from where. */
export interface Ctx {
  actor: Actor;
  sourceAddress: string | null;
}

/** Invitations: sending, resending, revoking, PINs, state, reminders, and the versioned enrollment URL. */
export interface InvitationsService {
  /** Invites users (a new invitation replaces an open one); `passwordReset` words the email as a password reset. */
  invite(userIds: string[], ctx: Ctx, opts?: { passwordReset?: boolean }): Promise<InviteResult>;
  /** A new PIN for the user's open invitation; INVITATION_NOT_FOUND when the user has none. */
  newPinFor(userId: string, ctx: Ctx): Promise<NewPinResult>;
  /** Withdraws every open invitation of a user (called inside the caller's transaction); how many. */
  revokeOpenFor(userId: string, ctx: Ctx, reason: string): number;
  resend(id: string, ctx: Ctx): Promise<InvitationDto>;
  revoke(id: string, ctx: Ctx): InvitationDto;
  newPin(id: string, ctx: Ctx): Promise<NewPinResult>;
  list(query: { status?: InvitationStatus; userId?: string; limit?: number; offset?: number }): InvitationPage;
  get(id: string): InvitationDto;
  /**
   * The open invitation behind a link token, marking it opened; throws a readable error for dead links. With
   * `forUserId`, an invitation of anyone else is INVITATION_NOT_FOUND and stays as it was.
   */
  open(token: string, sourceAddress: string | null, forUserId?: string): InvitationListRow;
  /**
   * Checks a user's one-time PIN (single use, expiring); the caller has counted the attempt with the sign-in
   * throttle (pinThrottleKey), which locks it by time. Used and expired are told only for the right PIN.
   */
  verifyPin(userId: string, pin: string, sourceAddress: string | null): Promise<InvitationListRow>;
  /** Moves an invitation forward (never back): pin_verified, profile_downloaded, enrolled. */
  advance(id: string, status: InvitationStatus): void;
  /** The user's newest open invitation, if any. */
  openFor(userId: string): InvitationListRow | undefined;
  /** The SMTP server accepted a message: an invitation or reminder email about an invitation moves it to `sent`. */
  onMailSent(event: DomainEvents['mail.sent']): void;
  /** A profile was downloaded through an invitation's enrollment: the invitation moves to `profile_downloaded`. */
  onProfileDownloaded(event: DomainEvents['enrollment.profile_downloaded']): void;
  /** A device enrolled through an invitation's enrollment: the invitation moves to `enrolled`. */
  onEnrolled(event: DomainEvents['enrollment.enrolled']): void;
  /** Expires old invitations and queues due reminders; safe to run often and after restarts. */
  tick(): Promise<{ expired: number; reminders: number }>;
  enrollmentUrl(): EnrollmentUrlDto;
  regenerateUrl(ctx: Ctx): EnrollmentUrlDto;
}

/** Dependencies of the invitations service. */
export interface InvitationsDeps {
  store: InvitationsStore;
  users: UsersStore;
  mail: MailService;
  settings: SettingsService;
  urls: EnrollmentUrls;
  secrets: SecretBox;
  hasher: PasswordHasher;
  audit: AuditService;
  clock: Clock;
  random: Random;
  transaction: <T>(fn: () => T) => T;
  organization: string;
  /** The addresses in emails and the console: through the first-visit page while the office CA is in use. */
  links: EntryLinks;
  /** Closes the pending enrollments opened through an invitation (on revoke). */
  closeEnrollments: (invitationId: string, reason: string) => void;
  /** The sign-in throttle: whether a PIN is locked now, and forgetting a PIN's failures when it is replaced. */
  throttle: Pick<Throttle, 'retryAfter' | 'clear'>;
}

function toDto(row: InvitationListRow, pinLocked: boolean): InvitationDto {
  return {
    id: row.id,
    userId: row.user_id,
    userEmail: row.user_email,
    userDisplayName: row.user_display_name,
    status: row.status,
    hasPin: row.pin_hash !== null,
    pinLocked,
    urlVersion: row.url_version,
    expiresAt: row.expires_at,
    sentAt: row.sent_at,
    openedAt: row.opened_at,
    pinVerifiedAt: row.pin_verified_at,
    profileDownloadedAt: row.profile_downloaded_at,
    enrolledAt: row.enrolled_at,
    revokedAt: row.revoked_at,
    remindersSent: row.reminders_sent,
    mailStatus: (row.mail_status as InvitationDto['mailStatus']) ?? null,
    createdAt: row.created_at,
  };
}

/** Builds the invitations service. */
export function createInvitationsService(deps: InvitationsDeps): InvitationsService {
  const { store, users, audit, clock, random, transaction } = deps;
  const DAY = 86_400_000;

  // What an email says about its link: the address, and whether it checks trust in the office CA first.
  const linkOf = (token: string) => ({
    link: deps.links.invitation(token),
    trustFirst: deps.links.throughFirstVisit(),
  });
  const pinLocked = (id: string) => deps.throttle.retryAfter([pinThrottleKey(id)]) > 0;
  const dto = (row: InvitationListRow) => toDto(row, pinLocked(row.id));
  // A new PIN starts with no failures: the old one's count and lock go with it.
  const forgetPinFailures = (id: string) => deps.throttle.clear([pinThrottleKey(id)]);
  // A directory user signs in with the network password: a PIN only when the settings ask for one for them too.
  const needsPin = (user: UserRow) => {
    const s = deps.settings.userSettings();
    return user.source === 'ldap' ? s.requirePinForDirectory === true : user.password_hash === null || s.requirePin;
  };
  const subjectOf = (row: { id: string; user_email?: string }) => ({
    type: 'invitation',
    id: row.id,
    label: row.user_email ?? null,
  });

  const mustGet = (id: string): InvitationListRow => {
    const row = store.byId(id);
    if (!row) throw new AppError('INVITATION_NOT_FOUND', 'No invitation has this id; reload the list.', { id });
    return row;
  };

  const mustBeOpen = (row: InvitationListRow) => {
    if (!OPEN.has(row.status))
      throw new AppError('INVITATION_CLOSED', `This invitation is ${row.status}; send a new one instead.`, {
        status: row.status,
      });
  };

  /** A fresh link token and (when needed) PIN, with the email that carries them. */
  const prepare = async (
    user: UserRow,
    invitationId: string,
    kind: 'invitation' | 'reminder',
    token: string,
    expiresAt: string,
    passwordReset = false,
  ) => {
    const s = deps.settings.userSettings();
    const pin = needsPin(user) ? newDigits(random, s.pinLength) : null;
    const pinHash = pin ? await deps.hasher.hash(pin) : null;
    const pinExpiresAt = pin ? new Date(clock.now().getTime() + s.pinValidityHours * 3600_000).toISOString() : null;
    const mail = await buildInvitationMail({
      kind,
      lang: user.locale,
      organization: deps.organization,
      to: user.email,
      displayName: user.display_name,
      ...linkOf(token),
      pin,
      pinExpiresAt,
      expiresAt,
      invitationId,
      passwordReset,
      directory: user.source === 'ldap',
    });
    return { pin, pinHash, pinExpiresAt, mail };
  };

  const service: InvitationsService = {
    async invite(userIds, ctx, opts = {}) {
      const skipped: InviteResult['skipped'] = [];
      const created: InvitationDto[] = [];
      const s = deps.settings.userSettings();
      for (const userId of [...new Set(userIds)]) {
        const user = users.byId(userId);
        if (!user || user.deleted_at) {
          skipped.push({ userId, reason: 'not_found', message: 'No such user.' });
          continue;
        }
        if (user.disabled) {
          skipped.push({ userId, reason: 'disabled', message: `${user.email} is disabled.` });
          continue;
        }
        const id = random.uuid();
        const token = newToken(random);
        const now = clock.now();
        const expiresAt = new Date(now.getTime() + s.invitationValidityDays * DAY).toISOString();
        const prepared = await prepare(user, id, 'invitation', token, expiresAt, opts.passwordReset === true);
        transaction(() => {
          for (const old of store.openForUser(user.id)) {
            store.update(old.id, { status: 'revoked', revoked_at: now.toISOString(), updated_at: now.toISOString() });
            deps.mail.cancelFor(old.id);
            deps.closeEnrollments(old.id, 'superseded by a new invitation');
            audit.record({
              actor: ctx.actor,
              action: 'invitation.superseded',
              subject: subjectOf({ id: old.id, user_email: user.email }),
              details: { by: id },
              sourceAddress: ctx.sourceAddress,
            });
          }
          store.insert({
            id,
            user_id: user.id,
            status: 'created',
            token_hash: hashToken(token),
            token_sealed: deps.secrets.seal(token, `invitation:${id}`),
            url_version: deps.urls.current().version,
            pin_hash: prepared.pinHash,
            pin_expires_at: prepared.pinExpiresAt,
            pin_used_at: null,
            pin_failures: 0,
            expires_at: expiresAt,
            sent_at: null,
            opened_at: null,
            pin_verified_at: null,
            profile_downloaded_at: null,
            enrolled_at: null,
            revoked_at: null,
            reminders_sent: 0,
            last_reminder_at: null,
            created_by: ctx.actor.label ?? ctx.actor.type,
            created_at: now.toISOString(),
            updated_at: now.toISOString(),
          });
          deps.mail.enqueue(prepared.mail);
          audit.record({
            actor: ctx.actor,
            action: 'invitation.created',
            subject: subjectOf({ id, user_email: user.email }),
            details: {
              userId: user.id,
              pin: prepared.pin !== null,
              expiresAt,
              ...(opts.passwordReset ? { purpose: 'password_reset' } : {}),
            },
            sourceAddress: ctx.sourceAddress,
          });
        });
        created.push(dto(mustGet(id)));
      }
      return { invitations: created, skipped };
    },

    async resend(id, ctx) {
      const row = mustGet(id);
      mustBeOpen(row);
      const user = users.byId(row.user_id) as UserRow;
      const token = newToken(random);
      const now = clock.now();
      const expiresAt = new Date(
        now.getTime() + deps.settings.userSettings().invitationValidityDays * DAY,
      ).toISOString();
      const prepared = await prepare(user, id, 'invitation', token, expiresAt);
      transaction(() => {
        mustBeOpen(mustGet(id));
        deps.mail.cancelFor(id);
        store.update(id, {
          status: 'created',
          token_hash: hashToken(token),
          token_sealed: deps.secrets.seal(token, `invitation:${id}`),
          url_version: deps.urls.current().version,
          pin_hash: prepared.pinHash,
          pin_expires_at: prepared.pinExpiresAt,
          pin_used_at: null,
          pin_failures: 0,
          expires_at: expiresAt,
          updated_at: now.toISOString(),
        });
        forgetPinFailures(id);
        deps.mail.enqueue(prepared.mail);
        audit.record({
          actor: ctx.actor,
          action: 'invitation.resent',
          subject: subjectOf(row),
          details: { expiresAt, pin: prepared.pin !== null },
          sourceAddress: ctx.sourceAddress,
        });
      });
      return dto(mustGet(id));
    },

    revoke(id, ctx) {
      return transaction(() => {
        const row = mustGet(id);
        mustBeOpen(row);
        const now = clock.now().toISOString();
        store.update(id, { status: 'revoked', revoked_at: now, updated_at: now });
        const cancelled = deps.mail.cancelFor(id);
        deps.closeEnrollments(id, 'invitation revoked');
        audit.record({
          actor: ctx.actor,
          action: 'invitation.revoked',
          subject: subjectOf(row),
          details: { from: row.status, cancelledMail: cancelled },
          sourceAddress: ctx.sourceAddress,
        });
        return dto(mustGet(id));
      });
    },

    async newPin(id, ctx) {
      const row = mustGet(id);
      mustBeOpen(row);
      const user = users.byId(row.user_id) as UserRow;
      const token = deps.secrets.open(row.token_sealed, `invitation:${id}`).toString('utf8');
      const s = deps.settings.userSettings();
      const pin = newDigits(random, s.pinLength);
      const pinHash = await deps.hasher.hash(pin);
      const pinExpiresAt = new Date(clock.now().getTime() + s.pinValidityHours * 3600_000).toISOString();
      const mail = await buildInvitationMail({
        kind: 'invitation',
        lang: user.locale,
        organization: deps.organization,
        to: user.email,
        displayName: user.display_name,
        ...linkOf(token),
        pin,
        pinExpiresAt,
        expiresAt: row.expires_at,
        invitationId: id,
        directory: user.source === 'ldap',
      });
      const wasLocked = pinLocked(id);
      transaction(() => {
        store.update(id, {
          pin_hash: pinHash,
          pin_expires_at: pinExpiresAt,
          pin_used_at: null,
          pin_failures: 0,
          updated_at: clock.now().toISOString(),
        });
        forgetPinFailures(id);
        // The admin's new PIN is the way out of a lock now, not in a quarter of an hour: the email's lock goes too.
        deps.throttle.clear([portalEmailKey(normalizeEmail(user.email))]);
        deps.mail.enqueue(mail);
        audit.record({
          actor: ctx.actor,
          action: 'invitation.pin_reissued',
          subject: subjectOf(row),
          details: { pinExpiresAt, wasLocked },
          sourceAddress: ctx.sourceAddress,
        });
      });
      return { invitation: dto(mustGet(id)), pin };
    },

    async newPinFor(userId, ctx) {
      const open = store.openForUser(userId)[0];
      if (!open)
        throw new AppError(
          'INVITATION_NOT_FOUND',
          'This user has no open invitation, so there is no PIN to replace. Send an invitation: it carries a new PIN when the user needs one.',
          { userId, reason: 'no_open_invitation' },
        );
      return service.newPin(open.id, ctx);
    },

    revokeOpenFor(userId, ctx, reason) {
      const rows = store.openForUser(userId);
      const now = clock.now().toISOString();
      for (const row of rows) {
        store.update(row.id, { status: 'revoked', revoked_at: now, updated_at: now });
        const cancelled = deps.mail.cancelFor(row.id);
        deps.closeEnrollments(row.id, reason);
        audit.record({
          actor: ctx.actor,
          action: 'invitation.revoked',
          subject: subjectOf(row),
          details: { from: row.status, cancelledMail: cancelled, reason },
          sourceAddress: ctx.sourceAddress,
        });
      }
      return rows.length;
    },

    list(query) {
      const limit = Math.min(Math.max(query.limit ?? 100, 1), 500);
      const filter = {
        ...(query.status ? { status: query.status } : {}),
        ...(query.userId ? { userId: query.userId } : {}),
      };
      return {
        items: store.list(filter, limit, Math.max(query.offset ?? 0, 0)).map(dto),
        total: store.count(filter),
      };
    },

    get: (id) => dto(mustGet(id)),

    open(token, sourceAddress, forUserId) {
      const found = token.length <= 100 ? store.byTokenHash(hashToken(token)) : undefined;
      const row = forUserId === undefined || found?.user_id === forUserId ? found : undefined;
      if (!row)
        throw new AppError(
          'INVITATION_NOT_FOUND',
          'This invitation link is not valid. It may have been replaced by a newer email; use the newest one, or sign in with your email address and password.',
        );
      if (row.status === 'revoked')
        throw new AppError(
          'INVITATION_CLOSED',
          'This invitation was withdrawn by your administrator. Ask them for a new one.',
          { reason: 'revoked' },
        );
      if (row.status === 'expired' || new Date(row.expires_at) <= clock.now())
        throw new AppError(
          'INVITATION_CLOSED',
          'This invitation has expired. Ask your administrator to send a new one.',
          { reason: 'expired' },
        );
      if (row.status === 'created' || row.status === 'sent') {
        transaction(() => {
          service.advance(row.id, 'opened');
          audit.record({
            actor: { type: 'user', id: row.user_id, label: row.user_email },
            action: 'invitation.opened',
            subject: subjectOf(row),
            sourceAddress,
          });
        });
      }
      return mustGet(row.id);
    },

    async verifyPin(userId, pin, sourceAddress) {
      const row = store.openForUser(userId).find((r) => r.pin_hash !== null);
      const actor: Actor = { type: 'user', id: userId, label: row?.user_email ?? null };
      if (!row || !row.pin_hash)
        throw new AppError('SIGN_IN_FAILED', 'The email address or PIN is wrong.', { secret: 'pin' });
      // The hash first: whether a PIN was used or expired is told only to someone who knows it.
      const ok = /^\d{4,12}$/.test(pin) && (await deps.hasher.verify(row.pin_hash, pin));
      const outcome = transaction((): InvitationListRow | 'wrong' | 'used' | 'expired' => {
        const fresh = mustGet(row.id);
        if (!ok) {
          const failures = fresh.pin_failures + 1;
          store.update(row.id, { pin_failures: failures, updated_at: clock.now().toISOString() });
          audit.record({
            actor,
            action: 'invitation.pin_failed',
            subject: subjectOf(row),
            details: { failures, limit: PIN_ATTEMPTS },
            sourceAddress,
          });
          return 'wrong';
        }
        if (fresh.pin_used_at || fresh.pin_hash !== row.pin_hash) return 'used';
        if (fresh.pin_expires_at && new Date(fresh.pin_expires_at) <= clock.now()) return 'expired';
        store.update(row.id, { pin_used_at: clock.now().toISOString(), updated_at: clock.now().toISOString() });
        service.advance(row.id, 'pin_verified');
        audit.record({ actor, action: 'invitation.pin_verified', subject: subjectOf(row), sourceAddress });
        return mustGet(row.id);
      });
      if (outcome === 'used')
        throw new AppError(
          'PIN_USED',
          'This PIN was already used. Sign in with your password, or ask your administrator for a new PIN.',
        );
      if (outcome === 'expired')
        throw new AppError('PIN_EXPIRED', 'This PIN has expired. Ask your administrator for a new PIN.');
      if (outcome === 'wrong')
        throw new AppError('SIGN_IN_FAILED', 'The email address or PIN is wrong.', { secret: 'pin' });
      return outcome;
    },

    advance(id, status) {
      const row = store.byId(id);
      if (!row || !OPEN.has(row.status)) return;
      if (ORDER.indexOf(status) <= ORDER.indexOf(row.status)) return;
      const now = clock.now().toISOString();
      const stamp = TIMESTAMP[status];
      store.update(id, { status, updated_at: now, ...(stamp ? { [stamp]: now } : {}) });
    },

    openFor: (userId) => store.openForUser(userId)[0],

    onMailSent({ kind, refId }) {
      if (!refId || (kind !== 'invitation' && kind !== 'reminder')) return;
      const row = store.byId(refId);
      if (!row) return;
      if (row.status === 'created') service.advance(refId, 'sent');
      else if (!row.sent_at) store.update(refId, { sent_at: clock.now().toISOString() });
    },

    onProfileDownloaded({ invitationId }) {
      if (invitationId) service.advance(invitationId, 'profile_downloaded');
    },

    onEnrolled({ invitationId }) {
      if (invitationId) service.advance(invitationId, 'enrolled');
    },

    async tick() {
      const now = clock.now();
      let expired = 0;
      for (const row of store.expiredOpen(now.toISOString())) {
        transaction(() => {
          store.update(row.id, { status: 'expired', updated_at: now.toISOString() });
          deps.mail.cancelFor(row.id);
          deps.closeEnrollments(row.id, 'invitation expired');
          audit.record({
            actor: { type: 'system', label: 'scheduler' },
            action: 'invitation.expired',
            subject: { type: 'invitation', id: row.id, label: null },
            details: { from: row.status },
          });
        });
        expired++;
      }
      const days = deps.settings.userSettings().reminderDays;
      let reminders = 0;
      for (const row of store.reminderCandidates()) {
        const next = row.reminders_sent;
        if (next >= days.length || !row.sent_at) continue;
        const due = new Date(row.sent_at).getTime() + (days[next] as number) * DAY;
        if (now.getTime() < due) continue;
        const user = users.byId(row.user_id) as UserRow;
        const token = deps.secrets.open(row.token_sealed, `invitation:${row.id}`).toString('utf8');
        // A reminder carries a fresh PIN only while the user still has no way to sign in without one (a directory user
        // has the network password).
        const freshPin =
          row.pin_hash !== null && !row.pin_used_at && user.password_hash === null && user.source !== 'ldap';
        const prepared = freshPin
          ? await prepare(user, row.id, 'reminder', token, row.expires_at)
          : {
              pin: null,
              pinHash: null,
              pinExpiresAt: null,
              mail: await buildInvitationMail({
                kind: 'reminder',
                lang: user.locale,
                organization: deps.organization,
                to: user.email,
                displayName: user.display_name,
                ...linkOf(token),
                pin: null,
                pinExpiresAt: null,
                expiresAt: row.expires_at,
                invitationId: row.id,
                directory: user.source === 'ldap',
              }),
            };
        const sent = transaction(() => {
          const current = mustGet(row.id);
          // Another tick (or a restart mid-way) already sent this reminder: never twice.
          if (current.reminders_sent !== next || !OPEN.has(current.status)) return false;
          store.update(row.id, {
            reminders_sent: next + 1,
            last_reminder_at: now.toISOString(),
            updated_at: now.toISOString(),
            ...(freshPin ? { pin_hash: prepared.pinHash, pin_expires_at: prepared.pinExpiresAt, pin_failures: 0 } : {}),
          });
          if (freshPin) forgetPinFailures(row.id);
          deps.mail.enqueue(prepared.mail);
          audit.record({
            actor: { type: 'system', label: 'scheduler' },
            action: 'invitation.reminder_queued',
            subject: subjectOf(row),
            details: { reminder: next + 1, of: days.length, day: days[next] },
          });
          return true;
        });
        if (sent) reminders++;
      }
      return { expired, reminders };
    },

    enrollmentUrl() {
      const c = deps.urls.current();
      return { version: c.version, url: deps.links.portal() };
    },

    regenerateUrl(ctx) {
      const next = deps.urls.regenerate();
      audit.record({
        actor: ctx.actor,
        action: 'enrollment_url.regenerated',
        subject: { type: 'settings', id: 'enrollment-url', label: `v${next.version}` },
        details: { version: next.version, previous: next.previous },
        sourceAddress: ctx.sourceAddress,
      });
      return service.enrollmentUrl();
    },
  };
  return service;
}
