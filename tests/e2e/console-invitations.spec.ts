// Invitations in the console, against an in-process server and a real SMTP server on 127.0.0.1: sending from the
// Users page (one, several, while adding), following them on the Invitations page, resend, new PIN, PIN lockout,
// revoke, skipped users, and a new enrollment address that retires the old links.
import { expect, test, type Page } from '@playwright/test';
import { send } from '../helpers/http.js';
import { PortalClient } from '../helpers/portal-client.js';
import { local, startHarness, type Harness } from '../helpers/server-harness.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import {
  choose,
  expectToast,
  input,
  linkIn,
  mailsTo,
  openConsole,
  option,
  pickUsers,
  pinIn,
  waitForMails,
  type ConsolePage,
} from './console-kit.js';

test.describe.configure({ mode: 'serial' });

let h: Harness;
let sink: SmtpSink;
let c: ConsolePage;
let page: Page;
let caPem: string;
let origin: string;

const ids: Record<string, string> = {};

async function addUser(email: string, displayName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.admin.call('POST', '/api/users', { email, displayName, locale: 'en', ...extra });
  expect(res.status, res.text).toBe(201);
  ids[email] = res.json<{ id: string }>().id;
  return ids[email] as string;
}

function userRow(text: string) {
  return page.getByTestId('user-table').locator('.el-table__body tr').filter({ hasText: text });
}

function invitationRow(text: string) {
  return page.getByTestId('invitation-table').locator('.el-table__body tr').filter({ hasText: text });
}

test.beforeAll(async ({ browser }) => {
  sink = await startSmtpSink();
  h = await startHarness();
  caPem = h.server.services.ca.caCertificate().pem;
  origin = local(h.server.enrollmentUrl).replace(/\/$/, '');
  const smtp = await h.admin.call('PUT', '/api/mail/smtp', {
    host: '127.0.0.1',
    port: sink.port,
    security: 'none',
    username: '',
    fromAddress: 'it@office.example',
    fromName: 'Office IT',
    allowSelfSigned: false,
  });
  expect(smtp.status, smtp.text).toBe(200);
  await addUser('kimura@example.com', 'Kimura Takuya');
  await addUser('mori@example.com', 'Mori Yumi');
  await addUser('ono@example.com', 'Ono Ken');
  await addUser('gone@example.com', 'Soon Gone');
  const disabled = await addUser('off@example.com', 'Disabled Person');
  await h.admin.call('PATCH', `/api/users/${disabled}`, { disabled: true });
  c = await openConsole(browser, h);
  page = c.page;
});

test.afterEach(() => c.guard.assertClean());

test.afterAll(async () => {
  await c?.context.close();
  await h?.stop();
  await sink?.close();
});

test('adding a user with "Send an invitation email now" sends the invitation; it arrives', async () => {
  await page.getByTestId('add-user').click();
  const dialog = page.getByTestId('user-dialog');
  await input(dialog, 'user-email').fill('yamada@example.com');
  await input(dialog, 'user-display-name').fill('山田 太郎');
  await dialog.getByTestId('user-send-invitation').click();
  await dialog.getByTestId('user-submit').click();
  await expectToast(page, 'Added yamada@example.com and sent an invitation.');
  const [mail] = await waitForMails(sink.messages, 'yamada@example.com', 1);
  expect(mail?.subject).toContain('Tsunagu');
  expect(linkIn(mail!, origin)).toMatch(/\/e\/[\w-]+\/i\/[\w-]+\/go$/);
  expect(pinIn(mail!)).toMatch(/^\d{6}$/);
});

test('one user from its row: asks first, then the invitation arrives', async () => {
  await userRow('kimura@example.com').getByTestId('user-actions').click();
  await option(page, 'Send invitation').click();
  const confirm = page.getByTestId('invite-confirm');
  await expect(confirm).toContainText('Send an invitation?');
  await expect(confirm).toContainText('Kimura Takuya <kimura@example.com>');
  await expect(confirm).toContainText('the link and PIN sent before stop working');
  await confirm.getByTestId('invite-confirm-confirm').click();
  await expectToast(page, 'Invitation sent to kimura@example.com.');
  await waitForMails(sink.messages, 'kimura@example.com', 1);
});

test('several selected users at once; a disabled user cannot be invited from its menu', async () => {
  await userRow('off@example.com').getByTestId('user-actions').click();
  await expect(page.locator('.el-dropdown-menu__item:visible').filter({ hasText: 'Send invitation' })).toHaveClass(
    /is-disabled/,
  );
  await page.keyboard.press('Escape');
  await userRow('mori@example.com').locator('.el-checkbox').click();
  await userRow('ono@example.com').locator('.el-checkbox').click();
  await expect(page.getByTestId('users-bulk')).toContainText('2 users selected');
  await page.getByTestId('users-bulk-invite').click();
  const confirm = page.getByTestId('invite-confirm');
  await expect(confirm).toContainText('Send 2 invitations?');
  await confirm.getByTestId('invite-confirm-confirm').click();
  await expectToast(page, 'Invitations sent to 2 users.');
  await expect(page.getByTestId('users-bulk')).toHaveCount(0);
  await waitForMails(sink.messages, 'mori@example.com', 1);
  await waitForMails(sink.messages, 'ono@example.com', 1);
});

