// The Users page's actions in Chromium against a real server and SMTP sink: every action from a user's row menu
// (keyboard included), the bulk bar's disable/enable/delete, and a CSV import that sends invitations; then
// screenshots of the menu and each dialog in ja and en at desktop and phone sizes, into
// test-output/screenshots/user-actions-*-<lang>-<size>.png.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { send } from '../helpers/http.js';
import { PortalClient } from '../helpers/portal-client.js';
import { local, startHarness, type Harness } from '../helpers/server-harness.js';
import { sinkSmtpSettings, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import {
  expectToast,
  input,
  noToasts,
  openConsole,
  pinIn,
  screenshot,
  SIZES,
  waitForMails,
  type ConsolePage,
} from './console-kit.js';

const PASSWORD = 'a long enough password';

test.describe.configure({ mode: 'serial' });

let h: Harness;
let sink: SmtpSink;
let c: ConsolePage;
let page: Page;
let caPem: string;
let origin: string;
let base: string;

async function addUser(email: string, displayName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.admin.call('POST', '/api/users', { email, displayName, locale: 'en', ...extra });
  expect(res.status, res.text).toBe(201);
  return res.json<{ id: string }>().id;
}

function userRow(p: Page, text: string): Locator {
  return p.getByTestId('user-table').locator('.el-table__body tr').filter({ hasText: text });
}

/** The visible item of the open row menu. */
function menuItem(p: Page, action: string): Locator {
  return p.locator(`.el-dropdown-menu__item[data-testid="user-action-${action}"]:visible`);
}

async function rowAction(p: Page, email: string, action: string): Promise<void> {
  await userRow(p, email).getByTestId('user-actions').click();
  await menuItem(p, action).click();
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  sink = await startSmtpSink();
  h = await startHarness();
  caPem = h.server.services.ca.caCertificate().pem;
  origin = new URL(local(h.server.enrollmentUrl)).origin;
  base = String((await send(`${origin}/go`, { ca: caPem })).headers.location);
  const smtp = await h.admin.call('PUT', '/api/mail/smtp', sinkSmtpSettings(sink));
  expect(smtp.status, smtp.text).toBe(200);
  await addUser('temp@example.com', 'Temp Person', { password: PASSWORD });
  await addUser('reset@example.com', 'Reset Person', { password: PASSWORD });
  await addUser('pin@example.com', 'Pin Person');
  await addUser('bulk-a@example.com', 'Bulk A');
  await addUser('bulk-b@example.com', 'Bulk B');
});

test.afterAll(async () => {
  await h?.stop();
  await sink?.close();
});

