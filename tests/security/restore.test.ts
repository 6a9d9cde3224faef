// The console's restore, attacked: an upload larger than the limit (declared, or streamed without a length) is cut
// off and leaves no file; a foreign file or a container whose database is broken is refused and changes nothing; the
// passphrase is guessed no faster than a sign-in password; both routes need a session and the CSRF token.
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { encodeBackupHead, readBackupHeader } from '../../server/modules/backup/backup-file.js';
import { startServer, type RunningServer } from '../../server/start.js';
import { AdminClient } from '../helpers/http.js';
import { HARNESS_ADMIN } from '../helpers/server-harness.js';
import { tempDir } from '../helpers/temp-dir.js';

const LIMIT = 1024 * 1024;
const PASSPHRASE = 'the office backup passphrase';
const dir = tempDir('restore-attack');
let server: RunningServer;
let admin: AdminClient;
let backup: Buffer;

beforeAll(async () => {
  const config = loadConfig({
    TSUNAGU_DATA_DIR: dir.path,
    TSUNAGU_ADMIN_PORT: '0',
    TSUNAGU_DEVICE_PORT: '0',
    TSUNAGU_HTTP_PORT: '0',
    TSUNAGU_DEVICE_BIND: '127.0.0.1',
    TSUNAGU_HOSTNAMES: 'tsunagu.test',
    TSUNAGU_LOG_LEVEL: 'warn',
  });
  server = await startServer(config, {
    logToConsole: false,
    lanAddresses: () => ['127.0.0.1'],
    caKeyBits: 2048,
    tickMs: 3_600_000,
    restoreMaxBytes: LIMIT,
  });
  admin = new AdminClient(server.adminUrl);
  await admin.call('POST', '/api/setup', { setupToken: server.setupToken, ...HARNESS_ADMIN });
  backup = (await admin.call('POST', '/api/backup', { passphrase: PASSPHRASE })).body;
  expect(backup.length).toBeLessThan(LIMIT);
});
afterAll(async () => {
  await server.close();
  dir.remove();
});

const leftovers = () => readdirSync(dir.path).filter((f) => f.startsWith('.restore-') || f === 'restore-pending');
const upload = (body: Buffer, c: AdminClient = admin) =>
  c.call('PUT', '/api/restore/upload', body, { contentType: 'application/octet-stream' });

/** Streams `total` bytes chunked (no Content-Length) and reads the answer, or the reset if the server cuts it off. */
function chunkedUpload(total: number): Promise<{ status: number; body: string } | { reset: true }> {
  const u = new URL('/api/restore/upload', server.adminUrl);
  return new Promise((resolve) => {
    const req = request(u, {
      method: 'PUT',
      headers: {
        'content-type': 'application/octet-stream',
        'transfer-encoding': 'chunked',
        cookie: (admin as unknown as { cookie: string }).cookie,
        'x-csrf-token': admin.csrf,
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve({ reset: true }));
    const chunk = Buffer.alloc(16 * 1024, 0x41);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('upload limits', () => {
  it('refuses a declared length over the limit before reading it', async () => {
    const res = await upload(Buffer.alloc(LIMIT + 1, 0x41));
    expect([res.status, res.json().code]).toEqual([413, 'RESTORE_TOO_LARGE']);
    expect(leftovers()).toEqual([]);
  });

  it('cuts off a chunked upload once it passes the limit, and leaves no file', async () => {
    const res = await chunkedUpload(LIMIT * 8);
    if ('status' in res) expect([res.status, JSON.parse(res.body).code]).toEqual([413, 'RESTORE_TOO_LARGE']);
    expect(leftovers()).toEqual([]);
  });

  it.each([
    ['a foreign file', Buffer.from('PK\x03\x04 this is a zip, not a backup')],
    ['an empty file', Buffer.alloc(0)],
    ['a header cut short', Buffer.from('TSUNAGU-BACKUP\n{"format":"tsunagu-backup"')],
  ])('refuses %s with BACKUP_INVALID and keeps nothing', async (_name, body) => {
    const res = await upload(body);
    expect([res.status, res.json().code]).toEqual([400, 'BACKUP_INVALID']);
    expect(leftovers()).toEqual([]);
  });
});

describe('a container whose database is broken', () => {
  it('is refused after the key opens, and the live data is unchanged', async () => {
    const file = join(dir.path, 'probe.tsunagu-backup');
    await import('node:fs').then((fs) => fs.writeFileSync(file, backup));
    const { header } = readBackupHeader(file);
    await import('node:fs').then((fs) => fs.rmSync(file));
    const broken = Buffer.concat([encodeBackupHead(header), Buffer.from('SQLite format 3\0'), Buffer.alloc(8192, 7)]);
    const up = await upload(broken);
    expect(up.status, up.text).toBe(201);
    const res = await admin.call('POST', '/api/restore', { uploadId: up.json().uploadId, passphrase: PASSPHRASE });
    expect([res.status, res.json().code]).toEqual([400, 'BACKUP_INVALID']);
    expect(res.json<{ message: string }>().message).not.toContain(dir.path);
    expect((await admin.call('GET', '/api/auth/session')).status).toBe(200);
    expect(leftovers().filter((f) => f === 'restore-pending')).toEqual([]);
  });
});

describe('guessing the passphrase', () => {
  it('locks out after repeated wrong passphrases, even for the right one, and audits the refusals', async () => {
    const up = await upload(backup);
    const uploadId = up.json<{ uploadId: string }>().uploadId;
    const codes: string[] = [];
    for (let i = 0; i < 6; i++)
      codes.push(
        (await admin.call('POST', '/api/restore', { uploadId, passphrase: `guess number ${i}` })).json<{
          code: string;
        }>().code,
      );
    expect(codes.slice(0, 4)).toEqual(Array(4).fill('BACKUP_KEY_REFUSED'));
    expect(codes.at(-1)).toBe('AUTH_LOCKED');
    const right = await admin.call('POST', '/api/restore', { uploadId, passphrase: PASSPHRASE });
    expect([right.status, right.json().code]).toEqual([429, 'AUTH_LOCKED']);
    const refused = server.services.audit.list({ action: 'backup.restore_refused', limit: 50 }).items;
    expect(refused.filter((e) => e.details?.reason === 'wrong passphrase').length).toBeGreaterThanOrEqual(5);
  });
});

describe('session and CSRF', () => {
  it.each([
    ['PUT', '/api/restore/upload'],
    ['POST', '/api/restore'],
  ])('%s %s without a session: 401', async (method, path) => {
    const res = await new AdminClient(server.adminUrl).call(
      method,
      path,
      method === 'PUT' ? backup : { uploadId: '0'.repeat(32), passphrase: PASSPHRASE },
      method === 'PUT' ? { contentType: 'application/octet-stream' } : {},
    );
    expect([res.status, res.json().code]).toEqual([401, 'AUTH_REQUIRED']);
  });

  it.each([
    ['PUT', '/api/restore/upload'],
    ['POST', '/api/restore'],
  ])('%s %s without the CSRF token: 403', async (method, path) => {
    const csrf = admin.csrf;
    admin.csrf = '';
    try {
      const res = await admin.call(
        method,
        path,
        method === 'PUT' ? backup : { uploadId: '0'.repeat(32), passphrase: PASSPHRASE },
        method === 'PUT' ? { contentType: 'application/octet-stream' } : {},
      );
      expect([res.status, res.json().code]).toEqual([403, 'CSRF_INVALID']);
    } finally {
      admin.csrf = csrf;
    }
  });
});
