// The /go enrollment portal in Chromium, as an iPhone and as a Mac, against an in-process server whose clock can
// jump ahead, with a real SMTP server: invitation email to PIN, password, profile download with a live countdown and
// an emulated iPhone enrolling; PIN lockout; expired and out-of-date links; mail held while SMTP is down; the
// self-service page (devices, sign-in QR code, language).
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { parsePlist, type PlistDict } from '../../server/core/plist.js';
import { verifyCms } from '../../server/pki/cms.js';
import type { ParsedMail } from 'mailparser';
import { EmulatedAppleDevice, iphoneSpec } from '../helpers/apple-device.js';
import { linkIn } from './console-kit.js';
import {
  BROWSERS,
  countdownSeconds,
  openPortal,
  portalCookie,
  startPortalWorld,
  type PortalWorld,
} from './portal-kit.js';

test.describe.configure({ mode: 'serial' });

const DAY = 86_400_000;
const PASSWORD = 'a good long password';

let w: PortalWorld;
const devices: EmulatedAppleDevice[] = [];

test.beforeAll(async () => {
  w = await startPortalWorld();
  await w.addUser('hanako@example.com', '鈴木 花子', 'ja');
  await w.addUser('taro@example.com', 'Taro Sato', 'en');
  await w.addUser('late@example.com', 'Late Person', 'en');
  await w.addUser('queued@example.com', 'Queued Person', 'en');
});

test.afterAll(async () => {
  for (const d of devices) d.close();
  await w?.close();
});

test('an iPhone: invitation email, PIN, new password, profile download with a countdown that ticks, enrollment', async ({
  browser,
}) => {
  const { link, pin, mail } = await w.invite('hanako@example.com');
  expect(mail.subject).toBe('Tsunagu デバイス登録のご案内');
  expect(link).toMatch(/\/go$/);
  expect(pin).toMatch(/^\d{6}$/);

  const p = await openPortal(browser, 'phone', 'ja-JP');
  const { page, context } = p;
  await page.goto(link);
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  await expect(page.locator('h1')).toHaveText('サインイン');
  await expect(page.locator('#email')).toHaveValue('hanako@example.com');
  await expect(page.locator('.hint')).toContainText('招待メールに書かれた PIN');
  await page.locator('#secret').fill(pin);
  await page.locator('form.form button[type=submit]').click();

  await expect(page).toHaveURL(/\/go\/password$/);
  await expect(page.locator('h1')).toHaveText('パスワードを設定');
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#confirm').fill(`${PASSWORD}!`);
  await page.locator('form.form button[type=submit]').click();
  await expect(page.locator('.error')).toHaveText('2 つのパスワードが一致しません。');
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#confirm').fill(PASSWORD);
  await page.locator('form.form button[type=submit]').click();

  await expect(page).toHaveURL(/\/go\/home$/);
  await expect(page.locator('#this-device h2')).toHaveText('この端末を登録する');
  await expect(page.locator('#this-device')).toContainText('この端末: iPhone / iPad');
  await expect(page.locator('#my-devices')).toContainText('まだ登録された端末はありません。');
  await page.locator('#this-device button[type=submit]').click();

  await expect(page).toHaveURL(/\/go\/enroll\/[\w-]+$/);
  const enrollPath = new URL(page.url()).pathname;
  await expect(page.locator('#enroll')).toHaveAttribute('data-state', 'none');
  await expect(page.locator('#countdown-box')).toBeHidden();

  // Download the profile as Safari would: the answer is a signed profile, and its challenge is live.
  const response = page.waitForResponse((r) => r.url().endsWith(`${enrollPath}/profile`));
  const downloaded = page.waitForEvent('download');
  await page.locator('#download').click();
  expect((await response).headers()['content-type']).toBe('application/x-apple-aspen-config');
  const file = await downloaded;
  expect(file.suggestedFilename()).toBe('tsunagu-enrollment.mobileconfig');
  const der = readFileSync(await file.path());
  const profile = parsePlist(verifyCms(der).content) as PlistDict;
  const scep = (profile.PayloadContent as PlistDict[]).find(
    (x) => x.PayloadType === 'com.apple.security.scep',
  ) as PlistDict;
  expect((scep.PayloadContent as PlistDict).Challenge).toMatch(/^[\w-]{22}$/);
  const status = (await (await page.request.get(`${w.origin}${enrollPath}/status`)).json()) as {
    state: string;
    secondsLeft: number;
  };
  expect(status.state).toBe('valid');
  expect(status.secondsLeft).toBeGreaterThan(14 * 60);

  // The countdown appears without a reload, and ticks down.
  await expect(page.locator('#enroll')).toHaveAttribute('data-state', 'valid');
  await expect(page.locator('#countdown-box')).toBeVisible();
  await expect(page.locator('#state')).toHaveText(
    'プロファイルはインストール待ちです。時間内にインストールしてください。',
  );
  await expect(page.locator('#download')).toHaveText('新しいプロファイルを取得');
  const first = await countdownSeconds(page);
  expect(first).toBeGreaterThan(14 * 60);
  await page.waitForTimeout(2_500);
  const second = await countdownSeconds(page);
  expect(second).toBeLessThan(first);
  expect(first - second).toBeLessThanOrEqual(4);

  // The phone installs a profile (downloaded with the same session), and the page follows it to the end.
  const device = new EmulatedAppleDevice(iphoneSpec(1), { caPem: w.caPem });
  devices.push(device);
  expect(
    (
      await device.downloadProfile(`${w.origin}${enrollPath}/profile`, {
        cookie: await portalCookie(context, w.origin),
      })
    ).status,
  ).toBe(200);
  expect(await device.scep()).toEqual({ status: 'SUCCESS' });
  await expect(page.locator('#enroll')).toHaveAttribute('data-state', 'used', { timeout: 15_000 });
  await device.enrollMdm();
  await expect(page.locator('#enroll')).toHaveAttribute('data-state', 'enrolled', { timeout: 15_000 });
  await expect(page.locator('#state')).toHaveText('登録が完了しました。この端末は管理対象になりました。');
  await expect(page.locator('#actions')).toBeHidden();
  // Its first command loop answers DeviceInformation, which names it.
  expect(await device.commandLoop()).toContain('DeviceInformation');
  const invitation = (await w.h.admin.call('GET', '/api/invitations?status=enrolled')).json<{
    items: { userEmail: string }[];
  }>();
  expect(invitation.items.map((i) => i.userEmail)).toContain('hanako@example.com');
  p.assertClean();
  await context.close();
});

