// The admin console end to end, in Chromium against the real server: first-run setup through the audit trail.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  expect,
  test,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
  type Request,
} from '@playwright/test';
import { option } from './console-kit.js';
import { guardPage, type PageGuard } from './page-guard.js';
import { runTsunagu, startTsunagu, TEST_OUTPUT, type TsunaguServer } from './server.js';

const ADMIN = { email: 'admin@example.com', displayName: 'Office Admin', password: 'correct horse battery 42' };
const HTML_NAME = '<b>山田</b> 太郎';
const SQL_NAME = "Sato'); DROP TABLE users;--";

const CSV_HEADER = 'email,display_name,locale,password,temporary_password';
const CSV_BAD = [
  CSV_HEADER,
  'kato@example.com,加藤 一郎,ja,,',
  'not-an-email,Broken Row,en,,',
  'ito@example.com,Ito Mika,en,Welcome-2026-ito,yes',
  '',
].join('\r\n');
const CSV_FIXED = [
  CSV_HEADER,
  'kato@example.com,加藤 一郎,ja,,',
  'watanabe@example.com,渡辺 健,ja,,',
  'ito@example.com,Ito Mika,en,Welcome-2026-ito,yes',
  '',
].join('\r\n');

test.describe.configure({ mode: 'serial' });

let server: TsunaguServer;
let context: BrowserContext;
let page: Page;
let guard: PageGuard;

/** The text input with `testId`: element-plus puts the attribute on the <input> itself or on its wrapper. */
function input(testId: string, scope: Page | Locator = page): Locator {
  return scope.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first();
}

/** The users table row that contains `text`. */
function userRow(text: string): Locator {
  return page.getByTestId('user-table').locator('.el-table__body tr').filter({ hasText: text });
}

/** Waits for the success toast saying `text`. */
async function expectSuccess(text: string | RegExp): Promise<void> {
  await expect(page.locator('.el-message--success').filter({ hasText: text }).first()).toBeVisible();
}

async function openContext(browser: Browser): Promise<void> {
  context = await browser.newContext({
    baseURL: server.adminUrl,
    locale: 'en-US',
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  page = await context.newPage();
  guard = guardPage(page);
}

test.beforeAll(async ({ browser }) => {
  server = await startTsunagu('console');
  await openContext(browser);
});

test.afterEach(() => {
  guard.assertClean();
});

test.afterAll(async () => {
  await context?.close();
  if (server) {
    const code = await server.stop();
    expect(code, server.output()).toBe(0);
  }
});

test('first-run setup creates the administrator and signs in', async () => {
  // Any console page sends the first visitor to setup. (`/` itself is not opened: the server answers it
  // with a 500 until its static-file route serves index.html for the bare root.)
  await page.goto('/users');
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole('heading', { name: 'Set up Tsunagu' })).toBeVisible();

  // A wrong token is refused on the token field.
  await input('setup-token').fill('not-the-token');
  await input('setup-email').fill(ADMIN.email);
  await input('setup-display-name').fill(ADMIN.displayName);
  await input('setup-password').fill(ADMIN.password);
  await input('setup-confirm').fill(ADMIN.password);
  await page.getByTestId('setup-submit').click();
  await expect(page.getByText('The setup token is wrong or expired.', { exact: false })).toBeVisible();

  await input('setup-token').fill(server.setupToken);
  await page.getByTestId('setup-submit').click();
  // The setup wizard comes next (tests/e2e/wizard.spec.ts goes through it); this spec goes on to the users.
  await expect(page).toHaveURL(/\/wizard$/);
  await expectSuccess('Setup is complete');
  await page.getByRole('link', { name: 'Users' }).first().click();
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByTestId('signed-in-admin')).toContainText(ADMIN.displayName);
  await expect(page.getByRole('navigation', { name: 'Main navigation' })).toBeVisible();
  await expect(page.getByTestId('users-empty')).toBeVisible();
});

