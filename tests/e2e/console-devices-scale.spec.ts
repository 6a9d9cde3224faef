// The Devices page over 50,000 devices (seeded into the server's SQLite file, see tests/helpers/device-seed.ts): the
// virtualized list scrolled from the first row to the very last (row 50,000), loading as it goes, with its "row N of
// M"; the sort reversed (the last device first); the filters (status, platform, user, last seen, search); and a device's
// detail with its status history, certificates, commands with results and its user's pending enrollments.
// Screenshots in ja and en at desktop and phone size go to test-output/screenshots/devices-scale-*.png.
import Database from 'better-sqlite3';
import { expect, test, type Page } from '@playwright/test';
import type { DevicePage } from '../../server/contract/index.js';
import { dataPaths } from '../../server/paths.js';
import { seedDevices, seededDeviceName } from '../helpers/device-seed.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import { choose, input, noToasts, openConsole, option, screenshot, type ConsolePage } from './console-kit.js';

test.describe.configure({ mode: 'serial' });

const DEVICES = 50_000;
// A Mac of user 0 (who has an enrollment waiting), Active, with a certificate and two commands.
const DETAIL_DEVICE = 1000;
// The device seen just now (the "seen in the last day" filter finds it alone).
const RECENT_DEVICE = 777;

let h: Harness;
let c: ConsolePage;
let page: Page;
let newest: string;
let oldest: string;

async function apiFirst(query: string): Promise<string> {
  const res = await h.admin.call('GET', `/api/devices?limit=1&${query}`);
  expect(res.status, res.text).toBe(200);
  return res.json<DevicePage>().items[0]?.deviceName ?? '';
}

const position = () => page.getByTestId('device-position');
const rows = () => page.getByTestId('device-table').getByTestId('device-row');
const body = () => page.locator('[data-testid=device-table] .el-table-v2__body');

test.beforeAll(async ({ browser }) => {
  test.setTimeout(240_000);
  h = await startHarness();
  seedDevices(h.dataDir, { devices: DEVICES });
  const db = new Database(dataPaths(h.dataDir).db);
  db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?').run(
    new Date().toISOString(),
    `seed-device-${String(RECENT_DEVICE).padStart(6, '0')}`,
  );
  db.close();
  // The seeding outlasted the server's keep-alive: the first call may find its connection closed.
  await h.admin.call('GET', '/api/devices?limit=1').catch(() => undefined);
  newest = await apiFirst('');
  oldest = await apiFirst('order=asc');
  c = await openConsole(browser, h);
  page = c.page;
});

test.afterAll(async () => {
  await c?.context.close();
  await h?.stop();
});

