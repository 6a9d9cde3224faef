// Live updates in the console, against an in-process server and an emulated iPhone: with the dashboard and the devices
// page open (no reload, no refresh button touched), the iPhone, named `<img src=x onerror=alert(1)>`, enrolls and
// appears on both as text (no dialog, no image element); retired from its detail drawer, its status and the audit
// event arrive by themselves once the device acknowledges. The stream dropped and refused shows "Reconnecting…",
// and it comes back by itself. An invitation sent and revoked by another admin shows on the open Invitations page.
// Screenshots of the header's indicator in ja and en, at desktop and phone sizes, go to
// test-output/screenshots/live-<lang>-<size>.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect as baseExpect, test, type Browser, type Page } from '@playwright/test';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { EmulatedAppleDevice, iphoneSpec } from '../helpers/apple-device.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { addUser, HARNESS_ADMIN, startHarness, type Harness } from '../helpers/server-harness.js';
import { input, noToasts, SIZES, type ConsolePage } from './console-kit.js';
import { guardPage } from './page-guard.js';
import { TEST_OUTPUT } from './server.js';

test.describe.configure({ mode: 'serial' });
// The pages themselves may be slow to come on a loaded machine; nothing here waits on a timer of its own.
const expect = baseExpect.configure({ timeout: 30_000 });

const NAME = '<img src=x onerror=alert(1)>';
const SHOTS = join(TEST_OUTPUT, 'screenshots');

let h: Harness;
let apns: ApnsMock;
let device: EmulatedAppleDevice | null = null;
let userId: string;
const started = Date.now();

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const pki = fakePushCertificate();
  apns = await startApnsMock(pki.appleCaPem);
  h = await startHarness({ apnsCa: apns.caPem });
  expect(
    (await h.admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem }))
      .status,
  ).toBe(200);
  expect((await h.admin.call('PUT', '/api/push/settings', { apnsBaseUrl: apns.url })).status).toBe(200);
  userId = await addUser(h, 'hana@example.com', 'a long user password');
});

