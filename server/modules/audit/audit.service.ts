import { createHash } from 'node:crypto';
import type {
  Actor,
  AuditAction,
  AuditEventDto,
  AuditPage,
  AuditQuery,
  AuditVerifyResult,
} from '../../contract/audit.js';
import { canonicalJson } from '../../core/canonical-json.js';
import type { Clock } from '../../core/clock.js';
import { csvCell } from '../../core/csv.js';
import { AppError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import type { AuditFilter, AuditRow, AuditStore } from './audit.store.js';

/** The hash that the first event links to. */
export const GENESIS_HASH = '0'.repeat(64);

export type { Actor } from '../../contract/audit.js';

/** What an audit event is about. */
export interface Subject {
  type: string;
  id: string;
  label?: string | null;
}

/** One event to record. Action codes are `domain.verb`, e.g. `user.created`. */
export interface AuditInput {
  actor: Actor;
  action: AuditAction;
  subject?: Subject | null;
  details?: Record<string, unknown>;
  sourceAddress?: string | null;
}

/** The system actor, for things nobody in particular did. */
export const SYSTEM: Actor = Object.freeze({ type: 'system', id: null, label: 'system' });

/** Writes, lists, exports and verifies the hash-chained audit trail. */
export interface AuditService {
  record(input: AuditInput): AuditEventDto;
  list(query: AuditQuery): AuditPage;
  verify(): AuditVerifyResult;
  /** Brings the actor and subject search index up to date (the scheduler's tick; a search does it first too). */
  indexSearch(): number;
  exportLines(format: 'jsonl' | 'csv', query: AuditQuery): Generator<string>;
  /** At most `limit` events with seq above `seq`, oldest first (what the live stream replays and follows). */
  after(seq: number, limit: number): AuditEventDto[];
  /** The newest event's seq, 0 when the trail is empty. */
  head(): number;
}

/** Dependencies of the audit service. */
export interface AuditDeps {
  store: AuditStore;
  clock: Clock;
  random: Random;
  /**
   * Told after each event is written, still inside the writer's transaction (which may yet roll back): the live
   * stream takes it as a nudge to read the committed trail once the transaction is over.
   */
  onRecorded?: () => void;
}

const CSV_COLUMNS = [
  'seq',
  'id',
  'at',
  'actorType',
  'actorId',
  'actorLabel',
  'action',
  'subjectType',
  'subjectId',
  'subjectLabel',
  'details',
  'sourceAddress',
  'prevHash',
  'hash',
] as const;

/** The SHA-256 that links `row` to its predecessor: over the previous hash and every stored field. */
export function chainHash(row: Omit<AuditRow, 'hash'>): string {
  const body = canonicalJson([
    row.seq,
    row.id,
    row.at,
    row.actor_type,
    row.actor_id,
    row.actor_label,
    row.action,
    row.subject_type,
    row.subject_id,
    row.subject_label,
    JSON.parse(row.details) as unknown,
    row.source_address,
  ]);
  return createHash('sha256').update(row.prev_hash).update('\n').update(body).digest('hex');
}

function toDto(row: AuditRow): AuditEventDto {
  return {
    seq: row.seq,
    id: row.id,
    at: row.at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    actorLabel: row.actor_label,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    subjectLabel: row.subject_label,
    details: JSON.parse(row.details) as Record<string, unknown>,
    sourceAddress: row.source_address,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function encodeCursor(seq: number): string {
  return Buffer.from(`a:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^a:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new AppError('CURSOR_INVALID', 'The page cursor is not valid; start again from the first page.');
  return Number(m[1]);
}

function toFilter(query: AuditQuery): AuditFilter {
  const filter: AuditFilter = {};
  for (const key of ['from', 'to'] as const) {
    const value = query[key];
    if (value === undefined) continue;
    const t = new Date(value);
    if (Number.isNaN(t.getTime())) {
      throw new AppError('VALIDATION_FAILED', `${key} must be a date and time such as 2026-04-01T09:00:00Z.`, {
        field: key,
      });
    }
    filter[key] = t.toISOString();
  }
  if (query.action) filter.action = query.action;
  if (query.actorType) filter.actorType = query.actorType;
  if (query.actor) filter.actor = query.actor;
  if (query.subject) filter.subject = query.subject;
  return filter;
}

/** Builds the audit service. */
export function createAuditService(deps: AuditDeps): AuditService {
  const { store, clock, random } = deps;
  return {
    record(input) {
      return store.exclusive(() => {
        const last = store.last();
        const partial: Omit<AuditRow, 'hash'> = {
          seq: (last?.seq ?? 0) + 1,
          id: random.uuid(),
          at: clock.now().toISOString(),
          actor_type: input.actor.type,
          actor_id: input.actor.id ?? null,
          actor_label: input.actor.label ?? null,
          action: input.action,
          subject_type: input.subject?.type ?? null,
          subject_id: input.subject?.id ?? null,
          subject_label: input.subject?.label ?? null,
          details: canonicalJson(input.details ?? {}),
          source_address: input.sourceAddress ?? null,
          prev_hash: last?.hash ?? GENESIS_HASH,
        };
        const row: AuditRow = { ...partial, hash: chainHash(partial) };
        store.insert(row);
        deps.onRecorded?.();
        return toDto(row);
      });
    },

    indexSearch: () => store.indexSearch(),

    list(query) {
      const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
      const filter = toFilter(query);
      if (query.cursor) filter.beforeSeq = decodeCursor(query.cursor);
      const rows = store.list(filter, limit + 1);
      const items = rows.slice(0, limit).map(toDto);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null };
    },

    verify() {
      let prev = GENESIS_HASH;
      let expectedSeq = 1;
      let checked = 0;
      for (const row of store.iterate()) {
        checked++;
        if (row.seq !== expectedSeq) {
          return { ok: false, checked, firstBroken: { seq: row.seq, reason: `event ${expectedSeq} is missing` } };
        }
        if (row.prev_hash !== prev) {
          return {
            ok: false,
            checked,
            firstBroken: { seq: row.seq, reason: 'its previous-hash link does not match the event before it' },
          };
        }
        let recomputed: string;
        try {
          recomputed = chainHash(row);
        } catch {
          return { ok: false, checked, firstBroken: { seq: row.seq, reason: 'its details are not valid JSON' } };
        }
        if (recomputed !== row.hash) {
          return {
            ok: false,
            checked,
            firstBroken: { seq: row.seq, reason: 'its contents do not match its hash (changed after it was written)' },
          };
        }
        prev = row.hash;
        expectedSeq++;
      }
      return { ok: true, checked, firstBroken: null };
    },

    after: (seq, limit) => store.after(seq, Math.min(Math.max(limit, 1), 1000)).map(toDto),

    head: () => store.last()?.seq ?? 0,

    *exportLines(format, query) {
      const filter = toFilter(query);
      if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
      for (const row of store.iterate(filter)) {
        const dto = toDto(row);
        if (format === 'jsonl') yield `${JSON.stringify(dto)}\n`;
        else yield `${CSV_COLUMNS.map((c) => csvCell(dto[c])).join(',')}\r\n`;
      }
    },
  };
}
