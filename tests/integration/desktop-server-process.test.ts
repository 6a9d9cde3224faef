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
  it('waits for the whole start-up block, so the first-run window always gets the setup token', async () => {
    // Several starts: the block used to arrive in pieces, and a host that stopped reading early lost the token.
    for (let i = 0; i < 3; i++) {
      const host = await startServerChild(PROJECT_ROOT, join(dir.path, `data-${i}`), process.execPath);
      try {
        expect(host.setupToken).toMatch(/^[A-Za-z0-9_-]{24}$/);
        const api = new AdminClient(host.adminUrl);
        expect((await api.call('GET', '/api/setup')).json()).toEqual({ setupRequired: true });
      } finally {
        await host.stop();
      }
    }
  });
});
