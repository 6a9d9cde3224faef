import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError } from '../core/errors.js';
import type { Db } from './open.js';

/** One numbered SQL migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Reads `migrations/NNN-name.sql` in version order; numbers must be contiguous from 1. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => /^\d{3}-[a-z0-9-]+\.sql$/.test(f))
    .sort();
  return files.map((file, index) => {
    const version = Number(file.slice(0, 3));
    if (version !== index + 1)
      throw new Error(`Migration ${file} is out of sequence: expected ${String(index + 1).padStart(3, '0')}.`);
    return { version, name: file.slice(4, -4), sql: readFileSync(`${dir}/${file}`, 'utf8') };
  });
}

/** The schema version recorded in the database file. */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the schema up to date in one transaction and records the version.
 * A database written by a newer Tsunagu is refused before anything changes.
 */
export function migrate(
  db: Db,
  migrations: Migration[] = loadMigrations(),
  now: Date = new Date(),
): { from: number; to: number } {
  const latest = migrations.length;
  const from = schemaVersion(db);
  if (from > latest) {
    throw new AppError(
      'DB_NEWER_VERSION',
      `The database has schema version ${from}, but this Tsunagu knows only up to ${latest}. ` +
        'It was written by a newer version: install that version (or newer), or restore a backup made by this one.',
      { databaseVersion: from, supportedVersion: latest },
    );
  }
  if (from === latest) return { from, to: from };
  const apply = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of migrations.slice(from)) {
      db.exec(m.sql);
      record.run(m.version, m.name, now.toISOString());
    }
    db.pragma(`user_version = ${latest}`);
  });
  apply.immediate();
  return { from, to: latest };
}
