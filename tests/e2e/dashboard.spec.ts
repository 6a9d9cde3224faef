// The dashboard at "/" over the lived-in office of console-seed.ts (devices in every status, invitations at every
// step, a bounced email, a push certificate 25 days from its end): the numbers are the server's, every card and
// warning leads to the page where the admin acts, and screenshots in ja and en at desktop and phone sizes go to
// test-output/screenshots/dashboard-<lang>-<size>.png for people to look at.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { DashboardDto } from '../../server/contract/index.js';
import { A11Y_SCANS, expectNoSeriousA11y } from './axe.js';
import { noToasts, openConsole, type ConsolePage } from './console-kit.js';
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

async function openDashboard(c: ConsolePage): Promise<void> {
  await c.page.goto('/');
  await expect(c.page.getByTestId('dashboard')).toBeVisible();
  await expect(c.page.getByTestId('devices-total')).toBeVisible();
}

async function serverView(): Promise<DashboardDto> {
  return (await office.h.admin.call('GET', '/api/dashboard')).json<DashboardDto>();
}

test('"/" is the dashboard: the server’s numbers, and every card leads where the admin acts', async ({ browser }) => {
  test.setTimeout(120_000);
  const c = await openConsole(browser, office.h);
  const { page } = c;
  const home = async () => {
    await page.locator('.brand-link').click();
    await expect(page.getByTestId('devices-total')).toBeVisible();
  };
  await openDashboard(c);
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await expect(nav.getByRole('link').first()).toHaveText('Dashboard');
  await expect(nav.getByRole('link', { name: 'Dashboard', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dashboard');

  const d = await serverView();
  await expect(page.getByTestId('devices-total')).toContainText(String(d.devices.total));
  for (const status of ['active', 'pending', 'inactive', 'wiped', 'reset'] as const)
    await expect(page.getByTestId(`devices-${status}`)).toContainText(String(d.devices.byStatus[status]));
  expect(d.devices.byStatus.active).toBeGreaterThan(0);
  await expect(page.getByTestId('devices-android')).toContainText(String(d.devices.byPlatform.android));
  for (const [step, n] of Object.entries(d.invitations.waiting))
    await expect(page.getByTestId(`invitations-${step}`)).toContainText(String(n));
  await expect(page.getByTestId('mail-failed')).toHaveText(String(d.mail.failed));
  await expect(page.getByTestId('mail-failure').first()).toContainText('bounce@example.com');
  for (const l of d.listeners) {
    await expect(page.getByTestId(`listener-${l.name}`)).toContainText('Listening');
    await expect(page.getByTestId(`listener-${l.name}`)).toContainText(l.url);
  }
  await expect(page.getByTestId('audit-recent')).toHaveCount(d.recentAudit.length);

  // What needs the admin: the push certificate near its end and the bounced mail, each with the page to fix it.
  const pushWarning = page.locator('[data-testid="attention-item"][data-kind="push-expiring"]');
  await expect(pushWarning).toContainText(/Push certificate ends in 2\d days/);
  await expect(page.getByTestId('certificate-push')).toHaveAttribute('data-state', 'expiring');
  await pushWarning.getByRole('link', { name: 'Push certificate' }).click();
  await expect(page).toHaveURL(/\/settings\/push$/);

  // Back by the brand mark; then the bounced mail leads to the outbox, by keyboard.
  await home();
  await expect(page).toHaveURL(/\/$/);
  const mailLink = page.locator('[data-testid="attention-item"][data-kind="mail-failed"]').getByRole('link');
  await expect(mailLink).toHaveText(/Outbox/);
  await mailLink.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/settings\/mail$/);
  await expect(page.getByTestId('outbox-section')).toBeVisible();

  for (const [card, url] of [
    ['card-devices', /\/devices$/],
    ['card-invitations', /\/invitations$/],
    ['card-mail', /\/settings\/mail$/],
    ['card-network', /\/settings\/enrollment-url$/],
    ['card-audit', /\/audit$/],
  ] as const) {
    await home();
    await page.getByTestId(`${card}-link`).click();
    await expect(page).toHaveURL(url);
  }
  await home();
  await page.getByTestId('certificate-tls_office').getByRole('link').click();
  await expect(page).toHaveURL(/\/settings\/tls$/);
  c.guard.assertClean();
  await c.context.close();
});

async function shoot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

for (const { lang, locale } of LANGS) {
  for (const size of SIZES) {
    test(`the dashboard in ${lang} on ${size}`, async ({ browser }) => {
      const c = await openConsole(browser, office.h, { locale, size });
      await openDashboard(c);
      await expect(c.page.locator('html')).toHaveAttribute('lang', lang);
      await expect(c.page.getByTestId('attention-item').first()).toBeVisible();
      // Nothing wider than the screen: no sideways scrolling on a phone.
      const overflow = await c.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await noToasts(c.page);
      await shoot(c.page, `dashboard-${lang}-${size}`);
      if (A11Y_SCANS.has(`${lang}-${size}`)) await expectNoSeriousA11y(c.page, `dashboard (${lang}, ${size})`);
      c.guard.assertClean();
      await c.context.close();
    });
  }
}
