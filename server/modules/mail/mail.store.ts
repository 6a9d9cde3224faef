import type { Db } from '../../db/open.js';
import { partialUpdate } from '../../db/partial-update.js';

/**
 * An outbox row. The bodies and attachments are sealed by the secret box (an invitation's PIN and link token are in
 * them); rows an older version wrote in clear are sealed at startup (`sealClear`). A purged row's bodies are empty.
 */
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
  /** Rows whose bodies are still in clear (written before the outbox sealed them), for `sealClear`. */
  clearRows(): OutboxBodies[];
  /**
   * Replaces clear bodies by what `seal` makes of them, in one transaction, with SQLite's secure delete on, then
   * checkpoints and truncates the write-ahead log: the clear text is left neither in free pages nor in the -wal file.
   * Returns how many rows it sealed.
   */
  sealClear(rows: OutboxBodies[], seal: (row: OutboxBodies) => Omit<OutboxBodies, 'id'>): number;
  /** Empties the bodies of messages done with (see `MailPurgeCutoffs`) and deletes old rows; returns how many of each. */
  purgeExpired(cutoffs: MailPurgeCutoffs): { bodies: number; rows: number };
}

/** The part of a row that holds what is sent. */
export type OutboxBodies = Pick<OutboxRow, 'id' | 'text_body' | 'html_body' | 'attachments'>;

/** Up to when (inclusive, ISO timestamps) each kind of row keeps its body, and when rows go. */
export interface MailPurgeCutoffs {
  /** Sent messages, by `sent_at`. */
  sentBefore: string;
  /** Cancelled messages, by `created_at`. */
  cancelledBefore: string;
  /** Failed messages, by `created_at`. */
  failedBefore: string;
  /** Whole rows that are not queued, by `created_at`. */
  rowsBefore: string;
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
  // Sealed values start 'v1.' (secret-box.ts); a purged row's text is empty.
  const clearRows = db.prepare<[], OutboxBodies>(
    "SELECT id, text_body, html_body, attachments FROM mail_outbox WHERE text_body != '' AND substr(text_body, 1, 3) != 'v1.'",
  );
  const replaceBodies = db.prepare(
    'UPDATE mail_outbox SET text_body = @text_body, html_body = @html_body, attachments = @attachments WHERE id = @id',
  );
  const purgeBodies = db.prepare(`UPDATE mail_outbox SET text_body = '', html_body = '', attachments = '[]'
    WHERE (text_body != '' OR html_body != '' OR attachments != '[]')
      AND ((status = 'sent' AND sent_at <= @sentBefore)
        OR (status = 'cancelled' AND created_at <= @cancelledBefore)
        OR (status = 'failed' AND created_at <= @failedBefore))`);
  const deleteOld = db.prepare("DELETE FROM mail_outbox WHERE status != 'queued' AND created_at <= @rowsBefore");
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
    clearRows: () => clearRows.all(),
    sealClear(rows, seal) {
      if (rows.length === 0) return 0;
      const secureDelete = db.pragma('secure_delete', { simple: true }) as number;
      db.pragma('secure_delete = ON');
      try {
        db.transaction(() => {
          for (const row of rows) replaceBodies.run({ id: row.id, ...seal(row) });
        }).immediate();
        db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        db.pragma(`secure_delete = ${secureDelete}`);
      }
      return rows.length;
    },
    purgeExpired(c) {
      return db.transaction(() => {
        const rows = deleteOld.run({ rowsBefore: c.rowsBefore }).changes;
        const bodies = purgeBodies.run({
          sentBefore: c.sentBefore,
          cancelledBefore: c.cancelledBefore,
          failedBefore: c.failedBefore,
        }).changes;
        return { bodies, rows };
      })();
    },
  };
}
