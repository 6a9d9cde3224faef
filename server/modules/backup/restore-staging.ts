// The second half of a console restore, run by the server as it starts, before it opens the database: a verified
// backup staged under `restore-pending/` (database, data key, and the marker written last) replaces the live database
// and key file. A staging without its marker is an apply that did not finish: it is discarded and nothing changes.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Actor } from '../audit/audit.service.js';

/** The directory in the data directory a verified restore waits in until the restart. */
export const RESTORE_STAGING_DIR = 'restore-pending';

/** The file whose presence says the staging is complete. */
export const RESTORE_MARKER = 'restore.json';

/** What the marker records, for the audit event written into the restored database. */
export interface RestoreMarker {
  actor: Actor;
  sourceAddress: string | null;
  stagedAt: string;
  backupCreatedAt: string;
  schemaVersion: number;
  bytes: number;
}

/** A restore that was swapped in: who asked for it, and the data key of the restored database. */
export interface AppliedRestore {
  marker: RestoreMarker;
  key: Buffer;
  /** Removes the staging directory (once the restore has been audited in the restored database). */
  finish(): void;
}

/**
 * Swaps a staged restore in: the database file `dbFile` (its -wal and -shm removed first, the server is not running)
 * and, when `keyFile` is given, the key file. Returns null when nothing complete was staged.
 */
export function applyStagedRestore(dataDir: string, dbFile: string, keyFile: string | null): AppliedRestore | null {
  const staging = join(dataDir, RESTORE_STAGING_DIR);
  if (!existsSync(staging)) return null;
  const markerFile = join(staging, RESTORE_MARKER);
  if (!existsSync(markerFile)) {
    rmSync(staging, { recursive: true, force: true });
    return null;
  }
  const marker = JSON.parse(readFileSync(markerFile, 'utf8')) as RestoreMarker;
  const key = Buffer.from(readFileSync(join(staging, 'secret.key'), 'utf8').trim(), 'base64');
  const stagedDb = join(staging, 'tsunagu.db');
  // Absent when a start after the rename below did not get as far as the audit event: the swap is done already.
  if (existsSync(stagedDb)) {
    for (const suffix of ['-wal', '-shm']) rmSync(`${dbFile}${suffix}`, { force: true });
    renameSync(stagedDb, dbFile);
  }
  if (keyFile) {
    writeFileSync(`${keyFile}.restoring`, key.toString('base64'), { mode: 0o600 });
    renameSync(`${keyFile}.restoring`, keyFile);
  }
  return { marker, key, finish: () => rmSync(staging, { recursive: true, force: true }) };
}
