import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  DirectorySettingsDto,
  DirectorySettingsUpdate,
  DirectoryTestResult,
} from '../../server/contract/directory.js';
import { createServices } from '../../server/compose.js';
import { FakeClock } from '../../server/core/clock.js';
import { AppError } from '../../server/core/errors.js';
import { argon2Hasher } from '../../server/core/password.js';
import { SeededRandom } from '../../server/core/random.js';
import { migrate } from '../../server/db/migrate.js';
import { openDatabase } from '../../server/db/open.js';
import { createSecretBox } from '../../server/modules/secrets/secret-box.js';
import { startFakeLdap, type FakeLdap } from '../helpers/fake-ldap.js';
import { TEST_CTX } from '../helpers/foundation.js';
import { AdminClient } from '../helpers/http.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

const base: DirectorySettingsUpdate = {
  url: 'ldaps://127.0.0.1:1',
  caPem: '',
  bindDn: 'cn=reader,dc=example,dc=test',
  bindPassword: 'reader-secret',
  baseDn: 'dc=example,dc=test',
  userFilter: '(objectClass=inetOrgPerson)',
  groupFilter: '',
  preset: 'openldap',
  syncIntervalMinutes: 0,
  maxDisablePercent: 10,
};

// Attacks on the connector through the admin API: what an admin (or someone with a stolen console session) may type
// into the settings, and directories that hang or flood.
describe('directory connector: attacks through the admin API', () => {
  let h: Harness;
  let silent: FakeLdap;
  beforeAll(async () => {
    [h, silent] = await Promise.all([startHarness(), startFakeLdap('silent')]);
    expect((await h.admin.call('PUT', '/api/directory', base)).status).toBe(200);
  });
  afterAll(async () => {
    await h?.stop();
    await silent?.close();
  });

  it('refuses every directory route without an admin session', async () => {
    const anon = new AdminClient(h.server.adminUrl);
    for (const [method, path] of [
      ['GET', '/api/directory'],
      ['PUT', '/api/directory'],
      ['POST', '/api/directory/test'],
      ['POST', '/api/directory/preview'],
      ['POST', '/api/directory/sync'],
      ['GET', '/api/directory/runs'],
    ] as const) {
      expect((await anon.call(method, path, method === 'GET' ? undefined : {})).status).toBe(401);
    }
  });

  it.each([
    ['userFilter', '(objectClass=*))(|(uid=*'],
    ['userFilter', '(uid=a)(uid=b)'],
    ['userFilter', 'objectClass=*'],
    ['groupFilter', '(cn=staff))(|(cn=*'],
    ['url', 'ldap://user:pw@dc.example.com'],
    ['url', 'ldap://dc.example.com/dc=example?uid'],
    ['url', 'http://dc.example.com'],
    ['baseDn', ''],
    ['bindDn', 'cn=x\ncn=y'],
    ['caPem', 'not a certificate'],
  ])('refuses %s %j in the settings, storing nothing', async (field, value) => {
    const res = await h.admin.call('PUT', '/api/directory', { ...base, [field]: value });
    expect(res.status).toBe(400);
    expect(res.json<{ details: { field: string } }>().details.field).toBe(field);
    const now = (await h.admin.call('GET', '/api/directory')).json<DirectorySettingsDto>();
    expect(now).toMatchObject({ url: base.url, userFilter: base.userFilter, groupFilter: '', baseDn: base.baseDn });
  });

  it('refuses an empty bind password (an unauthenticated bind), and tests without binding with it', async () => {
    const res = await h.admin.call('PUT', '/api/directory', { ...base, bindPassword: '' });
    expect([res.status, res.json<{ details: { field: string } }>().details.field]).toEqual([400, 'bindPassword']);
    const before = silent.connections();
    const test = (
      await h.admin.call('POST', '/api/directory/test', { settings: { ...base, url: silent.url, bindPassword: '' } })
    ).json<DirectoryTestResult>();
    expect(test.problem?.code).toBe('bind_refused');
    expect(silent.connections()).toBe(before);
  });

  it('bounds the body and its fields', async () => {
    const big = await h.admin.call('PUT', '/api/directory', { ...base, caPem: 'x'.repeat(70_000) });
    expect(big.status).toBe(400);
    const huge = await h.admin.call('POST', '/api/directory/sync', { link: Array(6000).fill('u') });
    expect(huge.status).toBe(400);
  });

  it.each([['ldap://'], ['ldaps://']])(
    'gives up on a %s server that accepts and never answers, saying it timed out',
    async (scheme) => {
      const url = silent.url.replace('ldap://', scheme);
      const res = await h.admin.call('POST', '/api/directory/test', { settings: { ...base, url } });
      expect(res.status).toBe(200);
      expect(res.json<DirectoryTestResult>().problem?.code).toBe('timeout');
    },
  );

  it('bounds connection tests (each may bind with a chosen password): no password-guessing machine', async () => {
    const fake = await startFakeLdap('many', { entries: 1 });
    try {
      const statuses: number[] = [];
      let connectionsAtLimit = -1;
      for (let i = 0; i < 25; i++) {
        const res = await h.admin.call('POST', '/api/directory/test', {
          settings: { ...base, url: fake.url, caPem: fake.caPem, bindPassword: `guess-${i}` },
        });
        statuses.push(res.status);
        if (res.status === 429 && connectionsAtLimit < 0) {
          expect(res.json<{ code: string }>().code).toBe('RATE_LIMITED');
          connectionsAtLimit = fake.connections();
        }
      }
      expect(statuses).toContain(429);
      expect(statuses.slice(statuses.indexOf(429))).toEqual(Array(25 - statuses.indexOf(429)).fill(429));
      expect(fake.connections()).toBe(connectionsAtLimit);
    } finally {
      await fake.close();
    }
  });
});

// The flood cases run against the services directly, with small limits, so the test stays short: the same code path
// the admin API takes (DirectoryService.sync), over a real TLS connection to a hostile server.
describe('directory connector: a directory that floods entries', () => {
  const build = () => {
    const db = openDatabase(':memory:');
    const clock = new FakeClock('2026-04-01T09:00:00.000Z');
    migrate(db, undefined, clock.now());
    const services = createServices({
      db,
      clock,
      random: new SeededRandom(7),
      hasher: argon2Hasher,
      secrets: createSecretBox(randomBytes(32)),
      directory: {
        timeouts: { connectMs: 2_000, operationMs: 10_000 },
        limits: { pageSize: 100, maxEntries: 500, maxBytes: 1024 * 1024 },
      },
    });
    return { db, services };
  };

  it.each([
    ['one page that never ends (byte budget)', 'flood' as const],
    ['more entries than the limit (entry budget)', 'many' as const],
  ])('stops %s, changes nothing and records why', async (_name, mode) => {
    const fake = await startFakeLdap(mode, { entries: 2_000 });
    const { db, services } = build();
    try {
      services.directory.updateSettings({ ...base, url: fake.url, caPem: fake.caPem }, TEST_CTX);
      const err = await services.directory.sync({}, TEST_CTX).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('DIRECTORY_UNAVAILABLE');
      expect((err as AppError).details?.problem).toMatchObject({ code: 'too_many_entries' });
      expect(db.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 0 });
      expect(services.directory.runs()[0]).toMatchObject({ status: 'failed', errorCode: 'too_many_entries' });
    } finally {
      await fake.close();
      db.close();
    }
  });
});
