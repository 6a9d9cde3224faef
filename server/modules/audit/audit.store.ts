import type { ActorType } from '../../contract/audit.js';
import type { Db } from '../../db/open.js';

/** An audit row as stored. */
export interface AuditRow {
  seq: number;
  id: string;
  at: string;
  actor_type: ActorType;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  subject_label: string | null;
  details: string;
  source_address: string | null;
  prev_hash: string;
  hash: string;
}

/** Filters the store understands; all optional, times as ISO strings. */
export interface AuditFilter {
  from?: string;
  to?: string;
  action?: string;
  actorType?: ActorType;
  actor?: string;
  subject?: string;
  /** Only events with seq below this (newest-first paging). */
  beforeSeq?: number;
  /** Only events with seq above this (oldest-first paging). */
  afterSeq?: number;
}

/** The SQL behind the append-only audit trail. */
export interface AuditStore {
  last(): { seq: number; hash: string } | undefined;
  insert(row: AuditRow): void;
  list(filter: AuditFilter, limit: number): AuditRow[];
  /** Every matching row in ascending order, fetched a page at a time so the connection is never held busy. */
  iterate(filter?: AuditFilter): Generator<AuditRow>;
  /** At most `limit` rows with seq above `seq`, oldest first (the live stream's feed). */
  after(seq: number, limit: number): AuditRow[];
  /** Runs `fn` in an IMMEDIATE transaction so the chain head cannot move under it. */
  exclusive<T>(fn: () => T): T;
}

function where(filter: AuditFilter): { sql: string; params: Record<string, unknown> } {
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.from) {
    clauses.push('at >= @from');
    params.from = filter.from;
  }
  if (filter.to) {
    clauses.push('at <= @to');
    params.to = filter.to;
  }
  if (filter.action) {
    // "user." matches every user action; a full code matches exactly.
    if (filter.action.endsWith('.')) {
      clauses.push('substr(action, 1, length(@action)) = @action');
    } else clauses.push('action = @action');
    params.action = filter.action;
  }
  if (filter.actorType) {
    clauses.push('actor_type = @actorType');
    params.actorType = filter.actorType;
  }
  if (filter.actor) {
    clauses.push("(actor_id = @actor OR actor_label LIKE @actorLike ESCAPE '\\')");
    params.actor = filter.actor;
    params.actorLike = `%${filter.actor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  if (filter.subject) {
    clauses.push("(subject_id = @subject OR subject_label LIKE @subjectLike ESCAPE '\\')");
    params.subject = filter.subject;
    params.subjectLike = `%${filter.subject.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  if (filter.beforeSeq !== undefined) {
    clauses.push('seq < @beforeSeq');
    params.beforeSeq = filter.beforeSeq;
  }
  if (filter.afterSeq !== undefined) {
    clauses.push('seq > @afterSeq');
    params.afterSeq = filter.afterSeq;
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** Builds the audit store over an open database. */
export function createAuditStore(db: Db): AuditStore {
  const lastStmt = db.prepare<[], { seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
  );
  const insertStmt = db.prepare(`INSERT INTO audit_events
    (seq, id, at, actor_type, actor_id, actor_label, action, subject_type, subject_id, subject_label, details, source_address, prev_hash, hash)
    VALUES (@seq, @id, @at, @actor_type, @actor_id, @actor_label, @action, @subject_type, @subject_id, @subject_label, @details, @source_address, @prev_hash, @hash)`);
  const afterStmt = db.prepare<[number, number], AuditRow>(
    'SELECT * FROM audit_events WHERE seq > ? ORDER BY seq ASC LIMIT ?',
  );
  return {
    last: () => lastStmt.get(),
    after: (seq, limit) => afterStmt.all(seq, Math.trunc(limit)),
    insert: (row) => {
      insertStmt.run(row);
    },
    list(filter, limit) {
      const w = where(filter);
      return db
        .prepare<Record<string, unknown>, AuditRow>(
          `SELECT * FROM audit_events ${w.sql} ORDER BY seq DESC LIMIT ${Math.trunc(limit)}`,
        )
        .all(w.params);
    },
    *iterate(filter = {}) {
      let afterSeq = 0;
      for (;;) {
        const w = where({ ...filter, afterSeq });
        const rows = db
          .prepare<Record<string, unknown>, AuditRow>(`SELECT * FROM audit_events ${w.sql} ORDER BY seq ASC LIMIT 1000`)
          .all(w.params);
        yield* rows;
        const last = rows[rows.length - 1];
        if (!last || rows.length < 1000) return;
        afterSeq = last.seq;
      }
    },
    exclusive: (fn) => db.transaction(fn).immediate(),
  };
}