test('five wrong PINs: the page says sign-in is locked for a while, and the audit trail has it', async ({
  browser,
}) => {
  const { link, pin } = await w.invite('taro@example.com');
  const p = await openPortal(browser, 'desktop', 'en-US');
  await p.page.goto(link);
  const wrong = pin === '000000' ? '111111' : '000000';
  for (let i = 1; i <= 5; i++) {
    await p.page.locator('#secret').fill(wrong);
    await p.page.locator('form.form button[type=submit]').click();
    await expect(p.page.locator('.error')).toHaveText('The email address or PIN is wrong.');
  }
  // Even the right PIN is refused now, until the lock ends (or the admin issues a new PIN).
  await p.page.locator('#secret').fill(pin);
  await p.page.locator('form.form button[type=submit]').click();
  await expect(p.page.locator('.error')).toContainText('Too many failed sign-ins.');
  const audit = (await w.h.admin.call('GET', '/api/audit?action=invitation.pin_locked')).json<{
    items: { subjectLabel: string }[];
  }>();
  expect(audit.items.map((e) => e.subjectLabel)).toContain('taro@example.com');
  // The language link of the refused form leads back to the invitation's sign-in page, in Japanese.
  await p.page.locator('header.bar a.lang').click();
  await expect(p.page.locator('html')).toHaveAttribute('lang', 'ja');
  await expect(p.page.locator('h1')).toHaveText('サインイン');
  await expect(p.page.locator('#email')).toHaveValue('taro@example.com');
  p.assertClean();
  await p.context.close();
});

test('a link from an older enrollment address gets the "out of date" page', async ({ browser }) => {
  const { link } = await w.invite('late@example.com');
  const regenerated = await w.h.admin.call('POST', '/api/enrollment-url/regenerate');
  expect(regenerated.status).toBe(200);
  const p = await openPortal(browser, 'phone', 'en-US');
  const res = await p.page.goto(link);
  expect(res?.status()).toBe(410);
  await expect(p.page.locator('h1')).toHaveText('This link is out of date');
  await expect(p.page.locator('main')).toContainText('Use the link in your newest invitation email');
  p.assertClean();
  await p.context.close();
});

test('an invitation past its validity gets the "expired" page', async ({ browser }) => {
  const { link } = await w.invite('late@example.com');
  await w.advance(15 * DAY);
  const listed = (await w.h.admin.call('GET', '/api/invitations?status=expired')).json<{
    items: { userEmail: string }[];
  }>();
  expect(listed.items.map((i) => i.userEmail)).toContain('late@example.com');
  const p = await openPortal(browser, 'phone', 'en-US');
  const res = await p.page.goto(link);
  expect(res?.status()).toBe(409);
  await expect(p.page.locator('h1')).toHaveText('This page cannot be opened');
  await expect(p.page.locator('main')).toContainText(
    'This invitation has expired. Ask your administrator to send a new one.',
  );
  p.assertClean();
  await p.context.close();
});

