import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/temp-dir.js';
import {
  BACKUP_MAGIC,
  MAX_BACKUP_HEADER,
  encodeBackupHead,
  extractDatabase,
  isBackupContainer,
  parseBackupHead,
  readBackupHeader,
  writeBackupContainer,
  type BackupHeader,
} from './backup-file.js';

const header: BackupHeader = {
  format: 'tsunagu-backup',
  version: 1,
  createdAt: '2026-12-06T02:00:00.000Z',
  schemaVersion: 7,
  key: { format: 'tsunagu-data-key' },
};
const dir = tempDir('backup-file');
afterAll(() => dir.remove());

describe('the backup container', () => {
  it('round-trips: the header, and the database bytes after it, unchanged', async () => {
    const db = join(dir.path, 'db.sqlite');
    const bytes = Buffer.from('SQLite format 3\0 and some\nbinary\n\xff bytes', 'latin1');
    writeFileSync(db, bytes);
    const file = join(dir.path, 'a.tsunagu-backup');
    await writeBackupContainer(file, header, db);
    expect(isBackupContainer(file)).toBe(true);
    expect(isBackupContainer(db)).toBe(false);
    const read = readBackupHeader(file);
    expect(read.header).toEqual(header);
    const out = join(dir.path, 'out.sqlite');
    await extractDatabase(file, read.dataOffset, out);
    expect(readFileSync(out).equals(bytes)).toBe(true);
  });

  const head = encodeBackupHead(header);
  const line = (json: string) => Buffer.from(`${BACKUP_MAGIC}${json}\n`);
  it.each<[string, Buffer, RegExp]>([
    ['an empty file', Buffer.alloc(0), /not a Tsunagu backup file/],
    ['a plain SQLite file', Buffer.from('SQLite format 3\0'), /not a Tsunagu backup file/],
    ['a wrong magic line', Buffer.concat([Buffer.from('TSUNAGU-BACKUX\n'), head.subarray(15)]), /not a Tsunagu backup/],
    ['a header cut short', head.subarray(0, head.length - 10), /cut short inside its header/],
    ['only the magic line', Buffer.from(BACKUP_MAGIC), /cut short inside its header/],
    [
      'a header too big (no newline in reach)',
      Buffer.concat([Buffer.from(BACKUP_MAGIC), Buffer.alloc(MAX_BACKUP_HEADER + 1, 0x20)]),
      /header is longer than 16384 bytes/,
    ],
    ['a header that is not JSON', line('{nope'), /header is not readable/],
    ['a header of another format', line(JSON.stringify({ ...header, format: 'zip' })), /not one this Tsunagu can read/],
    ['a header without the key', line(JSON.stringify({ ...header, key: null })), /not one this Tsunagu can read/],
    ['a newer format version', line(JSON.stringify({ ...header, version: 2 })), /format version 2, newer/],
  ])('refuses %s clearly (BACKUP_INVALID)', (_name, bytes, message) => {
    expect(() => parseBackupHead(bytes)).toThrow(message);
    try {
      parseBackupHead(bytes);
    } catch (err) {
      expect((err as { code: string }).code).toBe('BACKUP_INVALID');
      expect((err as Error).message).toMatch(/nothing was restored\.$/);
    }
  });

  it('finds the database right after the header line', () => {
    const { dataOffset } = parseBackupHead(Buffer.concat([head, Buffer.from('DATA')]));
    expect(dataOffset).toBe(head.length);
  });
});
