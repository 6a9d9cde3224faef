// The Administration page in Chromium against an in-process server: screenshots of the page and its dialogs in ja and
// en at desktop and phone sizes (test-output/screenshots/admins-*.png), the first sign-in with a temporary password,
// and backup then restore through the console: the backup downloaded from Administration under a passphrase, then
// uploaded again: a wrong passphrase changes nothing, the right one restarts the server on the backup's data and the
// admin signs in again to find it there; the audit chain still verifies.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startHarness, type Harness, HARNESS_ADMIN } from '../helpers/server-harness.js';
import { A11Y_SCANS, expectNoSeriousA11y } from './axe.js';
import { input, noToasts, openConsole, screenshot, SIZES } from './console-kit.js';
import { TEST_OUTPUT } from './server.js';

const FILES = join(TEST_OUTPUT, 'e2e-admins');
const PASSPHRASE = 'the office backup passphrase';
const LANGS = [
  { lang: 'ja', locale: 'ja-JP' },
  { lang: 'en', locale: 'en-US' },
] as const;

let h: Harness;
let backupFile: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  mkdirSync(FILES, { recursive: true });
  h = await startHarness();
  for (const [email, name] of [
    ['suzuki.hanako@example.com', '鈴木 花子'],
    ['it-support.long-address@branch-office.example.co.jp', 'IT Support (branch office, second floor)'],
  ] as const) {
    const res = await h.admin.call('POST', '/api/admins', { email, displayName: name });
    expect(res.status, res.text).toBe(201);
  }
  const backup = await h.admin.call('POST', '/api/backup', { passphrase: PASSPHRASE });
  expect(backup.status).toBe(200);
  backupFile = join(FILES, 'office.tsunagu-backup');
  writeFileSync(backupFile, backup.body);
});

test.afterAll(async () => {
  await h?.stop();
});

/** A picture, and an axe scan in the languages and sizes scanned (A11Y_SCANS; a dialog once, on desktop). */
async function shoot(page: Page, name: string, lang: string, size: string, fullPage = true): Promise<void> {
  await screenshot(page, `admins-${name}-${lang}-${size}`, { fullPage });
  if (A11Y_SCANS.has(`${lang}-${size}`) && (fullPage || size === 'desktop'))
    await expectNoSeriousA11y(page, `administration ${name} (${lang}, ${size})`);
}

for (const { lang, locale } of LANGS) {
  for (const size of Object.keys(SIZES) as (keyof typeof SIZES)[]) {
    test(`administration page and dialogs in ${lang} on ${size}`, async ({ browser }) => {
      test.setTimeout(120_000);
      const ja = lang === 'ja';
      const { context, page, guard } = await openConsole(browser, h, { locale, size });
      const shot = (name: string, fullPage = true) => shoot(page, name, lang, size, fullPage);
      await page.goto('/settings/admins');
      await expect(page.getByTestId('admins-table')).toContainText('suzuki.hanako@example.com');
      await expect(page.getByTestId('console-access-now')).toBeVisible();
      await noToasts(page);
      await shot('page');

      // Add: the form, then the generated temporary password.
      await page.getByTestId('admin-add').click();
      await input(page, 'admin-email').fill(`new.${lang}.${size}@example.com`);
      await input(page, 'admin-name').fill(ja ? '新しい 管理者' : 'New Admin');
      await shot('add', false);
      await page.getByTestId('admin-form-submit').click();
      await expect(page.getByTestId('admin-created')).toBeVisible();
      await shot('added', false);
      await page.getByTestId('admin-form-close').click();

      // Reset another admin's password: the question, then the temporary password.
      await page.getByTestId('admin-reset-suzuki.hanako@example.com').click();
      await expect(page.getByTestId('admin-reset-confirm')).toBeVisible();
      await shot('reset', false);
      await page.getByTestId('admin-reset-confirm').click();
      await expect(page.getByTestId('admin-reset-password')).toBeVisible();
      await shot('reset-done', false);
      await page.getByTestId('admin-reset-close').click();

      // Remove: the question only (cancelled).
      await page.getByTestId(`admin-remove-new.${lang}.${size}@example.com`).click();
      await expect(page.getByTestId('admin-remove-dialog-confirm')).toBeVisible();
      await shot('remove', false);
      await page.getByTestId('admin-remove-dialog-confirm').click();
      await expect(page.getByTestId('admins-table')).not.toContainText(`new.${lang}.${size}@example.com`);

      // A wrong current password, said beside the field.
      await input(page, 'password-current').fill('not my password');
      await input(page, 'password-new').fill('a brand new password');
      await input(page, 'password-repeat').fill('a brand new password');
      await page.getByTestId('password-submit').click();
      await expect(page.getByTestId('password-form')).toContainText(
        ja ? '現在のパスワードが違います' : 'current password is wrong',
      );

      // The LAN setting, saved for the next start.
      await page.getByTestId('console-access-switch').click();
      await expect(page.getByTestId('console-access-restart')).toBeVisible();

      // Restore: the uploaded file's facts, then the confirmation (cancelled).
      await page.getByTestId('restore-file').setInputFiles(backupFile);
      await expect(page.getByTestId('restore-facts')).toBeVisible();
      await input(page, 'restore-passphrase').fill(PASSPHRASE);
      await noToasts(page);
      await shot('filled');
      await page.getByTestId('restore-start').click();
      await expect(page.getByTestId('restore-confirm-confirm')).toBeVisible();
      await shot('restore-confirm', false);
      await page.getByRole('button', { name: ja ? 'キャンセル' : 'Cancel', exact: true }).click();
      await page.getByTestId('console-access-switch').click();
      await expect(page.getByTestId('console-access-restart')).toBeHidden();

      // The audit chain check and its result.
      await page.goto('/audit');
      await page.getByTestId('verify-chain').click();
      await expect(page.getByTestId('verify-result').first()).toBeVisible();
      await shot('audit-verify', false);

      guard.assertClean();
      await context.close();
    });
  }
}

