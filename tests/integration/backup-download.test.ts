import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKUP_MAGIC } from '../../server/modules/backup/backup-file.js';
import { BACKUP_TEMP_PREFIX } from '../../server/modules/backup/backup.service.js';
import { createSecretBox, loadOrCreateKey } from '../../server/modules/secrets/secret-box.js';
import { dataPaths } from '../../server/paths.js';
import { killAllServes, runTsunagu, startServe } from '../helpers/cli.js';
import { AdminClient } from '../helpers/http.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import { tempDir } from '../helpers/temp-dir.js';

// The console's backup download restores on another machine: the server runs as the desktop app runs it (the data key
// handed in at start, no key file), the admin downloads one file, and `tsunagu restore FILE` on a fresh data directory
// re-creates the key file from it, so the office CA's key (sealed with the data key) opens there.
const PASSPHRASE = 'a long office passphrase';
const dataKey = randomBytes(32);
const dir = tempDir('backup-download');
const other = {
  TSUNAGU_DATA_DIR: join(dir.path, 'other-machine'),
  TSUNAGU_ADMIN_PORT: '0',
  TSUNAGU_DEVICE_PORT: '0',
  TSUNAGU_HTTP_PORT: '0',
  TSUNAGU_DEVICE_BIND: '127.0.0.1',
  TSUNAGU_LOG_LEVEL: 'warn',
};
const file = join(dir.path, 'download.tsunagu-backup');
let h: Harness;

/** The office CA's private key in a data directory's database, opened with `key`. */
function officeCaKey(dataDir: string, key: Buffer): string {
  const db = new Database(dataPaths(dataDir).db, { readonly: true });
  const row = db.prepare("SELECT key_sealed FROM pki_credentials WHERE name = 'office-ca'").get() as {
    key_sealed: string;
  };
  db.close();
  return createSecretBox(key).open(row.key_sealed, 'pki:office-ca').toString();
}

/** The backup files waiting in the data directory (none once an answer has ended). */
const leftovers = () => readdirSync(h.dataDir).filter((f) => f.startsWith(BACKUP_TEMP_PREFIX));

beforeAll(async () => {
  h = await startHarness({ dataKey });
});
afterAll(async () => {
  killAllServes();
  await h.stop();
  dir.remove();
});

describe('the backup download (POST /api/backup)', () => {
  it('needs an admin session', async () => {
    const res = await new AdminClient(h.server.adminUrl).call('POST', '/api/backup', { passphrase: PASSPHRASE });
    expect(res.status).toBe(401);
  });

  it.each([
    ['a short passphrase', { passphrase: 'too short' }, /at least 12 characters/],
    ['no passphrase', {}, /passphrase/],
  ])('refuses %s with a clear 400', async (_name, body, message) => {
    const res = await h.admin.call('POST', '/api/backup', body);
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(message) });
  });

  it('answers one file: the magic line, the header with the sealed key, then the database; the key is never in it in the clear', async () => {
    // The server runs with the app's key: there is no key file the CLI could have read.
    expect(existsSync(dataPaths(h.dataDir).secretKey)).toBe(false);
    const res = await h.admin.call('POST', '/api/backup', { passphrase: PASSPHRASE });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="tsunagu-backup-\d{4}-\d{2}-\d{2}\.tsunagu-backup"$/,
    );
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.body.subarray(0, BACKUP_MAGIC.length).toString()).toBe(BACKUP_MAGIC);
    const header = JSON.parse(res.body.toString('utf8').split('\n')[1] as string) as Record<string, unknown>;
    expect(header).toMatchObject({ format: 'tsunagu-backup', version: 1, key: { format: 'tsunagu-data-key' } });
    expect(res.body.includes(dataKey)).toBe(false);
    expect(res.body.includes(Buffer.from(dataKey.toString('base64')))).toBe(false);
    writeFileSync(file, res.body);
    await expect.poll(leftovers).toEqual([]);
    const events = h.server.services.audit.list({ action: 'backup.created' }).items;
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0])).not.toContain(PASSPHRASE);
    expect(events[0]).toMatchObject({ actorType: 'admin', details: { download: true, keySealed: true } });
  });

  it('makes one backup at a time: a second request meanwhile gets 409', async () => {
    const [a, b] = await Promise.all([
      h.admin.call('POST', '/api/backup', { passphrase: PASSPHRASE }),
      h.admin.call('POST', '/api/backup', { passphrase: PASSPHRASE }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const refused = a.status === 409 ? a : b;
    expect(refused.json()).toMatchObject({ code: 'BACKUP_IN_PROGRESS', message: expect.stringMatching(/wait/) });
    await expect.poll(leftovers).toEqual([]);
    // And once the first has downloaded, the next one is made.
    expect((await h.admin.call('POST', '/api/backup', { passphrase: PASSPHRASE })).status).toBe(200);
  });

  it('deletes the temporary file when the client goes away mid-download', async () => {
    const u = new URL('/api/backup', h.server.adminUrl);
    const cookie = (h.admin as unknown as { cookie: string }).cookie;
    await new Promise<void>((resolve, reject) => {
      const req = request(
        u,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': h.admin.csrf },
        },
        (res) => {
          expect(res.statusCode).toBe(200);
          res.destroy();
          req.destroy();
          resolve();
        },
      );
      req.on('error', (err) => (err.message.includes('aborted') ? resolve() : reject(err)));
      req.end(JSON.stringify({ passphrase: PASSPHRASE }));
    });
    await expect.poll(leftovers).toEqual([]);
    expect((await h.admin.call('POST', '/api/backup', { passphrase: PASSPHRASE })).status).toBe(200);
  });
});