test('sign out, a wrong password is refused, then sign in', async () => {
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/login$/);
  await expectSuccess('You have signed out.');

  await input('login-email').fill(ADMIN.email);
  await input('login-password').fill('wrong password 123');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toHaveText('The email address or password is wrong.');
  await expect(page).toHaveURL(/\/login$/);

  await input('login-password').fill(ADMIN.password);
  await page.getByTestId('login-submit').click();
  // Sign-in lands on the dashboard.
  await expect(page).toHaveURL(/:\d+\/$/);
  await expect(page.getByTestId('dashboard')).toBeVisible();
  await expect(page.getByTestId('signed-in-admin')).toContainText(ADMIN.displayName);
  // The next tests start on the users page.
  await page.getByRole('link', { name: 'Users' }).first().click();
  await expect(page).toHaveURL(/\/users$/);
});

test('add a user whose name looks like HTML; it shows literally', async () => {
  await page.getByTestId('add-user').click();
  const dialog = page.getByTestId('user-dialog');
  await expect(dialog).toBeVisible();
  await input('user-email', dialog).fill('yamada@example.com');
  await input('user-display-name', dialog).fill(HTML_NAME);
  await dialog.getByTestId('user-submit').click();
  await expectSuccess('Added yamada@example.com.');
  await expect(dialog).toBeHidden();

  await expect(userRow('yamada@example.com')).toContainText(HTML_NAME);
  await expect(page.getByTestId('user-table').locator('b')).toHaveCount(0);
  await expect(page.getByTestId('user-total')).toHaveText('Users: 1');

  // The same email again is refused on the email field.
  await page.getByTestId('add-user').click();
  await input('user-email', dialog).fill('YAMADA@example.com');
  await input('user-display-name', dialog).fill('Someone Else');
  await dialog.getByTestId('user-submit').click();
  await expect(dialog.locator('.el-form-item.is-error').filter({ hasText: 'Email address' })).toContainText(
    'A user with this email address already exists.',
  );
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('user-total')).toHaveText('Users: 1');
});

test('add several: a row error is shown beside its row and nothing is added, then two users are added', async () => {
  await page.getByTestId('add-several').click();
  const dialog = page.getByTestId('batch-dialog');
  await expect(dialog).toBeVisible();
  const rows = dialog.getByTestId('batch-row');
  await expect(rows).toHaveCount(3);

  await input('batch-email', rows.nth(0)).fill('sato@example.com');
  await input('batch-display-name', rows.nth(0)).fill(SQL_NAME);
  await input('batch-email', rows.nth(1)).fill('suzuki@example.com');
  await input('batch-display-name', rows.nth(1)).fill('Suzuki Hanako');
  await input('batch-password', rows.nth(1)).fill('Temporary-Pass-1');
  await input('batch-email', rows.nth(2)).fill('yamada@example.com');
  await input('batch-display-name', rows.nth(2)).fill('Duplicate Yamada');
  await dialog.getByTestId('batch-submit').click();

  await expect(dialog.getByTestId('batch-error')).toContainText('Nothing was added.');
  await expect(rows.nth(2).getByTestId('batch-row-error')).toContainText('already used by another user');
  await expect(rows.nth(0).getByTestId('batch-row-error')).toHaveCount(0);
  await expect(rows.nth(1).getByTestId('batch-row-error')).toHaveCount(0);
  await expect(page.getByTestId('user-total')).toHaveText('Users: 1');

  await rows.nth(2).getByTestId('batch-remove').click();
  await expect(rows).toHaveCount(2);
  await dialog.getByTestId('batch-submit').click();
  await expectSuccess('Added 2 users.');
  await expect(dialog).toBeHidden();

  await expect(page.getByTestId('user-total')).toHaveText('Users: 3');
  await expect(userRow('sato@example.com')).toContainText(SQL_NAME);
  await expect(userRow('suzuki@example.com')).toContainText('Temporary');
  await expect(userRow('yamada@example.com')).toContainText('None');
});