test('the first sign-in with a temporary password asks for a new one first', async ({ browser }) => {
  for (const { lang, locale } of LANGS) {
    for (const size of Object.keys(SIZES) as (keyof typeof SIZES)[]) {
      const email = `first.${lang}.${size}@example.com`;
      const added = await h.admin.call('POST', '/api/admins', { email, displayName: 'First Sign-in' });
      const temporary = added.json<{ temporaryPassword: string }>().temporaryPassword;
      const context = await browser.newContext({
        baseURL: h.server.adminUrl,
        locale,
        viewport: SIZES[size].viewport,
        isMobile: SIZES[size].isMobile,
        hasTouch: SIZES[size].isMobile,
      });
      const page = await context.newPage();
      await page.goto('/login');
      await input(page, 'login-email').fill(email);
      await input(page, 'login-password').fill(temporary);
      await page.getByTestId('login-submit').click();
      await expect(page).toHaveURL(/\/password$/);
      await page.goto('/devices');
      await expect(page).toHaveURL(/\/password$/);
      await shoot(page, 'first-password', lang, size);
      await input(page, 'password-current').fill(temporary);
      await input(page, 'password-new').fill('my own long password');
      await input(page, 'password-repeat').fill('my own long password');
      await page.getByTestId('password-submit').click();
      await expect(page).toHaveURL(/:\d+\/$/);
      await context.close();
    }
  }
});

test('backup then restore, both through the console: the download (with its passphrase) restored, a wrong passphrase first; the admin signs in again and the data is there', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  // Something the backup has, which the restore must bring back as it was.
  const kept = await h.admin.call('POST', '/api/users', {
    email: 'before-the-backup@example.com',
    displayName: 'Before The Backup',
    locale: 'en',
  });
  expect(kept.status, kept.text).toBe(201);
  const { context, page, guard } = await openConsole(browser, h, { locale: 'en-US' });
  // The backup downloaded from Administration, under a passphrase.
  await page.goto('/settings/admins');
  const section = page.getByTestId('backup-section');
  await input(section, 'backup-passphrase').fill(PASSPHRASE);
  await input(section, 'backup-repeat').fill(PASSPHRASE);
  const [download] = await Promise.all([page.waitForEvent('download'), section.getByTestId('backup-download').click()]);
  const downloaded = join(FILES, download.suggestedFilename());
  await download.saveAs(downloaded);
  // Something the backup does not have, which the restore must take away.
  const added = await h.admin.call('POST', '/api/users', {
    email: 'after-the-backup@example.com',
    displayName: 'After',
    locale: 'en',
  });
  expect(added.status).toBe(201);
  await page.reload();
  await page.getByTestId('restore-file').setInputFiles(downloaded);
  await expect(page.getByTestId('restore-facts')).toBeVisible();

  await input(page, 'restore-passphrase').fill('not the passphrase at all');
  await page.getByTestId('restore-start').click();
  await page.getByTestId('restore-confirm-confirm').click();
  await expect(page.getByTestId('restore-error')).toContainText('passphrase');
  expect(h.server.services.users.list({ limit: 50 }).items.map((u) => u.email)).toContain(
    'after-the-backup@example.com',
  );

  await input(page, 'restore-passphrase').fill(PASSPHRASE);
  await page.getByTestId('restore-start').click();
  await page.getByTestId('restore-confirm-confirm').click();
  await expect(page).toHaveURL(/\/login/, { timeout: 30_000 });
  await expect(page.locator('.el-message--success').first()).toContainText('restored');
  await shoot(page, 'restored-login', 'en', 'desktop', false);
  expect(h.server.services.users.list({ limit: 50 }).items.map((u) => u.email)).not.toContain(
    'after-the-backup@example.com',
  );

  await input(page, 'login-email').fill(HARNESS_ADMIN.email);
  await input(page, 'login-password').fill(HARNESS_ADMIN.password);
  await page.getByTestId('login-submit').click();
  await expect(page).toHaveURL(/:\d+\/$/);
  // The data the backup held is there, in the console.
  await page.goto('/users');
  await expect(page.getByTestId('user-table')).toContainText('before-the-backup@example.com');
  await expect(page.getByTestId('user-table')).not.toContainText('after-the-backup@example.com');
  await page.goto('/settings/admins');
  await expect(page.getByTestId('admins-table')).toContainText('suzuki.hanako@example.com');
  await page.goto('/audit');
  await expect(page.getByText('Backup restored').first()).toBeVisible();
  await page.getByTestId('verify-chain').click();
  await expect(page.getByTestId('verify-result').first()).toContainText('OK');
  // The console asks for its session until the restarted server answers: while it is down, Chromium logs the refused
  // connection. Those, and only those, are expected here.
  const waiting =
    /^console error: Failed to load resource: net::ERR_CONNECTION_(REFUSED|RESET) \(http:\/\/127\.0\.0\.1:\d+\/api\/auth\/session\)$/;
  guard.problems.splice(0, guard.problems.length, ...guard.problems.filter((p) => !waiting.test(p)));
  guard.assertClean();
  await context.close();
  // The harness's API client was signed out by the restore.
  await h.admin.call('POST', '/api/auth/login', { email: HARNESS_ADMIN.email, password: HARNESS_ADMIN.password });
});
