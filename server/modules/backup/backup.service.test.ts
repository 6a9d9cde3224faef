import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/temp-dir.js';
import { FakeClock } from '../../core/clock.js';
import { SeededRandom } from '../../core/random.js';
import { migrate } from '../../db/migrate.js';
import { openDatabase, type Db } from '../../db/open.js';
import { createAuditService } from '../audit/audit.service.js';
import { createAuditStore } from '../audit/audit.store.js';
import { openKey, sealKey } from '../secrets/key-envelope.js';
import { readBackupHeader } from './backup-file.js';
import { BACKUP_TEMP_PREFIX, createBackupService, type BackupDeps } from './backup.service.js';

const ADMIN = { type: 'admin', id: 'a1', label: 'admin@example.com' } as const;
const PASSPHRASE = 'a long office passphrase';
const key = randomBytes(32);
let dir: { path: string; remove: () => void };
let db: Db;

function service(over: Partial<BackupDeps> = {}) {
  const clock = new FakeClock('2026-12-06T09:00:00.000Z');
  const audit = createAuditService({ store: createAuditStore(db), clock, random: new SeededRandom(1) });
  return {
    audit,
    backup: createBackupService({
      db,
      audit,
      clock,
      random: new SeededRandom(2),
      dir: dir.path,
      sealDataKey: (p) => sealKey(key, p),
      ...over,
    }),
  };
}

beforeEach(() => {
  dir = tempDir('backup-service');
  db = openDatabase(join(dir.path, 'tsunagu.db'));
  migrate(db, undefined, new Date('2026-12-01T00:00:00.000Z'));
});
afterEach(() => {
  db.close();
  dir.remove();
});

const temps = () => readdirSync(dir.path).filter((f) => f.startsWith(BACKUP_TEMP_PREFIX));

describe('the backup service', () => {
  it('writes one container in the data directory, audited without secrets; release deletes it', async () => {
    const { backup, audit } = service();
    const prepared = await backup.create(PASSPHRASE, ADMIN, '127.0.0.1');
    expect(prepared.fileName).toBe('tsunagu-backup-2026-12-06.tsunagu-backup');
    expect(temps()).toEqual([prepared.path.split('/').pop()]);
    const { header } = readBackupHeader(prepared.path);
    expect(header).toMatchObject({ format: 'tsunagu-backup', version: 1, createdAt: '2026-12-06T09:00:00.000Z' });
    expect((await openKey(JSON.stringify(header.key), PASSPHRASE)).equals(key)).toBe(true);
    expect(readFileSync(prepared.path).includes(key)).toBe(false);
    const event = audit.list({ action: 'backup.created' }).items[0];
    expect(event?.details).toEqual({ download: true, bytes: prepared.bytes, keySealed: true });
    prepared.release();
    prepared.release();
    expect(temps()).toEqual([]);
  });

  it.each<[string, Partial<BackupDeps>, string, string]>([
    ['a short passphrase', {}, 'too short', 'VALIDATION_FAILED'],
    ['no data directory', { dir: null }, PASSPHRASE, 'BACKUP_UNAVAILABLE'],
    ['no key seal', { sealDataKey: null }, PASSPHRASE, 'BACKUP_UNAVAILABLE'],
    ['a failing key seal', { sealDataKey: () => Promise.reject(new Error('boom')) }, PASSPHRASE, 'boom'],
  ])('refuses with %s and leaves no file', async (_name, over, passphrase, code) => {
    const { backup } = service(over);
    const err = (await backup.create(passphrase, ADMIN, null).catch((e: unknown) => e)) as Error & { code?: string };
    expect(err.code ?? err.message).toBe(code);
    expect(temps()).toEqual([]);
  });

  it('makes one at a time: BACKUP_IN_PROGRESS until the first is released, then the next is made', async () => {
    const { backup } = service();
    const first = await backup.create(PASSPHRASE, ADMIN, null);
    await expect(backup.create(PASSPHRASE, ADMIN, null)).rejects.toMatchObject({ code: 'BACKUP_IN_PROGRESS' });
    first.release();
    const second = await backup.create(PASSPHRASE, ADMIN, null);
    second.release();
    expect(temps()).toEqual([]);
  });

  it('removes a file a crash left behind when it starts', () => {
    const left = join(dir.path, `${BACKUP_TEMP_PREFIX}0123.tsunagu-backup`);
    writeFileSync(left, 'half');
    service();
    expect(existsSync(left)).toBe(false);
  });
});
