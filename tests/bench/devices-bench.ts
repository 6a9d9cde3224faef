// `npm run bench:devices`: 50,000 devices (with users, enrollments, status history, certificates and commands)
// seeded into a real SQLite file under a running server (in-process, loopback), then:
//  1. server: the time of GET /api/devices for the first page, the last page (the sort reversed), a middle page by
//     cursor, a search that matches and one that does not, each filter, and a device's detail; each the median of
//     RUNS loopback round trips (the client's share is a fraction of a millisecond);
//  2. Chromium: the devices page scrolled (or, on a console without scroll loading, "load more" clicked) until row
//     25,000 is on screen, with the time per batch of rows from the request to the rows painted. A console that needs
//     more than BROWSER_BUDGET_S for it is stopped there and the rest extrapolated from the batches measured.
// The query plans of the list's queries are printed too (SQLite's EXPLAIN QUERY PLAN on the same file).
// Env: BENCH_DEVICES (50000), BENCH_RUNS (7), BENCH_BROWSER (1; 0 skips Chromium), BENCH_BROWSER_BUDGET_S (120).
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { chromium } from '@playwright/test';
import { dataPaths } from '../../server/paths.js';
import { seedDevices } from '../helpers/device-seed.js';
import { HARNESS_ADMIN, startHarness, type Harness } from '../helpers/server-harness.js';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 50_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const BROWSER = process.env.BENCH_BROWSER !== '0';
const BROWSER_BUDGET_S = Number(process.env.BENCH_BROWSER_BUDGET_S ?? 120);
const TARGET_ROW = Math.min(25_000, DEVICES);
// The devices table's row height (DeviceTable.vue).
const ROW_HEIGHT = 56;