test('add several: a row with "Invite" ticked is invited', async () => {
  await page.getByTestId('add-several').click();
  const dialog = page.getByTestId('batch-dialog');
  const rows = dialog.getByTestId('batch-row');
  await input(rows.nth(0), 'batch-email').fill('sato@example.com');
  await input(rows.nth(0), 'batch-display-name').fill('Sato Jiro');
  await rows.nth(0).getByTestId('batch-invite').click();
  await input(rows.nth(1), 'batch-email').fill('ito@example.com');
  await input(rows.nth(1), 'batch-display-name').fill('Ito Mika');
  await dialog.getByTestId('batch-submit').click();
  await expectToast(page, 'Added 2 users; invitations sent: 1.');
  await waitForMails(sink.messages, 'sato@example.com', 1);
  expect(mailsTo(sink.messages, 'ito@example.com')).toHaveLength(0);
});

test('the Invitations page shows each invitation with its progress and mail status, and filters by status', async () => {
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Invitations' }).click();
  await expect(page).toHaveURL(/\/invitations$/);
  await expect(page.getByTestId('invitation-total')).toHaveText('Invitations: 5');
  const row = invitationRow('kimura@example.com');
  await expect(row.getByTestId('invitation-status')).toHaveAttribute('data-status', 'sent');
  await expect(row.getByTestId('invitation-status')).toContainText('Sent');
  await expect(row.getByTestId('invitation-mail')).toHaveText('Sent');
  await expect(row).toContainText('v1');

  // Opening the link moves it on to "Opened".
  const [mail] = mailsTo(sink.messages, 'kimura@example.com');
  expect((await send(linkIn(mail!, origin), { ca: caPem })).status).toBe(200);
  await page.getByTestId('invitations-refresh').click();
  await expect(row.getByTestId('invitation-status')).toHaveAttribute('data-status', 'opened');

  await choose(page, 'invitation-status-filter', 'Opened');
  await expect(page.getByTestId('invitation-total')).toHaveText('Invitations: 1');
  await expect(invitationRow('kimura@example.com')).toHaveCount(1);
  await choose(page, 'invitation-status-filter', 'Revoked');
  await expect(page.getByTestId('invitations-empty')).toHaveText('No invitations have this status.');
  await choose(page, 'invitation-status-filter', 'All statuses');
  await expect(page.getByTestId('invitation-total')).toHaveText('Invitations: 5');
});

test('resend: says the old link stops working, sends a new link', async () => {
  const before = mailsTo(sink.messages, 'mori@example.com');
  await invitationRow('mori@example.com').getByTestId('invitation-resend').click();
  const confirm = page.getByTestId('invitation-confirm');
  await expect(confirm).toContainText('Send this invitation again?');
  await expect(confirm).toContainText('The link and PIN in the earlier email stop working.');
  await confirm.getByTestId('invitation-confirm-confirm').click();
  await expectToast(page, 'Invitation sent again to mori@example.com.');
  const after = await waitForMails(sink.messages, 'mori@example.com', before.length + 1);
  const oldLink = linkIn(before.at(-1)!, origin);
  const newLink = linkIn(after.at(-1)!, origin);
  expect(newLink).not.toBe(oldLink);
  expect((await send(oldLink, { ca: caPem })).status).toBe(404);
  expect((await send(newLink, { ca: caPem })).status).toBe(200);
});

test('five wrong PINs show "PIN locked"; a new PIN is shown once, matches the email, and unlocks', async () => {
  const [mail] = mailsTo(sink.messages, 'ono@example.com');
  const link = linkIn(mail!, origin);
  const pin = pinIn(mail!) as string;
  const client = new PortalClient(origin, caPem, undefined, 'en');
  await client.get(link);
  const signIn = new URL(link).pathname.replace(/\/i\/[^/]+\/go$/, '/go/sign-in');
  const wrong = pin === '000000' ? '111111' : '000000';
  for (let i = 0; i < 5; i++) await client.post(signIn, { email: 'ono@example.com', secret: wrong });

  await page.getByTestId('invitations-refresh').click();
  const row = invitationRow('ono@example.com');
  await expect(row.getByTestId('pin-locked')).toHaveText('PIN locked');

  const before = mailsTo(sink.messages, 'ono@example.com').length;
  await row.getByTestId('invitation-new-pin').click();
  const confirm = page.getByTestId('invitation-confirm');
  await expect(confirm).toContainText('Issue a new PIN?');
  await expect(confirm).toContainText('a locked PIN is unlocked');
  await confirm.getByTestId('invitation-confirm-confirm').click();
  const shown = page.getByTestId('new-pin-dialog');
  await expect(shown).toContainText('The new registration PIN for Ono Ken (ono@example.com):');
  await expect(shown).toContainText('It was also emailed to the user.');
  const newPin = (await shown.getByTestId('new-pin-value').textContent())?.trim() ?? '';
  expect(newPin).toMatch(/^\d{6}$/);
  const mails = await waitForMails(sink.messages, 'ono@example.com', before + 1);
  expect(pinIn(mails.at(-1)!)).toBe(newPin);
  await shown.getByTestId('new-pin-close').click();
  await expect(row.getByTestId('pin-locked')).toHaveCount(0);
  const ok = await client.post(signIn, { email: 'ono@example.com', secret: newPin });
  expect(ok.status).toBe(303);
});

