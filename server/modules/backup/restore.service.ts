// Restore from the console, in two steps. The upload streams a .tsunagu-backup into a private file in the data
// directory (never whole in memory, at most `maxBytes`) and reads its header. The apply opens the sealed data key with
// the admin's passphrase (locked out like a sign-in: scrypt is costly, and the passphrase is a secret), copies the
// database out and checks it (integrity_check, a schema this Tsunagu knows), and only then stages it with its key
// under `restore-pending/`, writing the marker last. The server then restarts: before it opens the database it swaps
// the staged copy in (restore-staging.ts), and the restore is audited in the restored database. Anything refused
// before the marker leaves the live data as it was.
import { createWriteStream, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RestoreUploadDto } from '../../contract/backup.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import { verifyBackup } from '../../db/backup.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import { openKey } from '../secrets/key-envelope.js';
import type { Throttle } from '../throttle/throttle.service.js';
import { BACKUP_EXTENSION, extractDatabase, readBackupHeader, type BackupHeader } from './backup-file.js';
import { RESTORE_MARKER, RESTORE_STAGING_DIR, type RestoreMarker } from './restore-staging.js';

/** The largest backup the console accepts by default: 2 GiB (a database of 50,000 devices is far smaller). */
export const DEFAULT_RESTORE_MAX_BYTES = 2 * 1024 ** 3;

/** How long an uploaded backup waits for its passphrase before it is deleted. */
export const RESTORE_UPLOAD_TTL_MS = 30 * 60_000;

/** The prefix of uploaded backups in the data directory, so a leftover one from a crash is recognisable. */
export const RESTORE_UPLOAD_PREFIX = '.restore-upload-';

/** The console's restore. */
export interface RestoreService {
  /** Streams an upload to a private file (at most `maxBytes`) and reads its header; replaces an earlier upload. */
  upload(
    body: Readable,
    declaredBytes: number | null,
    actor: Actor,
    sourceAddress: string | null,
  ): Promise<RestoreUploadDto>;
  /**
   * Opens the upload's data key with `passphrase`, verifies its database, stages both and asks for the restart that
   * swaps them in. Throws (and changes nothing) when anything is wrong.
   */
  apply(uploadId: string, passphrase: string, actor: Actor, sourceAddress: string | null): Promise<void>;
}

/** Dependencies of the restore service. */
export interface RestoreDeps {
  audit: AuditService;
  clock: Clock;
  random: Random;
  throttle: Throttle;
  /** The data directory, or null where the console cannot restore (no restart to swap the data in). */
  dir: string | null;
  maxBytes: number;
  /** Why this data directory cannot use `key` (TSUNAGU_SECRET_PASSPHRASE derives another), or null when it can. */
  keyProblem(key: Buffer): string | null;
  /** Restarts the server once this request has been answered; null where nothing can restart it. */
  requestRestart: (() => void) | null;
}

interface Upload {
  id: string;
  path: string;
  header: BackupHeader;
  dataOffset: number;
  bytes: number;
  expiresAt: number;
}

