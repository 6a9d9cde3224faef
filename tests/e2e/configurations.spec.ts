// Configurations in the console, against an in-process server with an emulated iPhone: the empty page explains them;
// a Wi-Fi network added through the dialog and assigned to one user goes to that user's iPhone; editing it shows
// the password only as "stored"; its detail lists the device; the device's own detail lists the configuration; deleting
// it says the devices lose it, and the iPhone is told to remove it. In English and Japanese, at desktop and phone
// sizes, each page and dialog scanned with axe-core and photographed into test-output/screenshots/configurations-*.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { EmulatedAppleDevice, iphoneSpec } from '../helpers/apple-device.js';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import { expectNoSeriousA11y } from './axe.js';
import { input, noToasts, openConsole, pickUsers, SIZES } from './console-kit.js';
import { TEST_OUTPUT } from './server.js';

const SHOTS = join(TEST_OUTPUT, 'screenshots');

test.describe.configure({ mode: 'serial' });

let h: Harness;
let apns: ApnsMock;
let iphone: EmulatedAppleDevice;

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const pki = fakePushCertificate();
  apns = await startApnsMock(pki.appleCaPem);
  h = await startHarness({ apnsCa: apns.caPem });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await h.admin.call(method, path, body);
    expect([200, 201], `${method} ${path}: ${res.text}`).toContain(res.status);
    return res;
  };
  await call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem });
  await call('PUT', '/api/push/settings', { apnsBaseUrl: apns.url });
  const hana = (await call('POST', '/api/users', { email: 'hana@example.com', displayName: 'Hana Suzuki' })).json<{
    id: string;
  }>().id;
  await call('POST', '/api/users', { email: 'ken@example.com', displayName: 'Ken Watanabe' });
  const enrollment = await call('POST', '/api/enrollments', { userId: hana, platform: 'ios' });
  iphone = new EmulatedAppleDevice(
    { ...iphoneSpec(1), deviceName: 'Hana’s iPhone' },
    { caPem: h.server.services.ca.caCertificate().pem },
  );
  expect((await iphone.downloadProfile(enrollment.json<{ profileUrl: string }>().profileUrl)).status).toBe(200);
  expect(await iphone.scep()).toEqual({ status: 'SUCCESS' });
  await iphone.enrollMdm();
  await iphone.commandLoop();
});

test.afterAll(async () => {
  iphone?.close();
  await h?.stop();
  await apns?.close();
});

/** Scans the page once its transitions (a page or drawer fading in) have ended: mid-fade colours fail contrast. */
async function scan(page: Page, name: string): Promise<void> {
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  await expectNoSeriousA11y(page, name);
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

const TEXT = {
  en: {
    nav: 'Configurations',
    empty: 'A configuration is a set of settings',
    added: '“Office Wi-Fi” was added.',
    stored: 'Stored: leave empty to keep',
    installed: 'Installed',
    cancel: 'Cancel',
    deviceSection: 'Configurations',
  },
  ja: {
    nav: '構成',
    empty: '構成とは、Tsunagu が登録済みのデバイスに入れ',
    added: '「Office Wi-Fi」を追加しました。',
    stored: '保存済み：空欄のままで維持',
    installed: 'インストール済み',
    cancel: 'キャンセル',
    deviceSection: '構成',
  },
} as const;

test('en: the empty page explains configurations; a Wi-Fi network for one user reaches that user’s iPhone', async ({
  browser,
}) => {
  const words = TEXT.en;
  const { context, page, guard } = await openConsole(browser, h, { locale: 'en-US' });
  try {
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: words.nav }).click();
    await expect(page).toHaveURL(/\/configurations$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Configurations');
    await expect(page.getByTestId('configurations-empty')).toContainText(words.empty);
    await scan(page, 'configurations empty (en)');
    await shoot(page, 'configurations-empty-en-desktop');

    await page.getByTestId('add-configuration').click();
    const dialog = page.getByTestId('configuration-dialog');
    await input(dialog, 'configuration-name').fill('Office Wi-Fi');
    await input(dialog, 'wifi-ssid').fill('office-net');
    await input(dialog, 'wifi-password').fill('short');
    await dialog.getByTestId('scope-users').click();
    await dialog.getByTestId('configuration-submit').click();
    await expect(dialog.locator('.el-form-item__error')).toContainText([
      'Use 8 to 63 characters',
      'Choose at least one user',
    ]);
    await input(dialog, 'wifi-password').fill('correct horse battery');
    await pickUsers(page, 'configuration-users', ['hana@example.com']);
    await scan(page, 'configuration dialog (en)');
    await shoot(page, 'configurations-dialog-en-desktop');
    await dialog.getByTestId('configuration-submit').click();
    await expect(page.locator('.el-message--success')).toContainText(words.added);
    await expect(dialog).toBeHidden();

    const row = page
      .getByTestId('configuration-table')
      .locator('.el-table__body tr')
      .filter({ hasText: 'Office Wi-Fi' });
    await expect(row).toContainText('Wi-Fi');
    await expect(row).toContainText('Hana Suzuki');
    await expect(row).toContainText('v1');

    // The iPhone checks in and installs it: the open list shows it by itself (live updates).
    await iphone.commandLoop();
    await expect(row.getByTestId('count-installed')).toHaveText('1 installed');
    await noToasts(page);
    await shoot(page, 'configurations-list-en-desktop');

    await row.getByTestId('configuration-open').click();
    const detail = page.getByTestId('configuration-detail');
    await expect(detail.getByTestId('configuration-settings')).toContainText('Stored (not shown)');
    await expect(detail.getByTestId('configuration-settings')).not.toContainText('correct horse');
    const deviceState = detail.getByTestId('configuration-device');
    await expect(deviceState).toHaveAttribute('data-state', 'installed');
    await scan(page, 'configuration detail (en)');
    await shoot(page, 'configurations-detail-en-desktop');

    // The device link opens the device's detail, which lists the configuration.
    await detail.getByTestId('configuration-device-link').click();
    await expect(page).toHaveURL(/\/devices\?device=/);
    const device = page.getByTestId('device-configurations');
    await expect(device.getByTestId('device-configuration')).toContainText('Office Wi-Fi');
    await expect(device.getByTestId('device-configuration')).toHaveAttribute('data-state', 'installed');
    await expect(device).toContainText('Device');
    await device.screenshot({
      path: join(SHOTS, 'configurations-device-section-en-desktop.png'),
      animations: 'disabled',
    });

    // Phone: the list as cards.
    await page.setViewportSize(SIZES.phone.viewport);
    await page.goto('/configurations');
    await expect(page.getByTestId('configuration-cards')).toContainText('Office Wi-Fi');
    await shoot(page, 'configurations-list-en-phone');
    guard.assertClean();
  } finally {
    await context.close();
  }
});

