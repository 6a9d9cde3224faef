import { timingSafeEqual } from 'node:crypto';
import type {
  AdminCreatedDto,
  AdminDto,
  AdminPasswordResetDto,
  ConsoleAccessDto,
  SessionDto,
} from '../../contract/auth.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { hashToken, newToken, normalizeEmail } from '../../core/ids.js';
import { DUMMY_HASH, passwordProblem, type PasswordHasher } from '../../core/password.js';
import type { Random } from '../../core/random.js';
import { displayNameProblem, emailProblem } from '../../core/validate.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import type { Throttle } from '../throttle/throttle.service.js';
import type { AdminPrincipal } from '../../http/auth.js';
import type { AdminRow, AdminsStore } from './admins.store.js';

export type { AdminPrincipal };

export { DEFAULT_LOCKOUT, lockDuration, type LockoutPolicy } from '../throttle/throttle.service.js';

/** Session lifetime: idle timeout, and an absolute limit from sign-in. */
export const SESSION_IDLE_MS = 8 * 3600_000;
export const SESSION_MAX_MS = 24 * 3600_000;
const SETUP_TOKEN_TTL_MS = 24 * 3600_000;

/** Administrator accounts: first-run setup, creation, sign-in with lockout, sessions. */
export interface AdminsService {
  setupRequired(): boolean;
  /** Mints a fresh one-time setup token when no admin exists (else null); only its hash is stored. */
  issueSetupToken(): string | null;
  completeSetup(
    input: { setupToken: string; email: string; displayName: string; password: string },
    sourceAddress: string | null,
  ): Promise<{ session: SessionDto; token: string }>;
  create(
    input: { email: string; displayName: string; password: string },
    actor: Actor,
    sourceAddress: string | null,
  ): Promise<AdminDto>;
  login(
    input: { email: string; password: string },
    sourceAddress: string | null,
  ): Promise<{ session: SessionDto; token: string }>;
  /** The principal for a session cookie value, or null when absent, unknown or expired. */
  authenticate(token: string | undefined): AdminPrincipal | null;
  logout(principal: AdminPrincipal, sourceAddress: string | null): void;
  sessionDto(principal: AdminPrincipal): SessionDto;
  /** Whether the session of `tokenHash` still stands, without sliding its idle timeout (for long-lived streams). */
  sessionLive(tokenHash: string): boolean;
  /** Every administrator, oldest first. */
  list(): AdminDto[];
  /** Adds an admin with the given password, or a generated temporary one they must change at first sign-in. */
  add(
    input: { email: string; displayName: string; password?: string | undefined },
    actor: AdminPrincipal,
    sourceAddress: string | null,
  ): Promise<AdminCreatedDto>;
  /** Removes another admin and ends their sessions; refused for oneself and when no other admin would remain. */
  remove(id: string, actor: AdminPrincipal, sourceAddress: string | null): void;
  /** Gives another admin a generated temporary password (changed at their next sign-in) and ends their sessions. */
  resetPassword(id: string, actor: AdminPrincipal, sourceAddress: string | null): Promise<AdminPasswordResetDto>;
  /**
   * Changes the signed-in admin's own password after checking the current one (locked out like sign-in); ends their
   * other sessions and keeps this one.
   */
  changeOwnPassword(
    principal: AdminPrincipal,
    input: { currentPassword: string; newPassword: string },
    sourceAddress: string | null,
  ): Promise<void>;
  /** Ends every admin session (after a restore); returns how many ended. */
  endAllSessions(): number;
  /** Where the console can be reached from: now, as saved for the next start, and whether the environment decides. */
  consoleAccess(): ConsoleAccessDto;
  /** Saves whether the console listens on the LAN from the next start (refused while TSUNAGU_LAN_ADMIN decides). */
  setLanAdmin(on: boolean, actor: AdminPrincipal, sourceAddress: string | null): ConsoleAccessDto;
}

/** The app_state key of the console's LAN setting ('1' or '0'). */
export const LAN_ADMIN_STATE = 'console.lan_admin';