test.afterAll(async () => {
  device?.close();
  await h?.stop();
  await apns?.close();
  console.log(`live.spec: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

/** Signs the harness admin in, as console-kit's openConsole does, with this spec's patience for a loaded machine. */
async function openConsole(
  browser: Browser,
  harness: Harness,
  options: { locale?: string } = {},
): Promise<ConsolePage> {
  const context = await browser.newContext({
    baseURL: harness.server.adminUrl,
    locale: options.locale ?? 'en-US',
    viewport: SIZES.desktop.viewport,
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const guard = guardPage(page);
  await page.goto('/login?redirect=/users');
  await input(page, 'login-email').fill(HARNESS_ADMIN.email);
  await input(page, 'login-password').fill(HARNESS_ADMIN.password);
  await page.getByTestId('login-submit').click();
  await expect(page).toHaveURL(/:\d+\/users$/);
  return { context, page, guard };
}

/** Records every dialog (alert) the pages open, and dismisses it. */
function dialogsOf(pages: Page[]): string[] {
  const seen: string[] = [];
  for (const page of pages)
    page.on('dialog', (dialog) => {
      seen.push(dialog.message());
      void dialog.dismiss();
    });
  return seen;
}

/** The guard's problems, but for the stream the test itself cut off. */
function problemsBut(problems: string[]): string[] {
  return problems.filter((p) => !/api\/events|ERR_FAILED/.test(p));
}

test('a device enrolls and is retired while the dashboard and the devices page watch, without a reload', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const t0 = Date.now();
  const mark = (what: string) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
  const c = await openConsole(browser, h);
  const dashboard = c.page;
  const devicesPage = await c.context.newPage();
  const dialogs = dialogsOf([dashboard, devicesPage]);
  mark('signed in');
  await dashboard.goto('/');
  await expect(dashboard.getByTestId('devices-total')).toContainText('0');
  mark('dashboard');
  await devicesPage.goto('/devices');
  await expect(devicesPage.getByTestId('devices-empty')).toBeVisible();
  mark('devices page');
  for (const p of [dashboard, devicesPage])
    await expect(p.getByTestId('live-indicator')).toHaveAttribute('data-state', 'live');
  // Any full reload from here on would show up as a new navigation.
  const navigations = { n: 0 };
  for (const p of [dashboard, devicesPage]) p.on('framenavigated', (f) => f === p.mainFrame() && navigations.n++);

  mark('both pages live');
  // The iPhone enrolls: profile, SCEP, MDM check-in, and its first command loop (which reports its name).
  const enrollment = await h.admin.call('POST', '/api/enrollments', { userId, platform: 'ios' });
  expect(enrollment.status, enrollment.text).toBe(201);
  device = new EmulatedAppleDevice(
    { ...iphoneSpec(1), deviceName: NAME },
    { caPem: h.server.services.ca.caCertificate().pem },
  );
  expect((await device.downloadProfile(enrollment.json<{ profileUrl: string }>().profileUrl)).status).toBe(200);
  expect(await device.scep()).toEqual({ status: 'SUCCESS' });
  expect((await device.enrollMdm()).every((r) => r.status === 200)).toBe(true);
  await device.commandLoop();
  mark('enrolled');

  const row = devicesPage.getByTestId('device-row').filter({ hasText: NAME });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('device-status')).toHaveAttribute('data-status', 'active');
  await expect(devicesPage.getByTestId('device-total')).toHaveText('Devices: 1');
  await expect(dashboard.getByTestId('devices-total')).toContainText('1');
  await expect(dashboard.getByTestId('devices-active')).toContainText('1');

  mark('shown on both pages');
  // Retire it from its detail drawer; the drawer, the row and the dashboard follow the device's acknowledgement.
  await row.getByTestId('device-open').click();
  const drawer = devicesPage.getByTestId('device-detail');
  await expect(drawer).toBeVisible();
  await expect(drawer).toContainText(NAME);
  await drawer.getByTestId('device-detail-retire').click();
  const confirm = devicesPage.getByTestId('device-action-dialog');
  await confirm.getByTestId('device-action-confirm').click();
  await expect(confirm.getByTestId('device-action-ok')).toContainText('Retire sent to 1 device.');
  await confirm.getByTestId('device-action-close').click();
  // The queued command reached the open drawer by itself.
  await expect(drawer.locator('[data-testid=device-command][data-type=RemoveProfile]')).toHaveCount(1);
  mark('retire queued, shown in the drawer');
  expect(await device.commandLoop()).toEqual(['RemoveProfile']);
  mark('retire acknowledged');

  await expect(drawer.getByTestId('device-status').first()).toHaveAttribute('data-status', 'inactive');
  await expect(drawer.getByTestId('device-history-event').filter({ hasText: 'Device retired' })).toHaveCount(1);
  await expect(row.getByTestId('device-status')).toHaveAttribute('data-status', 'inactive');
  await expect(dashboard.getByTestId('devices-inactive')).toContainText('1');
  await expect(dashboard.getByTestId('audit-recent').filter({ hasText: 'Device retired' }).first()).toBeVisible();

  mark('retired on both pages');
  // Text only: no dialog opened, no element made from the name, anywhere.
  expect(dialogs).toEqual([]);
  for (const p of [dashboard, devicesPage]) await expect(p.locator('img[src="x"]')).toHaveCount(0);
  expect(navigations.n).toBe(0);
  c.guard.assertClean();
  await c.context.close();
});

const WORDS = {
  ja: { live: 'ライブ', reconnecting: '再接続中…', name: '日本語' },
  en: { live: 'Live', reconnecting: 'Reconnecting…', name: 'English' },
} as const;

test('the live indicator in ja and en, desktop and phone: live; reconnecting when the stream drops; live again', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  // One signed-in page for the four pictures: the language switch and the window size change, nothing else.
  const c = await openConsole(browser, h, { locale: 'ja-JP' });
  const { page } = c;
  await page.goto('/devices');
  const indicator = page.getByTestId('live-indicator');
  const views = [
    ['ja', 'desktop'],
    ['en', 'desktop'],
    ['en', 'phone'],
    ['ja', 'phone'],
  ] as const;
  for (const [lang, size] of views) {
    if (size === 'phone') await page.setViewportSize({ width: 390, height: 844 });
    if (lang === 'en' && size === 'desktop') await page.getByTestId('language-switch').getByText('English').click();
    if (lang === 'ja' && size === 'phone') {
      await page.getByTestId('open-menu').click();
      await page.locator('.nav-drawer').getByTestId('language-switch').getByText('日本語').click();
      await page.keyboard.press('Escape');
      await expect(page.locator('.nav-drawer')).toBeHidden();
    }
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await expect(indicator).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
    if (size === 'desktop') await expect(indicator).toHaveText(WORDS[lang].live);
    else await expect(indicator).toHaveAttribute('title', /./);
    await noToasts(page);
    await page.screenshot({ path: join(SHOTS, `live-${lang}-${size}.png`), animations: 'disabled', caret: 'hide' });

    // The server ends the stream and refuses it for a while: the console says so, then is live again by itself.
    await page.route('**/api/events*', (route) => route.abort());
    h.server.services.live.closeAll('shutdown');
    await expect(indicator).toHaveAttribute('data-state', 'reconnecting');
    await expect(indicator).toContainText(WORDS[lang].reconnecting);
    await page.screenshot({
      path: join(SHOTS, `live-${lang}-${size}-reconnecting.png`),
      animations: 'disabled',
      caret: 'hide',
    });
    await page.unroute('**/api/events*');
  }
  await expect(indicator).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
  expect(problemsBut(c.guard.problems)).toEqual([]);
  await c.context.close();
});

test('an invitation sent and then revoked elsewhere shows on the open Invitations page, without a reload', async ({
  browser,
}) => {
  const c = await openConsole(browser, h);
  await c.page.goto('/invitations');
  const table = c.page.getByTestId('invitation-table');
  await expect(c.page.getByTestId('invitation-total')).toBeVisible();
  await expect(c.page.getByRole('main')).not.toContainText('kaito@example.com');
  // Another admin (the API) invites a user: the step arrives over the stream.
  const kaito = (
    await h.admin.call('POST', '/api/users', { email: 'kaito@example.com', displayName: 'Kaito', locale: 'en' })
  ).json<{ id: string }>().id;
  const sent = await h.admin.call('POST', '/api/invitations', { userIds: [kaito] });
  expect(sent.status, sent.text).toBe(201);
  const id = sent.json<{ invitations: { id: string }[] }>().invitations[0]?.id;
  const row = table.locator('.el-table__body tr').filter({ hasText: 'kaito@example.com' });
  await expect(row.getByTestId('invitation-revoke')).toBeVisible();
  // Revoked elsewhere: the row closes by itself (no revoke button on a closed invitation).
  expect((await h.admin.call('POST', `/api/invitations/${id}/revoke`)).status).toBe(200);
  await expect(row.getByTestId('invitation-revoke')).toHaveCount(0);
  await expect(row).toContainText('Revoked');
  c.guard.assertClean();
  await c.context.close();
});
