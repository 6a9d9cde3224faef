// The helper window in Chromium, driven end to end: the Vue screens on /helper talk through the same bridge the
// helper's preload gives them to the real helper host (pinned API client, profile files, remembered servers) in this
// test process; the host talks to a real server; the Mac is emulated (profiles, open) while its device side does the
// real SCEP, Authenticate and TokenUpdate. Covers the deep link to "enrolled", the expiry path with a fresh profile,
// another MDM, and a wrong CA fingerprint.
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { HelperAction, HelperScreen } from '../../server/contract/helper.js';
import type { HelperStart } from '../../electron/helper/step-types.js';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { EmulatedAppleDevice, macSpec } from '../helpers/apple-device.js';
import { EmulatedMacPlatform } from '../helpers/emulated-mac.js';
import { testHelper, type TestHelper } from '../helpers/helper-host.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import { tempDir } from '../helpers/temp-dir.js';
import { guardPage } from './page-guard.js';
import { TEST_OUTPUT } from './server.js';

const SHOTS = join(TEST_OUTPUT, 'screenshots');
const PASSWORD = 'a long enough password 1';
let h: Harness;
let apns: ApnsMock;
let caPem: string;
let caSha256: string;
let origin: string;
const dir = tempDir('helper-e2e');
let n = 0;

test.beforeAll(async () => {
  const pki = fakePushCertificate();
  apns = await startApnsMock(pki.appleCaPem);
  h = await startHarness({ apnsCa: apns.caPem });
  caPem = h.server.services.ca.caCertificate().pem;
  caSha256 = h.server.services.ca.caCertificate().fingerprint256.replace(/:/g, '').toLowerCase();
  origin = new URL(h.server.enrollmentUrl).origin;
  expect(
    (await h.admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem }))
      .status,
  ).toBe(200);
  await h.admin.call('PUT', '/api/push/settings', { apnsBaseUrl: apns.url });
});

test.afterAll(async () => {
  await h?.stop();
  await apns?.close();
  dir.remove();
});

test.use({ viewport: { width: 400, height: 640 } });

/** A user with a password and the single-use token the portal's Mac page puts in the helper link. */
async function linkFor(email: string, ca = caSha256): Promise<{ userId: string; start: HelperStart }> {
  const created = await h.admin.call('POST', '/api/users', {
    email,
    displayName: email,
    locale: 'en',
    password: PASSWORD,
  });
  const { principal } = await h.server.services.portal.signIn({ email, secret: PASSWORD, invite: null }, null);
  const { token } = h.server.services.portal.createSignInToken(principal, 'portal', null);
  return {
    userId: created.json<{ id: string }>().id,
    start: { kind: 'deep-link', link: { server: origin, caSha256: ca, token } },
  };
}

/** A Mac with the helper open on /helper in this page, its bridge wired to a test helper host. */
async function macWithHelper(
  page: Page,
  options: ConstructorParameters<typeof EmulatedMacPlatform>[1] = {},
  locale: 'ja' | 'en' = 'en',
): Promise<{ mac: EmulatedMacPlatform; helper: TestHelper }> {
  n += 1;
  const mac = new EmulatedMacPlatform(new EmulatedAppleDevice(macSpec(300 + n), { caPem }), options);
  const helper = testHelper(mac, join(dir.path, `mac-${n}`), { locale });
  await page.exposeBinding('__helperScreen', () => helper.host.screen());
  await page.exposeBinding('__helperSend', (_source, action: HelperAction) => helper.host.send(action));
  await page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown> & {
      __helperScreen(): Promise<HelperScreen>;
      __helperSend(a: HelperAction): Promise<void>;
    };
    const listeners = new Set<(s: HelperScreen) => void>();
    w.__helperPush = (s: HelperScreen) => listeners.forEach((l) => l(s));
    w.tsunaguHelper = {
      screen: () => w.__helperScreen(),
      send: (a: HelperAction) => w.__helperSend(a),
      onScreen: (l: (s: HelperScreen) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
  });
  helper.host.onScreen((screen) => {
    void page
      .evaluate((s) => (window as unknown as { __helperPush?(x: unknown): void }).__helperPush?.(s), screen)
      .catch(() => undefined);
  });
  return { mac, helper };
}

async function open(page: Page): Promise<void> {
  await page.goto(`${h.server.adminUrl}helper`);
}

const heading = (page: Page) => page.getByTestId('helper-heading');
const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `helper-flow-${name}.png`), fullPage: true });

async function devicesOf(userId: string): Promise<string[]> {
  const res = await h.admin.call('GET', `/api/devices?userId=${userId}`);
  return res.json<{ items: { status: string }[] }>().items.map((d) => d.status);
}

