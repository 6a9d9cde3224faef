import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import { backupDatabase } from '../../db/backup.js';
import { schemaVersion } from '../../db/migrate.js';
import type { Db } from '../../db/open.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import { MIN_BACKUP_PASSPHRASE } from '../secrets/key-envelope.js';
import { BACKUP_EXTENSION, writeBackupContainer } from './backup-file.js';

/** A finished backup container in the data directory, waiting to be sent; `release` deletes it. */
export interface PreparedBackup {
  path: string;
  /** The name the download is offered under, e.g. `tsunagu-backup-2026-12-06.tsunagu-backup`. */
  fileName: string;
  bytes: number;
  /** Deletes the file and lets the next backup start; safe to call more than once. */
  release(): void;
}

/** Makes the console's backup download, one at a time. */
export interface BackupService {
  /** Writes a container (database and the data key sealed with `passphrase`) to a temporary file for download. */
  create(passphrase: string, actor: Actor, sourceAddress: string | null): Promise<PreparedBackup>;
}

/** Dependencies of the backup service. */
export interface BackupDeps {
  db: Db;
  audit: AuditService;
  clock: Clock;
  random: Random;
  /** Where the temporary files go (the data directory), or null where no backup can be made. */
  dir: string | null;
  /** Seals the server's data key under a passphrase (`sealKey`); the key itself never reaches this module. */
  sealDataKey: ((passphrase: string) => Promise<string>) | null;
}

/** The prefix of the temporary files, so a leftover one from a crash is recognisable. */
export const BACKUP_TEMP_PREFIX = '.backup-download-';

/** The backup service over the live database. */
export function createBackupService(deps: BackupDeps): BackupService {
  let busy = false;
  // A download cut short by a crash leaves its file behind: the next start removes it (the data directory is locked).
  if (deps.dir && deps.sealDataKey)
    for (const name of readdirSync(deps.dir))
      if (name.startsWith(BACKUP_TEMP_PREFIX)) rmSync(join(deps.dir, name), { force: true });
  return {
    async create(passphrase, actor, sourceAddress) {
      const { dir, sealDataKey } = deps;
      if (!dir || !sealDataKey)
        throw new AppError('BACKUP_UNAVAILABLE', 'This server has no data directory to make a backup in.');
      if (passphrase.length < MIN_BACKUP_PASSPHRASE)
        throw new AppError(
          'VALIDATION_FAILED',
          `Use a passphrase of at least ${MIN_BACKUP_PASSPHRASE} characters; it is needed to restore the backup.`,
          { field: 'passphrase', minLength: MIN_BACKUP_PASSPHRASE },
        );
      if (busy)
        throw new AppError(
          'BACKUP_IN_PROGRESS',
          'A backup is being made right now; wait until it has downloaded, then try again.',
        );
      busy = true;
      const stem = join(dir, `${BACKUP_TEMP_PREFIX}${deps.random.bytes(8).toString('hex')}`);
      const path = `${stem}${BACKUP_EXTENSION}`;
      const dbCopy = `${stem}.db`;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
        busy = false;
      };
      try {
        const now = deps.clock.now();
        const key = JSON.parse(await sealDataKey(passphrase)) as Record<string, unknown>;
        await backupDatabase(deps.db, dbCopy);
        await writeBackupContainer(
          path,
          {
            format: 'tsunagu-backup',
            version: 1,
            createdAt: now.toISOString(),
            schemaVersion: schemaVersion(deps.db),
            key,
          },
          dbCopy,
        );
        const bytes = statSync(path).size;
        deps.audit.record({
          actor,
          action: 'backup.created',
          details: { download: true, bytes, keySealed: true },
          sourceAddress,
        });
        return {
          path,
          fileName: `tsunagu-backup-${now.toISOString().slice(0, 10)}${BACKUP_EXTENSION}`,
          bytes,
          release,
        };
      } catch (err) {
        release();
        throw err;
      } finally {
        rmSync(dbCopy, { force: true });
      }
    },
  };
}