/** Whether the saved console setting asks for the LAN (read by the server as it starts). */
export function savedLanAdmin(store: Pick<AdminsStore, 'state'>): boolean {
  return store.state(LAN_ADMIN_STATE) === '1';
}

/** The alphabet of generated temporary passwords: no look-alikes (0/o, 1/l/i). */
const TEMP_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A generated temporary password: four groups of five from TEMP_ALPHABET (about 99 bits), easy to read out. */
export function temporaryPassword(random: Random): string {
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let group = '';
    for (let i = 0; i < 5; i++) group += TEMP_ALPHABET[random.int(0, TEMP_ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

/** Dependencies of the admins service. */
export interface AdminsDeps {
  store: AdminsStore;
  audit: AuditService;
  clock: Clock;
  random: Random;
  hasher: PasswordHasher;
  transaction: <T>(fn: () => T) => T;
  throttle: Throttle;
  /** How the running server listens: on the LAN or not, and whether TSUNAGU_LAN_ADMIN turned it on. */
  consoleAccess?: { lanAdminNow: boolean; fromEnv: boolean };
}

/** The console's view of a stored admin. */
export function toAdminDto(row: AdminRow): AdminDto {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
    mustChangePassword: row.must_change_password === 1,
  };
}

/** Builds the admins service. */
export function createAdminsService(deps: AdminsDeps): AdminsService {
  const { store, audit, clock, random, hasher, transaction, throttle } = deps;

  const validate = (input: { email: string; displayName: string; password: string }) => {
    const email = input.email.trim();
    const e = emailProblem(email);
    if (e) throw new AppError('VALIDATION_FAILED', e, { field: 'email' });
    const n = displayNameProblem(input.displayName);
    if (n) throw new AppError('VALIDATION_FAILED', n, { field: 'displayName' });
    const p = passwordProblem(input.password, email);
    if (p) throw new AppError('PASSWORD_POLICY', p, { field: 'password' });
    return email;
  };

  const insertAdmin = (email: string, displayName: string, passwordHash: string): AdminRow => {
    const norm = normalizeEmail(email);
    if (store.byEmail(norm))
      throw new AppError('ADMIN_EXISTS', `An administrator with the email address ${email} already exists.`, {
        field: 'email',
      });
    const row: AdminRow = {
      id: random.uuid(),
      email,
      email_norm: norm,
      display_name: displayName.trim(),
      password_hash: passwordHash,
      created_at: clock.now().toISOString(),
      last_login_at: null,
    };
    store.insert(row);
    return row;
  };

  const openSession = (admin: AdminRow, sourceAddress: string | null): { session: SessionDto; token: string } => {
    const now = clock.now();
    const token = newToken(random);
    const csrf = newToken(random);
    const expiresAt = new Date(now.getTime() + SESSION_IDLE_MS).toISOString();
    store.deleteExpiredSessions(now.toISOString());
    store.insertSession({
      token_hash: hashToken(token),
      admin_id: admin.id,
      csrf_token: csrf,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      last_seen_at: now.toISOString(),
      source_address: sourceAddress,
    });
    store.touchLogin(admin.id, now.toISOString());
    return {
      token,
      session: { admin: toAdminDto({ ...admin, last_login_at: now.toISOString() }), csrfToken: csrf, expiresAt },
    };
  };

  const actorOf = (row: AdminRow): Actor => ({ type: 'admin', id: row.id, label: row.email });
  const principalActor = (p: AdminPrincipal): Actor => ({ type: 'admin', id: p.admin.id, label: p.admin.email });

  return {
    setupRequired: () => store.count() === 0,

    issueSetupToken() {
      if (store.count() > 0) {
        store.deleteState('setup_token');
        return null;
      }
      const token = newToken(random, 18);
      const expires = new Date(clock.now().getTime() + SETUP_TOKEN_TTL_MS).toISOString();
      store.putState('setup_token', JSON.stringify({ hash: hashToken(token), expires }));
      return token;
    },

    async completeSetup(input, sourceAddress) {
      if (store.count() > 0) throw new AppError('SETUP_ALREADY_DONE', 'Setup is already complete; sign in instead.');
      // The token first: a caller without it costs no argon2 hash and writes nothing (not even an audit row).
      const saved = store.state('setup_token');
      const parsed = saved ? (JSON.parse(saved) as { hash: string; expires: string }) : null;
      const given = Buffer.from(hashToken(input.setupToken.trim()));
      const tokenOk =
        parsed !== null && new Date(parsed.expires) > clock.now() && timingSafeEqual(given, Buffer.from(parsed.hash));
      if (!tokenOk)
        throw new AppError(
          'SETUP_TOKEN_INVALID',
          'The setup token is wrong or expired. Use the token that `tsunagu serve` printed when it started (restart it for a new one).',
          { field: 'setupToken' },
        );
      const email = validate(input);
      const passwordHash = await hasher.hash(input.password);
      return transaction(() => {
        if (store.count() > 0) throw new AppError('SETUP_ALREADY_DONE', 'Setup is already complete; sign in instead.');
        const row = insertAdmin(email, input.displayName, passwordHash);
        store.deleteState('setup_token');
        audit.record({
          actor: actorOf(row),
          action: 'admin.setup',
          subject: { type: 'admin', id: row.id, label: row.email },
          details: { displayName: row.display_name },
          sourceAddress,
        });
        const opened = openSession(row, sourceAddress);
        audit.record({
          actor: actorOf(row),
          action: 'admin.login',
          subject: { type: 'admin', id: row.id, label: row.email },
          details: { via: 'setup' },
          sourceAddress,
        });
        return opened;
      });
    },

    async create(input, actor, sourceAddress) {
      const email = validate(input);
      const passwordHash = await hasher.hash(input.password);
      return transaction(() => {
        const row = insertAdmin(email, input.displayName, passwordHash);
        store.deleteState('setup_token');
        audit.record({
          actor,
          action: 'admin.created',
          subject: { type: 'admin', id: row.id, label: row.email },
          details: { displayName: row.display_name },
          sourceAddress,
        });
        return toAdminDto(row);
      });
    },

    async login(input, sourceAddress) {
      const norm = normalizeEmail(input.email);
      // Counted per submitted email whether or not such an admin exists, so a lock tells nothing about accounts.
      const keys = [`email:${norm}`, ...(sourceAddress ? [`addr:${sourceAddress}`] : [])];
      const reserved = throttle.reserve(keys);
      if (!reserved.ok)
        throw new AppError(
          'AUTH_LOCKED',
          `Too many failed sign-ins. Try again in ${reserved.retryAfterSeconds} seconds.`,
          { retryAfterSeconds: reserved.retryAfterSeconds },
        );
      const { reservation } = reserved;
      const admin = store.byEmail(norm);
      // Verify against a dummy hash for unknown emails so the response time does not reveal accounts.
      const ok = await hasher.verify(admin?.password_hash ?? DUMMY_HASH, input.password);
      const outcome = transaction(() => {
        if (ok && admin) {
          throttle.refund(reservation);
          const opened = openSession(admin, sourceAddress);
          audit.record({
            actor: actorOf(admin),
            action: 'admin.login',
            subject: { type: 'admin', id: admin.id, label: admin.email },
            sourceAddress,
          });
          return opened;
        }
        // The attempt was counted on the account before the check; the address counts it now.
        const lockedMs = throttle.failed(reservation);
        const actor: Actor = admin ? actorOf(admin) : { type: 'admin', id: null, label: input.email.slice(0, 254) };
        audit.record({
          actor,
          action: 'admin.login_failed',
          subject: admin ? { type: 'admin', id: admin.id, label: admin.email } : null,
          details: { reason: admin ? 'wrong password' : 'unknown email' },
          sourceAddress,
        });
        // One event per lock started; the refusals while it holds are not audited one by one.
        if (lockedMs > 0) {
          audit.record({
            actor,
            action: 'admin.login_locked',
            subject: admin ? { type: 'admin', id: admin.id, label: admin.email } : null,
            details: { lockedSeconds: lockedMs / 1000 },
            sourceAddress,
          });
        }
        return null;
      });
      if (!outcome) throw new AppError('AUTH_INVALID_CREDENTIALS', 'The email address or password is wrong.');
      return outcome;
    },

    authenticate(token) {
      if (!token || token.length > 200) return null;
      const hash = hashToken(token);
      const row = store.session(hash);
      const now = clock.now();
      if (!row) return null;
      if (new Date(row.expires_at) <= now || now.getTime() - new Date(row.created_at).getTime() > SESSION_MAX_MS) {
        store.deleteSession(hash);
        return null;
      }
      const admin = store.byId(row.admin_id);
      if (!admin) return null;
      // Slide the idle timeout, but write at most once a minute.
      if (now.getTime() - new Date(row.last_seen_at).getTime() > 60_000) {
        store.extendSession(hash, now.toISOString(), new Date(now.getTime() + SESSION_IDLE_MS).toISOString());
      }
      return { admin: toAdminDto(admin), csrfToken: row.csrf_token, tokenHash: hash };
    },

    sessionLive(tokenHash) {
      const row = store.session(tokenHash);
      const now = clock.now().getTime();
      return (
        row !== undefined &&
        new Date(row.expires_at).getTime() > now &&
        now - new Date(row.created_at).getTime() <= SESSION_MAX_MS
      );
    },

    logout(principal, sourceAddress) {
      transaction(() => {
        store.deleteSession(principal.tokenHash);
        audit.record({
          actor: { type: 'admin', id: principal.admin.id, label: principal.admin.email },
          action: 'admin.logout',
          subject: { type: 'admin', id: principal.admin.id, label: principal.admin.email },
          sourceAddress,
        });
      });
    },

    list: () => store.list().map(toAdminDto),

    async add(input, principal, sourceAddress) {
      const generated = input.password === undefined || input.password === '' ? temporaryPassword(random) : null;
      const password = generated ?? (input.password as string);
      const email = validate({ ...input, password });
      const passwordHash = await hasher.hash(password);
      return transaction(() => {
        const row = insertAdmin(email, input.displayName, passwordHash);
        if (generated) store.setPassword(row.id, passwordHash, true);
        audit.record({
          actor: principalActor(principal),
          action: 'admin.created',
          subject: { type: 'admin', id: row.id, label: row.email },
          details: { displayName: row.display_name, temporaryPassword: generated !== null },
          sourceAddress,
        });
        return {
          admin: toAdminDto({ ...row, must_change_password: generated ? 1 : 0 }),
          temporaryPassword: generated,
        };
      });
    },

    remove(id, principal, sourceAddress) {
      if (id === principal.admin.id)
        throw new AppError(
          'ADMIN_REMOVE_SELF',
          'You cannot remove your own account; another administrator can remove it.',
        );
      transaction(() => {
        const row = store.byId(id);
        if (!row) throw new AppError('ADMIN_NOT_FOUND', 'This administrator does not exist (any more).');
        // One statement counts and deletes, so two admins removing each other at once cannot both succeed.
        if (!store.removeUnlessLast(id))
          throw new AppError('LAST_ADMIN', 'The last administrator cannot be removed; add another one first.');
        audit.record({
          actor: principalActor(principal),
          action: 'admin.removed',
          subject: { type: 'admin', id: row.id, label: row.email },
          sourceAddress,
        });
      });
    },

    async resetPassword(id, principal, sourceAddress) {
      if (id === principal.admin.id)
        throw new AppError('VALIDATION_FAILED', 'Change your own password with the current one instead.', {
          field: 'id',
        });
      if (!store.byId(id)) throw new AppError('ADMIN_NOT_FOUND', 'This administrator does not exist (any more).');
      const generated = temporaryPassword(random);
      const passwordHash = await hasher.hash(generated);
      return transaction(() => {
        // Looked up again: the admin may have been removed while the hash was computed.
        const row = store.byId(id);
        if (!row) throw new AppError('ADMIN_NOT_FOUND', 'This administrator does not exist (any more).');
        store.setPassword(id, passwordHash, true);
        const ended = store.deleteSessionsOf(id);
        audit.record({
          actor: principalActor(principal),
          action: 'admin.password_reset',
          subject: { type: 'admin', id: row.id, label: row.email },
          details: { sessionsEnded: ended },
          sourceAddress,
        });
        return { temporaryPassword: generated };
      });
    },

    async changeOwnPassword(principal, input, sourceAddress) {
      const id = principal.admin.id;
      const keys = [`admin-password:${id}`, ...(sourceAddress ? [`addr:${sourceAddress}`] : [])];
      const reserved = throttle.reserve(keys);
      if (!reserved.ok)
        throw new AppError(
          'AUTH_LOCKED',
          `Too many wrong passwords. Try again in ${reserved.retryAfterSeconds} seconds.`,
          { retryAfterSeconds: reserved.retryAfterSeconds },
        );
      const { reservation } = reserved;
      const row = store.byId(id);
      const ok = await hasher.verify(row?.password_hash ?? DUMMY_HASH, input.currentPassword);
      if (!ok || !row) {
        transaction(() => {
          const lockedMs = throttle.failed(reservation);
          audit.record({
            actor: principalActor(principal),
            action: 'admin.password_change_failed',
            subject: { type: 'admin', id, label: principal.admin.email },
            details: { reason: 'wrong current password', ...(lockedMs > 0 ? { lockedSeconds: lockedMs / 1000 } : {}) },
            sourceAddress,
          });
        });
        throw new AppError('AUTH_INVALID_CREDENTIALS', 'The current password is wrong.', {
          field: 'currentPassword',
        });
      }
      throttle.refund(reservation);
      const p = passwordProblem(input.newPassword, row.email);
      if (p) throw new AppError('PASSWORD_POLICY', p, { field: 'newPassword' });
      if (input.newPassword === input.currentPassword)
        throw new AppError('PASSWORD_POLICY', 'Choose a password different from the current one.', {
          field: 'newPassword',
        });
      const passwordHash = await hasher.hash(input.newPassword);
      transaction(() => {
        store.setPassword(id, passwordHash, false);
        const ended = store.deleteSessionsOf(id, principal.tokenHash);
        audit.record({
          actor: principalActor(principal),
          action: 'admin.password_changed',
          subject: { type: 'admin', id, label: row.email },
          details: { otherSessionsEnded: ended, wasTemporary: row.must_change_password === 1 },
          sourceAddress,
        });
      });
    },

    // Everything is "expired" before the end of time: one DELETE of every session.
    endAllSessions: () => store.purgeExpired('9999-12-31T00:00:00.000Z', '9999-12-31T00:00:00.000Z'),

    consoleAccess() {
      const now = deps.consoleAccess ?? { lanAdminNow: false, fromEnv: false };
      const saved = now.fromEnv || savedLanAdmin(store);
      return {
        lanAdminNow: now.lanAdminNow,
        lanAdminSaved: saved,
        fromEnv: now.fromEnv,
        restartNeeded: saved !== now.lanAdminNow,
      };
    },

    setLanAdmin(on, principal, sourceAddress) {
      if (deps.consoleAccess?.fromEnv)
        throw new AppError(
          'SETTINGS_INVALID',
          'TSUNAGU_LAN_ADMIN is set where Tsunagu starts, so it decides; remove it there to choose here.',
          { field: 'lanAdmin' },
        );
      transaction(() => {
        store.putState(LAN_ADMIN_STATE, on ? '1' : '0');
        audit.record({
          actor: principalActor(principal),
          action: 'settings.updated',
          details: { lanAdmin: on, appliesAtNextStart: true },
          sourceAddress,
        });
      });
      return this.consoleAccess();
    },

    sessionDto(principal) {
      const row = store.session(principal.tokenHash);
      return {
        admin: principal.admin,
        csrfToken: principal.csrfToken,
        expiresAt: row?.expires_at ?? clock.now().toISOString(),
      };
    },
  };
}