test('import a CSV with a bad row: the line is named and nothing is imported; the fixed file imports', async () => {
  await page.getByTestId('import-csv').click();
  const dialog = page.getByTestId('import-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('import-columns')).toContainText('display_name');
  await expect(dialog.getByTestId('import-columns')).toContainText('temporary_password');

  // The sample file is generated in the browser.
  const sampleDownload = page.waitForEvent('download');
  await dialog.getByTestId('import-sample').click();
  const sample = await sampleDownload;
  expect(sample.suggestedFilename()).toBe('tsunagu-users-sample.csv');
  expect(readFileSync(await sample.path(), 'utf8')).toContain(CSV_HEADER);

  await dialog
    .getByTestId('import-file')
    .setInputFiles({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV_BAD) });
  await expect(dialog.getByTestId('import-selected')).toContainText('staff.csv');
  await dialog.getByTestId('import-submit').click();

  const error = dialog.getByTestId('import-error');
  await expect(error).toBeVisible();
  await expect(error).toContainText('Nothing was imported');
  await expect(error).toContainText('No users were added');
  const problem = error.getByTestId('import-error-row');
  await expect(problem).toHaveCount(1);
  await expect(problem.locator('td').nth(0)).toHaveText('3');
  await expect(problem.locator('td').nth(1)).toHaveText('email');
  await expect(problem.locator('td').nth(2)).toContainText('Enter an email address');
  await expect(page.getByTestId('user-total')).toHaveText('Users: 3');

  // The fixed file, dropped onto the drop zone.
  const dataTransfer = await page.evaluateHandle((text) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], 'staff-fixed.csv', { type: 'text/csv' }));
    return transfer;
  }, CSV_FIXED);
  await dialog.getByTestId('import-drop-zone').dispatchEvent('drop', { dataTransfer });
  await expect(dialog.getByTestId('import-selected')).toContainText('staff-fixed.csv');
  await expect(dialog.getByTestId('import-error')).toHaveCount(0);
  await dialog.getByTestId('import-submit').click();
  await expectSuccess('Imported 3 users from staff-fixed.csv.');
  await expect(dialog).toBeHidden();

  await expect(page.getByTestId('user-total')).toHaveText('Users: 6');
  await expect(userRow('kato@example.com')).toContainText('加藤 一郎');
  await expect(userRow('watanabe@example.com')).toContainText('渡辺 健');
  await expect(userRow('ito@example.com')).toContainText('Temporary');
});

test('edit one user, disable another, delete a third', async () => {
  await userRow('suzuki@example.com').getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByTestId('user-dialog');
  await expect(dialog).toBeVisible();
  await expect(input('user-email', dialog)).toHaveValue('suzuki@example.com');
  await input('user-display-name', dialog).fill('Suzuki Hanako (Sales)');
  await dialog.getByTestId('password-mode').getByText('Set a new password').click();
  await input('user-password', dialog).fill('Permanent-Pass-22');
  await dialog.getByTestId('user-submit').click();
  await expectSuccess('Saved the changes to suzuki@example.com.');
  await expect(dialog).toBeHidden();
  await expect(userRow('suzuki@example.com')).toContainText('Suzuki Hanako (Sales)');
  await expect(userRow('suzuki@example.com')).toContainText('Set');

  await userRow('sato@example.com').getByTestId('user-actions').click();
  await option(page, 'Disable').click();
  await expectSuccess('sato@example.com is now disabled.');
  await expect(userRow('sato@example.com')).toContainText('Disabled');
  await userRow('sato@example.com').getByTestId('user-actions').click();
  await expect(option(page, 'Enable')).toBeVisible();
  // The trigger closes its menu again (an open menu covers the rows below it).
  await userRow('sato@example.com').getByTestId('user-actions').click();
  await expect(option(page, 'Enable')).toBeHidden();

  // Delete asks first and says what happens to devices and invitations.
  await userRow('watanabe@example.com').getByTestId('user-actions').click();
  await option(page, 'Delete').click();
  const confirm = page.getByTestId('delete-dialog');
  await expect(confirm).toBeVisible();
  await expect(confirm).toContainText('渡辺 健 (watanabe@example.com) will be deleted');
  await expect(confirm).toContainText('Their devices stay enrolled and managed');
  await confirm.getByTestId('delete-confirm').click();
  await expectSuccess('Deleted watanabe@example.com.');
  await expect(confirm).toBeHidden();
  await expect(userRow('watanabe@example.com')).toHaveCount(0);
  await expect(page.getByTestId('user-total')).toHaveText('Users: 5');

  // Search narrows the list.
  await input('user-search').fill('suzuki');
  await expect(page.getByTestId('user-total')).toHaveText('Users: 1');
  await input('user-search').fill('');
  await expect(page.getByTestId('user-total')).toHaveText('Users: 5');
});