test.describe('actions', () => {
  test.beforeAll(async ({ browser }) => {
    c = await openConsole(browser, h);
    page = c.page;
  });
  test.afterEach(() => c.guard.assertClean());
  test.afterAll(async () => {
    await c?.context.close();
  });

  test('the row menu opens and acts from the keyboard', async () => {
    const trigger = userRow(page, 'temp@example.com').getByTestId('user-actions');
    await expect(trigger).toHaveAccessibleName('Actions for temp@example.com');
    await trigger.focus();
    await page.keyboard.press('Enter');
    await expect(menuItem(page, 'temporaryPassword')).toBeVisible();
    // The first item takes the focus; arrow keys move through the items; Enter picks one.
    await expect(menuItem(page, 'invite')).toBeFocused();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    await expect(menuItem(page, 'temporaryPassword')).toBeFocused();
    await page.keyboard.press('Enter');
    const confirm = page.getByTestId('user-action-confirm');
    await expect(confirm).toContainText('Give a temporary password?');
    await page.keyboard.press('Escape');
    await expect(confirm).toBeHidden();
  });

  test('temporary password: shown once, and the portal asks for a new one at the first sign-in', async () => {
    await rowAction(page, 'temp@example.com', 'temporaryPassword');
    const confirm = page.getByTestId('user-action-confirm');
    await expect(confirm).toContainText('Hand it over in person or by phone');
    await confirm.getByTestId('user-action-confirm-confirm').click();
    const dialog = page.getByTestId('temporary-password-dialog');
    await expect(dialog).toContainText('This is the only time it is shown.');
    const password = await input(dialog, 'temporary-password-value').inputValue();
    expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    await dialog.getByTestId('temporary-password-close').click();
    await expect(userRow(page, 'temp@example.com')).toContainText('Temporary');
    const portal = new PortalClient(origin, caPem, undefined, 'en-US');
    const res = await portal.post(`${base}/sign-in`, { email: 'temp@example.com', secret: password });
    expect(String(res.headers.location)).toMatch(/\/password$/);
  });

  test('password reset by email: the user gets a link and PIN to choose a new password', async () => {
    await rowAction(page, 'reset@example.com', 'resetPassword');
    const confirm = page.getByTestId('user-action-confirm');
    await expect(confirm).toContainText('The current password stops working now.');
    await confirm.getByTestId('user-action-confirm-confirm').click();
    await expectToast(page, 'Password reset: reset@example.com was emailed');
    const [mail] = await waitForMails(sink.messages, 'reset@example.com', 1);
    expect(mail?.subject).toBe('Choose a new password for Tsunagu');
    expect(pinIn(mail!)).toMatch(/^\d{6,8}$/);
    await expect(userRow(page, 'reset@example.com')).toContainText('None');
  });

  test('new PIN: without an open invitation it offers one; with it, the PIN is shown once and emailed', async () => {
    await rowAction(page, 'pin@example.com', 'newPin');
    await page.getByTestId('user-action-confirm').getByTestId('user-action-confirm-confirm').click();
    await expect(page.locator('.el-message--info')).toContainText('has no open invitation');
    const invite = page.getByTestId('invite-confirm');
    await expect(invite).toContainText('Pin Person <pin@example.com>');
    await invite.getByTestId('invite-confirm-confirm').click();
    await expectToast(page, 'Invitation sent to pin@example.com.');
    await waitForMails(sink.messages, 'pin@example.com', 1);
    await rowAction(page, 'pin@example.com', 'newPin');
    await page.getByTestId('user-action-confirm').getByTestId('user-action-confirm-confirm').click();
    const dialog = page.getByTestId('new-pin-dialog');
    const pin = (await dialog.getByTestId('new-pin-value').textContent())?.trim() ?? '';
    expect(pin).toMatch(/^\d{6,8}$/);
    await dialog.getByTestId('new-pin-close').click();
    const mails = await waitForMails(sink.messages, 'pin@example.com', 2);
    expect(mails.map((m) => pinIn(m))).toContain(pin);
  });

  test('bulk: disable, enable, then delete two users, with a confirmation that says what happens', async () => {
    for (const email of ['bulk-a@example.com', 'bulk-b@example.com'])
      await userRow(page, email).locator('.el-checkbox').click();
    await page.getByTestId('users-bulk-disable').click();
    await expectToast(page, 'Disabled 2 users.');
    await expect(userRow(page, 'bulk-a@example.com')).toContainText('Disabled');
    for (const email of ['bulk-a@example.com', 'bulk-b@example.com'])
      await userRow(page, email).locator('.el-checkbox').click();
    await page.getByTestId('users-bulk-enable').click();
    await expectToast(page, 'Enabled 2 users.');
    for (const email of ['bulk-a@example.com', 'bulk-b@example.com'])
      await userRow(page, email).locator('.el-checkbox').click();
    await page.getByTestId('users-bulk-delete').click();
    const dialog = page.getByTestId('delete-dialog');
    await expect(dialog).toContainText('Delete 2 users?');
    await expect(dialog).toContainText('Their devices stay enrolled and managed');
    await expect(dialog).toContainText('Open invitations are withdrawn');
    await dialog.getByTestId('delete-confirm').click();
    await expectToast(page, 'Deleted 2 users.');
    await expect(userRow(page, 'bulk-a@example.com')).toHaveCount(0);
  });

  test('CSV import can send invitations once every row is in', async () => {
    await page.getByTestId('import-csv').click();
    const dialog = page.getByTestId('import-dialog');
    await dialog.getByTestId('import-file').setInputFiles({
      name: 'new-staff.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('email,display_name,locale\ncsv-1@example.com,CSV One,en\ncsv-2@example.com,CSV Two,ja\n'),
    });
    await dialog.getByTestId('import-send-invitations').click();
    await dialog.getByTestId('import-submit').click();
    await expectToast(page, 'Imported 2 users from new-staff.csv; invitations sent: 2.');
    await waitForMails(sink.messages, 'csv-1@example.com', 1);
    const [ja] = await waitForMails(sink.messages, 'csv-2@example.com', 1);
    expect(ja?.subject).toBe('Tsunagu デバイス登録のご案内');
  });
});

