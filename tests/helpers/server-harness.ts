import { loadConfig } from '../../server/config.js';
import type { Clock } from '../../server/core/clock.js';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../server/start.js';
import { PROJECT_ROOT } from '../../server/version.js';
import { AdminClient } from './http.js';
import { useKeyPool } from './key-pool.js';
import { tempDir } from './temp-dir.js';

// Browser tests run their servers in the Playwright worker, which has no vitest setup file: take the pool's keys there
// too (in vitest processes the setup file has done this already).
useKeyPool();

/** A real server on loopback ports in a fresh data directory. */
export interface Harness {
  server: RunningServer;
  dataDir: string;
  admin: AdminClient;
  /** Stops the server and starts it again on the same data directory (and clock); signs the admin in again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The same URL on 127.0.0.1: harness URLs name tsunagu.test, which only the certificate knows. */
export function local(url: string): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  return u.href;
}

/** The first admin every harness can create. */
export const HARNESS_ADMIN = Object.freeze({
  email: 'admin@example.com',
  displayName: 'Office Admin',
  password: 'correct horse battery',
});

/** Starts the server in-process on 127.0.0.1 with port 0 everywhere; optionally signs in the first admin. */
export async function startHarness(
  options: {
    signIn?: boolean;
    clock?: Clock;
    env?: Record<string, string>;
    apnsCa?: string;
    lanAddresses?: () => string[];
    addressCheckMs?: number;
    tickMs?: number;
    /** The data key as the desktop app passes it (then no key file is written). */
    dataKey?: Buffer;
  } = {},
): Promise<Harness> {
  const dir = tempDir('it');
  const config = loadConfig({
    TSUNAGU_DATA_DIR: dir.path,
    TSUNAGU_ADMIN_PORT: '0',
    TSUNAGU_DEVICE_PORT: '0',
    TSUNAGU_HTTP_PORT: '0',
    TSUNAGU_DEVICE_BIND: '127.0.0.1',
    TSUNAGU_HOSTNAMES: 'tsunagu.test',
    TSUNAGU_LOG_LEVEL: 'warn',
    ...options.env,
  });
  // The console must have been built (`npm test` builds before it runs the suites).
  const start = () =>
    startServer(config, {
      consoleDir: join(PROJECT_ROOT, 'dist', 'renderer'),
      logToConsole: false,
      lanAddresses: options.lanAddresses ?? (() => ['127.0.0.1']),
      caKeyBits: 2048,
      tickMs: options.tickMs ?? 3_600_000,
      ...(options.addressCheckMs ? { addressCheckMs: options.addressCheckMs } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.apnsCa ? { apnsCa: options.apnsCa } : {}),
      ...(options.dataKey ? { dataKey: options.dataKey } : {}),
    });
  const server = await start();
  const admin = new AdminClient(server.adminUrl);
  if (options.signIn ?? true) {
    const res = await admin.call('POST', '/api/setup', { setupToken: server.setupToken, ...HARNESS_ADMIN });
    if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${res.text}`);
  }
  const h: Harness = {
    server,
    dataDir: dir.path,
    admin,
    async restart() {
      await h.server.close();
      h.server = await start();
      h.admin = new AdminClient(h.server.adminUrl);
      const res = await h.admin.call('POST', '/api/auth/login', {
        email: HARNESS_ADMIN.email,
        password: HARNESS_ADMIN.password,
      });
      if (res.status !== 200) throw new Error(`login after restart failed: ${res.status} ${res.text}`);
    },
    async stop() {
      await h.server.close();
      dir.remove();
    },
  };
  return h;
}

/** Adds a portal user through the admin API (with a password, or none: then an invitation's PIN); returns the id. */
export async function addUser(h: Harness, email: string, password?: string): Promise<string> {
  const res = await h.admin.call('POST', '/api/users', {
    email,
    displayName: email,
    locale: 'en',
    ...(password ? { password } : {}),
  });
  if (res.status !== 201) throw new Error(`POST /api/users answered ${res.status}: ${res.text}`);
  return res.json<{ id: string }>().id;
}
