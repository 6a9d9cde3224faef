import type { DirectoryRunCounts } from '../../contract/directory.js';
import type { Db } from '../../db/open.js';

/** The connector row: settings as JSON, the bind password sealed. */
export interface ConnectorRow {
  settings: string;
  bind_password_sealed: string | null;
  updated_at: string;
}

/** One recorded run. */
export interface RunRow {
  id: string;
  kind: 'import' | 'sync';
  trigger: 'admin' | 'schedule';
  /** The actor's label (an admin's email, the scheduler's name); null on runs recorded before migration 016. */
  started_by: string | null;
  status: 'succeeded' | 'failed' | 'needs_confirmation';
  started_at: string;
  finished_at: string;
  counts: string;
  error_code: string | null;
  error: string | null;
}

/** The SQL behind the directory connector and its runs. */
export interface DirectoryStore {
  connector(): ConnectorRow | undefined;
  putConnector(row: ConnectorRow): void;
  insertRun(row: RunRow): void;
  /** The newest runs first. */
  runs(limit: number): RunRow[];
  /** The newest run that changed users or failed, or asked for confirmation (the scheduler's "last run"). */
  lastRun(): RunRow | undefined;
}

/** Builds the directory store over an open database. */
export function createDirectoryStore(db: Db): DirectoryStore {
  const get = db.prepare<[], ConnectorRow>(
    'SELECT settings, bind_password_sealed, updated_at FROM directory_connector WHERE id = 1',
  );
  const put = db.prepare(`INSERT INTO directory_connector (id, settings, bind_password_sealed, updated_at)
    VALUES (1, @settings, @bind_password_sealed, @updated_at)
    ON CONFLICT(id) DO UPDATE SET settings = excluded.settings, bind_password_sealed = excluded.bind_password_sealed,
      updated_at = excluded.updated_at`);
  const insertRun = db.prepare(`INSERT INTO directory_runs
    (id, kind, trigger, started_by, status, started_at, finished_at, counts, error_code, error)
    VALUES (@id, @kind, @trigger, @started_by, @status, @started_at, @finished_at, @counts, @error_code, @error)`);
  const runs = db.prepare<[number], RunRow>(
    'SELECT * FROM directory_runs ORDER BY started_at DESC, rowid DESC LIMIT ?',
  );
  return {
    connector: () => get.get(),
    putConnector: (row) => {
      put.run(row);
    },
    insertRun: (row) => {
      insertRun.run(row);
    },
    runs: (limit) => runs.all(limit),
    lastRun: () => runs.get(1),
  };
}

/** Zero of every count. */
export function noCounts(): DirectoryRunCounts {
  return { entries: 0, created: 0, updated: 0, linked: 0, disabled: 0, enabled: 0, unchanged: 0, skipped: 0 };
}
