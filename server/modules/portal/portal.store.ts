import type { Db } from '../../db/open.js';
import { partialUpdate } from '../../db/partial-update.js';

/** A signed-in portal session; the cookie holds the token, the row its SHA-256. */
export interface PortalSessionRow {
  token_hash: string;
  user_id: string;
  invitation_id: string | null;
  csrf_token: string;
  needs_password: 0 | 1;
  /** The secret the session was opened with: a QR-code session cannot change the password. */
  opened_with: 'password' | 'pin' | 'qr';
  created_at: string;
  expires_at: string;
  source_address: string | null;
}

/** A single-use sign-in token (a QR code for another device or the Android agent). */
export interface SignInTokenRow {
  token_hash: string;
  user_id: string;
  purpose: 'portal' | 'agent';
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** The SQL behind portal sessions and sign-in tokens. */
export interface PortalStore {
  insertSession(row: PortalSessionRow): void;
  session(hash: string): PortalSessionRow | undefined;
  updateSession(
    hash: string,
    changes: Partial<Pick<PortalSessionRow, 'needs_password' | 'expires_at' | 'invitation_id' | 'opened_with'>>,
  ): void;
  deleteSession(hash: string): void;
  deleteSessionsOf(userId: string, except: string | null): number;
  /** Deletes a user's unused sign-in tokens (QR codes, helper links, agent QR codes); how many. */
  deleteTokensOf(userId: string): number;
  deleteExpired(now: string): void;
  /** Deletes the sessions and sign-in tokens expired at `now` (used or not); returns how many of each. */
  purgeExpired(now: string): { sessions: number; signInTokens: number };
  insertToken(row: SignInTokenRow): void;
  /** Marks a token used if it is live; returns the row when this call used it. */
  useToken(hash: string, now: string): SignInTokenRow | undefined;
}

/** Builds the portal store over an open database. */
export function createPortalStore(db: Db): PortalStore {
  const s = {
    insert:
      db.prepare(`INSERT INTO portal_sessions (token_hash, user_id, invitation_id, csrf_token, needs_password, opened_with, created_at, expires_at, source_address)
      VALUES (@token_hash, @user_id, @invitation_id, @csrf_token, @needs_password, @opened_with, @created_at, @expires_at, @source_address)`),
    get: db.prepare<[string], PortalSessionRow>('SELECT * FROM portal_sessions WHERE token_hash = ?'),
    del: db.prepare('DELETE FROM portal_sessions WHERE token_hash = ?'),
    delUser: db.prepare('DELETE FROM portal_sessions WHERE user_id = @user AND token_hash IS NOT @except'),
    delExpired: db.prepare('DELETE FROM portal_sessions WHERE expires_at <= ?'),
    delUserTokens: db.prepare('DELETE FROM sign_in_tokens WHERE user_id = ? AND used_at IS NULL'),
    delExpiredTokens: db.prepare('DELETE FROM sign_in_tokens WHERE expires_at <= ?'),
    insertToken: db.prepare(
      'INSERT INTO sign_in_tokens (token_hash, user_id, purpose, created_at, expires_at, used_at) VALUES (@token_hash, @user_id, @purpose, @created_at, @expires_at, @used_at)',
    ),
    use: db.prepare(
      'UPDATE sign_in_tokens SET used_at = @now WHERE token_hash = @hash AND used_at IS NULL AND expires_at > @now',
    ),
    token: db.prepare<[string], SignInTokenRow>('SELECT * FROM sign_in_tokens WHERE token_hash = ?'),
    update: partialUpdate(
      db,
      'portal_sessions',
      ['needs_password', 'expires_at', 'invitation_id', 'opened_with'],
      ['token_hash'],
    ),
  };
  return {
    insertSession: (row) => {
      s.insert.run(row);
    },
    session: (h) => s.get.get(h),
    updateSession: (hash, changes) => {
      s.update({ token_hash: hash }, changes);
    },
    deleteSession: (h) => {
      s.del.run(h);
    },
    deleteSessionsOf: (user, except) => s.delUser.run({ user, except }).changes,
    deleteTokensOf: (user) => s.delUserTokens.run(user).changes,
    deleteExpired: (now) => {
      s.delExpired.run(now);
    },
    purgeExpired: (now) => ({
      sessions: s.delExpired.run(now).changes,
      signInTokens: s.delExpiredTokens.run(now).changes,
    }),
    insertToken: (row) => {
      s.insertToken.run(row);
    },
    useToken(hash, now) {
      return s.use.run({ hash, now }).changes === 1 ? s.token.get(hash) : undefined;
    },
  };
}