test('revoke: says what stops, then the row shows Revoked and the link no longer opens', async () => {
  const row = invitationRow('sato@example.com');
  await row.getByTestId('invitation-revoke').click();
  const confirm = page.getByTestId('invitation-confirm');
  await expect(confirm).toContainText('Revoke this invitation?');
  await expect(confirm).toContainText('Its link and PIN stop working');
  await confirm.getByTestId('invitation-confirm-confirm').click();
  await expectToast(page, 'Invitation for sato@example.com revoked.');
  await expect(row.getByTestId('invitation-status')).toHaveAttribute('data-status', 'revoked');
  await expect(row.getByTestId('invitation-revoke')).toHaveCount(0);
  const [mail] = mailsTo(sink.messages, 'sato@example.com');
  const page410 = await send(linkIn(mail!, origin), { ca: caPem, headers: { 'accept-language': 'en' } });
  expect(page410.text).toContain('This invitation was withdrawn by your administrator.');
});

test('"Send invitations": pick users by searching; users removed or disabled meanwhile are listed as skipped, each with why', async () => {
  await addUser('paused@example.com', 'Paused Person');
  await page.getByTestId('send-invitations').click();
  const dialog = page.getByTestId('invite-dialog');
  await expect(dialog).toContainText('A user who already has an open invitation gets a new one');
  await pickUsers(page, 'invite-users', ['ito@example.com', 'gone@example.com', 'paused@example.com']);
  await expect(dialog.getByTestId('invite-submit')).toHaveText('Send 3 invitations');
  const removed = await h.admin.call('DELETE', `/api/users/${ids['gone@example.com']}`);
  expect(removed.status).toBe(204);
  const paused = await h.admin.call('PATCH', `/api/users/${ids['paused@example.com']}`, { disabled: true });
  expect(paused.status, paused.text).toBe(200);
  await dialog.getByTestId('invite-submit').click();
  await expect(dialog.getByTestId('invite-sent')).toContainText('Sent 1 invitation.');
  const skipped = dialog.getByTestId('invite-skipped');
  await expect(skipped).toContainText('2 users were not invited:');
  const gone = skipped.locator('[data-testid=invite-skipped-row][data-reason=not_found]');
  await expect(gone).toContainText('Soon Gone <gone@example.com>');
  await expect(gone).toContainText('This user no longer exists: they may have been deleted.');
  const off = skipped.locator('[data-testid=invite-skipped-row][data-reason=disabled]');
  await expect(off).toContainText('Paused Person <paused@example.com>');
  await expect(off).toContainText('This user is disabled. Enable them on the Users page, then invite them again.');
  await dialog.getByTestId('invite-close').click();
  await waitForMails(sink.messages, 'ito@example.com', 1);
  await expect(page.getByTestId('invitation-total')).toHaveText('Invitations: 6');
});

test('a new enrollment address retires every older link; old invitations are marked', async () => {
  const [yamada] = mailsTo(sink.messages, 'yamada@example.com');
  const oldLink = linkIn(yamada!, origin);
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Enrollment address' })
    .click();
  await expect(page).toHaveURL(/\/settings\/enrollment-url$/);
  await expect(page.getByTestId('enrollment-url-version')).toHaveText('Version 1');
  const before = await input(page, 'enrollment-url').inputValue();
  // While the office CA is in use, the address leads to the first-visit page on the plain-HTTP bootstrap listener.
  expect(before).toMatch(/^http:\/\/tsunagu\.test:\d+\/e\/[\w-]+\/go$/);

  await page.getByTestId('enrollment-url-regenerate').click();
  const confirm = page.getByTestId('regenerate-confirm');
  await expect(confirm).toContainText('Every link of an older version stops working');
  await expect(confirm).toContainText('Invitations already sent');
  await expect(confirm).toContainText('Devices that are already enrolled are not affected.');
  await confirm.getByTestId('regenerate-confirm-confirm').click();
  await expectToast(page, 'The enrollment address is now version 2.');
  await expect(page.getByTestId('enrollment-url-version')).toHaveText('Version 2');
  const after = await input(page, 'enrollment-url').inputValue();
  expect(after).not.toBe(before);

  const outdated = await send(oldLink, { ca: caPem, headers: { 'accept-language': 'en' } });
  expect(outdated.status).toBe(410);
  expect(outdated.text).toContain('This link is out of date');
  expect((await send(local(after), { ca: caPem })).status).toBe(200);

  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Invitations' }).click();
  await expect(invitationRow('yamada@example.com')).toContainText('old address');
});