test('from the portal link to "enrolled": confirm the server, install in System Settings, noticed by itself', async ({
  page,
}) => {
  const guard = guardPage(page);
  const { userId, start } = await linkFor('flow@example.com');
  const { mac, helper } = await macWithHelper(page, { productVersion: '15.2' });
  await open(page);
  await helper.host.start(start);
  await expect(heading(page)).toHaveText('Is this your organisation?');
  await expect(page.getByTestId('confirm-organisation')).toHaveText('Tsunagu');
  await expect(page.getByTestId('confirm-host')).toHaveText(new URL(origin).hostname);
  await expect(page.getByTestId('confirm-fingerprint')).toContainText(caSha256.slice(0, 4).toUpperCase(), {
    ignoreCase: true,
  });
  await shot(page, 'confirm');
  await page.getByTestId('confirm-accept').click();
  await expect(heading(page)).toHaveText('Install the profile in System Settings');
  await expect(page.getByTestId('installing-steps')).toContainText('General > Device Management');
  await expect(page.getByTestId('installing-countdown')).toHaveText(/^1[45]:\d\d$/);
  expect(mac.opened.some((t) => t.endsWith('.mobileconfig'))).toBe(true);
  await shot(page, 'installing');
  // The user clicks Enroll in System Settings: the Mac runs SCEP, Authenticate and TokenUpdate against the server.
  expect((await mac.install()).scep).toBe('SUCCESS');
  await expect(heading(page)).toHaveText('This Mac is enrolled', { timeout: 20_000 });
  await shot(page, 'enrolled');
  expect(await devicesOf(userId)).toEqual(['active']);
  helper.host.dispose();
  guard.assertClean();
});

test('a profile about to expire is replaced (the old one voided), and the fresh one enrolls', async ({ page }) => {
  const guard = guardPage(page);
  const { userId, start } = await linkFor('expiry@example.com');
  const { mac, helper } = await macWithHelper(page, { productVersion: '14.6' });
  helper.servers.remember({ host: new URL(origin).hostname, caSha256, organisation: 'Tsunagu' });
  await open(page);
  await helper.host.start(start);
  await expect(heading(page)).toHaveText('Install the profile in System Settings');
  await expect(page.getByTestId('installing-steps')).toContainText('Privacy & Security > Profiles');
  const first = mac.staged;
  const state = helper.host.state();
  helper.advance((state?.kind === 'installing' ? state.expiresAt : 0) - 4 * 60_000 - Date.now());
  await expect(page.getByTestId('installing-replaced')).toBeVisible();
  await shot(page, 'replaced');
  expect(mac.staged?.equals(first as Buffer)).toBe(false);
  expect((await mac.install()).scep).toBe('SUCCESS');
  await expect(heading(page)).toHaveText('This Mac is enrolled', { timeout: 20_000 });
  expect(await devicesOf(userId)).toEqual(['active']);
  helper.host.dispose();
  guard.assertClean();
});

test('an expired profile: the helper says so, and "Get a fresh profile" brings a new one', async ({ page }) => {
  const guard = guardPage(page);
  const { start } = await linkFor('expired@example.com');
  const { mac, helper } = await macWithHelper(page, {}, 'ja');
  helper.servers.remember({ host: new URL(origin).hostname, caSha256, organisation: 'Tsunagu' });
  await open(page);
  await helper.host.start(start);
  await expect(page.getByTestId('installing-steps')).toBeVisible();
  helper.advance(3 * 3600_000);
  await expect(page.getByTestId('helper-retry')).toBeVisible();
  await shot(page, 'expired-ja');
  helper.advance(-3 * 3600_000);
  await page.getByTestId('helper-retry').click();
  await expect(page.getByTestId('installing-steps')).toBeVisible();
  expect(mac.opened.filter((t) => t.endsWith('.mobileconfig'))).toHaveLength(2);
  helper.host.dispose();
  guard.assertClean();
});

test('a Mac managed by another MDM is refused politely, with nothing downloaded', async ({ page }) => {
  const guard = guardPage(page);
  const { start } = await linkFor('other@example.com');
  const { mac, helper } = await macWithHelper(page, {
    profilesStatus: [
      'Enrolled via DEP: No\nMDM enrollment: Yes (User Approved)\nMDM server: https://mdm.other.example/mdm\n',
    ],
  });
  helper.servers.remember({ host: new URL(origin).hostname, caSha256, organisation: 'Tsunagu' });
  await open(page);
  await helper.host.start(start);
  await expect(heading(page)).toHaveText('This Mac is managed by another server');
  await expect(page.getByTestId('elsewhere-body')).toContainText('mdm.other.example');
  await shot(page, 'enrolled-elsewhere');
  expect(mac.opened).toEqual([]);
  helper.host.dispose();
  guard.assertClean();
});

test('a link with the wrong CA fingerprint is refused before anything is sent, with no way to continue', async ({
  page,
}) => {
  const guard = guardPage(page);
  const wrong = 'ab'.repeat(32);
  const { start } = await linkFor('wrongca@example.com', wrong);
  const { helper } = await macWithHelper(page);
  await open(page);
  await helper.host.start(start);
  await expect(heading(page)).toHaveText('Do not continue: the server’s identity changed');
  await expect(page.getByTestId('mismatch-expected')).toContainText('ABAB', { ignoreCase: true });
  await expect(page.getByTestId('confirm-accept')).toHaveCount(0);
  await shot(page, 'certificate-mismatch');
  // The link's token never left the helper: it still signs in.
  const token = start.kind === 'deep-link' ? (start.link.token as string) : '';
  expect(() => h.server.services.portal.redeem(token, null)).not.toThrow();
  helper.host.dispose();
  guard.assertClean();
});
