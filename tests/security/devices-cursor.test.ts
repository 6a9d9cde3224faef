import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevicePage } from '../../server/contract/index.js';
import { seedDevices } from '../helpers/device-seed.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

// The devices list's page cursor comes back from the client, so it is untrusted input: an attacker (or a stale tab)
// edits it, forges one, moves it to another list, or sends junk or huge values. Each is refused with a 400 that says
// what to do (start again from the first page), never a 500 and never a page of some other list; the page size,
// the search and the other parameters have limits.

let h: Harness;
let cursor: string;

const list = (query: string) => h.admin.call('GET', `/api/devices?${query}`);
const withCursor = (c: string, query = '') =>
  list(`limit=10&cursor=${encodeURIComponent(c)}${query ? `&${query}` : ''}`);

function flip(s: string, at: number): string {
  const c = s[at] === 'A' ? 'B' : 'A';
  return s.slice(0, at) + c + s.slice(at + 1);
}

beforeAll(async () => {
  h = await startHarness();
  seedDevices(h.dataDir, { devices: 60, users: 3 });
  const first = (await list('limit=10')).json<DevicePage>();
  cursor = first.nextCursor as string;
});

afterAll(async () => {
  await h.stop();
});

describe('a page cursor is checked before it is used', () => {
  it('works as given', async () => {
    const res = await withCursor(cursor);
    expect(res.status).toBe(200);
    expect(res.json<DevicePage>().position).toBe(10);
  });

  const forged = (body: unknown) =>
    `${Buffer.from(JSON.stringify(body)).toString('base64url')}.${Buffer.alloc(16, 7).toString('base64url')}`;
  it.each([
    ['a character of its key changed', () => flip(cursor, 3)],
    ['a character of its tag changed', () => flip(cursor, cursor.length - 2)],
    ['its tag cut short', () => cursor.slice(0, -4)],
    ['a forged key with a made-up tag', () => forged([2, '9999', 'seed-device-000001', 10, 60])],
    ['SQL in a forged key', () => forged([2, "' OR 1=1 --", "x' UNION SELECT * FROM admins --", 10, 60])],
    ['a forged total with a made-up tag', () => forged([2, '9999', 'seed-device-000001', 10, 1e15])],
    ['a forged body of the wrong shape', () => forged({ key: 1 })],
    ['no tag', () => cursor.split('.')[0] ?? ''],
    ['junk', () => 'not a cursor at all'],
    ['control characters', () => '\u0000\u0001.\u0002'],
    ['only dots', () => '...'],
  ])('%s: 400 CURSOR_INVALID, saying to start from the first page', async (_name, make) => {
    const res = await withCursor(make());
    expect(res.status, res.text).toBe(400);
    const body = res.json<{ code: string; message: string }>();
    expect(body.code).toBe('CURSOR_INVALID');
    expect(body.message).toMatch(/first page/);
  });

  it.each([
    ['other filters', 'status=active'],
    ['another sort', 'sort=name'],
    ['the other direction', 'order=asc'],
    ['a search added', 'q=iphone'],
    ['another user', 'userId=seed-user-00001'],
  ])('a cursor of one list used with %s: 400 CURSOR_INVALID', async (_name, query) => {
    const res = await withCursor(cursor, query);
    expect(res.status).toBe(400);
    expect(res.json<{ code: string }>().code).toBe('CURSOR_INVALID');
  });

  it('a cursor from before a restart: 400 CURSOR_INVALID, and the first page still loads', async () => {
    await h.restart();
    const res = await withCursor(cursor);
    expect(res.status).toBe(400);
    expect(res.json<{ code: string }>().code).toBe('CURSOR_INVALID');
    expect((await list('limit=10')).status).toBe(200);
    cursor = (await list('limit=10')).json<DevicePage>().nextCursor as string;
  });
});

describe('limits of the list query', () => {
  it.each([
    ['a page larger than 500', 'limit=501'],
    ['a page of 0', 'limit=0'],
    ['a search longer than 200 characters', `q=${'a'.repeat(201)}`],
    ['a cursor longer than 600 characters', `cursor=${'A'.repeat(601)}`],
    ['an offset past 100,000', 'offset=100001'],
    ['a cursor and an offset', `offset=10&cursor=CURSOR`],
    ['an unknown sort', 'sort=password_hash'],
    ['an unknown direction', 'order=sideways'],
    ['a last-seen time that is not a time', 'seenFrom=yesterday'],
    ['SQL in a last-seen time', "seenFrom=2026-01-01' OR 1=1 --"],
    ['a last-seen range that ends before it starts', 'seenFrom=2026-10-01T00:00:00Z&seenBefore=2026-09-01T00:00:00Z'],
    ['a user id longer than 64 characters', `userId=${'u'.repeat(65)}`],
    ['an unknown parameter', 'orderBy=id'],
  ])('%s: 400 with the field named', async (_name, query) => {
    const res = await list(query.replace('CURSOR', encodeURIComponent(cursor)));
    expect(res.status, res.text).toBe(400);
    const body = res.json<{ code: string; message: string }>();
    expect(['VALIDATION_FAILED', 'UNKNOWN_FIELD']).toContain(body.code);
    expect(body.message.length).toBeGreaterThan(0);
  });

  it('the largest page and the longest search are answered', async () => {
    expect((await list('limit=500')).status).toBe(200);
    expect((await list(`q=${encodeURIComponent('%'.repeat(200))}`)).status).toBe(200);
  });

  it.each(['" OR 1', 'NEAR(a b)', 'iphone*', '"'.repeat(3), 'a:b', "x' OR '1'='1", '%_\\', '^ -x'])(
    'a search with query syntax in it (%s) is taken as text: 200, nothing found',
    async (q) => {
      const res = await list(`q=${encodeURIComponent(q)}`);
      expect(res.status, res.text).toBe(200);
      expect(res.json<DevicePage>().total).toBe(0);
    },
  );
});
