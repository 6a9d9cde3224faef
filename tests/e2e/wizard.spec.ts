// The setup wizard in Chromium against a real server, from an empty data directory: the first administrator, then every
// step (organisation, host names with the device listener answering, the office CA kept, the TLS certificate
// generated, a push certificate uploaded, SMTP to a real SMTP server with a test mail, a first user invited), the
// invitation received over SMTP, and the checklist all green. Then every page in ja and en, desktop and phone.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { HARNESS_ADMIN, startHarness, type Harness } from '../helpers/server-harness.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { A11Y_SCANS, expectNoSeriousA11y } from './axe.js';
import { expectToast, input, noToasts, SIZES, waitForMails } from './console-kit.js';
import { guardPage, type PageGuard } from './page-guard.js';
import { TEST_OUTPUT } from './server.js';

const SHOTS = join(TEST_OUTPUT, 'screenshots');
const PAGES = ['organization', 'hostnames', 'ca', 'tls', 'push', 'mail', 'users', 'checklist'] as const;

// One server for the file: the later tests start where the first left it.
test.describe.configure({ mode: 'serial' });

let h: Harness;
let sink: SmtpSink;

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  sink = await startSmtpSink();
  // No TSUNAGU_HOSTNAMES: the host names are the wizard's to set.
  h = await startHarness({ signIn: false, env: { TSUNAGU_HOSTNAMES: '' } });
});
test.afterAll(async () => {
  await h?.stop();
  await sink?.close();
});

