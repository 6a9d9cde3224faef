import type { Db } from '../../db/open.js';

/** Key-value JSON settings; each key holds one validated settings group. */
export interface SettingsStore {
  get(key: string): unknown;
  put(key: string, value: unknown, at: string): void;
}

/** Builds the settings store over an open database. */
export function createSettingsStore(db: Db): SettingsStore {
  const getStmt = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const putStmt = db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
    ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
  return {
    get(key) {
      const row = getStmt.get(key);
      return row ? (JSON.parse(row.value) as unknown) : undefined;
    },
    put(key, value, at) {
      putStmt.run(key, JSON.stringify(value), at);
    },
  };
}
