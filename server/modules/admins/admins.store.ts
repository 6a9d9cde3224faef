import type { Db } from '../../db/open.js';

/** An administrator row as stored. */
export interface AdminRow {
  id: string;
  email: string;
  email_norm: string;
  display_name: string;
  password_hash: string;
  created_at: string;
  last_login_at: string | null;
  /** 1 when the password was set by another admin (a temporary one) and must be changed at the next sign-in. */
  must_change_password?: 0 | 1;
}

/** A session row; the cookie holds the token, the row only its SHA-256. */
export interface SessionRow {
  token_hash: string;
  admin_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  source_address: string | null;
}

/** The SQL behind administrators, their sessions, and small app state values. */
export interface AdminsStore {
  count(): number;
  insert(row: AdminRow): void;
  byEmail(emailNorm: string): AdminRow | undefined;
  byId(id: string): AdminRow | undefined;
  touchLogin(id: string, at: string): void;
  insertSession(row: SessionRow): void;
  session(tokenHash: string): SessionRow | undefined;
  extendSession(tokenHash: string, lastSeen: string, expiresAt: string): void;
  deleteSession(tokenHash: string): void;
  deleteExpiredSessions(now: string): number;
  /** Deletes sessions no longer accepted: idle past `now`, or opened before `createdBefore`; returns how many. */
  purgeExpired(now: string, createdBefore: string): number;
  /** Every administrator, oldest first. */
  list(): AdminRow[];
  /**
   * Deletes the admin `id` and their sessions in one statement that also counts: it deletes nothing when no other
   * admin would remain. Returns whether a row was deleted. Run inside a transaction with the audit event.
   */
  removeUnlessLast(id: string): boolean;
  /** Sets a new password hash and whether it must be changed at the next sign-in. */
  setPassword(id: string, passwordHash: string, mustChange: boolean): void;
  /** Ends every session of `adminId` except `keepTokenHash` (or all); returns how many ended. */
  deleteSessionsOf(adminId: string, keepTokenHash?: string): number;
  state(key: string): string | undefined;
  putState(key: string, value: string): void;
  deleteState(key: string): void;
}

/** Builds the admins store over an open database. */
export function createAdminsStore(db: Db): AdminsStore {
  const s = {
    count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM admins'),
    insert: db.prepare(
      'INSERT INTO admins (id, email, email_norm, display_name, password_hash, created_at, last_login_at) VALUES (@id, @email, @email_norm, @display_name, @password_hash, @created_at, @last_login_at)',
    ),
    byEmail: db.prepare<[string], AdminRow>('SELECT * FROM admins WHERE email_norm = ?'),
    byId: db.prepare<[string], AdminRow>('SELECT * FROM admins WHERE id = ?'),
    touch: db.prepare('UPDATE admins SET last_login_at = ? WHERE id = ?'),
    insertSession: db.prepare(
      'INSERT INTO admin_sessions (token_hash, admin_id, csrf_token, created_at, expires_at, last_seen_at, source_address) VALUES (@token_hash, @admin_id, @csrf_token, @created_at, @expires_at, @last_seen_at, @source_address)',
    ),
    session: db.prepare<[string], SessionRow>('SELECT * FROM admin_sessions WHERE token_hash = ?'),
    extend: db.prepare('UPDATE admin_sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?'),
    deleteSession: db.prepare('DELETE FROM admin_sessions WHERE token_hash = ?'),
    deleteExpired: db.prepare('DELETE FROM admin_sessions WHERE expires_at <= ?'),
    purge: db.prepare('DELETE FROM admin_sessions WHERE expires_at <= @now OR created_at < @createdBefore'),
    list: db.prepare<[], AdminRow>('SELECT * FROM admins ORDER BY created_at, email_norm'),
    // The count is in the same statement, so no other removal can come between the check and the delete.
    removeUnlessLast: db.prepare('DELETE FROM admins WHERE id = ? AND (SELECT count(*) FROM admins) > 1'),
    setPassword: db.prepare('UPDATE admins SET password_hash = ?, must_change_password = ? WHERE id = ?'),
    deleteSessionsOf: db.prepare('DELETE FROM admin_sessions WHERE admin_id = @adminId AND token_hash <> @keep'),
    state: db.prepare<[string], { value: string }>('SELECT value FROM app_state WHERE key = ?'),
    putState: db.prepare(
      'INSERT INTO app_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ),
    deleteState: db.prepare('DELETE FROM app_state WHERE key = ?'),
  };
  return {
    count: () => s.count.get()?.n ?? 0,
    insert: (row) => {
      s.insert.run(row);
    },
    byEmail: (e) => s.byEmail.get(e),
    byId: (id) => s.byId.get(id),
    touchLogin: (id, at) => {
      s.touch.run(at, id);
    },
    insertSession: (row) => {
      s.insertSession.run(row);
    },
    session: (h) => s.session.get(h),
    extendSession: (h, lastSeen, expiresAt) => {
      s.extend.run(lastSeen, expiresAt, h);
    },
    deleteSession: (h) => {
      s.deleteSession.run(h);
    },
    deleteExpiredSessions: (now) => s.deleteExpired.run(now).changes,
    purgeExpired: (now, createdBefore) => s.purge.run({ now, createdBefore }).changes,
    list: () => s.list.all(),
    removeUnlessLast: (id) => {
      // The foreign key cascades to the sessions as well; said here so ending them does not rest on a pragma.
      const removed = s.removeUnlessLast.run(id).changes > 0;
      if (removed) s.deleteSessionsOf.run({ adminId: id, keep: '' });
      return removed;
    },
    setPassword: (id, hash, mustChange) => {
      s.setPassword.run(hash, mustChange ? 1 : 0, id);
    },
    deleteSessionsOf: (adminId, keep) => s.deleteSessionsOf.run({ adminId, keep: keep ?? '' }).changes,
    state: (key) => s.state.get(key)?.value,
    putState: (key, value) => {
      s.putState.run(key, value);
    },
    deleteState: (key) => {
      s.deleteState.run(key);
    },
  };
}