async function newPage(
  browser: Browser,
  locale: string,
  size: keyof typeof SIZES,
): Promise<{ page: Page; guard: PageGuard; close: () => Promise<void> }> {
  const s = SIZES[size];
  const context = await browser.newContext({
    baseURL: h.server.adminUrl,
    locale,
    viewport: s.viewport,
    isMobile: s.isMobile,
    hasTouch: s.isMobile,
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  return { page, guard: guardPage(page), close: () => context.close() };
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

async function atStep(page: Page, step: (typeof PAGES)[number]): Promise<void> {
  // The step's own title (the steps bar is not shown on phones).
  await expect(page.getByTestId('wizard-step-title')).toHaveAttribute('data-step', step);
}

test('from an empty data directory to a first invitation received over SMTP, the checklist all green', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const { page, guard, close } = await newPage(browser, 'en-US', 'desktop');
  const next = () => page.getByTestId('wizard-next').click();

  // The first administrator, then straight into the wizard.
  await page.goto(`/setup#token=${h.server.setupToken}`);
  await input(page, 'setup-email').fill(HARNESS_ADMIN.email);
  await input(page, 'setup-display-name').fill(HARNESS_ADMIN.displayName);
  await input(page, 'setup-password').fill(HARNESS_ADMIN.password);
  await input(page, 'setup-confirm').fill(HARNESS_ADMIN.password);
  await page.getByTestId('setup-submit').click();
  await expect(page).toHaveURL(/\/wizard$/);
  await atStep(page, 'organization');

  // Organisation: saved on Next.
  await input(page, 'wizard-org').fill('Example Office');
  await next();
  await atStep(page, 'hostnames');
  expect(
    (await h.admin.call('POST', '/api/auth/login', { email: HARNESS_ADMIN.email, password: HARNESS_ADMIN.password }))
      .status,
  ).toBe(200);
  expect((await h.admin.call('GET', '/api/setup/organization')).json()).toEqual({ name: 'Example Office' });

  // Host names: the LAN address found, and the device listener answering on the name and the address.
  await expect(page.getByTestId('wizard-lan-addresses')).toHaveText('127.0.0.1');
  await input(page, 'wizard-hostnames').fill('localhost');
  await page.getByTestId('wizard-hosts-save').click();
  await expect(page.getByTestId('wizard-host-localhost').locator('[data-state]')).toHaveAttribute('data-state', 'ok');
  await expect(page.getByTestId('wizard-host-127.0.0.1').locator('[data-state]')).toHaveAttribute('data-state', 'ok');
  await expect(page.getByTestId('wizard-base-url')).toHaveText(/^https:\/\/localhost:\d+$/);
  await next();

  // The office CA: kept.
  await atStep(page, 'ca');
  await expect(page.getByTestId('wizard-ca-fingerprint')).toHaveText(/^[0-9A-F:]{95}$/);
  await next();

  // TLS: the generated certificate, covering the host name.
  await atStep(page, 'tls');
  await expect(page.getByTestId('wizard-tls')).toContainText('localhost');
  await next();

  // Push: a certificate with its key.
  await atStep(page, 'push');
  const push = fakePushCertificate({ days: 365 });
  await input(page, 'push-certificate').fill(push.certPem);
  await page
    .getByTestId('push-key-file')
    .setInputFiles({ name: 'push.key', mimeType: 'application/x-pem-file', buffer: Buffer.from(push.keyPem) });
  await page.getByTestId('push-upload').click();
  await expectToast(page, `Push certificate saved (topic ${push.topic}).`);
  await next();

  // Mail: the SMTP server, and a test mail it accepts.
  await atStep(page, 'mail');
  const form = page.getByTestId('smtp-form');
  await input(form, 'smtp-host').fill('127.0.0.1');
  await form.getByTestId('smtp-security').getByText('None').click();
  await input(form, 'smtp-port').fill(String(sink.port));
  await input(form, 'smtp-from-address').fill('it@office.example');
  await input(form, 'smtp-from-name').fill('Office IT');
  await page.getByTestId('smtp-save').click();
  await expectToast(page, 'SMTP settings saved.');
  await input(page, 'mail-test-to').fill('admin@example.com');
  await page.getByTestId('mail-test-send').click();
  await expect(page.getByTestId('mail-test-result')).toContainText('accepted');
  await next();

  // First users: one user, invited at once; the invitation arrives over SMTP.
  await atStep(page, 'users');
  await page.getByTestId('add-user').click();
  const dialog = page.getByTestId('user-dialog');
  await input(dialog, 'user-email').fill('yamada@example.com');
  await input(dialog, 'user-display-name').fill('山田 太郎');
  await dialog.getByTestId('user-send-invitation').click();
  await dialog.getByTestId('user-submit').click();
  await expectToast(page, 'Added yamada@example.com and sent an invitation.');
  const [mail] = await waitForMails(sink.messages, 'yamada@example.com', 1);
  expect(mail?.subject).toContain('Example Office');
  await next();

  // The checklist: every item ok, each with its link.
  await atStep(page, 'checklist');
  await expect(page.getByTestId('wizard-checklist-summary')).toContainText('Everything is configured and valid.');
  for (const id of ['organization', 'hostnames', 'ca', 'tls', 'push', 'mail', 'users'])
    await expect(page.getByTestId(`checklist-${id}`)).toHaveAttribute('data-state', 'ok');
  await expect(page.getByTestId('checklist-push')).toContainText(push.topic);
  await page.getByTestId('wizard-finish').click();
  await expect(page).toHaveURL(/\/$/);
  expect((await h.admin.call('GET', '/api/setup/wizard')).json()).toMatchObject({ finished: true, skipped: [] });

  // Again from Settings, where a checklist link leads back to its step.
  await page.getByRole('link', { name: 'Setup wizard' }).first().click();
  await expect(page).toHaveURL(/\/wizard$/);
  await atStep(page, 'checklist');
  await page.getByTestId('checklist-organization').getByRole('link').click();
  await atStep(page, 'organization');
  await expect(input(page, 'wizard-org')).toHaveValue('Example Office');
  guard.assertClean();
  await close();
});

test('a step can be skipped, and the wizard resumes where it was left', async ({ browser }) => {
  const { page, guard, close } = await newPage(browser, 'en-US', 'desktop');
  await page.goto('/login');
  await input(page, 'login-email').fill(HARNESS_ADMIN.email);
  await input(page, 'login-password').fill(HARNESS_ADMIN.password);
  await page.getByTestId('login-submit').click();
  await expect(page).not.toHaveURL(/\/login/, { timeout: 30_000 });
  await page.goto('/wizard?step=ca');
  await atStep(page, 'ca');
  await page.getByTestId('wizard-skip').click();
  await atStep(page, 'tls');
  await expect(page.getByTestId('wizard-step-ca')).toContainText('Skipped');
  await page.reload();
  await atStep(page, 'tls');
  await page.getByTestId('wizard-back').click();
  await atStep(page, 'ca');
  await page.getByTestId('wizard-next').click();
  await atStep(page, 'tls');
  await expect(page.getByTestId('wizard-step-ca')).not.toContainText('Skipped');
  guard.assertClean();
  await close();
});

for (const [lang, locale] of [
  ['en', 'en-US'],
  ['ja', 'ja-JP'],
] as const) {
  for (const size of ['desktop', 'phone'] as const) {
    test(`screenshots of every step, ${lang} ${size}`, async ({ browser }) => {
      // Eight full-page pictures: minutes on a loaded machine, seconds otherwise.
      test.setTimeout(150_000);
      const { page, guard, close } = await newPage(browser, locale, size);
      await page.goto('/login');
      await input(page, 'login-email').fill(HARNESS_ADMIN.email);
      await input(page, 'login-password').fill(HARNESS_ADMIN.password);
      await page.getByTestId('login-submit').click();
      await expect(page).not.toHaveURL(/\/login/, { timeout: 30_000 });
      // One page load, then Back through the steps (Back saves and skips nothing).
      await page.goto('/wizard?step=checklist');
      for (const step of [...PAGES].reverse()) {
        await atStep(page, step);
        if (step === 'hostnames') await expect(page.getByTestId('wizard-host-results')).toBeVisible();
        if (step === 'checklist') await expect(page.getByTestId('checklist-users')).toHaveAttribute('data-state', 'ok');
        await noToasts(page);
        // One h1 (the wizard's): a settings page shown in a step has its title as an h2.
        await expect(page.locator('h1')).toHaveCount(1);
        await shoot(page, `wizard-${step}-${lang}-${size}`);
        if (A11Y_SCANS.has(`${lang}-${size}`)) await expectNoSeriousA11y(page, `wizard ${step} (${lang}, ${size})`);
        if (step !== 'organization') await page.getByTestId('wizard-back').click();
      }
      guard.assertClean();
      await close();
    });
  }
}
