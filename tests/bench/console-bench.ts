// `npm run bench:console`: the console's pages at office scale. 50,000 devices (tests/helpers/device-seed.ts) and
// audit events up to 200,000 in all are written into a real SQLite data directory under a running server
// (in-process, loopback), then:
//  1. the SERVER time of each query the console makes: the first and the last page of devices (unfiltered, by status,
//     by platform, by a search), of the audit trail filtered by action, actor, subject and a date range, and of the
//     dashboard's summary (GET /api/dashboard). Server time is read from the server's own access log (the
//     `responseTime` of each "request completed" line, fastify's reply.elapsedTime: routing, validation, the handler
//     and serialization, without the client or the socket); each the median of RUNS requests. A "last page" is the
//     real last page, reached by walking the keyset cursors to the end (not by reversing the sort);
//  2. the console's JavaScript: every dist/renderer asset ending in .js, gzipped (level 9, as a server or proxy would):
//     every file (both languages' message catalogues), what one admin downloads (every file but the other language's
//     catalogue chunk, messages-ja-*.js or messages-en-*.js), for ja and for en, and the largest chunks.
// Targets (issue 13): every query under 50 ms at 50,000 devices; the JavaScript one admin downloads under 400 kB gzip.
// Misses are marked.
// Env: BENCH_DEVICES (50000), BENCH_AUDIT (200000), BENCH_RUNS (7); BENCH_JS_ONLY=1 measures the JavaScript alone.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { dataPaths } from '../../server/paths.js';
import { PROJECT_ROOT } from '../../server/version.js';
import { seedAuditEvents } from '../helpers/audit-seed.js';
import { seedDevices } from '../helpers/device-seed.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 50_000);
const AUDIT = Number(process.env.BENCH_AUDIT ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const QUERY_TARGET_MS = 50;
const JS_TARGET_KB = 400;
// The page sizes the console asks for (renderer/stores/devices.ts, renderer/stores/audit.ts).
const DEVICE_PAGE = 100;
const AUDIT_PAGE = 50;

interface Page {
  items: unknown[];
  total?: number;
  nextCursor?: string | null;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

const misses: string[] = [];

/** Reads the access log's "request completed" lines written since the last call. */
function accessLog(h: Harness): () => { url: string; ms: number; status: number }[] {
  const file = join(dataPaths(h.dataDir).logs, 'tsunagu.log');
  let offset = statSync(file).size;
  return () => {
    const text = readFileSync(file);
    const fresh = text.subarray(offset).toString('utf8');
    offset = text.length;
    const out: { url: string; ms: number; status: number }[] = [];
    for (const line of fresh.split('\n')) {
      if (!line.includes('"request completed"')) continue;
      const entry = JSON.parse(line) as {
        req?: { url?: string };
        res?: { statusCode?: number };
        responseTime?: number;
      };
      out.push({ url: entry.req?.url ?? '', ms: entry.responseTime ?? NaN, status: entry.res?.statusCode ?? 0 });
    }
    return out;
  };
}

let readLog: ReturnType<typeof accessLog>;

/** RUNS requests of `path`; the median server time from the access log, and the last body. */
async function timed(h: Harness, path: string): Promise<{ ms: number; body: Page }> {
  readLog();
  let body: Page | undefined;
  for (let i = 0; i < RUNS; i++) {
    const res = await h.admin.call('GET', path);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.text}`);
    body = res.json<Page>();
  }
  const lines = readLog().filter((l) => l.url === path);
  if (lines.length !== RUNS) throw new Error(`the access log has ${lines.length} lines for ${path}, not ${RUNS}`);
  return { ms: median(lines.map((l) => l.ms)), body: body as Page };
}

function row(label: string, ms: number, extra = ''): void {
  const miss = ms >= QUERY_TARGET_MS;
  if (miss) misses.push(`${label}: ${ms.toFixed(1)} ms`);
  console.log(
    `  ${label.padEnd(52)} ${ms.toFixed(1).padStart(8)} ms${miss ? '  MISS' : ''}${extra ? `  ${extra}` : ''}`,
  );
}

const withCursor = (base: string, cursor: string | null) =>
  cursor ? `${base}${base.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}` : base;

/**
 * The cursor that opens the last page of `base` at `pageSize` rows (null when the first page is the last), found by
 * walking the cursors with big pages, then with the console's page size over the final stretch. Returns the row the
 * last page starts at too.
 */
async function lastPageCursor(
  h: Harness,
  base: string,
  pageSize: number,
): Promise<{ cursor: string | null; at: number }> {
  const big = base.replace(/limit=\d+/, 'limit=500');
  const small = base.replace(/limit=\d+/, `limit=${pageSize}`);
  let cursor: string | null = null;
  let seen = 0;
  // Big pages up to the final one, then the console's page size over that stretch.
  for (const url of [big, small]) {
    for (let i = 0; i < 10_000; i++) {
      const page: Page = (await h.admin.call('GET', withCursor(url, cursor))).json<Page>();
      if (!page.nextCursor) break;
      seen += page.items.length;
      cursor = page.nextCursor;
    }
  }
  return { cursor, at: seen + 1 };
}

async function firstAndLast(h: Harness, label: string, base: string, pageSize: number): Promise<void> {
  const first = await timed(h, base);
  const found = first.body.total !== undefined ? `${first.body.total} found` : `${first.body.items.length} on it`;
  row(`${label}, first page`, first.ms, found);
  if (!first.body.nextCursor) {
    console.log(`  ${`${label}, last page`.padEnd(52)}        (the first page is the last)`);
    return;
  }
  const last = await lastPageCursor(h, base, pageSize);
  const page = await timed(h, withCursor(base, last.cursor));
  row(`${label}, last page`, page.ms, `from row ${last.at}, ${page.body.items.length} on it`);
}

async function devicesPart(h: Harness): Promise<void> {
  console.log(`\nServer time (access log, median of ${RUNS}), GET /api/devices, ${DEVICES} devices:`);
  const base = `/api/devices?limit=${DEVICE_PAGE}`;
  await firstAndLast(h, 'all devices', base, DEVICE_PAGE);
  await firstAndLast(h, 'status=reset', `${base}&status=reset`, DEVICE_PAGE);
  await firstAndLast(h, 'status=active', `${base}&status=active`, DEVICE_PAGE);
  await firstAndLast(h, 'platform=android', `${base}&platform=android`, DEVICE_PAGE);
  await firstAndLast(h, 'status=active and platform=macos', `${base}&status=active&platform=macos`, DEVICE_PAGE);
  await firstAndLast(h, 'search "Pixel" (a third of them)', `${base}&q=Pixel`, DEVICE_PAGE);
  await firstAndLast(h, 'search "Pixel 12345" (one)', `${base}&q=Pixel%2012345`, DEVICE_PAGE);
  await firstAndLast(h, 'search "no-such-device" (none)', `${base}&q=no-such-device`, DEVICE_PAGE);
  await firstAndLast(h, 'search "zq" (two letters: no trigram; none)', `${base}&q=zq`, DEVICE_PAGE);
  await firstAndLast(h, 'search "Pi" (two letters: no trigram; a third)', `${base}&q=Pi`, DEVICE_PAGE);
}

async function auditPart(h: Harness, adminId: string): Promise<void> {
  const total = (
    new Database(dataPaths(h.dataDir).db, { readonly: true })
      .prepare('SELECT count(*) AS n FROM audit_events')
      .get() as {
      n: number;
    }
  ).n;
  console.log(`\nServer time (access log, median of ${RUNS}), GET /api/audit, ${total} events:`);
  const base = `/api/audit?limit=${AUDIT_PAGE}`;
  const cases: [string, string][] = [
    ['no filter', ''],
    ['action=device.wiped (exact, ~1 in 60)', '&action=device.wiped'],
    ['action=user. (a prefix)', '&action=user.'],
    ['action=admin.login (exact, rare)', '&action=admin.login'],
    ['actor = an admin id', `&actor=${adminId}`],
    ['actor "Office Admin" (a label, common)', '&actor=Office%20Admin'],
    ['actor "user00042@" (a label, rare)', '&actor=user00042%40'],
    ['actorType=system', '&actorType=system'],
    ['subject = one device id', '&subject=seed-device-025000'],
    ['subject "Pixel 00042" (a label)', '&subject=Pixel%2000042'],
    ['subject "no such subject"', '&subject=no%20such%20subject'],
    ['one day (from, to)', '&from=2026-09-20T00%3A00%3A00Z&to=2026-09-21T00%3A00%3A00Z'],
    ['one week, action=user. (prefix)', '&from=2026-11-01T00%3A00%3A00Z&to=2026-11-08T00%3A00%3A00Z&action=user.'],
  ];
  for (const [label, q] of cases) await firstAndLast(h, label, `${base}${q}`, AUDIT_PAGE);
}

async function dashboardPart(h: Harness): Promise<void> {
  console.log(`\nServer time (access log, median of ${RUNS}), the dashboard:`);
  row('GET /api/dashboard', (await timed(h, '/api/dashboard')).ms);
}

/** The stable name of a language's catalogue chunk (renderer/i18n/messages-<locale>.ts). */
const catalogue = (locale: 'ja' | 'en') => new RegExp(`^messages-${locale}-[\\w-]+\\.js$`);

function javascriptPart(): void {
  const dir = join(PROJECT_ROOT, 'dist', 'renderer', 'assets');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => {
      const raw = readFileSync(join(dir, f));
      return { f, raw: raw.length, gz: gzipSync(raw, { level: 9 }).length };
    })
    .sort((a, b) => b.gz - a.gz);
  const kb = (n: number) => (n / 1024).toFixed(1);
  const gz = files.reduce((s, x) => s + x.gz, 0);
  const raw = files.reduce((s, x) => s + x.raw, 0);
  const entry = /<script[^>]+src="\/assets\/([^"]+\.js)"/.exec(
    readFileSync(join(PROJECT_ROOT, 'dist', 'renderer', 'index.html'), 'utf8'),
  )?.[1];
  console.log(`\nThe console's JavaScript (dist/renderer/assets/*.js, gzip -9), ${files.length} files:`);
  console.log(`  every file, both languages: ${kb(gz)} kB gzip (${kb(raw)} kB raw)`);
  // An admin's browser fetches one language's catalogue, never the other's: the target is on that download.
  for (const locale of ['ja', 'en'] as const) {
    const other = catalogue(locale === 'ja' ? 'en' : 'ja');
    const own = files.filter((x) => catalogue(locale).test(x.f));
    const skipped = files.filter((x) => other.test(x.f));
    if (own.length !== 1 || skipped.length !== 1) {
      misses.push(`JavaScript: no single messages-${locale} and other-language catalogue chunk`);
      console.log(
        `  ${locale}: expected one catalogue chunk per language, found ${own.length} and ${skipped.length}  MISS`,
      );
      continue;
    }
    const one = gz - (skipped[0]?.gz ?? 0);
    const miss = one / 1024 >= JS_TARGET_KB;
    if (miss) misses.push(`JavaScript for one ${locale} admin: ${kb(one)} kB gzip`);
    console.log(
      `  what one ${locale} admin downloads (every file but ${skipped[0]?.f}): ${kb(one)} kB gzip${miss ? '  MISS' : ''}, target < ${JS_TARGET_KB} kB`,
    );
  }
  const first = files.find((x) => x.f === entry);
  if (first) console.log(`  entry chunk ${first.f}: ${kb(first.gz)} kB gzip`);
  for (const x of files.filter((y) => catalogue('ja').test(y.f) || catalogue('en').test(y.f)))
    console.log(`  catalogue chunk ${x.f}: ${kb(x.gz)} kB gzip`);
  for (const x of files.slice(0, 6)) console.log(`  ${x.f.padEnd(40)} ${kb(x.gz).padStart(7)} kB gzip`);
}

async function main(): Promise<void> {
  if (process.env.BENCH_JS_ONLY === '1') {
    // The JavaScript part alone (needs `npm run build` first): no server, no seeding.
    javascriptPart();
    report();
    return;
  }
  // The access log is written at "info".
  const h = await startHarness({ env: { TSUNAGU_LOG_LEVEL: 'info' } });
  try {
    const t0 = performance.now();
    seedDevices(h.dataDir, { devices: DEVICES });
    const events = seedAuditEvents(h.dataDir, { total: AUDIT, users: Math.max(1, Math.ceil(DEVICES / 50)) });
    console.log(
      `Seeded ${DEVICES} devices and ${events} audit events in ${((performance.now() - t0) / 1000).toFixed(1)} s (${h.dataDir})`,
    );
    // The seeding outlasted the server's keep-alive: the first call finds its connection closed, and is not timed.
    await h.admin.call('GET', '/api/devices?limit=1').catch(() => undefined);
    const me = (await h.admin.call('GET', '/api/auth/session')).json<{ admin: { id: string } }>();
    readLog = accessLog(h);
    await devicesPart(h);
    await auditPart(h, me.admin.id);
    await dashboardPart(h);
  } finally {
    await h.stop();
  }
  javascriptPart();
  report();
}

/** The verdict: every miss, and a failing exit code when there is one. */
function report(): void {
  console.log(
    misses.length === 0
      ? `\nEvery query under ${QUERY_TARGET_MS} ms and the JavaScript under ${JS_TARGET_KB} kB gzip.`
      : `\nMISSED (${misses.length}):\n${misses.map((m) => `  ${m}`).join('\n')}`,
  );
  if (misses.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