test('change a user setting; a reminder after the invitation expires is refused on its field', async () => {
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'User settings' }).click();
  await expect(page).toHaveURL(/\/settings\/users$/);
  const form = page.getByTestId('settings-form');
  await expect(form).toBeVisible();
  await expect(input('setting-profileValidityMinutes', form)).toHaveValue('15');

  await input('setting-invitationValidityDays', form).fill('4');
  await input('setting-invitationValidityDays', form).press('Tab');
  await page.getByTestId('settings-save').click();
  await expect(form.locator('.el-form-item.is-error')).toContainText(
    'Each reminder must come before the invitation expires (day 4).',
  );

  await input('setting-invitationValidityDays', form).fill('14');
  await input('setting-invitationValidityDays', form).press('Tab');
  await input('setting-profileValidityMinutes', form).fill('20');
  await input('setting-profileValidityMinutes', form).press('Tab');
  const directoryPin = form.getByTestId('setting-requirePinForDirectory');
  await expect(directoryPin.getByRole('switch')).not.toBeChecked();
  await directoryPin.click();
  await page.getByTestId('settings-save').click();
  await expectSuccess('User settings saved.');
  await expect(form.locator('.el-form-item.is-error')).toHaveCount(0);

  await page.reload();
  await expect(input('setting-profileValidityMinutes', page.getByTestId('settings-form'))).toHaveValue('20');
  await expect(page.getByTestId('setting-requirePinForDirectory').getByRole('switch')).toBeChecked();
});

test('the audit trail shows every step, filters, exports and verifies the chain', async () => {
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Audit trail' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  const table = page.getByTestId('audit-table');
  await expect(table.locator('.el-table__body tr').first()).toBeVisible();

  const codes = await table.locator('.el-table__body [data-testid=audit-action-cell] code').allTextContents();
  for (const action of [
    'admin.setup',
    'admin.login',
    'admin.logout',
    'admin.login_failed',
    'user.created',
    'user.import_rejected',
    'user.imported',
    'user.updated',
    'user.disabled',
    'user.deleted',
    'settings.updated',
  ]) {
    expect(codes, `the audit trail lists ${action}`).toContain(action);
  }
  expect(codes[0]).toBe('settings.updated');
  await expect(table).toContainText('First administrator set up');
  await expect(table).toContainText('Sign-in failed');
  await expect(table).toContainText('CSV import rejected');
  await expect(table).toContainText('"profileValidityMinutes"');

  // A prefix filter keeps only the user events.
  await input('audit-action').fill('user.');
  await page.getByTestId('audit-apply').click();
  await expect
    .poll(async () => {
      const shown = await table.locator('.el-table__body [data-testid=audit-action-cell] code').allTextContents();
      return shown.length > 0 && shown.every((code) => code.startsWith('user.'));
    })
    .toBe(true);
  await page.getByTestId('audit-reset').click();
  await expect(table).toContainText('settings.updated');

  // A time range in the future matches nothing.
  await input('audit-from').fill('2099-01-01 00:00');
  await input('audit-from').press('Enter');
  await page.getByTestId('audit-apply').click();
  await expect(page.getByTestId('audit-empty')).toHaveText('No events match these filters.');
  await page.getByTestId('audit-reset').click();
  await expect(table).toContainText('settings.updated');

  // Export is a plain download link.
  const csvDownload = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const csv = await csvDownload;
  expect(csv.suggestedFilename()).toMatch(/^tsunagu-audit-\d{4}-\d{2}-\d{2}\.csv$/);
  const csvText = readFileSync(await csv.path(), 'utf8');
  expect(csvText.split('\r\n')[0]).toBe(
    'seq,id,at,actorType,actorId,actorLabel,action,subjectType,subjectId,subjectLabel,details,sourceAddress,prevHash,hash',
  );
  expect(csvText).toContain('user.import_rejected');

  await page.getByTestId('verify-chain').click();
  await expect(page.getByTestId('verify-result')).toHaveText(/^OK, \d+ events verified\.$/);
});