test('the list scrolls from the first row to the last, loading as it goes, and says which row is on top', async () => {
  test.setTimeout(180_000);
  await page.goto('/devices');
  await expect(position()).toHaveText('Row 1 of 50,000');
  await expect(page.getByTestId('device-total')).toHaveText('Devices: 50000');
  await expect(rows().first()).toContainText(newest);
  // Only what is on screen is drawn, however many rows are loaded.
  expect(await rows().count()).toBeLessThan(60);

  // The mouse wheel over the table, in big jumps to the end of what is loaded, again and again: each time the next
  // page arrives, until all 50,000 are there (what is loaded is polled often: the next jump goes as soon as it can).
  const table = page.getByTestId('device-table');
  await body().hover();
  const started = Date.now();
  let jumps = 0;
  for (let loaded = Number(await table.getAttribute('data-loaded')); loaded < DEVICES && jumps < 400; jumps++) {
    await page.mouse.wheel(0, DEVICES * 56);
    await expect
      .poll(async () => Number(await table.getAttribute('data-loaded')), { intervals: [25], timeout: 30_000 })
      .toBeGreaterThan(loaded);
    loaded = Number(await table.getAttribute('data-loaded'));
    // Only what is on screen is drawn, however many rows are loaded.
    if (jumps % 25 === 0) expect(await rows().count()).toBeLessThan(60);
  }
  await page.mouse.wheel(0, 10_000 * 56);
  // The end: the last device (the oldest seen) on screen, and the indicator says so.
  await expect(position()).toHaveText('Row 50,000 of 50,000');
  await expect(rows().last()).toContainText(oldest);
  console.log(`scrolled to row 50,000 in ${jumps} jumps, ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // Back up by a thousand rows: the indicator follows (the first row on screen again).
  const top = Number(await position().getAttribute('data-row'));
  await page.mouse.wheel(0, -1000 * 56);
  await expect(position()).toHaveText(`Row ${(top - 1000).toLocaleString('en-US')} of 50,000`);
});

test('reversing the sort brings the last device to the top; other sorts and their reversal', async () => {
  await page.getByTestId('device-reverse').click();
  await expect(page.getByTestId('device-reverse')).toContainText('Oldest first');
  await expect(position()).toHaveText('Row 1 of 50,000');
  await expect(rows().first()).toContainText(oldest);

  await choose(page, 'device-sort', 'Name');
  await expect(page.getByTestId('device-reverse')).toContainText('A to Z');
  await expect(rows().first()).toContainText(await apiFirst('sort=name&order=asc'));
  await page.getByTestId('device-reverse').click();
  await expect(rows().first()).toContainText(await apiFirst('sort=name&order=desc'));
  await choose(page, 'device-sort', 'Last seen');
  await expect(page.getByTestId('device-reverse')).toContainText('Newest first');
  await expect(rows().first()).toContainText(seededDeviceName(RECENT_DEVICE));
});

test('filters: status, platform, user, last seen and search, alone and together', async () => {
  const total = page.getByTestId('device-total');
  await choose(page, 'device-status-filter', 'Reset');
  await expect(total).toHaveText('Devices: 4998');
  await expect(position()).toHaveText('Row 1 of 4,998');
  for (const status of await rows().getByTestId('device-status').all())
    await expect(status).toHaveAttribute('data-status', 'reset');
  await choose(page, 'device-platform-filter', 'Android');
  await expect(total).toHaveText('Devices: 1666');
  await choose(page, 'device-status-filter', 'All statuses');
  await choose(page, 'device-platform-filter', 'All platforms');
  await expect(total).toHaveText('Devices: 50000');

  // One user's devices: the picker searches the users as it is typed in.
  const picker = page.getByTestId('device-user-filter');
  await expect(async () => {
    await picker.click();
    await picker.locator('input').fill('user00003');
    await option(page, 'user00003@example.com').click({ timeout: 5_000 });
    await expect(total).toHaveText('Devices: 50', { timeout: 5_000 });
  }).toPass({ timeout: 30_000 });
  await picker.hover();
  await picker.locator('.el-select__clear').click();
  await expect(total).toHaveText('Devices: 50000');

  await choose(page, 'device-seen-filter', 'Seen in the last day');
  await expect(total).toHaveText('Devices: 1');
  await expect(rows().first()).toContainText(seededDeviceName(RECENT_DEVICE));
  await choose(page, 'device-seen-filter', 'Not seen for 30 days');
  await expect(total).toHaveText('Devices: 49999');
  await choose(page, 'device-seen-filter', 'Seen any time');

  await input(page, 'device-search').fill('no such device');
  await expect(page.getByTestId('devices-empty')).toHaveText('No devices match these filters.');
  await input(page, 'device-search').fill(seededDeviceName(DETAIL_DEVICE));
  await expect(total).toHaveText('Devices: 1');
  await expect(position()).toHaveText('Row 1 of 1');
});

test('the detail: status history, certificates, commands with results, and the user’s pending enrollments', async () => {
  await rows().first().getByTestId('device-open').click();
  const drawer = page.getByTestId('device-detail');
  await expect(drawer).toContainText(seededDeviceName(DETAIL_DEVICE));
  const history = drawer.getByTestId('device-history-event');
  await expect(history).toHaveCount(2);
  await expect(history.first()).toContainText('Device enrolled');
  await expect(history.first().getByTestId('device-history-change')).toHaveText('Pending → Active');
  const cert = drawer.getByTestId('device-certificate');
  await expect(cert).toHaveCount(1);
  await expect(cert).toContainText(/Serial\s*[0-9a-f]{32}/);
  await expect(cert).toContainText('Expires');
  await expect(cert.getByTestId('device-certificate-state')).toHaveAttribute('data-revoked', 'no');
  await expect(drawer.getByTestId('device-command')).toHaveCount(2);
  await expect(drawer.getByTestId('device-command-result').first()).toContainText('OSVersion');
  await expect(drawer.getByTestId('device-user-enrollment')).toHaveCount(1);
  await expect(drawer.getByTestId('device-user-enrollment')).toContainText('iPhone / iPad');
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  // The keyboard reaches the list: the device's name is a button.
  await rows().first().getByTestId('device-open').focus();
  await page.keyboard.press('Enter');
  await expect(drawer).toBeVisible();
  await page.keyboard.press('Escape');
});

for (const { lang, locale } of [
  { lang: 'ja', locale: 'ja-JP' },
  { lang: 'en', locale: 'en-US' },
] as const) {
  for (const size of ['desktop', 'phone'] as const) {
    test(`screenshots: ${lang}, ${size}`, async ({ browser }) => {
      test.setTimeout(120_000);
      const shotConsole = await openConsole(browser, h, { locale, size });
      const p = shotConsole.page;
      const shoot = (name: string) => screenshot(p, `devices-scale-${name}-${lang}-${size}`, { fullPage: false });
      try {
        await p.goto('/devices');
        const list = p.getByTestId(size === 'phone' ? 'device-cards' : 'device-table');
        await expect(list.getByTestId('device-row').first()).toBeVisible();
        await expect(p.getByTestId('device-position')).toHaveText(
          lang === 'ja' ? '50,000 件中 1 行目' : 'Row 1 of 50,000',
        );
        await noToasts(p);
        await shoot('list');
        await input(p, 'device-search').fill(seededDeviceName(DETAIL_DEVICE));
        await expect(p.getByTestId('device-total')).toContainText('1');
        await list.getByTestId('device-open').first().click();
        await expect(p.getByTestId('device-history-event').first()).toBeVisible();
        await expect(p.getByTestId('device-user-enrollment')).toHaveCount(1);
        await shoot('detail');
        await p.getByTestId('device-history').scrollIntoViewIfNeeded();
        await shoot('detail-records');
      } finally {
        await shotConsole.context.close();
      }
    });
  }
}
