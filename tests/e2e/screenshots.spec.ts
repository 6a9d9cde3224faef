// Screenshots of every console page in ja and en, at desktop (1280x800) and phone (390x844) sizes, into
// test-output/screenshots/<page>-<lang>-<desktop|phone>.png, for people to look at. Each page and dialog is also
// scanned with axe-core once (in en on desktop, in ja on phone: A11Y_SCANS), and no page may break the CSP.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { A11Y_SCANS, expectNoSeriousA11y, watchCsp, type CspWatch } from './axe.js';
import { guardPage, type PageGuard } from './page-guard.js';
import { startTsunagu, TEST_OUTPUT, type TsunaguServer } from './server.js';

const SHOTS = join(TEST_OUTPUT, 'screenshots');
const ADMIN = { email: 'admin@example.com', displayName: '管理者 花子', password: 'correct horse battery 42' };
const LANGS = [
  { lang: 'ja', locale: 'ja-JP' },
  { lang: 'en', locale: 'en-US' },
] as const;
const DEVICES = [
  { device: 'desktop', viewport: { width: 1280, height: 800 }, isMobile: false },
  { device: 'phone', viewport: { width: 390, height: 844 }, isMobile: true },
] as const;

const SEED_USERS = [
  { email: 'yamada.taro@example.com', displayName: '<b>山田</b> 太郎', locale: 'ja' },
  {
    email: 'suzuki.hanako@example.com',
    displayName: '鈴木 花子',
    locale: 'ja',
    password: 'Welcome-2026-sh',
    temporaryPassword: true,
  },
  {
    email: 'sato.kenji@example.com',
    displayName: "佐藤 健二'); DROP TABLE users;--",
    locale: 'ja',
    password: 'Permanent-Pass-22',
    temporaryPassword: false,
  },
  { email: 'alex.smith@example.com', displayName: 'Alex Smith', locale: 'en' },
  {
    email: 'takahashi.misaki.long-address@sales.example.co.jp',
    displayName: '高橋 美咲（営業部 第二課 シニアマネージャー）',
    locale: 'ja',
  },
  { email: 'tanaka@example.com', displayName: '田中 一郎', locale: 'ja' },
  {
    email: 'maria.garcia@example.com',
    displayName: 'María García',
    locale: 'en',
    password: 'Welcome-2026-mg',
    temporaryPassword: true,
  },
];

const BAD_CSV = [
  'email,display_name,locale,password,temporary_password',
  'kobayashi@example.com,小林 誠,ja,,',
  'not-an-email,壊れた行,ja,,',
  'yamada.taro@example.com,山田 太郎,ja,,',
  'mori@example.com,森 由美,fr,short,maybe',
  '',
].join('\r\n');

let server: TsunaguServer;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  // The folder is emptied once per run by global-setup.ts, so every picture in it is from this run.
  mkdirSync(SHOTS, { recursive: true });
  server = await startTsunagu('screenshots');
});

test.afterAll(async () => {
  if (server) expect(await server.stop(), server.output()).toBe(0);
});

/** The text input with `testId` (on the <input> itself or on its wrapper). */
function input(scope: Page | Locator, testId: string): Locator {
  return scope.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first();
}

async function newPage(
  browser: Browser,
  locale: string,
  device: (typeof DEVICES)[number],
): Promise<{ context: BrowserContext; page: Page; guard: PageGuard; csp: CspWatch }> {
  const context = await browser.newContext({
    baseURL: server.adminUrl,
    locale,
    viewport: device.viewport,
    isMobile: device.isMobile,
    hasTouch: device.isMobile,
    deviceScaleFactor: 1,
  });
  const csp = await watchCsp(context);
  const page = await context.newPage();
  return { context, page, guard: guardPage(page), csp };
}

async function shoot(page: Page, name: string, lang: string, device: string, fullPage = true): Promise<void> {
  // No hover effects in the picture, and fonts loaded so the Japanese glyphs are in it.
  await page.mouse.move(0, 0);
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({
    path: join(SHOTS, `${name}-${lang}-${device}.png`),
    fullPage,
    animations: 'disabled',
    caret: 'hide',
  });
}

test('the setup page', async ({ browser }) => {
  for (const { lang, locale } of LANGS) {
    for (const device of DEVICES) {
      const { context, page, guard, csp } = await newPage(browser, locale, device);
      await page.goto(`/setup#token=${server.setupToken}`);
      await expect(input(page, 'setup-token')).toHaveValue(server.setupToken);
      await expect(page).toHaveURL(/\/setup$/);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await shoot(page, 'setup', lang, device.device);
      if (A11Y_SCANS.has(`${lang}-${device.device}`))
        await expectNoSeriousA11y(page, `setup (${lang}, ${device.device})`);
      guard.assertClean();
      csp.assertClean();
      await context.close();
    }
  }
});

test('seed an administrator and users through the API', async ({ playwright }) => {
  const api = await playwright.request.newContext({ baseURL: server.adminUrl });
  const setup = await api.post('/api/setup', { data: { setupToken: server.setupToken, ...ADMIN } });
  expect(setup.status(), await setup.text()).toBe(201);
  const { csrfToken } = (await setup.json()) as { csrfToken: string };
  const headers = { 'x-csrf-token': csrfToken };
  const batch = await api.post('/api/users/batch', { data: { users: SEED_USERS }, headers });
  expect(batch.status(), await batch.text()).toBe(201);
  const { created } = (await batch.json()) as { created: { id: string; email: string }[] };
  const tanaka = created.find((u) => u.email === 'tanaka@example.com');
  const disable = await api.patch(`/api/users/${tanaka?.id}`, { data: { disabled: true }, headers });
  expect(disable.status(), await disable.text()).toBe(200);
  await api.dispose();
});