describe('tsunagu restore FILE with the download, on another machine', () => {
  it('refuses a wrong passphrase (BACKUP_KEY_REFUSED) and leaves the target untouched', async () => {
    mkdirSync(other.TSUNAGU_DATA_DIR, { recursive: true });
    writeFileSync(join(other.TSUNAGU_DATA_DIR, 'keep.txt'), 'untouched');
    const res = await runTsunagu(['restore', file], { ...other, TSUNAGU_BACKUP_PASSPHRASE: 'not the passphrase' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/BACKUP_KEY_REFUSED: The passphrase does not open the backup’s data key/);
    expect(readdirSync(other.TSUNAGU_DATA_DIR)).toEqual(['keep.txt']);
  });

  it('refuses a file that is not a whole backup, and leaves the target untouched', async () => {
    const cut = join(dir.path, 'cut.tsunagu-backup');
    writeFileSync(cut, readFileSync(file).subarray(0, 40));
    const res = await runTsunagu(['restore', cut], { ...other, TSUNAGU_BACKUP_PASSPHRASE: PASSPHRASE });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/BACKUP_INVALID: The backup file is cut short inside its header/);
    expect(readdirSync(other.TSUNAGU_DATA_DIR)).toEqual(['keep.txt']);
  });

  it('restores into a data directory without a key file: the key file is re-created, the secrets open, the server starts', async () => {
    const res = await runTsunagu(['restore', file], { ...other, TSUNAGU_BACKUP_PASSPHRASE: PASSPHRASE });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Restored .*download\.tsunagu-backup \(schema version \d+\)/);
    const restoredKey = loadOrCreateKey(dataPaths(other.TSUNAGU_DATA_DIR).secretKey, null);
    expect(restoredKey.equals(dataKey)).toBe(true);
    expect(officeCaKey(other.TSUNAGU_DATA_DIR, restoredKey)).toMatch(/BEGIN PRIVATE KEY/);
    expect(officeCaKey(other.TSUNAGU_DATA_DIR, restoredKey)).toBe(officeCaKey(h.dataDir, dataKey));
    const serve = await startServe(other);
    expect(await serve.stop('SIGTERM')).toBe(0);
    expect(serve.stderr()).not.toMatch(/error|could not be decrypted/i);
  });
});
