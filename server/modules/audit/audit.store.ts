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
  /**
   * Adds the events recorded since the last call to the trigram index (migration 020: no trigger writes it), in
   * batches of `SEARCH_BATCH` per transaction; returns how many. `list` calls it before it reads the index.
   */
  indexSearch(): number;
}

/** How many events one transaction adds to the trigram index. */
export const SEARCH_BATCH = 2000;

/** A piece of text as an FTS5 phrase (quotes doubled), for the trigram index. */
const phrase = (text: string) => `"${text.replace(/"/g, '""')}"`;

/** The filters as SQL over audit_events (columns named with their table: the search joins another). */
function where(filter: AuditFilter): { sql: string; params: Record<string, unknown> } {
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.from) {
    clauses.push('audit_events.at >= @from');
    params.from = filter.from;
  }
  if (filter.to) {
    clauses.push('audit_events.at <= @to');
    params.to = filter.to;
  }
  if (filter.action) {
    // "user." matches every user action, as the range of the action index from "user." up to "user/" (the
    // character after "."); a full code matches exactly.
    if (filter.action.endsWith('.')) {
      clauses.push('audit_events.action >= @action AND audit_events.action < @actionEnd');
      params.actionEnd = `${filter.action.slice(0, -1)}/`;
    } else clauses.push('audit_events.action = @action');
    params.action = filter.action;
  }
  if (filter.actorType) {
    clauses.push('audit_events.actor_type = @actorType');
    params.actorType = filter.actorType;
  }
  if (filter.actor) {
    clauses.push("(audit_events.actor_id = @actor OR audit_events.actor_label LIKE @actorLike ESCAPE '\\')");
    params.actor = filter.actor;
    params.actorLike = `%${filter.actor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  if (filter.subject) {
    clauses.push("(audit_events.subject_id = @subject OR audit_events.subject_label LIKE @subjectLike ESCAPE '\\')");
    params.subject = filter.subject;
    params.subjectLike = `%${filter.subject.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  if (filter.beforeSeq !== undefined) {
    clauses.push('audit_events.seq < @beforeSeq');
    params.beforeSeq = filter.beforeSeq;
  }
  if (filter.afterSeq !== undefined) {
    clauses.push('audit_events.seq > @afterSeq');
    params.afterSeq = filter.afterSeq;
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/**
 * The ways a filter with an action prefix, an actor or a subject can match, each a query an index reads newest first
 * (ORDER BY seq DESC, without its LIMIT): each action under the prefix (the action index); the actor's exact id (the
 * actor index) or a piece of its label (the trigram index, migration 013, for three characters or more); the same for
 * the subject. Reading the trail newest first until enough events match read all of it for a rare actor, subject or
 * action (150-210 ms at 200,000 events). Null when the filter has none of these (one plain query serves it).
 */
function branches(
  filter: AuditFilter,
  actionsUnder: (prefix: string) => string[],
): { branches: string[]; params: Record<string, unknown>; usesIndex: boolean } | null {
  const prefix = filter.action?.endsWith('.') ? filter.action : null;
  if (!filter.actor && !filter.subject && (!prefix || filter.from || filter.to)) return null;
  const { params } = where(filter);
  const common: string[] = [];
  if (filter.from) common.push('e.at >= @from');
  if (filter.to) common.push('e.at <= @to');
  if (filter.actorType) common.push('e.actor_type = @actorType');
  if (filter.beforeSeq !== undefined) common.push('e.seq < @beforeSeq');
  if (filter.afterSeq !== undefined) common.push('e.seq > @afterSeq');
  // With a time range, the range (the time index) bounds the work better than each action's index would: the prefix
  // stays a range condition then.
  const dated = Boolean(filter.from || filter.to);
  if (prefix && dated) common.push('e.action >= @action AND e.action < @actionEnd');
  const actions = prefix && !dated ? actionsUnder(prefix) : prefix ? [null] : filter.action ? [filter.action] : [null];
  actions.forEach((action, i) => {
    if (action !== null) params[`action${i}`] = action;
  });
  // Who: by exact id (its index), or by a piece of the label (the trigram index when long enough, else LIKE).
  type Way = { clause: string; match: string | null };
  const whoWays = (column: 'actor' | 'subject', value: string | undefined): Way[] => {
    if (!value) return [{ clause: '', match: null }];
    const like = `e.${column}_label LIKE @${column}Like ESCAPE '\\'`;
    return [
      { clause: `e.${column}_id = @${column}`, match: null },
      [...value].length >= 3
        ? { clause: like, match: `${column}_label : ${phrase(value)}` }
        : { clause: like, match: null },
    ];
  };
  const out: string[] = [];
  let m = 0;
  for (const [i, action] of actions.entries())
    for (const actor of whoWays('actor', filter.actor))
      for (const subject of whoWays('subject', filter.subject)) {
        const clauses = [...common];
        if (action !== null) clauses.push(`e.action = @action${i}`);
        for (const way of [actor, subject]) if (way.clause) clauses.push(way.clause);
        const matches = [actor.match, subject.match].filter((x): x is string => x !== null);
        if (matches.length > 0) {
          params[`match${m}`] = matches.join(' AND ');
          out.push(
            `SELECT e.seq FROM audit_search s JOIN audit_events e ON e.seq = s.rowid WHERE audit_search MATCH @match${m}` +
              `${filter.beforeSeq !== undefined ? ' AND s.rowid < @beforeSeq' : ''}` +
              `${clauses.length ? ` AND ${clauses.join(' AND ')}` : ''} ORDER BY s.rowid DESC`,
          );
          m++;
        } else
          out.push(
            `SELECT e.seq FROM audit_events e${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY e.seq DESC`,
          );
      }
  return { branches: out, params, usesIndex: m > 0 };
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
  // The actions under a prefix, by skipping through the action index (one seek per action, not per event).
  const actionsStmt = db.prepare<{ action: string; actionEnd: string }, { action: string }>(
    `WITH RECURSIVE a(action) AS (
       SELECT (SELECT min(action) FROM audit_events WHERE action >= @action AND action < @actionEnd)
       UNION ALL
       SELECT (SELECT min(action) FROM audit_events WHERE action > a.action AND action < @actionEnd) FROM a
       WHERE a.action IS NOT NULL
     ) SELECT action FROM a WHERE action IS NOT NULL`,
  );
  const markStmt = db.prepare<[], { seq: number }>('SELECT seq FROM audit_search_mark WHERE id = 1');
  const batchEndStmt = db.prepare<[number, number], { upTo: number | null }>(
    'SELECT max(seq) AS upTo FROM (SELECT seq FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?)',
  );
  const indexStmt = db.prepare<[number, number]>(
    `INSERT INTO audit_search (rowid, actor_label, subject_label)
       SELECT seq, actor_label, subject_label FROM audit_events WHERE seq > ? AND seq <= ?`,
  );
  const setMarkStmt = db.prepare<[number]>('UPDATE audit_search_mark SET seq = ? WHERE id = 1');
  // One batch: the events after the mark, and the mark moved past them, in one transaction (a crash between the
  // two would index an event twice).
  const indexBatch = db.transaction((): number => {
    const from = markStmt.get()?.seq ?? 0;
    const upTo = batchEndStmt.get(from, SEARCH_BATCH)?.upTo ?? null;
    if (upTo === null) return 0;
    const added = indexStmt.run(from, upTo).changes;
    setMarkStmt.run(upTo);
    return added;
  });
  const indexSearch = (): number => {
    let total = 0;
    for (;;) {
      const added = indexBatch.immediate();
      total += added;
      if (added < SEARCH_BATCH) return total;
    }
  };
  const distinctActions = (prefix: string) =>
    actionsStmt.all({ action: prefix, actionEnd: `${prefix.slice(0, -1)}/` }).map((r) => r.action);
  return {
    last: () => lastStmt.get(),
    after: (seq, limit) => afterStmt.all(seq, Math.trunc(limit)),
    insert: (row) => {
      insertStmt.run(row);
    },
    list(filter, limit) {
      const n = Math.trunc(limit);
      const ways = branches(filter, distinctActions);
      if (ways === null) {
        const w = where(filter);
        return db
          .prepare<Record<string, unknown>, AuditRow>(
            `SELECT * FROM audit_events ${w.sql} ORDER BY seq DESC LIMIT ${n}`,
          )
          .all(w.params);
      }
      if (ways.branches.length === 0) return [];
      if (ways.usesIndex) indexSearch();
      // Each way's newest `limit` events (by its own index), then the newest `limit` of them all.
      const union = ways.branches.map((b) => `SELECT seq FROM (${b} LIMIT ${n})`).join(' UNION ');
      return db
        .prepare<Record<string, unknown>, AuditRow>(
          `SELECT * FROM audit_events WHERE seq IN (${union}) ORDER BY seq DESC LIMIT ${n}`,
        )
        .all(ways.params);
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
    indexSearch,
  };
}
