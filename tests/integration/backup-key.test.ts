import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox, loadOrCreateKey } from '../../server/modules/secrets/secret-box.js';
import { dataPaths } from '../../server/paths.js';
import { killAllServes, runTsunagu, startServe } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// A backup restores on another machine: the data key travels sealed under a passphrase beside the database, and
// restore re-creates the key file, so the secrets the server sealed (here the office CA's key) open again.
const dir = tempDir('backup-key');
const base = {
  TSUNAGU_ADMIN_PORT: '0',
  TSUNAGU_DEVICE_PORT: '0',
  TSUNAGU_HTTP_PORT: '0',
  TSUNAGU_DEVICE_BIND: '127.0.0.1',
  TSUNAGU_LOG_LEVEL: 'warn',
};
const origin = { ...base, TSUNAGU_DATA_DIR: join(dir.path, 'origin') };
const other = { ...base, TSUNAGU_DATA_DIR: join(dir.path, 'other-machine') };
const PASSPHRASE = 'a long office passphrase';
const backup = join(dir.path, 'backup.db');

/** The office CA's private key, opened with the data directory's key file. */
function officeCaKey(dataDir: string): string {
  const db = new Database(dataPaths(dataDir).db, { readonly: true });
  const row = db.prepare("SELECT key_sealed FROM pki_credentials WHERE name = 'office-ca'").get() as {
    key_sealed: string;
  };
  db.close();
  const box = createSecretBox(loadOrCreateKey(dataPaths(dataDir).secretKey, null));
  return box.open(row.key_sealed, 'pki:office-ca').toString();
}

beforeAll(async () => {
  // A first start creates the office CA, whose key is sealed with the data key.
  const serve = await startServe(origin);
  expect(await serve.stop('SIGTERM')).toBe(0);
});
afterAll(() => {
  killAllServes();
  dir.remove();
});

describe('backup and restore with the data key sealed under a passphrase', () => {
  it('backup refuses to run without a passphrase it may read, and writes nothing', async () => {
    const res = await runTsunagu(['backup', backup], origin);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/set TSUNAGU_BACKUP_PASSPHRASE, or run on a terminal/);
    expect(existsSync(backup)).toBe(false);
    const short = await runTsunagu(['backup', backup], { ...origin, TSUNAGU_BACKUP_PASSPHRASE: 'short' });
    expect(short.stderr).toMatch(/at least 12 characters/);
    expect(existsSync(backup)).toBe(false);
  });

  it('backup writes the database and the sealed key, never the key in the clear', async () => {
    const res = await runTsunagu(['backup', backup], { ...origin, TSUNAGU_BACKUP_PASSPHRASE: PASSPHRASE });
    expect(res.code).toBe(0);
    const sealed = readFileSync(`${backup}.key`, 'utf8');
    expect(sealed).not.toContain(readFileSync(dataPaths(origin.TSUNAGU_DATA_DIR).secretKey, 'utf8').trim());
    expect(JSON.parse(sealed)).toMatchObject({ format: 'tsunagu-data-key', kdf: { name: 'scrypt' } });
  });

  it('a wrong passphrase is refused clearly and the target data directory is untouched', async () => {
    mkdirSync(other.TSUNAGU_DATA_DIR, { recursive: true });
    writeFileSync(join(other.TSUNAGU_DATA_DIR, 'keep.txt'), 'untouched');
    const res = await runTsunagu(['restore', backup], { ...other, TSUNAGU_BACKUP_PASSPHRASE: 'not the passphrase' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /BACKUP_KEY_REFUSED: The passphrase does not open the backup’s data key.*nothing was restored/,
    );
    expect(readdirSync(other.TSUNAGU_DATA_DIR)).toEqual(['keep.txt']);
    const none = await runTsunagu(['restore', backup], other);
    expect(none.code).toBe(2);
    expect(readdirSync(other.TSUNAGU_DATA_DIR)).toEqual(['keep.txt']);
  });

  it('restore into a fresh data directory re-creates the key file, and the secrets open', async () => {
    const res = await runTsunagu(['restore', backup], { ...other, TSUNAGU_BACKUP_PASSPHRASE: PASSPHRASE });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/The data key from .*backup\.db\.key opens its secrets/);
    expect(officeCaKey(other.TSUNAGU_DATA_DIR)).toMatch(/BEGIN PRIVATE KEY/);
    expect(officeCaKey(other.TSUNAGU_DATA_DIR)).toBe(officeCaKey(origin.TSUNAGU_DATA_DIR));
    // And the restored server starts on it (it opens the CA and TLS keys at start).
    const serve = await startServe(other);
    expect(await serve.stop('SIGTERM'), serve.stderr()).toBe(0);
  });
});
