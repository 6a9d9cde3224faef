// The Directory (LDAP) page in Chromium against an in-process server and a real slapd with 30 users: the connector
// configured through the form, "Test connection" with a wrong bind password, then a CA that did not sign the server's
// certificate (its fingerprint shown), then success; the preview with a local user of the same email linked; the import;
// a run that would disable most users stops and is confirmed in the dialog, then undone; the Users page shows the
// directory users (source, filter, read-only fields). A failed run (slapd stopped) is shown at the top of the page.
// Screenshots: test-output/screenshots/directory-<page|users|user-edit>-<ja|en>-<desktop|phone>.png, and the
// confirmation in en on desktop; axe scans of the directory page and of a directory user's edit dialog.
import { expect, test, type Page } from '@playwright/test';
import type { DirectoryRunDto } from '../../server/contract/index.js';
import { startHarness, type Harness, HARNESS_ADMIN } from '../helpers/server-harness.js';
import { SLAPD_READER_PASSWORD, startSlapd, uidOf, type Slapd } from '../helpers/slapd.js';
import { A11Y_SCANS, expectNoSeriousA11y } from './axe.js';
import { choose, expectToast, input, noToasts, openConsole, screenshot, SIZES } from './console-kit.js';

const USERS = 30;

let slapd: Slapd;
let h: Harness;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(60_000);
  [slapd, h] = await Promise.all([startSlapd({ users: USERS }), startHarness()]);
});

test.afterAll(async () => {
  await h?.stop();
  await slapd?.close();
});

/** Clicks "Test connection" and waits for its answer. */
async function testConnection(page: Page): Promise<void> {
  await page.getByTestId('directory-test').click();
  await expect(page.getByTestId('directory-test-result')).toBeVisible();
}

