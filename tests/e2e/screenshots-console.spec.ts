// Screenshots of the Invitations, Devices and Settings pages and their dialogs in ja and en, at desktop
// (1280x800) and phone (390x844) sizes, into test-output/screenshots/<page>-<lang>-<desktop|phone>.png, over a
// seeded office (see console-seed.ts), for people to look at. Each picture is also scanned with axe-core: in en on
// desktop all of them, in ja on phone the whole pages (A11Y_SCANS; a dialog's content is the same at both sizes); and
// no page may break the Content-Security-Policy.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { testPublicCa } from '../helpers/public-cert.js';
import { A11Y_SCANS, expectNoSeriousA11y, watchCsp } from './axe.js';
import { input, noToasts, openConsole, option, pickUsers } from './console-kit.js';
import { seedOffice, type SeededOffice } from './console-seed.js';
import { TEST_OUTPUT } from './server.js';

const SHOTS = join(TEST_OUTPUT, 'screenshots');
const LANGS = [
  { lang: 'ja', locale: 'ja-JP' },
  { lang: 'en', locale: 'en-US' },
] as const;
const SIZES = ['desktop', 'phone'] as const;

let office: SeededOffice;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  mkdirSync(SHOTS, { recursive: true });
  office = await seedOffice();
});

test.afterAll(async () => {
  await office?.close();
});

async function shoot(page: Page, name: string, lang: string, size: string, fullPage = true): Promise<void> {
  // No hover effects in the picture, and fonts loaded so the Japanese glyphs are in it.
  await page.mouse.move(0, 0);
  // A full-page picture starts at the top (the header is sticky and would otherwise sit mid-page).
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({
    path: join(SHOTS, `${name}-${lang}-${size}.png`),
    fullPage,
    animations: 'disabled',
    caret: 'hide',
  });
}

