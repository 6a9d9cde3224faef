import type { Db } from '../../db/open.js';

/** Failures for one key ('email:…', 'addr:…', 'portal-email:…' ...). */
export interface ThrottleRow {
  key: string;
  failures: number;
  locked_until: string | null;
  updated_at: string;
}

/** The SQL behind sign-in throttling. */
export interface ThrottleStore {
  get(key: string): ThrottleRow | undefined;
  put(row: ThrottleRow): void;
  clear(key: string): void;
  /** Deletes rows last written before `before` (an ISO time); returns how many. */
  purge(before: string): number;
  /** Runs `fn` in one immediate transaction: nothing else writes between its reads and its writes. */
  atomically<T>(fn: () => T): T;
}

/** Builds the throttle store over an open database. */
export function createThrottleStore(db: Db): ThrottleStore {
  const get = db.prepare<[string], ThrottleRow>('SELECT * FROM login_throttle WHERE key = ?');
  const put =
    db.prepare(`INSERT INTO login_throttle (key, failures, locked_until, updated_at) VALUES (@key, @failures, @locked_until, @updated_at)
    ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, updated_at = excluded.updated_at`);
  const clear = db.prepare('DELETE FROM login_throttle WHERE key = ?');
  const purge = db.prepare('DELETE FROM login_throttle WHERE updated_at < ?');
  return {
    get: (k) => get.get(k),
    put: (row) => {
      put.run(row);
    },
    clear: (k) => {
      clear.run(k);
    },
    purge: (before) => purge.run(before).changes,
    // Inside an outer transaction better-sqlite3 makes this a savepoint, which is as atomic.
    atomically: (fn) => (db.inTransaction ? db.transaction(fn)() : db.transaction(fn).immediate()),
  };
}
