import type { InvitationStatus } from '../../contract/invitations.js';
import type { Db } from '../../db/open.js';
import { cachedPrepare, partialUpdate } from '../../db/partial-update.js';

/** An invitation row as stored; the link token and PIN are stored only as hashes. */
export interface InvitationRow {
  id: string;
  user_id: string;
  status: InvitationStatus;
  token_hash: string;
  token_sealed: string;
  url_version: number;
  pin_hash: string | null;
  pin_expires_at: string | null;
  pin_used_at: string | null;
  pin_failures: number;
  expires_at: string;
  sent_at: string | null;
  opened_at: string | null;
  pin_verified_at: string | null;
  profile_downloaded_at: string | null;
  enrolled_at: string | null;
  revoked_at: string | null;
  reminders_sent: number;
  last_reminder_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** An invitation with its user's name and the state of its latest mail. */
export type InvitationListRow = InvitationRow & {
  user_email: string;
  user_display_name: string;
  user_locale: 'ja' | 'en';
  mail_status: string | null;
};

const UPDATABLE = [
  'status',
  'token_hash',
  'token_sealed',
  'url_version',
  'pin_hash',
  'pin_expires_at',
  'pin_used_at',
  'pin_failures',
  'expires_at',
  'sent_at',
  'opened_at',
  'pin_verified_at',
  'profile_downloaded_at',
  'enrolled_at',
  'revoked_at',
  'reminders_sent',
  'last_reminder_at',
  'updated_at',
] as const;

/** The SQL behind invitations. */
export interface InvitationsStore {
  insert(row: InvitationRow): void;
  update(id: string, changes: Partial<InvitationRow>): void;
  byId(id: string): InvitationListRow | undefined;
  byTokenHash(hash: string): InvitationListRow | undefined;
  /** Open invitations of a user (not enrolled, expired or revoked), newest first. */
  openForUser(userId: string): InvitationListRow[];
  list(filter: { status?: InvitationStatus; userId?: string }, limit: number, offset: number): InvitationListRow[];
  count(filter: { status?: InvitationStatus; userId?: string }): number;
  /** Open invitations past their expiry. */
  expiredOpen(now: string): InvitationRow[];
  /** Open invitations that have been sent and are not enrolled: reminder candidates. */
  reminderCandidates(): InvitationListRow[];
}

const SELECT = `SELECT i.*, u.email AS user_email, u.display_name AS user_display_name, u.locale AS user_locale,
  (SELECT m.status FROM mail_outbox m WHERE m.ref_id = i.id AND m.kind = 'invitation' ORDER BY m.created_at DESC, m.rowid DESC LIMIT 1) AS mail_status
  FROM invitations i JOIN users u ON u.id = i.user_id`;
const OPEN = "i.status IN ('created', 'sent', 'opened', 'pin_verified', 'profile_downloaded')";

/** Builds the invitations store over an open database. */
export function createInvitationsStore(db: Db): InvitationsStore {
  const insert =
    db.prepare(`INSERT INTO invitations (id, user_id, status, token_hash, token_sealed, url_version, pin_hash, pin_expires_at, pin_used_at, pin_failures, expires_at, sent_at, opened_at, pin_verified_at, profile_downloaded_at, enrolled_at, revoked_at, reminders_sent, last_reminder_at, created_by, created_at, updated_at)
    VALUES (@id, @user_id, @status, @token_hash, @token_sealed, @url_version, @pin_hash, @pin_expires_at, @pin_used_at, @pin_failures, @expires_at, @sent_at, @opened_at, @pin_verified_at, @profile_downloaded_at, @enrolled_at, @revoked_at, @reminders_sent, @last_reminder_at, @created_by, @created_at, @updated_at)`);
  const byId = db.prepare<[string], InvitationListRow>(`${SELECT} WHERE i.id = ?`);
  const byToken = db.prepare<[string], InvitationListRow>(`${SELECT} WHERE i.token_hash = ?`);
  const openForUser = db.prepare<[string], InvitationListRow>(
    `${SELECT} WHERE i.user_id = ? AND ${OPEN} ORDER BY i.created_at DESC`,
  );
  const expiredOpen = db.prepare<[string], InvitationRow>(
    `SELECT i.* FROM invitations i WHERE ${OPEN} AND i.expires_at <= ?`,
  );
  const candidates = db.prepare<[], InvitationListRow>(
    `${SELECT} WHERE ${OPEN} AND i.status != 'created' AND u.deleted_at IS NULL AND u.disabled = 0`,
  );
  const update = partialUpdate(db, 'invitations', UPDATABLE, ['id']);
  // list/count SQL varies only with which filters are set (at most 4 WHERE shapes each).
  const prepare = cachedPrepare(db);
  const where = (f: { status?: InvitationStatus; userId?: string }) => {
    const c = ['u.deleted_at IS NULL'];
    const p: Record<string, unknown> = {};
    if (f.status) {
      c.push('i.status = @status');
      p.status = f.status;
    }
    if (f.userId) {
      c.push('i.user_id = @userId');
      p.userId = f.userId;
    }
    return { sql: `WHERE ${c.join(' AND ')}`, p };
  };
  return {
    insert: (row) => {
      insert.run(row);
    },
    update: (id, changes) => {
      update({ id }, changes);
    },
    byId: (id) => byId.get(id),
    byTokenHash: (h) => byToken.get(h),
    openForUser: (userId) => openForUser.all(userId),
    list(filter, limit, offset) {
      const w = where(filter);
      return prepare<Record<string, unknown>, InvitationListRow>(
        `${SELECT} ${w.sql} ORDER BY i.created_at DESC, i.rowid DESC LIMIT @limit OFFSET @offset`,
      ).all({ ...w.p, limit, offset });
    },
    count(filter) {
      const w = where(filter);
      return (
        prepare<Record<string, unknown>, { n: number }>(
          `SELECT count(*) AS n FROM invitations i JOIN users u ON u.id = i.user_id ${w.sql}`,
        ).get(w.p)?.n ?? 0
      );
    },
    expiredOpen: (now) => expiredOpen.all(now),
    reminderCandidates: () => candidates.all(),
  };
}