for (const { lang, locale } of LANGS) {
  for (const size of SIZES) {
    test(`invitations, devices and settings in ${lang} on ${size}`, async ({ browser }) => {
      test.setTimeout(360_000);
      const phone = size === 'phone';
      const ja = lang === 'ja';
      const { h } = office;
      const { context, page, guard } = await openConsole(browser, h, { locale, size });
      // From the next page load on (the signed-in Users page is checked by screenshots.spec.ts).
      const csp = await watchCsp(context);
      const scan = A11Y_SCANS.has(`${lang}-${size}`);
      const shot = async (name: string, fullPage = true) => {
        await shoot(page, name, lang, size, fullPage);
        if (scan && (fullPage || !phone || name.startsWith('navigation')))
          await expectNoSeriousA11y(page, `${name} (${lang}, ${size})`);
      };
      const cancel = (scope: Locator) =>
        scope.getByRole('button', { name: ja ? 'キャンセル' : 'Cancel', exact: true }).click();
      const card = (testId: string, text: string) => page.getByTestId(testId).filter({ hasText: text });
      const tableRow = (table: string, text: string) =>
        page.getByTestId(table).locator('.el-table__body tr').filter({ hasText: text });

      // Users: two selected, the bulk bar, and the invite confirmation.
      await expect(page.getByTestId(phone ? 'user-cards' : 'user-table')).toContainText('mori@example.com');
      await noToasts(page);
      for (const email of ['mori@example.com', 'watanabe@example.com']) {
        if (phone) await card('user-card', email).getByTestId('user-select').click();
        else await tableRow('user-table', email).locator('.el-checkbox').click();
      }
      await expect(page.getByTestId('users-bulk')).toBeVisible();
      await shot('users-selected', false);
      await page.getByTestId('users-bulk-invite').click();
      const inviteConfirm = page.getByTestId('invite-confirm');
      await expect(inviteConfirm).toBeVisible();
      await shot('invite-confirm', false);
      await cancel(inviteConfirm);
      await expect(inviteConfirm).toBeHidden();

      // Add user, with "Send an invitation email now".
      await page.getByTestId('add-user').click();
      const userDialog = page.getByTestId('user-dialog');
      await input(userDialog, 'user-email').fill('new.person@example.com');
      await input(userDialog, 'user-display-name').fill(ja ? '新入 社員' : 'New Person');
      await userDialog.getByTestId('user-send-invitation').click();
      await shot('add-user-invite', false);
      await cancel(userDialog);

      // Invitations.
      await page.goto('/invitations');
      await expect(page.getByTestId(phone ? 'invitation-cards' : 'invitation-table')).toContainText(
        'kobayashi@example.com',
      );
      await shot('invitations');
      const openRow = phone
        ? card('invitation-row', 'mori@example.com')
        : tableRow('invitation-table', 'mori@example.com');
      await openRow.getByTestId('invitation-revoke').click();
      const invConfirm = page.getByTestId('invitation-confirm');
      await expect(invConfirm).toBeVisible();
      await shot('invitation-revoke', false);
      await cancel(invConfirm);
      await expect(invConfirm).toBeHidden();
      const lockedRow = phone
        ? card('invitation-row', 'kobayashi@example.com')
        : tableRow('invitation-table', 'kobayashi@example.com');
      await lockedRow.getByTestId('invitation-new-pin').click();
      await shot('invitation-new-pin-confirm', false);
      await invConfirm.getByTestId('invitation-confirm-confirm').click();
      const pinDialog = page.getByTestId('new-pin-dialog');
      await expect(pinDialog.getByTestId('new-pin-value')).toHaveText(/^\d{6}$/);
      await shot('new-pin', false);
      await pinDialog.getByTestId('new-pin-close').click();

      // Send invitations: one user picked, one removed meanwhile (so the result lists a skipped user).
      const throwaway = (
        await h.admin.call('POST', '/api/users', {
          email: `leaver.${lang}.${size}@example.com`,
          displayName: ja ? '退職 予定' : 'Leaving Soon',
          locale: lang,
        })
      ).json<{ id: string }>().id;
      await page.getByTestId('send-invitations').click();
      const inviteDialog = page.getByTestId('invite-dialog');
      await pickUsers(page, 'invite-users', ['ito@example.com', `leaver.${lang}.${size}@example.com`]);
      await shot('invite-dialog', false);
      await h.admin.call('DELETE', `/api/users/${throwaway}`);
      await inviteDialog.getByTestId('invite-submit').click();
      await expect(inviteDialog.getByTestId('invite-skipped')).toBeVisible();
      await shot('invite-result', false);
      await inviteDialog.getByTestId('invite-close').click();

      // Devices.
      await page.goto('/devices');
      await expect(page.getByTestId(phone ? 'device-cards' : 'device-table')).toContainText('iPad 会議室 A');
      await expect(page.getByTestId('device-summary')).toBeVisible();
      await shot('devices');
      if (phone) {
        // The cards have a fixed height (the list is virtual): each card's content fits in it, the buttons included.
        const clipped = await page
          .getByTestId('device-cards')
          .locator('article.card')
          .evaluateAll((cards) =>
            cards.filter((c) => c.scrollHeight > c.clientHeight + 1).map((c) => c.textContent?.slice(0, 40)),
          );
        expect(clipped, 'device cards whose content is cut off').toEqual([]);
      }
      const deviceRow = (name: string) =>
        phone
          ? card('device-row', name)
          : page.getByTestId('device-table').getByTestId('device-row').filter({ hasText: name });
      const drawer = page.getByTestId('device-detail');
      // The list reloads when a live update arrives (the re-enrollment below sends some): a click that lands while its
      // row is drawn again opens nothing, so it is made again until the detail shows.
      const openDevice = (name: string) =>
        expect(async () => {
          await deviceRow(name).getByTestId('device-open').click();
          await expect(drawer.getByTestId('device-facts')).toBeVisible({ timeout: 3_000 });
        }).toPass({ timeout: 30_000 });
      await openDevice('iPad 会議室 A');
      await expect(drawer.getByTestId('device-facts')).toBeVisible();
      await drawer.locator('[data-testid=device-command][data-status=acknowledged] summary').first().click();
      await drawer.locator('.el-drawer__body').evaluate((el) => {
        el.scrollTop = 0;
      });
      await shot('device-detail', false);
      await drawer.locator('[data-testid=device-command][data-status=acknowledged]').first().scrollIntoViewIfNeeded();
      await shot('device-detail-commands', false);
      // Re-enroll the iPad: the confirmation, then the one-time profile link.
      await drawer.getByTestId('device-reenroll').click();
      const reenroll = page.getByTestId('device-reenroll-dialog');
      await expect(reenroll.getByTestId('device-reenroll-notes')).toBeVisible();
      await shot('device-reenroll-confirm', false);
      await reenroll.getByTestId('device-reenroll-confirm').click();
      await expect(input(reenroll, 'device-reenroll-url')).toHaveValue(/\/profile\//);
      await shot('device-reenroll-link', false);
      await reenroll.getByTestId('device-reenroll-close').click();
      await expect(reenroll).toBeHidden();
      await drawer.locator('.el-drawer__close-btn').click();
      await expect(drawer).toBeHidden();
      await openDevice('María');
      await expect(drawer.getByTestId('device-facts')).toContainText('Google');
      await shot('device-detail-android', false);
      // Re-enroll the Android phone: the confirmation, then the agent QR code; and the revoke-token confirmation.
      await drawer.getByTestId('device-reenroll').click();
      await expect(reenroll.getByTestId('device-reenroll-notes')).toBeVisible();
      await shot('device-reenroll-android-confirm', false);
      await reenroll.getByTestId('device-reenroll-confirm').click();
      await expect(reenroll.getByTestId('device-reenroll-qr')).toBeVisible();
      expect(
        await reenroll
          .getByTestId('device-reenroll-qr')
          .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
      ).toBe(true);
      await shot('device-reenroll-qr', false);
      await reenroll.getByTestId('device-reenroll-close').click();
      await expect(reenroll).toBeHidden();
      await drawer.getByTestId('device-revoke-token').click();
      const revoke = page.getByTestId('device-revoke-token-dialog');
      await expect(revoke).toBeVisible();
      await shot('device-revoke-token', false);
      await cancel(revoke);
      await expect(revoke).toBeHidden();
      await drawer.locator('.el-drawer__close-btn').click();
      await expect(drawer).toBeHidden();

      // Alex's iPhone, which two other users tried to enroll: the claims in the drawer, settling one (reassign to
      // the claimant, dismiss), and reassigning the iPhone to a user picked from the list.
      await openDevice("Alex's iPhone");
      const claims = drawer.getByTestId('device-claim-conflicts');
      await expect(claims.getByTestId('device-claim-conflict')).toHaveCount(2);
      await drawer.locator('.el-drawer__body').evaluate((el) => {
        el.scrollTop = 0;
      });
      await shot('device-detail-claims', false);
      const longClaim = claims.locator('[data-testid=device-claim-conflict][data-claimant^="takahashi"]');
      await longClaim.getByTestId('device-claim-reassign').click();
      const reassign = page.getByTestId('device-reassign-dialog');
      await expect(reassign.getByTestId('device-reassign-notes')).toBeVisible();
      await shot('device-reassign-claim', false);
      await cancel(reassign);
      await expect(reassign).toBeHidden();
      await longClaim.getByTestId('device-claim-dismiss').click();
      const dismiss = page.getByTestId('device-dismiss-claim-dialog');
      await expect(dismiss).toBeVisible();
      await shot('device-dismiss-claim', false);
      await cancel(dismiss);
      await expect(dismiss).toBeHidden();
      await drawer.getByTestId('device-reassign').click();
      await pickUsers(page, 'device-reassign-user', ['mori@example.com']);
      await expect(reassign.getByTestId('device-reassign-notes')).toBeVisible();
      await shot('device-reassign-pick', false);
      // Reassigning to Mori leaves the two claims for the next run.
      await reassign.getByTestId('device-reassign-confirm').click();
      await expect(reassign.getByTestId('device-reassign-done')).toBeVisible();
      await shot('device-reassign-done', false);
      await reassign.getByTestId('device-reassign-close').click();
      await expect(reassign).toBeHidden();
      await expect(claims.getByTestId('device-claim-conflict')).toHaveCount(2);
      await drawer.locator('.el-drawer__close-btn').click();
      await expect(drawer).toBeHidden();

      const action = async (device: string, name: RegExp) => {
        await deviceRow(device).getByTestId('device-actions').click();
        await option(page, name).click();
        const dialog = page.getByTestId('device-action-dialog');
        await expect(dialog).toBeVisible();
        return dialog;
      };
      let dialog = await action('鈴木の MacBook Air', ja ? /^ロック$/ : /^Lock$/);
      await input(dialog, 'device-lock-message').fill(
        ja
          ? 'この Mac は会社の所有物です。情報システム（内線 1234）へ。'
          : 'This Mac belongs to the office. Call IT on 1234.',
      );
      await shot('device-lock', false);
      await dialog.getByTestId('device-action-confirm').click();
      await expect(dialog.getByTestId('device-action-pin')).toHaveText(/^\d{6}$/);
      await shot('device-lock-result', false);
      await dialog.getByTestId('device-action-close').click();
      await office.devices['鈴木の MacBook Air']?.commandLoop();
      dialog = await action('山田の iPhone', ja ? /^リタイア$/ : /^Retire$/);
      await shot('device-retire', false);
      await cancel(dialog);
      dialog = await action('山田の iPhone', ja ? /^ワイプ$/ : /^Wipe$/);
      await input(dialog, 'device-wipe-word').fill('山田の');
      await shot('device-wipe', false);
      await cancel(dialog);
      dialog = await action('田中の iPhone', ja ? /^削除$/ : /^Delete$/);
      await shot('device-delete', false);
      await cancel(dialog);

      // Several selected: the bulk bar and a bulk wipe that leaves out devices it does not apply to.
      for (const name of ['山田の iPhone', '高橋の iPhone', 'Alex’s MacBook Air']) {
        if (phone) await deviceRow(name).getByTestId('device-select').click();
        else await deviceRow(name).locator('.el-checkbox').click();
      }
      await expect(page.getByTestId('devices-bulk')).toBeVisible();
      await page.getByTestId('devices-bulk-wipe').click();
      dialog = page.getByTestId('device-action-dialog');
      await expect(dialog.getByTestId('device-action-skipped')).toBeVisible();
      await shot('device-bulk-wipe', false);
      await cancel(dialog);
      await page.getByTestId('devices-bulk-clear').click();

      await page.getByTestId('enroll-device').click();
      const enroll = page.getByTestId('enroll-dialog');
      await pickUsers(page, 'enroll-user', ['mori@example.com']);
      await shot('enroll-device', false);
      await enroll.getByTestId('enroll-submit').click();
      await expect(input(enroll, 'enroll-profile-url')).toHaveValue(/\/profile\//);
      await shot('enroll-device-link', false);
      await enroll.getByTestId('enroll-close').click();

      // Settings.
      await page.goto('/settings/mail');
      await expect(page.getByTestId('smtp-form')).toBeVisible();
      await input(page, 'mail-test-to').fill('admin@office.example');
      await page.getByTestId('mail-test-send').click();
      await expect(page.getByTestId('mail-test-result')).toBeVisible();
      await expect(page.getByTestId(phone ? 'outbox-cards' : 'outbox-table')).toContainText('bounce@example.com');
      await noToasts(page);
      await shot('mail-settings');

      await page.goto('/settings/enrollment-url');
      await expect(page.getByTestId('enrollment-url-version')).toBeVisible();
      await shot('enrollment-url');
      await page.getByTestId('enrollment-url-regenerate').click();
      const regen = page.getByTestId('regenerate-confirm');
      await expect(regen).toBeVisible();
      await shot('enrollment-url-confirm', false);
      await cancel(regen);

      await page.goto('/settings/push');
      await expect(page.getByTestId('push-warning')).toBeVisible();
      await shot('push-settings');

      await page.goto('/settings/tls');
      await expect(page.getByTestId('tls-mode')).toHaveAttribute('data-mode', 'office');
      await shot('tls-settings');
      // A public certificate close to expiry, to show its warning.
      const pub = testPublicCa();
      const publicCertificate = pub.server({ dns: ['mdm.office.example'], days: 20 });
      await input(page, 'tls-certificate').fill(publicCertificate.certPem);
      await input(page, 'tls-key').fill(publicCertificate.keyPem);
      await input(page, 'tls-chain').fill(pub.rootPem);
      await page.getByTestId('tls-import').click();
      const toPublic = page.getByTestId('tls-public-confirm');
      await expect(toPublic).toBeVisible();
      await shot('tls-public-confirm', false);
      await toPublic.getByTestId('tls-public-confirm-confirm').click();
      await expect(page.getByTestId('tls-mode')).toHaveAttribute('data-mode', 'public');
      await noToasts(page);
      await shot('tls-settings-imported');
      await page.getByTestId('tls-use-generated').click();
      const back = page.getByTestId('tls-generated-confirm');
      await expect(back).toBeVisible();
      await shot('tls-generated-confirm', false);
      await back.getByTestId('tls-generated-confirm-confirm').click();
      await expect(page.getByTestId('tls-mode')).toHaveAttribute('data-mode', 'office');

      if (phone) {
        await page.getByTestId('open-menu').click();
        await expect(page.locator('.nav-drawer')).toBeVisible();
        await shot('navigation-settings', false);
      }

      guard.assertClean();
      csp.assertClean();
      await context.close();
    });
  }
}

for (const { lang, locale } of LANGS) {
  test(`the macOS helper app section of User settings in ${lang}`, async ({ browser }) => {
    const { h } = office;
    const build = Buffer.concat([Buffer.alloc(14 * 1024 * 1024, 5), Buffer.from('koly', 'latin1'), Buffer.alloc(508)]);
    const res = await h.admin.call('PUT', '/api/settings/helper-build?fileName=Tsunagu%20Helper%201.0.dmg', build, {
      contentType: 'application/octet-stream',
    });
    expect(res.status).toBe(200);
    const { context, page, guard } = await openConsole(browser, h, { locale, size: 'desktop' });
    await page.goto('/settings/users');
    const section = page.getByTestId('helper-build-section');
    await expect(section.getByTestId('helper-build-name')).toHaveText('Tsunagu Helper 1.0.dmg');
    await noToasts(page);
    await page.mouse.move(0, 0);
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    await section.screenshot({ path: join(SHOTS, `settings-helper-${lang}-desktop.png`), animations: 'disabled' });
    if (A11Y_SCANS.has(`${lang}-desktop`)) await expectNoSeriousA11y(page, `settings-helper (${lang}, desktop)`);
    guard.assertClean();
    await context.close();
  });
}

for (const { lang, locale } of LANGS) {
  test(`the Backup section of Administration in ${lang}`, async ({ browser }) => {
    const { h } = office;
    const { context, page, guard } = await openConsole(browser, h, { locale, size: 'desktop' });
    await page.goto('/settings/admins');
    const section = page.getByTestId('backup-section');
    await input(section, 'backup-passphrase').fill('short');
    await section.getByTestId('backup-download').click();
    await expect(section.locator('.el-form-item__error')).toBeVisible();
    await noToasts(page);
    await page.mouse.move(0, 0);
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    await section.screenshot({ path: join(SHOTS, `settings-backup-${lang}-desktop.png`), animations: 'disabled' });
    if (A11Y_SCANS.has(`${lang}-desktop`)) await expectNoSeriousA11y(page, `settings-backup (${lang}, desktop)`);
    guard.assertClean();
    await context.close();
  });
}
