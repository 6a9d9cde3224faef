import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevicePage } from '../../server/contract/index.js';
import { dataPaths } from '../../server/paths.js';
import { seedDevices } from '../helpers/device-seed.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

// Keyset paging of GET /api/devices, checked against the rows themselves: for each sort, both directions and each
// filter, walking the pages by cursor returns every matching device exactly once, in the order the sort defines
// (the id breaking ties, of which the seed makes many), with the right position and total. Then the list changes
// while it is walked: devices added or changed between pages do not make any other device repeat or go missing.

const DEVICES = 640;
const PAGE = 37;
// Sort keys are ISO times and ASCII names: JavaScript's string order is SQLite's BINARY order for them.
type Row = {
  id: string;
  platform: string;
  status: string;
  user_id: string | null;
  user_email: string | null;
  device_name: string | null;
  serial_number: string | null;
  udid: string | null;
  hardware_id: string | null;
  model_name: string | null;
  last_seen_at: string | null;
  created_at: string;
  enrolled_at: string | null;
};

let h: Harness;
let db: Database.Database;

const KEYS = {
  lastSeen: (r: Row) => r.last_seen_at ?? r.created_at,
  name: (r: Row) => (r.device_name ?? r.serial_number ?? r.udid ?? r.hardware_id ?? '').toLowerCase(),
  enrolled: (r: Row) => r.enrolled_at ?? '',
} as const;
type Sort = keyof typeof KEYS;

function liveRows(): Row[] {
  return db
    .prepare(
      `SELECT d.id, d.platform, d.status, d.user_id, u.email AS user_email, d.device_name, d.serial_number, d.udid,
        d.hardware_id, d.model_name, d.last_seen_at, d.created_at, d.enrolled_at
       FROM devices d LEFT JOIN users u ON u.id = d.user_id WHERE d.deleted_at IS NULL`,
    )
    .all() as Row[];
}

function expected(rows: Row[], sort: Sort, desc: boolean, match: (r: Row) => boolean): string[] {
  const key = KEYS[sort];
  const cmp = (a: Row, b: Row) => {
    const ka = key(a);
    const kb = key(b);
    const c = ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return desc ? -c : c;
  };
  return rows
    .filter(match)
    .sort(cmp)
    .map((r) => r.id);
}

