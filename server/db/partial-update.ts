import type Database from 'better-sqlite3';
import type { Db } from './open.js';

/** How many prepared statements one cache keeps before it drops the least recently used. */
export const STATEMENT_CACHE_LIMIT = 64;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Returns the cached value for `key`, creating it on a miss; keeps at most `limit` entries, dropping the least recently used. */
function cached<V>(cache: Map<string, V>, key: string, limit: number, create: () => V): V {
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const value = create();
  if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

function assertIdentifiers(what: string, names: readonly string[]): void {
  for (const n of names)
    if (!IDENTIFIER.test(n))
      throw new Error(`partialUpdate: ${what} ${JSON.stringify(n)} is not a plain SQL identifier`);
}

/** Prepares a statement through a cache; see {@link cachedPrepare}. */
export type CachedPrepare = <P extends unknown[] | object = unknown[], R = unknown>(
  sql: string,
) => P extends unknown[] ? Database.Statement<P, R> : Database.Statement<[P], R>;

/**
 * A `db.prepare` that keeps the statements it prepares, keyed by SQL text, up to `limit` of them (least recently
 * used dropped first). For SQL assembled at run time from a small, code-defined set of shapes (a WHERE clause
 * that depends on which filters are set); values must still go in as bound parameters, never into the text.
 * A statement that fails to prepare is not cached.
 */
export function cachedPrepare(db: Db, limit = STATEMENT_CACHE_LIMIT): CachedPrepare {
  const cache = new Map<string, Database.Statement<unknown[], unknown>>();
  return ((sql: string) => cached(cache, sql, limit, () => db.prepare(sql))) as CachedPrepare;
}

/**
 * Updates the row chosen by `key`, setting the allow-listed columns present in `changes`; returns the RunResult,
 * or undefined when no allow-listed column is present (then nothing runs). Built by {@link partialUpdate}.
 */
export type PartialUpdate<C extends string, K extends string> = (
  key: { readonly [P in K]: unknown },
  changes: { readonly [P in C]?: unknown },
) => Database.RunResult | undefined;

/**
 * Builds an updater for `UPDATE <table> SET c1 = @c1, ... WHERE k1 = @k1 AND ...`.
 *
 * The SET list holds the allow-listed `columns` that are present (`in`, so an explicit `undefined` counts and
 * binds NULL) in the `changes` object, in the order of `columns`; any other property of `changes` never reaches
 * the SQL text. When none is present nothing runs and the updater returns undefined; otherwise it returns the
 * statement's RunResult. The row is chosen by `keyColumns`, bound from the `key` object under the column's own
 * name (`key` wins over a same-named property of `changes`). One prepared statement is kept per column set, at
 * most {@link STATEMENT_CACHE_LIMIT}, prepared on first use.
 *
 * Table and column names come from code and must be plain identifiers; `columns` and `keyColumns` must not overlap.
 */
export function partialUpdate<C extends string, K extends string>(
  db: Db,
  table: string,
  columns: readonly C[],
  keyColumns: readonly K[],
): PartialUpdate<C, K> {
  assertIdentifiers('table', [table]);
  assertIdentifiers('column', columns);
  assertIdentifiers('key column', keyColumns);
  if (keyColumns.length === 0) throw new Error('partialUpdate: at least one key column is needed');
  const overlap = columns.filter((c) => (keyColumns as readonly string[]).includes(c));
  if (overlap.length) throw new Error(`partialUpdate: ${overlap.join(', ')} cannot be both updated and a key`);
  const where = keyColumns.map((k) => `${k} = @${k}`).join(' AND ');
  const statements = new Map<string, Database.Statement<[Record<string, unknown>]>>();
  return (key, changes) => {
    const set = columns.filter((c) => c in changes);
    if (set.length === 0) return undefined;
    const statement = cached(statements, set.join(','), STATEMENT_CACHE_LIMIT, () =>
      db.prepare<Record<string, unknown>>(
        `UPDATE ${table} SET ${set.map((c) => `${c} = @${c}`).join(', ')} WHERE ${where}`,
      ),
    );
    return statement.run({ ...changes, ...key });
  };
}
