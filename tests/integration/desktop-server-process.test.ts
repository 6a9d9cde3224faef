import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerChild } from '../../electron/platform/server-process.js';
import { PROJECT_ROOT } from '../../server/version.js';
import { AdminClient } from '../helpers/http.js';
import { tempDir } from '../helpers/temp-dir.js';

// The desktop app's development host starts the real `tsunagu serve`; the child inherits these ports.
const dir = tempDir('desktop-host');
const saved = { ...process.env };
Object.assign(process.env, {
  TSUNAGU_ADMIN_PORT: '0',
  TSUNAGU_DEVICE_PORT: '0',
  TSUNAGU_HTTP_PORT: '0',
  TSUNAGU_DEVICE_BIND: '127.0.0.1',
  TSUNAGU_LOG_LEVEL: 'warn',
});
afterAll(() => {
  process.env = saved;
  dir.remove();
});

describe('desktop server host', () => {
  it('reads the server’s ready line (serve --json), so the first-run window always gets the setup token', async () => {
    // Several starts: output can arrive in pieces, and a host that stopped reading early would lose the token.
    for (let i = 0; i < 3; i++) {
      const host = await startServerChild(PROJECT_ROOT, join(dir.path, `data-${i}`), process.execPath);
      try {
        const { facts } = host;
        expect(facts.setupToken).toMatch(/^[A-Za-z0-9_-]{24}$/);
        expect(facts.entryUrl).toMatch(/^http:\/\/.+:\d+\/go$/);
        expect(facts.enrollmentUrl).toMatch(/^https:\/\/.+:\d+\/$/);
        expect(facts.bootstrapUrl).toMatch(/^http:\/\/.+:\d+\/trust$/);
        const api = new AdminClient(facts.adminUrl);
        expect((await api.call('GET', '/api/setup')).json()).toEqual({ setupRequired: true });
        // The trust page answers where the facts say.
        expect((await fetch(facts.bootstrapUrl.replace(/\/\/[^/:]+:/, '//127.0.0.1:'))).status).toBe(200);
      } finally {
        await host.stop();
      }
    }
  });

  it('tells the supervisor when the server dies, but not when it was asked to stop', async () => {
    const crashed = await startServerChild(PROJECT_ROOT, join(dir.path, 'data-crash'), process.execPath);
    const code = new Promise<number | null>((resolve) => crashed.onExit(resolve));
    process.kill(crashed.pid as number, 'SIGKILL');
    expect(await code).toBeNull();

    const stopped = await startServerChild(PROJECT_ROOT, join(dir.path, 'data-crash'), process.execPath);
    let told = false;
    stopped.onExit(() => (told = true));
    await stopped.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(told).toBe(false);
  });

  it('says why when the server cannot start', async () => {
    process.env.TSUNAGU_LOG_LEVEL = 'loud';
    try {
      await expect(startServerChild(PROJECT_ROOT, join(dir.path, 'data-bad'), process.execPath)).rejects.toThrow(
        /exited \(code [1-9]/,
      );
    } finally {
      process.env.TSUNAGU_LOG_LEVEL = 'warn';
    }
  });
});
