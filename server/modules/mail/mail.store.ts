import type { Db } from '../../db/open.js';
import { partialUpdate } from '../../db/partial-update.js';

/** An outbox row. */
export interface OutboxRow {
  id: string;
  kind: 'invitation' | 'reminder' | 'test';
  ref_id: string | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  attachments: string;
  status: 'queued' | 'sent' | 'failed' | 'cancelled';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  message_id: string | null;
  created_at: string;
  sent_at: string | null;
}

/** The SQL behind the mail outbox. */
export interface MailStore {
  insert(row: OutboxRow): void;
  /** Queued messages due at `now`, oldest first. */
  due(now: string, limit: number): OutboxRow[];
  update(
    id: string,
    changes: Partial<
      Pick<OutboxRow, 'status' | 'attempts' | 'next_attempt_at' | 'last_error' | 'message_id' | 'sent_at'>
    >,
  ): void;
  list(limit: number): OutboxRow[];
  counts(): Record<OutboxRow['status'], number>;
  byRef(refId: string): OutboxRow[];
  /** Cancels queued messages about `refId` (a revoked invitation's mail is not sent). */
  cancelForRef(refId: string): number;
  byId(id: string): OutboxRow | undefined;
}

const UPDATABLE = ['status', 'attempts', 'next_attempt_at', 'last_error', 'message_id', 'sent_at'] as const;

/** Builds the mail store over an open database. */
export function createMailStore(db: Db): MailStore {
  const insert =
    db.prepare(`INSERT INTO mail_outbox (id, kind, ref_id, to_address, subject, text_body, html_body, attachments, status, attempts, next_attempt_at, last_error, message_id, created_at, sent_at)
    VALUES (@id, @kind, @ref_id, @to_address, @subject, @text_body, @html_body, @attachments, @status, @attempts, @next_attempt_at, @last_error, @message_id, @created_at, @sent_at)`);
  const due = db.prepare<[string, number], OutboxRow>(
    "SELECT * FROM mail_outbox WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?",
  );
  const list = db.prepare<[number], OutboxRow>(
    'SELECT * FROM mail_outbox ORDER BY created_at DESC, rowid DESC LIMIT ?',
  );
  const counts = db.prepare<[], { status: OutboxRow['status']; n: number }>(
    'SELECT status, count(*) AS n FROM mail_outbox GROUP BY status',
  );
  const byRef = db.prepare<[string], OutboxRow>('SELECT * FROM mail_outbox WHERE ref_id = ? ORDER BY created_at');
  const cancel = db.prepare("UPDATE mail_outbox SET status = 'cancelled' WHERE ref_id = ? AND status = 'queued'");
  const byId = db.prepare<[string], OutboxRow>('SELECT * FROM mail_outbox WHERE id = ?');
  const update = partialUpdate(db, 'mail_outbox', UPDATABLE, ['id']);
  return {
    insert: (row) => {
      insert.run(row);
    },
    due: (now, limit) => due.all(now, limit),
    update: (id, changes) => {
      update({ id }, changes);
    },
    list: (limit) => list.all(limit),
    counts() {
      const out = { queued: 0, sent: 0, failed: 0, cancelled: 0 };
      for (const r of counts.all()) out[r.status] = r.n;
      return out;
    },
    byRef: (refId) => byRef.all(refId),
    cancelForRef: (refId) => cancel.run(refId).changes,
    byId: (id) => byId.get(id),
  };
}
