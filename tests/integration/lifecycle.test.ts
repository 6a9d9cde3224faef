import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { buildAdminApp } from '../../server/app.js';
import { dataPaths } from '../../server/paths.js';
import { AdminClient } from '../helpers/http.js';
import { HARNESS_ADMIN, local, startHarness } from '../helpers/server-harness.js';

describe('graceful shutdown', () => {
  it('lets an in-flight request finish, then closes the database and releases the lock', async () => {
    const h = await startHarness({ signIn: false });
    const url = new URL('/api/auth/login', h.server.adminUrl);
    const body = JSON.stringify({ email: 'someone@example.com', password: 'not the password' });
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length) } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      // Half the body now, the rest after shutdown has begun.
      req.write(body.slice(0, 10));
      setTimeout(() => {
        void closing;
        req.end(body.slice(10));
      }, 300);
    });
    await new Promise((r) => setTimeout(r, 100));
    const closing = h.server.close();
    const res = await answer;
    await closing;
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
    const paths = dataPaths(h.dataDir);
    expect(existsSync(paths.lock)).toBe(false);
    expect(existsSync(`${paths.db}-wal`)).toBe(false);
    expect(() => h.server.services.users.list({})).toThrow(/not open/);
    await h.stop();
  });

  it('refuses a second server on the same data directory', async () => {
    const h = await startHarness({ signIn: false });
    const { loadConfig } = await import('../../server/config.js');
    const { startServer } = await import('../../server/start.js');
    const config = loadConfig({
      TSUNAGU_DATA_DIR: h.dataDir,
      TSUNAGU_ADMIN_PORT: '0',
      TSUNAGU_DEVICE_PORT: '0',
      TSUNAGU_HTTP_PORT: '0',
      TSUNAGU_DEVICE_BIND: '127.0.0.1',
      TSUNAGU_LOG_LEVEL: 'silent',
    });
    await expect(startServer(config, { logToConsole: false, lanAddresses: () => [] })).rejects.toThrow(
      /Another Tsunagu \(process \d+\) is using this data directory/,
    );
    await h.stop();
  });
});

describe('internal errors', () => {
  it('answer 500 with a reference and never the internal message', async () => {
    const h = await startHarness({ signIn: false });
    const { logger } = h.server;
    const app = await buildAdminApp({
      services: h.server.services,
      logger,
      consoleDir: null,
      adminTls: null,
      deviceTls: { key: '', cert: '' },
      deviceBaseUrl: () => '',
      bootstrapBaseUrl: () => '',
      version: 'test',
    });
    app.get('/api/explode', async () => {
      throw new Error('SQLITE_CORRUPT secret table details');
    });
    const res = await app.inject({ method: 'GET', url: '/api/explode' });
    expect(res.statusCode).toBe(500);
    const body = res.json<{ code: string; message: string }>();
    expect(body.code).toBe('INTERNAL');
    expect(body.message).not.toMatch(/SQLITE|secret/);
    expect(body.message).toContain(res.headers['x-request-id']);
    await app.close();
    await h.stop();
  });
});

describe('LAN admin access', () => {
  it('serves the console and API over HTTPS with Secure cookies when switched on', async () => {
    const h = await startHarness({ signIn: false, env: { TSUNAGU_LAN_ADMIN: 'on' } });
    try {
      expect(h.server.adminUrl).toMatch(/^https:\/\/tsunagu\.test:\d+\/$/);
      const admin = new AdminClient(local(h.server.adminUrl), h.server.services.ca.caCertificate().pem);
      const res = await admin.call('POST', '/api/setup', { setupToken: h.server.setupToken, ...HARNESS_ADMIN });
      expect(res.status).toBe(201);
      expect(res.headers['set-cookie']?.[0]).toMatch(/; Secure/);
      // HSTS cleared, never kept: the bootstrap listener's http:// links share this host (issue 10;
      // enrollment-trust.test.ts).
      expect(res.headers['strict-transport-security']).toBe('max-age=0');
    } finally {
      await h.stop();
    }
  });
});