test('the language switch turns the console Japanese and is remembered', async () => {
  // Each language's messages are their own chunk, fetched when that language is first shown (the page guard fails
  // the test on any "Missing … translation" error: the switch waits for the messages).
  const catalogues: string[] = [];
  const onRequest = (request: Request) => {
    const m = /\/assets\/messages-(ja|en)-[\w-]+\.js$/.exec(request.url());
    if (m) catalogues.push(m[1] as string);
  };
  page.on('request', onRequest);
  await page.getByTestId('language-switch').getByText('日本語').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  await expect(
    page.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '監査ログ' }),
  ).toBeVisible();
  await expect(page.getByTestId('audit-table')).toContainText('最初の管理者を作成');
  expect(catalogues).toEqual(['ja']);
  await page.screenshot({
    path: join(TEST_OUTPUT, 'screenshots', 'language-switch-ja.png'),
    animations: 'disabled',
    caret: 'hide',
  });
  await page.reload();
  await expect(page.getByRole('heading', { name: '監査ログ' })).toBeVisible();
  await expect(page.locator('.el-table__header')).toContainText('日時');
  // Reloaded in Japanese: only the Japanese messages were fetched.
  expect(catalogues).toEqual(['ja', 'ja']);
  await page.getByTestId('language-switch').getByText('English').click();
  await expect(page.getByRole('heading', { name: 'Audit trail' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  expect(catalogues).toEqual(['ja', 'ja', 'en']);
  await page.screenshot({
    path: join(TEST_OUTPUT, 'screenshots', 'language-switch-en.png'),
    animations: 'disabled',
    caret: 'hide',
  });
  page.off('request', onRequest);
});

test('more than one page of users: "load more" follows the cursor', async () => {
  const { csrfToken } = (await (await page.request.get('/api/auth/session')).json()) as { csrfToken: string };
  const users = Array.from({ length: 55 }, (_, i) => ({
    email: `bulk${String(i).padStart(2, '0')}@example.com`,
    displayName: `Bulk ${i}`,
  }));
  const added = await page.request.post('/api/users/batch', {
    data: { users },
    headers: { 'x-csrf-token': csrfToken },
  });
  expect(added.status(), await added.text()).toBe(201);

  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByTestId('user-total')).toHaveText('Users: 60');
  await expect(page.getByTestId('user-showing')).toHaveText('Showing 50 of 60');
  await page.getByTestId('users-load-more').click();
  await expect(page.getByTestId('user-showing')).toHaveText('Showing 60 of 60');
  await expect(page.getByTestId('users-load-more')).toHaveCount(0);
  await expect(page.getByTestId('user-table').locator('.el-table__body tr')).toHaveCount(60);
});

test('repeated wrong passwords lock sign-in, and the page says for how long', async ({ browser }) => {
  const other = await browser.newContext({ baseURL: server.adminUrl, locale: 'en-US' });
  const signIn = await other.newPage();
  const otherGuard = guardPage(signIn);
  await signIn.goto('/login');
  await input('login-email', signIn).fill(ADMIN.email);
  for (let attempt = 1; attempt <= 5; attempt++) {
    await input('login-password', signIn).fill(`wrong password ${attempt}`);
    await Promise.all([signIn.waitForResponse('**/api/auth/login'), signIn.getByTestId('login-submit').click()]);
    await expect(signIn.getByTestId('login-error')).toHaveText('The email address or password is wrong.');
  }
  await input('login-password', signIn).fill(ADMIN.password);
  await signIn.getByTestId('login-submit').click();
  await expect(signIn.getByTestId('login-locked')).toHaveText(
    /^Too many failed sign-ins\. Try again in \d+ seconds\.$/,
  );
  await expect(signIn.getByTestId('login-submit')).toBeDisabled();
  await expect(signIn).toHaveURL(/\/login$/);
  otherGuard.assertClean();
  await other.close();
});

test('`tsunagu audit verify` on the same data directory says the trail is intact', async () => {
  const result = await runTsunagu(['audit', 'verify'], server.env);
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  expect(result.stdout).toContain('Audit trail OK');
});