test('configure, test, preview, import, confirm a large disable, and the directory users on the Users page', async ({
  browser,
}) => {
  test.setTimeout(60_000);
  const linked = await h.admin.call('POST', '/api/users', {
    email: `${uidOf(3)}@example.test`,
    displayName: 'Local Three',
    password: 'a long local password 3',
  });
  expect(linked.status).toBe(201);
  const { context, page, guard } = await openConsole(browser, h);
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Directory (LDAP)' })
    .click();
  await expect(page).toHaveURL(/\/settings\/directory$/);
  await expect(page.getByTestId('directory-not-configured')).toBeVisible();
  await expect(page.getByTestId('directory-preview-button')).toBeDisabled();

  // The form, with a wrong bind password first.
  await input(page, 'directory-url').fill(slapd.ldapUrl);
  await expect(page.getByTestId('directory-url-help')).toContainText('StartTLS');
  await input(page, 'directory-ca').fill(slapd.caPem);
  await input(page, 'directory-bind-dn').fill(slapd.readerDn);
  await input(page, 'directory-bind-password').fill('not the password');
  await input(page, 'directory-base-dn').fill(slapd.baseDn);
  await expect(input(page, 'directory-map-uniqueId')).toHaveValue('entryUUID');
  await testConnection(page);
  const result = page.getByTestId('directory-test-result');
  await expect(result).toHaveAttribute('data-ok', 'false');
  await expect(result).toContainText('the bind DN or password was refused');
  await expect(page.getByTestId('directory-test-code')).toHaveText('Code: bind_refused');

  // A CA that did not sign the server's certificate: the certificate's facts.
  await input(page, 'directory-bind-password').fill(SLAPD_READER_PASSWORD);
  await input(page, 'directory-ca').fill(slapd.otherCaPem);
  await testConnection(page);
  await expect(page.getByTestId('directory-test-code')).toHaveText('Code: tls');
  await expect(page.getByTestId('directory-cert-fingerprint')).toHaveText(slapd.serverFingerprint256);
  await expect(page.getByTestId('directory-cert-subject')).toContainText('ldap.example.test');

  // The Active Directory preset fills its mapping; back to OpenLDAP for this server.
  await page.getByTestId('directory-preset').getByText('Active Directory').click();
  await expect(input(page, 'directory-map-uniqueId')).toHaveValue('objectGUID');
  await expect(input(page, 'directory-user-filter')).toHaveValue('(&(objectCategory=person)(objectClass=user))');
  await page.getByTestId('directory-preset').getByText('OpenLDAP').click();
  await expect(input(page, 'directory-map-login')).toHaveValue('uid');

  // The right CA: every step passes. Then save; the password is kept, never shown.
  await input(page, 'directory-ca').fill(slapd.caPem);
  await testConnection(page);
  await expect(result).toHaveAttribute('data-ok', 'true');
  await page.getByTestId('directory-save').click();
  await expectToast(page, 'The connector settings were saved.');
  await expect(page.getByTestId('directory-password-state')).toContainText('A password is saved');
  await expect(input(page, 'directory-bind-password')).toHaveValue('');

  // Preview: the count, the first entries, the local user to link.
  await page.getByTestId('directory-preview-button').click();
  await expect(page.getByTestId('directory-preview-count')).toHaveText(`Entries found: ${USERS}`);
  await expect(page.getByTestId('directory-entries')).toContainText(`uid=${uidOf(1)},ou=people,${slapd.baseDn}`);
  await expect(page.getByTestId('directory-plan-created')).toContainText(String(USERS - 1));
  await expect(page.getByTestId('directory-linkable')).toContainText(`${uidOf(3)}@example.test`);
  await expect(page.getByTestId('directory-skipped')).toContainText(`${uidOf(3)}@example.test is a local user`);
  await page.getByTestId('directory-link').click();
  await expect(page.getByTestId('directory-sync')).toHaveText('Import and link 1');
  await page.getByTestId('directory-sync').click();
  await expectToast(page, `Done: ${USERS - 1} added, 0 updated, 1 linked, 0 enabled again, 0 disabled.`);
  const first = page.getByTestId('directory-run').first();
  await expect(first).toContainText(`by ${HARNESS_ADMIN.email}`);
  await expect(first.getByTestId('directory-run-status')).toHaveText('Succeeded');
  await expect(page.getByTestId('directory-sync')).toHaveText('Sync now');

  // A group filter that keeps only the contractors would disable 27 of 30: the run stops and asks.
  await input(page, 'directory-group-filter').fill('(cn=contractors)');
  await page.getByTestId('directory-save').click();
  await expectToast(page, 'The connector settings were saved.');
  await page.getByTestId('directory-sync').click();
  const confirm = page.getByTestId('directory-confirm');
  await expect(confirm).toBeVisible();
  await expect(page.getByTestId('directory-confirm-body')).toContainText('disable 27 of the 30 enabled');
  await expect(page.getByTestId('directory-last-problem')).toContainText('stopped before disabling users');
  await screenshot(page, 'directory-confirm-en-desktop', { fullPage: false });
  await page.getByTestId('directory-confirm-confirm').click();
  await expectToast(page, 'Done: 0 added, 0 updated, 0 linked, 0 enabled again, 27 disabled.');
  await expect(page.getByTestId('directory-last-problem')).toBeHidden();
  // Without the group filter the same users are enabled again (no confirmation needed).
  await input(page, 'directory-group-filter').fill('');
  await page.getByTestId('directory-save').click();
  await page.getByTestId('directory-sync').click();
  await expectToast(page, 'Done: 0 added, 0 updated, 0 linked, 27 enabled again, 0 disabled.');

  // The Users page: the source, the filter, and a directory user's fields read-only.
  await page.getByTestId('directory-open-users').click();
  await expect(page).toHaveURL(/\/users\?source=ldap$/);
  await expect(page.getByTestId('user-source-filter')).toContainText('Directory only');
  await expect(page.getByTestId('user-total')).toHaveText(`Users: ${USERS}`);
  await choose(page, 'user-source-filter', 'Local only');
  await expect(page.getByTestId('users-empty')).toBeVisible();
  await choose(page, 'user-source-filter', 'Directory only');
  await expect(page.getByTestId('user-total')).toHaveText(`Users: ${USERS}`);
  const row = page
    .getByTestId('user-table')
    .locator('.el-table__body tr')
    .filter({ hasText: `${uidOf(3)}@` });
  await expect(row.getByTestId('user-source')).toHaveText('Directory');
  await row.getByTestId('user-edit').click();
  const dialog = page.getByTestId('user-dialog');
  await expect(input(dialog, 'user-email')).toBeDisabled();
  await expect(input(dialog, 'user-email')).toHaveValue(`${uidOf(3)}@example.test`);
  await expect(input(dialog, 'user-display-name')).toBeDisabled();
  await expect(dialog.getByTestId('password-mode')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  await row.getByTestId('user-actions').click();
  await expect(page.getByTestId('user-action-newPin')).toBeVisible();
  await expect(page.getByTestId('user-action-resetPassword')).toHaveCount(0);
  await expect(page.getByTestId('user-action-temporaryPassword')).toHaveCount(0);
  await page.keyboard.press('Escape');

  // A run that fails (the directory stopped) changes nothing and is said at the top of the page.
  await slapd.stop();
  const failed = await h.admin.call('POST', '/api/directory/sync', {});
  expect([failed.status, failed.json<{ code: string }>().code]).toEqual([502, 'DIRECTORY_UNAVAILABLE']);
  await slapd.start();
  const runs = (await h.admin.call('GET', '/api/directory/runs?limit=1')).json<{ items: DirectoryRunDto[] }>();
  expect(runs.items[0]).toMatchObject({ status: 'failed', errorCode: 'unreachable' });

  await screenshots(page, 'en');
  guard.assertClean();
  await context.close();
});

/**
 * The directory page (with a failed TLS test and the preview on it) and the Users page filtered to directory users,
 * with a directory user's edit dialog, at desktop then phone size; axe scans the directory page and the dialog (the
 * Users page itself is scanned by screenshots.spec.ts).
 */
async function screenshots(page: Page, lang: 'ja' | 'en'): Promise<void> {
  const ja = lang === 'ja';
  for (const size of ['desktop', 'phone'] as const) {
    await page.setViewportSize(SIZES[size].viewport);
    const scan = A11Y_SCANS.has(`${lang}-${size}`);
    const shot = async (name: string, fullPage: boolean, scanIt: boolean) => {
      await screenshot(page, `directory-${name}-${lang}-${size}`, { fullPage });
      if (scan && scanIt) await expectNoSeriousA11y(page, `directory ${name} (${lang}, ${size})`);
    };
    await page.goto('/settings/directory');
    await expect(page.getByTestId('directory-last-problem')).toContainText(ja ? '失敗しました' : 'failed');
    await expect(page.getByTestId('directory-run').first()).toContainText('unreachable');
    await input(page, 'directory-ca').fill(slapd.otherCaPem);
    await testConnection(page);
    await expect(page.getByTestId('directory-test-certificate')).toBeVisible();
    await page.getByTestId('directory-preview-button').click();
    await expect(page.getByTestId('directory-entries')).toBeVisible();
    await noToasts(page);
    await shot('page', true, true);

    await page.goto('/users');
    await expect(page.getByTestId(size === 'phone' ? 'user-cards' : 'user-table')).toContainText(
      `${uidOf(1)}@example.test`,
    );
    await choose(page, 'user-source-filter', ja ? 'ディレクトリのみ' : 'Directory only');
    await expect(page.getByTestId('user-total')).toHaveText(ja ? `ユーザー数: ${USERS}` : `Users: ${USERS}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('users', false, false);
    await page.getByTestId('user-edit').first().click();
    await expect(page.getByTestId('user-directory-note')).toBeVisible();
    await shot('user-edit', false, true);
    await page.getByRole('button', { name: ja ? 'キャンセル' : 'Cancel', exact: true }).click();
  }
}

test('the directory and users pages in ja, desktop and phone', async ({ browser }) => {
  test.setTimeout(60_000);
  const { context, page, guard } = await openConsole(browser, h, { locale: 'ja-JP' });
  await screenshots(page, 'ja');
  guard.assertClean();
  await context.close();
});