for (const { lang, locale } of [
  { lang: 'ja', locale: 'ja-JP' },
  { lang: 'en', locale: 'en-US' },
] as const) {
  for (const size of Object.keys(SIZES) as (keyof typeof SIZES)[]) {
    test(`screenshots in ${lang} on ${size}`, async ({ browser }) => {
      test.setTimeout(120_000);
      const phone = size === 'phone';
      const ja = lang === 'ja';
      const { context, page: p, guard } = await openConsole(browser, h, { locale, size });
      const shot = (name: string) => screenshot(p, `user-actions-${name}-${lang}-${size}`, { fullPage: false });
      const scope = (email: string) =>
        phone ? p.getByTestId('user-card').filter({ hasText: email }) : userRow(p, email);
      const openMenu = async (email: string) => {
        await scope(email).getByTestId('user-actions').click();
        await expect(menuItem(p, 'delete')).toBeVisible();
      };
      const cancel = (dialog: Locator) =>
        dialog.getByRole('button', { name: ja ? 'キャンセル' : 'Cancel', exact: true }).click();

      await expect(p.getByTestId(phone ? 'user-cards' : 'user-table')).toContainText('reset@example.com');
      await noToasts(p);
      await openMenu('reset@example.com');
      await shot('menu');
      await menuItem(p, 'resetPassword').click();
      const confirm = p.getByTestId('user-action-confirm');
      await expect(confirm).toBeVisible();
      await shot('reset-confirm');
      await cancel(confirm);
      await expect(confirm).toBeHidden();

      await openMenu('reset@example.com');
      await menuItem(p, 'temporaryPassword').click();
      await confirm.getByTestId('user-action-confirm-confirm').click();
      const temp = p.getByTestId('temporary-password-dialog');
      await expect(temp).toBeVisible();
      await shot('temporary-password');
      await temp.getByTestId('temporary-password-close').click();
      await expect(temp).toBeHidden();
      await noToasts(p);

      await openMenu('pin@example.com');
      await menuItem(p, 'delete').click();
      const del = p.getByTestId('delete-dialog');
      await expect(del).toBeVisible();
      await shot('delete-confirm');
      await cancel(del);
      await expect(del).toBeHidden();

      // Two selected: the bulk bar with invitation, disable, enable and delete.
      for (const email of ['csv-1@example.com', 'csv-2@example.com']) {
        if (phone) await scope(email).getByTestId('user-select').click();
        else await scope(email).locator('.el-checkbox').click();
      }
      await expect(p.getByTestId('users-bulk')).toBeVisible();
      await p.getByTestId('users-bulk').scrollIntoViewIfNeeded();
      await shot('bulk');
      await p.getByTestId('users-bulk-clear').click();
      await expect(p.getByTestId('users-bulk')).toHaveCount(0);

      await p.getByTestId('import-csv').click();
      const imp = p.getByTestId('import-dialog');
      await imp.getByTestId('import-send-invitations').click();
      await shot('import-invite');
      await imp.getByRole('button', { name: ja ? '閉じる' : 'Close', exact: true }).click();
      await expect(imp).toBeHidden();
      guard.assertClean();
      await context.close();
    });
  }
}
