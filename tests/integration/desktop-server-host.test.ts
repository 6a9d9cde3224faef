import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerChild } from '../../electron/platform/server-process.js';
import { startServerUtility } from '../../electron/platform/server-utility.js';
import { lineSplitter } from '../../electron/server-facts.js';
import type { ServerStatusFacts } from '../../server/contract/ipc.js';
import { createSecretBox } from '../../server/modules/secrets/secret-box.js';
import { dataPaths } from '../../server/paths.js';
import { PROJECT_ROOT } from '../../server/version.js';
import { CLI } from '../helpers/cli.js';
import { AdminClient } from '../helpers/http.js';
import { tempDir } from '../helpers/temp-dir.js';
import { nodeUtilityFork } from '../helpers/utility-fork.js';

// The desktop app's two ways to run the real server: Electron's utility process (played by a Node child with a
// shimmed parentPort, running the same dist/server/utility-entry.js) and the development `node` child.
const dir = tempDir('desktop-host2');
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
const UTILITY_ENTRY = join(PROJECT_ROOT, 'dist', 'server', 'utility-entry.js');

/** The database was closed cleanly: no WAL left to replay, no lock, and it opens and reads. */
function expectClosedCleanly(dataDir: string): void {
  const paths = dataPaths(dataDir);
  const wal = `${paths.db}-wal`;
  expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
  expect(existsSync(paths.lock)).toBe(false);
  const db = new Database(paths.db, { readonly: true });
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  db.close();
}

/** The office CA key the server sealed at first start opens with `key`. */
function expectSealedWith(dataDir: string, key: Buffer): void {
  const db = new Database(dataPaths(dataDir).db, { readonly: true });
  const row = db.prepare("SELECT key_sealed FROM pki_credentials WHERE name = 'office-ca'").get() as {
    key_sealed: string;
  };
  db.close();
  expect(createSecretBox(key).open(row.key_sealed, 'pki:office-ca').toString()).toMatch(/BEGIN PRIVATE KEY/);
}

describe('the server in a utility process (packaged app)', () => {
  it('starts with the key the app hands over parentPort, reports status, and drains on stop', async () => {
    const dataDir = join(dir.path, 'utility');
    const key = randomBytes(32);
    const exits: (number | null)[] = [];
    const statuses: ServerStatusFacts[] = [];
    const host = await startServerUtility(nodeUtilityFork(exits), UTILITY_ENTRY, dataDir, {
      dataKey: key,
      onStatus: (status) => statuses.push(status),
    });
    expect(host.facts.setupToken).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await new AdminClient(host.facts.adminUrl).call('GET', '/api/setup')).json()).toEqual({
      setupRequired: true,
    });
    await expect.poll(() => statuses.length).toBeGreaterThan(0);
    expect(statuses[0]).toEqual({ event: 'status', devicesEnrolledToday: 0, entryUrl: host.facts.entryUrl });
    let crashed = false;
    host.onExit(() => (crashed = true));
    await host.stop();
    await expect.poll(() => exits).toEqual([0]);
    expect(crashed).toBe(false);
    expectClosedCleanly(dataDir);
    // The key came from the app: no key file was written, and the secrets open with it.
    expect(existsSync(dataPaths(dataDir).secretKey)).toBe(false);
    expectSealedWith(dataDir, key);
  });

  it('says why it cannot start (a bad setting), and a key that is not 32 bytes is never taken', async () => {
    process.env.TSUNAGU_LOG_LEVEL = 'loud';
    try {
      await expect(
        startServerUtility(nodeUtilityFork(), UTILITY_ENTRY, join(dir.path, 'bad'), { dataKey: null }),
      ).rejects.toThrow(/could not start: TSUNAGU_LOG_LEVEL="loud"/);
    } finally {
      process.env.TSUNAGU_LOG_LEVEL = 'warn';
    }
    await expect(
      startServerUtility(nodeUtilityFork(), UTILITY_ENTRY, join(dir.path, 'short-key'), {
        dataKey: randomBytes(16),
        startTimeoutMs: 3_000,
      }),
    ).rejects.toThrow(/did not start within 3 seconds/);
  });

  it('a crash is reported to the supervisor', async () => {
    const exits: (number | null)[] = [];
    const host = await startServerUtility(nodeUtilityFork(exits), UTILITY_ENTRY, join(dir.path, 'crash'), {
      dataKey: null,
    });
    const code = new Promise<number | null>((resolve) => host.onExit(resolve));
    process.kill(host.pid as number, 'SIGKILL');
    expect(await code).toBe(-1);
  });
});

describe('the server as a node child (development)', () => {
  it('takes the data key on stdin, not argv or env', async () => {
    const dataDir = join(dir.path, 'child');
    const key = randomBytes(32);
    const host = await startServerChild(PROJECT_ROOT, dataDir, process.execPath, { dataKey: key });
    await host.stop();
    expectClosedCleanly(dataDir);
    expect(existsSync(dataPaths(dataDir).secretKey)).toBe(false);
    expectSealedWith(dataDir, key);
  });

  it('serve --hosted drains on SIGTERM like serve: exit 0, database closed', async () => {
    const dataDir = join(dir.path, 'sigterm');
    const child = spawn(process.execPath, [CLI, 'serve', '--hosted'], {
      env: { ...process.env, TSUNAGU_DATA_DIR: dataDir },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const events: string[] = [];
    const ready = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on(
        'data',
        lineSplitter((line) => {
          const event = (JSON.parse(line) as { event: string }).event;
          events.push(event);
          if (event === 'ready') resolve();
        }),
      );
    });
    child.stdin.write(`${JSON.stringify({ type: 'start', dataKey: null })}\n`);
    await ready;
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(events).toContain('stopping');
    expectClosedCleanly(dataDir);
    // Without a key from the app the server keeps its key file, as headless.
    expect(existsSync(dataPaths(dataDir).secretKey)).toBe(true);
  });
});