async function page(query: string, cursor: string | null): Promise<DevicePage> {
  const res = await h.admin.call(
    'GET',
    `/api/devices?${query}&limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
  );
  expect(res.status, res.text).toBe(200);
  return res.json<DevicePage>();
}

/** Walks every page of `query`; checks each page's position and total on the way. */
async function walk(query: string, between?: (pageNo: number) => void): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < DEVICES; n++) {
    const p = await page(query, cursor);
    if (!between) expect(p.position).toBe(ids.length);
    ids.push(...p.items.map((d) => d.id));
    cursor = p.nextCursor ?? null;
    if (!cursor) return ids;
    between?.(n);
  }
  throw new Error('the walk did not end');
}

const like = (needle: string) => (v: string | null) => (v ?? '').toLowerCase().includes(needle.toLowerCase());

const FILTERS: { name: string; query: string; match: (r: Row) => boolean }[] = [
  { name: 'no filter', query: '', match: () => true },
  { name: 'status', query: 'status=active', match: (r) => r.status === 'active' },
  { name: 'rare status', query: 'status=reset', match: (r) => r.status === 'reset' },
  { name: 'platform', query: 'platform=android', match: (r) => r.platform === 'android' },
  { name: 'user', query: 'userId=seed-user-00003', match: (r) => r.user_id === 'seed-user-00003' },
  {
    name: 'last-seen range',
    query: 'seenFrom=2026-09-02T04:00:00.000Z&seenBefore=2026-09-02T09:00:00.000Z',
    match: (r) => KEYS.lastSeen(r) >= '2026-09-02T04:00:00.000Z' && KEYS.lastSeen(r) < '2026-09-02T09:00:00.000Z',
  },
  {
    name: 'search',
    query: 'q=pixel%2000',
    match: (r) =>
      [r.device_name, r.serial_number, r.udid, r.hardware_id, r.model_name, r.user_email].some(like('pixel 00')),
  },
  { name: 'search by user email', query: 'q=user00005%40', match: (r) => like('user00005@')(r.user_email) },
  {
    name: 'short search (no trigram)',
    query: 'q=07',
    match: (r) => [r.device_name, r.serial_number, r.udid, r.hardware_id, r.model_name, r.user_email].some(like('07')),
  },
  {
    name: 'search in another case',
    query: 'q=MACBOOK%2000',
    match: (r) =>
      [r.device_name, r.serial_number, r.udid, r.hardware_id, r.model_name, r.user_email].some(like('macbook 00')),
  },
  {
    // A search alone walks its sort's index (devices.store.ts searchWalk); with a window it still does.
    name: 'search and a last-seen range',
    query: 'q=iphone&seenFrom=2026-09-02T04:00:00.000Z',
    match: (r) =>
      KEYS.lastSeen(r) >= '2026-09-02T04:00:00.000Z' &&
      [r.device_name, r.serial_number, r.udid, r.hardware_id, r.model_name, r.user_email].some(like('iphone')),
  },
  {
    name: 'short search and a status',
    query: 'q=1&status=active',
    match: (r) =>
      r.status === 'active' &&
      [r.device_name, r.serial_number, r.udid, r.hardware_id, r.model_name, r.user_email].some(like('1')),
  },
  {
    name: 'status and platform',
    query: 'status=inactive&platform=macos',
    match: (r) => r.status === 'inactive' && r.platform === 'macos',
  },
];

beforeAll(async () => {
  h = await startHarness();
  seedDevices(h.dataDir, { devices: DEVICES, users: 12 });
  db = new Database(dataPaths(h.dataDir).db);
  // Ties on every key: a run of devices with one name, and one last-seen minute for many (the seed shares minutes
  // four by four already; pending devices have no enrollment time, so they tie on that key).
  db.prepare("UPDATE devices SET device_name = 'Shared Name' WHERE id LIKE 'seed-device-0001%'").run();
  db.prepare("UPDATE devices SET last_seen_at = '2026-09-02T06:00:00.000Z' WHERE id LIKE 'seed-device-0002%'").run();
  // A device removed from the lists is in no page.
  db.prepare("UPDATE devices SET deleted_at = '2026-10-01T00:00:00.000Z' WHERE id = 'seed-device-000005'").run();
});

afterAll(async () => {
  db.close();
  await h.stop();
});

describe('paging through every device by cursor', () => {
  const cases = FILTERS.flatMap((f) =>
    (['lastSeen', 'name', 'enrolled'] as const).flatMap((sort) => [true, false].map((desc) => ({ ...f, sort, desc }))),
  );
  it.each(cases)('$name, sorted by $sort (desc: $desc)', async ({ query, match, sort, desc }) => {
    const want = expected(liveRows(), sort, desc, match);
    expect(want.length).toBeGreaterThan(0);
    const got = await walk(`${query}&sort=${sort}&order=${desc ? 'desc' : 'asc'}`);
    expect(got).toEqual(want);
    const first = await page(`${query}&sort=${sort}&order=${desc ? 'desc' : 'asc'}`, null);
    expect(first.total).toBe(want.length);
  });

  it('sorts by last seen, newest first, by default; by name from A; the last device first when reversed', async () => {
    const rows = liveRows();
    const newest = await page('', null);
    expect(newest.items.map((d) => d.id)).toEqual(expected(rows, 'lastSeen', true, () => true).slice(0, PAGE));
    const byName = await page('sort=name', null);
    expect(byName.items.map((d) => d.id)).toEqual(expected(rows, 'name', false, () => true).slice(0, PAGE));
    const reversed = await page('order=asc', null);
    const all = expected(rows, 'lastSeen', true, () => true);
    expect(reversed.items[0]?.id).toBe(all[all.length - 1]);
  });

  it('finds a device renamed after it was enrolled by its new name only (the search index follows the rows)', async () => {
    db.prepare("UPDATE devices SET device_name = 'Renamed Tablet' WHERE id = 'seed-device-000042'").run();
    const found = (await page('q=renamed%20tab', null)).items.map((d) => d.id);
    expect(found).toEqual(['seed-device-000042']);
    expect((await page(`q=${encodeURIComponent('iPhone 00043')}`, null)).items).toEqual([]);
  });

  it('answers the older offset paging too, in the same order', async () => {
    const res = await h.admin.call('GET', '/api/devices?sort=name&limit=20&offset=40');
    expect(res.status).toBe(200);
    const p = res.json<DevicePage>();
    expect(p.items.map((d) => d.id)).toEqual(expected(liveRows(), 'name', false, () => true).slice(40, 60));
    expect(p.position).toBe(40);
  });
});

describe('the list changing while it is walked', () => {
  it('shows each device at most once, and every device that did not change exactly once and in order', async () => {
    const before = liveRows();
    const order = expected(before, 'lastSeen', true, () => true);
    const changed = new Set<string>();
    const added: string[] = [];
    const got = await walk('sort=lastSeen&order=desc', (n) => {
      if (n !== 2) return;
      // Devices not shown yet check in (they move to the top, which was already shown), one is deleted, and new
      // devices arrive both above the cursor (not shown: the walk is past them) and below it (shown).
      for (const id of order.slice(PAGE * 5, PAGE * 5 + 4)) {
        db.prepare("UPDATE devices SET last_seen_at = '2026-12-01T00:00:00.000Z' WHERE id = ?").run(id);
        changed.add(id);
      }
      const gone = order[PAGE * 6] as string;
      db.prepare("UPDATE devices SET deleted_at = '2026-12-01T00:00:00.000Z' WHERE id = ?").run(gone);
      changed.add(gone);
      const template = before.find((r) => r.id === order[0]) as Row;
      for (const [i, seen] of ['2026-12-02T00:00:00.000Z', '2026-08-01T00:00:00.000Z'].entries()) {
        const id = `late-device-${i}`;
        db.prepare(
          `INSERT INTO devices (id, platform, status, device_name, last_seen_at, created_at, updated_at)
           VALUES (?, ?, 'active', ?, ?, ?, ?)`,
        ).run(id, template.platform, `Late ${i}`, seen, seen, seen);
        added.push(id);
      }
    });
    expect(new Set(got).size).toBe(got.length);
    const unchanged = order.filter((id) => !changed.has(id));
    expect(got.filter((id) => unchanged.includes(id))).toEqual(unchanged);
    // The one added below the cursor is shown, at the end (seen before every seeded device); the one above is not.
    expect(got[got.length - 1]).toBe(added[1]);
    expect(got).not.toContain(added[0]);
    const total = (await page('', null)).total;
    expect(total).toBe(before.length + added.length - 1);
  });
});