for (const { lang, locale } of LANGS) {
  for (const device of DEVICES) {
    test(`every signed-in page in ${lang} on ${device.device}`, async ({ browser }) => {
      test.setTimeout(240_000);
      const phone = device.device === 'phone';
      const { context, page, guard, csp } = await newPage(browser, locale, device);
      const shot = (name: string, fullPage = true) => shoot(page, name, lang, device.device, fullPage);
      const a11y = (name: string) =>
        A11Y_SCANS.has(`${lang}-${device.device}`)
          ? expectNoSeriousA11y(page, `${name} (${lang}, ${device.device})`)
          : Promise.resolve();

      // Sign-in lands on the dashboard unless a redirect asks for another page: the users page here.
      await page.goto('/login?redirect=/users');
      await expect(page.getByTestId('login-form')).toBeVisible();
      await shot('login');
      await a11y('login');

      await input(page, 'login-email').fill(ADMIN.email);
      await input(page, 'login-password').fill(ADMIN.password);
      await page.getByTestId('login-submit').click();
      await expect(page).toHaveURL(/:\d+\/users$/);
      const list = page.getByTestId(phone ? 'user-cards' : 'user-table');
      await expect(list).toContainText('yamada.taro@example.com');
      // Let the sign-in toast go before the picture.
      await expect(page.locator('.el-message')).toHaveCount(0, { timeout: 10_000 });
      await shot('users');
      await a11y('users');

      await page.getByTestId('add-user').click();
      const userDialog = page.getByTestId('user-dialog');
      await expect(userDialog).toBeVisible();
      await shot('add-user', false);
      await a11y('add-user');
      await userDialog.getByRole('button', { name: lang === 'ja' ? 'キャンセル' : 'Cancel', exact: true }).click();
      await expect(userDialog).toBeHidden();

      await page.getByTestId('add-several').click();
      const batch = page.getByTestId('batch-dialog');
      await expect(batch).toBeVisible();
      const rows = batch.getByTestId('batch-row');
      await input(rows.nth(0), 'batch-email').fill('yamada.taro@example.com');
      await input(rows.nth(0), 'batch-display-name').fill('山田 太郎');
      await input(rows.nth(1), 'batch-email').fill('kimura@example.com');
      await input(rows.nth(1), 'batch-display-name').fill('木村 拓也');
      await input(rows.nth(1), 'batch-password').fill('Welcome-2026-kt');
      await batch.getByTestId('batch-submit').click();
      await expect(rows.nth(0).getByTestId('batch-row-error')).toBeVisible();
      await shot('add-several', false);
      await a11y('add-several');
      await batch.getByRole('button', { name: lang === 'ja' ? 'キャンセル' : 'Cancel', exact: true }).click();
      await expect(batch).toBeHidden();

      await page.getByTestId('import-csv').click();
      const importDialog = page.getByTestId('import-dialog');
      await expect(importDialog).toBeVisible();
      await importDialog
        .getByTestId('import-file')
        .setInputFiles({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD_CSV) });
      await importDialog.getByTestId('import-submit').click();
      await expect(importDialog.getByTestId('import-error')).toBeVisible();
      await shot('import-error', false);
      await a11y('import-error');
      await importDialog.getByRole('button', { name: lang === 'ja' ? '閉じる' : 'Close', exact: true }).click();
      await expect(importDialog).toBeHidden();

      const firstEdit = phone
        ? page
            .getByTestId('user-card')
            .filter({ hasText: 'suzuki.hanako@example.com' })
            .getByRole('button', { name: lang === 'ja' ? '編集' : 'Edit', exact: true })
        : page
            .getByTestId('user-table')
            .locator('.el-table__body tr')
            .filter({ hasText: 'suzuki.hanako@example.com' })
            .getByRole('button', { name: lang === 'ja' ? '編集' : 'Edit', exact: true });
      await firstEdit.click();
      await expect(userDialog).toBeVisible();
      await userDialog
        .getByTestId('password-mode')
        .getByText(lang === 'ja' ? '新しいパスワードを設定' : 'Set a new password')
        .click();
      await shot('edit-user', false);
      await a11y('edit-user');
      await userDialog.getByRole('button', { name: lang === 'ja' ? 'キャンセル' : 'Cancel', exact: true }).click();
      await expect(userDialog).toBeHidden();

      if (phone) {
        await page.getByTestId('open-menu').click();
        const drawer = page.locator('.nav-drawer');
        await expect(drawer).toBeVisible();
        await shot('navigation', false);
        await a11y('navigation');
        await drawer.getByRole('link', { name: lang === 'ja' ? 'ユーザー設定' : 'User settings' }).click();
        await expect(drawer).toBeHidden();
      } else {
        await page
          .getByRole('navigation')
          .getByRole('link', { name: lang === 'ja' ? 'ユーザー設定' : 'User settings' })
          .click();
      }
      await expect(page).toHaveURL(/\/settings\/users$/);
      await expect(page.getByTestId('settings-form')).toBeVisible();
      await shot('user-settings');
      await a11y('user-settings');

      await page.goto('/audit');
      await expect(page.getByTestId(phone ? 'audit-cards' : 'audit-table')).toContainText('user.import_rejected');
      await page.getByTestId('verify-chain').click();
      await expect(page.getByTestId('verify-result')).toBeVisible();
      await expect(page.locator('.el-message')).toHaveCount(0, { timeout: 10_000 });
      await shot('audit');
      await a11y('audit');

      guard.assertClean();
      csp.assertClean();
      await context.close();
    });
  }
}
