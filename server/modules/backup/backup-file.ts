// The backup download's container: one file that restores on any machine. A fixed magic line, one JSON header line
// (format version, when, schema version, the data key sealed under the admin's passphrase), then the bytes of the
// SQLite online backup. `tsunagu restore FILE` recognises it by the magic line.
import { closeSync, createReadStream, createWriteStream, openSync, readSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../core/errors.js';

/** The first line of every backup container. */
export const BACKUP_MAGIC = 'TSUNAGU-BACKUP\n';

/** The file name ending the console's download uses. */
export const BACKUP_EXTENSION = '.tsunagu-backup';

/** The largest header line a reader accepts (the sealed key is well under 1 KiB). */
export const MAX_BACKUP_HEADER = 16 * 1024;

/** What the header line says about the database that follows it. */
export interface BackupHeader {
  format: 'tsunagu-backup';
  version: 1;
  createdAt: string;
  schemaVersion: number;
  /** The data key sealed with `sealKey` (the envelope's JSON object). */
  key: Record<string, unknown>;
}

function invalid(what: string): AppError {
  return new AppError('BACKUP_INVALID', `${what}; nothing was restored.`);
}

/** The magic line and the header line, as the container starts. */
export function encodeBackupHead(header: BackupHeader): Buffer {
  return Buffer.from(`${BACKUP_MAGIC}${JSON.stringify(header)}\n`, 'utf8');
}

/**
 * Parses the start of a container (at least the magic, the header line and its newline, or the first
 * MAGIC + MAX_BACKUP_HEADER + 1 bytes); returns the header and where the database bytes begin, or AppError BACKUP_INVALID.
 */
export function parseBackupHead(head: Buffer): { header: BackupHeader; dataOffset: number } {
  const magic = Buffer.from(BACKUP_MAGIC, 'utf8');
  if (head.length < magic.length || !head.subarray(0, magic.length).equals(magic))
    throw invalid('This is not a Tsunagu backup file (its first line is not the backup marker)');
  const end = head.indexOf(0x0a, magic.length);
  if (end === -1) {
    if (head.length - magic.length > MAX_BACKUP_HEADER)
      throw invalid(`The backup’s header is longer than ${MAX_BACKUP_HEADER} bytes`);
    throw invalid('The backup file is cut short inside its header');
  }
  if (end - magic.length > MAX_BACKUP_HEADER)
    throw invalid(`The backup’s header is longer than ${MAX_BACKUP_HEADER} bytes`);
  let v: Partial<BackupHeader>;
  try {
    v = JSON.parse(head.subarray(magic.length, end).toString('utf8')) as Partial<BackupHeader>;
  } catch {
    throw invalid('The backup’s header is not readable');
  }
  const ok =
    typeof v === 'object' &&
    v !== null &&
    v.format === 'tsunagu-backup' &&
    typeof v.createdAt === 'string' &&
    Number.isInteger(v.schemaVersion) &&
    typeof v.key === 'object' &&
    v.key !== null;
  if (!ok) throw invalid('The backup’s header is not one this Tsunagu can read');
  if (v.version !== 1) throw invalid(`The backup is in format version ${String(v.version)}, newer than this Tsunagu`);
  return { header: v as BackupHeader, dataOffset: end + 1 };
}

/** The first bytes of `file` (enough for any valid head). */
function readHead(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(BACKUP_MAGIC.length + MAX_BACKUP_HEADER + 1);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** True when `file` starts with the container's magic line (not a plain SQLite backup). */
export function isBackupContainer(file: string): boolean {
  const head = readHead(file);
  return head.subarray(0, BACKUP_MAGIC.length).equals(Buffer.from(BACKUP_MAGIC, 'utf8'));
}

/** Reads the header of the container `file`; AppError BACKUP_INVALID when it is not one. */
export function readBackupHeader(file: string): { header: BackupHeader; dataOffset: number } {
  return parseBackupHead(readHead(file));
}

/** Writes the container: the head, then the database file's bytes; `dest` must not exist. */
export async function writeBackupContainer(dest: string, header: BackupHeader, dbFile: string): Promise<void> {
  const out = createWriteStream(dest, { flags: 'wx', mode: 0o600 });
  out.write(encodeBackupHead(header));
  await pipeline(createReadStream(dbFile), out);
}

/** Copies the database bytes of the container `file` (from `dataOffset`) to `dest`, which must not exist. */
export async function extractDatabase(file: string, dataOffset: number, dest: string): Promise<void> {
  await pipeline(createReadStream(file, { start: dataOffset }), createWriteStream(dest, { flags: 'wx', mode: 0o600 }));
}