test('SMTP down while inviting: the invitation waits in the outbox, and arrives once SMTP is back', async ({
  browser,
}) => {
  await w.sink.down();
  const userId = (await w.h.admin.call('GET', '/api/users?q=queued')).json<{ items: { id: string }[] }>().items[0]?.id;
  expect((await w.h.admin.call('POST', '/api/invitations', { userIds: [userId] })).status).toBe(201);
  await w.h.server.services.tick();
  const outbox = (await w.h.admin.call('GET', '/api/mail/outbox')).json<{
    items: { to: string; status: string; lastError: string | null }[];
  }>();
  const queued = outbox.items.find((m) => m.to === 'queued@example.com');
  expect(queued?.status).toBe('queued');
  expect(queued?.lastError).toBeTruthy();

  await w.sink.up();
  const before = w.sink.messages.length;
  await w.advance(61_000);
  await expect.poll(() => w.sink.messages.slice(before).some((m) => m.text?.includes('/go'))).toBe(true);
  const outboxAfter = (await w.h.admin.call('GET', '/api/mail/outbox')).json<{
    items: { to: string; status: string }[];
  }>();
  expect(outboxAfter.items.find((m) => m.to === 'queued@example.com')?.status).toBe('sent');

  const mail = w.sink.messages.slice(before).find((m) => m.text?.includes('/go'));
  const link = linkIn(mail as ParsedMail, w.origin);
  const p = await openPortal(browser, 'phone', 'en-US');
  await p.page.goto(link);
  await expect(p.page.locator('#email')).toHaveValue('queued@example.com');
  p.assertClean();
  await p.context.close();
});

test('the self-service page: my devices with their status, a sign-in QR code, Mac and Android instructions, and the language switch', async ({
  browser,
}) => {
  // hanako signs in again at /go with her password (the invitation has done its work).
  const p = await openPortal(browser, 'phone', 'ja-JP');
  const { page } = p;
  await page.goto(`${w.origin}/go`);
  await expect(page).toHaveURL(/\/e\/[\w-]+\/go$/);
  await page.locator('#email').fill('hanako@example.com');
  await page.locator('#secret').fill(PASSWORD);
  await page.locator('form.form button[type=submit]').click();
  await expect(page).toHaveURL(/\/go\/home$/);
  const home = page.url();
  const mine = page.locator('#my-devices li.device');
  await expect(mine).toHaveCount(1);
  await expect(mine).toContainText('iPhone 1');
  await expect(mine.locator('.status')).toHaveText('有効');
  await expect(mine.locator('.status')).toHaveClass(/status-active/);

  await page.locator('#other-device button[type=submit]').click();
  const qr = page.locator('#qr-portal');
  await expect(qr).toBeVisible();
  expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
  expect(await qr.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);
  await expect(page.locator('figure.qr figcaption')).toContainText('有効期限:');

  // The language link of the page the QR form answered leads back to the home page.
  expect(await page.locator('header.bar a.lang').getAttribute('href')).toMatch(/\/go\/home\?platform=ios&lang=en$/);

  await page.goto(`${home}?platform=macos`);
  await expect(page.locator('#this-device')).toContainText('システム設定 > 一般 > デバイス管理');
  await page.goto(`${home}?platform=android`);
  await expect(page.locator('#this-device')).toContainText('Tsunagu エージェントアプリ');
  await page.locator('#this-device button[type=submit]').click();
  await expect(page.locator('#qr-agent')).toBeVisible();

  await page.locator('header.bar a.lang').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('#my-devices h2')).toHaveText('My devices');
  await expect(page.locator('#my-devices .status')).toHaveText('Active');
  // The choice sticks for the next page.
  await page.goto(home);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  p.assertClean();
  await p.context.close();
});

test('an iPad whose Safari says it is a Mac gets the iPhone / iPad steps; a Mac without a touch screen keeps the Mac steps', async ({
  browser,
}) => {
  for (const [hasTouch, expected] of [
    [true, /platform=ios$/],
    [false, /\/go\/home$/],
  ] as const) {
    // iPadOS Safari asks for desktop sites: a Mac User-Agent on a touch screen.
    const context = await browser.newContext({
      ...BROWSERS.desktop,
      viewport: { width: 1024, height: 1366 },
      hasTouch,
      locale: 'en-US',
      ignoreHTTPSErrors: true,
    });
    const page = await context.newPage();
    await page.goto(`${w.origin}/go`);
    await page.locator('#email').fill('hanako@example.com');
    await page.locator('#secret').fill(PASSWORD);
    await page.locator('form.form button[type=submit]').click();
    await expect(page).toHaveURL(expected);
    await expect(page.locator('#this-device')).toContainText(hasTouch ? 'open the Settings app' : 'System Settings');
    // The user's own choice is not overridden.
    await page.goto(`${page.url().replace(/\?.*$/, '')}?platform=macos`);
    await expect(page).toHaveURL(/platform=macos$/);
    await expect(page.locator('#this-device')).toContainText('System Settings');
    await context.close();
  }
});