test('ja: editing keeps the stored password unseen; the detail, the phone layout, deleting', async ({ browser }) => {
  const words = TEXT.ja;
  const { context, page, guard } = await openConsole(browser, h, { locale: 'ja-JP' });
  try {
    await page.goto('/configurations');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('構成');
    const row = page
      .getByTestId('configuration-table')
      .locator('.el-table__body tr')
      .filter({ hasText: 'Office Wi-Fi' });
    await expect(row.getByTestId('count-installed')).toHaveText('インストール済み 1');
    await shoot(page, 'configurations-list-ja-desktop');

    await row.getByTestId('configuration-edit').click();
    const dialog = page.getByTestId('configuration-dialog');
    await expect(input(dialog, 'wifi-password')).toHaveValue('');
    await expect(input(dialog, 'wifi-password')).toHaveAttribute('placeholder', words.stored);
    await scan(page, 'configuration edit dialog (ja)');
    await shoot(page, 'configurations-edit-ja-desktop');
    await dialog.getByRole('button', { name: words.cancel, exact: true }).click();
    await expect(dialog).toBeHidden();

    await row.getByTestId('configuration-open').click();
    await expect(page.getByTestId('configuration-device')).toHaveAttribute('data-state', 'installed');
    await shoot(page, 'configurations-detail-ja-desktop');

    // Phone: cards, the dialog full screen, the detail.
    await page.setViewportSize(SIZES.phone.viewport);
    await page.goto('/configurations');
    await expect(page.getByTestId('configuration-cards')).toContainText('Office Wi-Fi');
    await scan(page, 'configurations (ja, phone)');
    await shoot(page, 'configurations-list-ja-phone');
    await page.getByTestId('configuration-cards').getByTestId('configuration-open').click();
    await expect(page.getByTestId('configuration-device')).toHaveAttribute('data-state', 'installed');
    await scan(page, 'configuration detail (ja, phone)');
    await shoot(page, 'configurations-detail-ja-phone');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('configuration-detail')).toBeHidden();
    await page.getByTestId('add-configuration').click();
    await expect(page.getByTestId('configuration-dialog')).toBeVisible();
    await shoot(page, 'configurations-dialog-ja-phone');
    await page.getByTestId('configuration-dialog').getByRole('button', { name: words.cancel, exact: true }).click();

    // Deleting says the devices lose it; the iPhone is then told to remove it.
    await page.getByTestId('configuration-cards').getByTestId('configuration-delete').click();
    const confirm = page.getByTestId('configuration-delete-confirm');
    await expect(confirm).toContainText('入っているすべてのデバイスから取り除かれます');
    await expect(confirm).toContainText('今 1 つのデバイスチャネルに入っています。');
    await confirm.getByTestId('configuration-delete-confirm-confirm').click();
    await expect(page.getByTestId('configurations-empty')).toBeVisible();
    expect(await iphone.commandLoop()).toContain('RemoveProfile');
    guard.assertClean();
  } finally {
    await context.close();
  }
});