/** The restore service; one upload at a time. */
export function createRestoreService(deps: RestoreDeps): RestoreService {
  let current: Upload | null = null;
  let busy = false;
  if (deps.dir)
    for (const name of readdirSync(deps.dir))
      if (name.startsWith(RESTORE_UPLOAD_PREFIX)) rmSync(join(deps.dir, name), { force: true });

  const available = (): string => {
    if (!deps.dir || !deps.requestRestart)
      throw new AppError(
        'RESTORE_UNAVAILABLE',
        'This server cannot restore from the console; stop it and use `tsunagu restore FILE`.',
      );
    return deps.dir;
  };
  const drop = () => {
    if (current) rmSync(current.path, { force: true });
    current = null;
  };
  const tooLarge = () =>
    new AppError(
      'RESTORE_TOO_LARGE',
      `The file is larger than ${Math.floor(deps.maxBytes / 1024 ** 2)} MiB, more than any backup this server accepts; nothing was restored.`,
      { maxBytes: deps.maxBytes },
    );
  const refused = (actor: Actor, sourceAddress: string | null, reason: string) =>
    deps.audit.record({ actor, action: 'backup.restore_refused', details: { reason }, sourceAddress });

  return {
    async upload(body, declaredBytes, actor, sourceAddress) {
      const dir = available();
      if (declaredBytes !== null && declaredBytes > deps.maxBytes) {
        body.resume();
        throw tooLarge();
      }
      if (busy) {
        body.resume();
        throw new AppError(
          'BACKUP_IN_PROGRESS',
          'A backup is being uploaded or restored right now; wait, then try again.',
        );
      }
      busy = true;
      drop();
      const id = deps.random.bytes(16).toString('hex');
      const path = join(dir, `${RESTORE_UPLOAD_PREFIX}${id}${BACKUP_EXTENSION}`);
      let bytes = 0;
      try {
        const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
        await pipeline(
          body,
          async function* count(source: AsyncIterable<Buffer>) {
            for await (const chunk of source) {
              bytes += chunk.length;
              if (bytes > deps.maxBytes) throw tooLarge();
              yield chunk;
            }
          },
          out,
        );
        if (bytes === 0) throw new AppError('BACKUP_INVALID', 'The file is empty; nothing was restored.');
        const { header, dataOffset } = readBackupHeader(path);
        current = {
          id,
          path,
          header,
          dataOffset,
          bytes,
          expiresAt: deps.clock.now().getTime() + RESTORE_UPLOAD_TTL_MS,
        };
        return { uploadId: id, createdAt: header.createdAt, schemaVersion: header.schemaVersion, bytes };
      } catch (err) {
        rmSync(path, { force: true });
        if (err instanceof AppError) refused(actor, sourceAddress, err.code);
        throw err;
      } finally {
        busy = false;
      }
    },

    async apply(uploadId, passphrase, actor, sourceAddress) {
      const dir = available();
      if (current && current.expiresAt <= deps.clock.now().getTime()) drop();
      const upload = current;
      if (!upload || upload.id !== uploadId)
        throw new AppError(
          'RESTORE_INVALID',
          'The uploaded backup is gone (it expired or another replaced it); upload it again.',
        );
      if (busy)
        throw new AppError(
          'BACKUP_IN_PROGRESS',
          'A backup is being uploaded or restored right now; wait, then try again.',
        );
      const keys = [`restore:${actor.id ?? 'unknown'}`, ...(sourceAddress ? [`addr:${sourceAddress}`] : [])];
      const reserved = deps.throttle.reserve(keys);
      if (!reserved.ok)
        throw new AppError(
          'AUTH_LOCKED',
          `Too many wrong passphrases. Try again in ${reserved.retryAfterSeconds} seconds.`,
          { retryAfterSeconds: reserved.retryAfterSeconds },
        );
      busy = true;
      const staging = join(dir, RESTORE_STAGING_DIR);
      try {
        let key: Buffer;
        try {
          key = await openKey(JSON.stringify(upload.header.key), passphrase);
        } catch (err) {
          deps.throttle.failed(reserved.reservation);
          refused(actor, sourceAddress, 'wrong passphrase');
          throw err;
        }
        deps.throttle.refund(reserved.reservation);
        const keyProblem = deps.keyProblem(key);
        if (keyProblem) {
          refused(actor, sourceAddress, 'key not usable here');
          throw new AppError('BACKUP_KEY_REFUSED', `${keyProblem} Nothing was restored.`);
        }
        rmSync(staging, { recursive: true, force: true });
        mkdirSync(staging, { mode: 0o700 });
        const dbFile = join(staging, 'tsunagu.db');
        await extractDatabase(upload.path, upload.dataOffset, dbFile);
        let schemaVersion: number;
        try {
          schemaVersion = verifyBackup(dbFile).schemaVersion;
        } catch (err) {
          refused(actor, sourceAddress, err instanceof AppError ? err.code : 'unreadable');
          // The database in the file is what is wrong, not this server: a 400 that says what.
          const message = err instanceof AppError ? err.message.replace(dbFile, 'The backup’s database') : 'unreadable';
          throw new AppError('BACKUP_INVALID', message, undefined, { cause: err });
        }
        writeFileSync(join(staging, 'secret.key'), key.toString('base64'), { mode: 0o600 });
        const marker: RestoreMarker = {
          actor,
          sourceAddress,
          stagedAt: deps.clock.now().toISOString(),
          backupCreatedAt: upload.header.createdAt,
          schemaVersion,
          bytes: upload.bytes,
        };
        // The marker last, by rename: a crash before it leaves an incomplete staging that the next start discards.
        writeFileSync(join(staging, `${RESTORE_MARKER}.tmp`), JSON.stringify(marker), { mode: 0o600 });
        renameSync(join(staging, `${RESTORE_MARKER}.tmp`), join(staging, RESTORE_MARKER));
        drop();
        (deps.requestRestart as () => void)();
      } catch (err) {
        rmSync(staging, { recursive: true, force: true });
        throw err;
      } finally {
        busy = false;
      }
    },
  };
}
