import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../core/errors.js';
import { loadMigrations, schemaVersion } from './migrate.js';
import { makePrivate, openDatabase, type Db } from './open.js';

/** Writes a consistent copy of a live database to `dest` with SQLite's online backup API. */
export async function backupDatabase(db: Db, dest: string): Promise<{ bytes: number }> {
  if (existsSync(dest)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${dest} already exists; choose a new file name so no backup is overwritten.`,
    );
  }
  const tmp = join(dirname(dest), `.${basename(dest)}.partial`);
  rmSync(tmp, { force: true });
  try {
    // A backup holds what the database holds: private from its first byte.
    makePrivate(tmp);
    await db.backup(tmp);
    makePrivate(tmp);
    renameSync(tmp, dest);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return { bytes: statSync(dest).size };
}

/** Opens a backup read-only and checks integrity and schema version; returns the version or throws. */
export function verifyBackup(file: string): { schemaVersion: number } {
  if (!existsSync(file)) throw new AppError('VALIDATION_FAILED', `${file} does not exist.`);
  let db: Db;
  try {
    db = openDatabase(file, { readonly: true });
  } catch (err) {
    throw new AppError('DB_INTEGRITY', `${file} is not a SQLite database; nothing was restored.`, undefined, {
      cause: err,
    });
  }
  try {
    let rows: { integrity_check: string }[];
    try {
      rows = db.pragma('integrity_check') as { integrity_check: string }[];
    } catch (err) {
      throw new AppError(
        'DB_INTEGRITY',
        `${file} is not a readable SQLite database; nothing was restored.`,
        undefined,
        { cause: err },
      );
    }
    const problems = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
    if (problems.length > 0) {
      throw new AppError(
        'DB_INTEGRITY',
        `${file} failed the integrity check (${problems.slice(0, 3).join('; ')}); nothing was restored.`,
        {
          problems: problems.slice(0, 20),
        },
      );
    }
    const version = schemaVersion(db);
    const supported = loadMigrations().length;
    if (version === 0)
      throw new AppError(
        'DB_INTEGRITY',
        `${file} is not a Tsunagu database (no schema version); nothing was restored.`,
      );
    if (version > supported) {
      throw new AppError(
        'DB_NEWER_VERSION',
        `${file} has schema version ${version}, newer than this Tsunagu (${supported}); nothing was restored.`,
      );
    }
    return { schemaVersion: version };
  } finally {
    db.close();
  }
}

/**
 * Replaces the database at `target` with the verified backup `source`: the backup is copied beside the
 * target first and renamed over it, so a failure leaves the current database untouched.
 */
export function restoreDatabase(source: string, target: string): { schemaVersion: number } {
  const checked = verifyBackup(source);
  const staged = join(dirname(target), `.${basename(target)}.restoring`);
  rmSync(staged, { force: true });
  copyFileSync(source, staged);
  makePrivate(staged);
  try {
    verifyBackup(staged);
  } catch (err) {
    rmSync(staged, { force: true });
    throw err;
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(staged, target);
  return checked;
}