interface Page {
  items: { id: string }[];
  total: number;
  nextCursor?: string | null;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

async function timed(h: Harness, path: string): Promise<{ ms: number; body: Page }> {
  const times: number[] = [];
  let body: Page | undefined;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const res = await h.admin.call('GET', path);
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.text}`);
    body = res.json<Page>();
  }
  return { ms: median(times), body: body as Page };
}

function row(label: string, ms: number, extra = ''): void {
  console.log(`  ${label.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms${extra ? `  ${extra}` : ''}`);
}

async function serverPart(h: Harness): Promise<void> {
  console.log(`\nServer time, GET /api/devices (median of ${RUNS}, loopback), ${DEVICES} devices:`);
  const first = await timed(h, '/api/devices?limit=100');
  row('first page (last seen, newest first)', first.ms, `total ${first.body.total}`);
  const keyset = first.body.nextCursor !== undefined;
  if (keyset) {
    const last = await timed(h, '/api/devices?limit=100&order=asc');
    row('last page (sort reversed)', last.ms);
    // Walk to the middle by cursor with big pages, then time the page there.
    let cursor = first.body.nextCursor ?? null;
    let seen = first.body.items.length;
    while (cursor && seen < DEVICES / 2) {
      const res = await h.admin.call('GET', `/api/devices?limit=500&cursor=${encodeURIComponent(cursor)}`);
      const page = res.json<Page>();
      seen += page.items.length;
      cursor = page.nextCursor ?? null;
    }
    if (cursor) {
      const middle = await timed(h, `/api/devices?limit=100&cursor=${encodeURIComponent(cursor)}`);
      row(`middle page by cursor (row ${seen + 1})`, middle.ms);
    }
    for (const sort of ['name', 'enrolled']) {
      row(`first page sorted by ${sort}`, (await timed(h, `/api/devices?limit=100&sort=${sort}`)).ms);
      row(
        `last page sorted by ${sort} (reversed)`,
        (await timed(h, `/api/devices?limit=100&sort=${sort}&order=${sort === 'name' ? 'desc' : 'asc'}`)).ms,
      );
    }
  } else {
    const last = await timed(h, `/api/devices?limit=100&offset=${Math.max(0, first.body.total - 100)}`);
    row('last page (offset)', last.ms);
    const middle = await timed(h, `/api/devices?limit=100&offset=${Math.floor(first.body.total / 2)}`);
    row('middle page (offset)', middle.ms);
  }
  const hit = await timed(h, '/api/devices?limit=100&q=Pixel%2012345');
  row('search, a match (q=Pixel 12345)', hit.ms, `${hit.body.total} found`);
  const miss = await timed(h, '/api/devices?limit=100&q=no-such-device');
  row('search, no match', miss.ms, `${miss.body.total} found`);
  for (const [label, q] of [
    ['status=reset', 'status=reset'],
    ['status=active', 'status=active'],
    ['platform=android', 'platform=android'],
    ['userId (one user)', 'userId=seed-user-00007'],
    ['last seen in one day', 'seenFrom=2026-09-20T00:00:00Z&seenBefore=2026-09-21T00:00:00Z'],
    ['status=active and platform=macos', 'status=active&platform=macos'],
  ] as const) {
    const probe = await h.admin.call('GET', `/api/devices?limit=1&${q}`);
    if (probe.status === 400) {
      console.log(`  filter ${label.padEnd(37)} not offered by this server`);
      continue;
    }
    const r = await timed(h, `/api/devices?limit=100&${q}`);
    row(`filter ${label}`, r.ms, `${r.body.total} found`);
    if (keyset) {
      const rev = await timed(h, `/api/devices?limit=100&order=asc&${q}`);
      row(`filter ${label}, last page (reversed)`, rev.ms);
    }
  }
  const detail = await timed(h, '/api/devices/seed-device-025000');
  row('detail of one device', detail.ms);
  const enrollments = await timed(h, '/api/enrollments?userId=seed-user-00000');
  row("the user's enrollments", enrollments.ms);
}

function plans(dataDir: string): void {
  const db = new Database(dataPaths(dataDir).db, { readonly: true });
  const explain = (label: string, sql: string) =>
    console.log(
      `  ${label}: ${(db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ')}`,
    );
  console.log('\nQuery plans:');
  const seen = 'coalesce(d.last_seen_at, d.created_at)';
  explain(
    'page by last seen',
    `SELECT d.id FROM devices d WHERE d.deleted_at IS NULL AND (${seen}, d.id) < ('2026-10-01', 'x') ORDER BY ${seen} DESC, d.id DESC LIMIT 100`,
  );
  explain(
    'page by status',
    `SELECT d.id FROM devices d WHERE d.deleted_at IS NULL AND d.status = 'reset' ORDER BY ${seen} DESC, d.id DESC LIMIT 100`,
  );
  explain('count', 'SELECT count(*) FROM devices d WHERE d.deleted_at IS NULL');
  explain("a device's enrollments", "SELECT id FROM enrollments WHERE device_id = 'x'");
  db.close();
}

async function browserPart(h: Harness): Promise<void> {
  console.log(`\nChromium: the devices page to row ${TARGET_ROW}:`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  try {
    const context = await browser.newContext({ baseURL: h.server.adminUrl, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await page.goto('/login?redirect=/users');
    const field = (id: string) => page.locator(`input[data-testid="${id}"], [data-testid="${id}"] input`).first();
    await field('login-email').fill(HARNESS_ADMIN.email);
    await field('login-password').fill(HARNESS_ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/users$/);
    const t0 = performance.now();
    await page.goto('/devices');
    await page.getByTestId('device-open').first().waitFor();
    console.log(`  first rows on screen after navigation: ${(performance.now() - t0).toFixed(0)} ms`);
    const loadMore = page.getByTestId('devices-load-more');
    const scroller = page.locator('[data-testid=device-table] .el-table-v2__body');
    const scrolling = (await scroller.count()) > 0;
    // Rows loaded so far: the table's data-loaded (scrolling) or the "showing N of M" footer (the older console).
    // Browser code goes in as text: this file is compiled without the DOM's types.
    const LOADED = `(() => {
      const el = document.querySelector('[data-loaded]');
      const text = el ? el.getAttribute('data-loaded')
        : (/([\\d,]+)/.exec(document.querySelector('.list-footer .muted')?.textContent ?? '')?.[1] ?? '0');
      return Number(String(text).replace(/,/g, ''));
    })()`;
    const loaded = async () => Number(await page.evaluate(LOADED));
    const batches: number[] = [];
    const start = performance.now();
    if (scrolling) await scroller.hover();
    let rows = await loaded();
    while (rows < TARGET_ROW && (performance.now() - start) / 1000 < BROWSER_BUDGET_S) {
      const b0 = performance.now();
      // The mouse wheel over the table, to the end of what is loaded (el-table-v2 scrolls on wheel events).
      if (scrolling) await page.mouse.wheel(0, rows * ROW_HEIGHT);
      else await loadMore.click();
      // Polled from here: the console's Content-Security-Policy refuses the string predicates waitForFunction evaluates.
      for (let i = 0; i < 3000 && (await loaded()) <= rows; i++) await new Promise((r) => setTimeout(r, 10));
      batches.push(performance.now() - b0);
      rows = await loaded();
    }
    const elapsed = performance.now() - start;
    const perBatch = median(batches);
    const batchRows = batches.length > 0 ? (rows - 0) / (batches.length + 1) : 0;
    if (scrolling) {
      // The row itself on screen: scroll to it and read the position indicator.
      const at = Number(await page.getByTestId('device-position').getAttribute('data-row'));
      await page.mouse.wheel(0, (TARGET_ROW - at) * ROW_HEIGHT);
      await page.waitForTimeout(300);
      const indicator = await page.getByTestId('device-position').textContent();
      console.log(`  position indicator at row ${TARGET_ROW}: "${indicator?.trim()}"`);
    }
    console.log(
      `  ${scrolling ? 'scroll-driven loads' : '"load more" clicks'}: ${batches.length}, ${Math.round(batchRows)} rows each;` +
        ` per batch (request + render) median ${perBatch.toFixed(0)} ms, max ${Math.max(...batches).toFixed(0)} ms`,
    );
    if (rows >= TARGET_ROW) console.log(`  row ${TARGET_ROW} reached in ${(elapsed / 1000).toFixed(1)} s`);
    else
      console.log(
        `  stopped after ${(elapsed / 1000).toFixed(0)} s at row ${rows}; at that rate row ${TARGET_ROW} needs about ` +
          `${Math.ceil((TARGET_ROW - rows) / Math.max(batchRows, 1)) + batches.length} batches, ` +
          `${((elapsed / Math.max(rows, 1)) * (TARGET_ROW / 1000)).toFixed(0)} s (more, as each batch grows slower)`,
      );
    await context.close();
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const h = await startHarness();
  try {
    const t0 = performance.now();
    seedDevices(h.dataDir, { devices: DEVICES });
    console.log(`Seeded ${DEVICES} devices in ${((performance.now() - t0) / 1000).toFixed(1)} s (${h.dataDir})`);
    // The seeding outlasted the server's keep-alive: the first call finds its connection closed, and is not timed.
    await h.admin.call('GET', '/api/devices?limit=1').catch(() => undefined);
    await serverPart(h);
    plans(h.dataDir);
    if (BROWSER) await browserPart(h);
  } finally {
    await h.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
