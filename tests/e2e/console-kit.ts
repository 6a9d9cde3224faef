// Shared pieces of the console specs that run against an in-process server (the test harness): signing in,
// inputs by test id, toasts, and reading the links and PINs out of real emails.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import type { ParsedMail } from 'mailparser';
import { handOff, invitationLinkIn } from '../helpers/first-visit.js';
import { HARNESS_ADMIN, type Harness } from '../helpers/server-harness.js';
import { guardPage, type PageGuard } from './page-guard.js';
import { TEST_OUTPUT } from './server.js';

/** A signed-in console page and what watches it. */
export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  guard: PageGuard;
}

/** The desktop and phone sizes every console page is checked at. */
export const SIZES = {
  desktop: { viewport: { width: 1280, height: 800 }, isMobile: false },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true },
} as const;

/** The text input with `testId`: element-plus puts the attribute on the <input> itself or on its wrapper. */
export function input(scope: Page | Locator, testId: string): Locator {
  return scope
    .locator(
      `input[data-testid="${testId}"], textarea[data-testid="${testId}"], [data-testid="${testId}"] input, [data-testid="${testId}"] textarea`,
    )
    .first();
}

/** Waits for the success toast saying `text`. */
export async function expectToast(page: Page, text: string | RegExp): Promise<void> {
  await expect(page.locator('.el-message--success').filter({ hasText: text }).first()).toBeVisible();
}

/** Waits until no toast is left (for screenshots). */
export async function noToasts(page: Page): Promise<void> {
  await expect(page.locator('.el-message')).toHaveCount(0, { timeout: 15_000 });
}

/** Opens a browser context on the harness's console and signs the harness admin in. */
export async function openConsole(
  browser: Browser,
  h: Harness,
  options: { locale?: string; size?: keyof typeof SIZES } = {},
): Promise<ConsolePage> {
  const size = SIZES[options.size ?? 'desktop'];
  const context = await browser.newContext({
    baseURL: h.server.adminUrl,
    locale: options.locale ?? 'en-US',
    viewport: size.viewport,
    isMobile: size.isMobile,
    hasTouch: size.isMobile,
    deviceScaleFactor: 1,
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const guard = guardPage(page);
  // Sign-in lands on the dashboard; the specs start on the users page, which the redirect asks for (the pattern
  // needs the port before /users: the sign-in page's own address, ?redirect=/users, ends the same way).
  await page.goto('/login?redirect=/users');
  await input(page, 'login-email').fill(HARNESS_ADMIN.email);
  await input(page, 'login-password').fill(HARNESS_ADMIN.password);
  await page.getByTestId('login-submit').click();
  // Password hashing is slow on purpose; on a busy test machine the sign-in can take longer than a click's wait.
  await expect(page).toHaveURL(/:\d+\/users$/, { timeout: 30_000 });
  return { context, page, guard };
}

/** The option of an open element-plus select or dropdown whose text is `text`. */
export function option(page: Page, text: string | RegExp): Locator {
  return page
    .locator('.el-select-dropdown__item:visible, .el-dropdown-menu__item:visible')
    .filter({ hasText: text })
    .first();
}

/** Chooses `text` in the element-plus select with `testId`. */
export async function choose(page: Page, testId: string, text: string | RegExp): Promise<void> {
  await page.getByTestId(testId).click();
  await option(page, text).click();
}

/** Picks users in a remote-search user picker by typing part of each email. */
export async function pickUsers(page: Page, testId: string, emails: string[]): Promise<void> {
  const box = page.getByTestId(testId);
  for (const email of emails) {
    // The remote search answers while the list is open: a click can land while the list is being replaced, and
    // then picks nothing. Try again until the picker shows the user.
    await expect(async () => {
      await box.click();
      await box.locator('input').fill(email.split('@')[0] ?? email);
      await option(page, email).click({ timeout: 5_000 });
      await expect(box).toContainText(email, { timeout: 2_000 });
    }).toPass({ timeout: 30_000 });
  }
  // Close the dropdown (clicking the dialog's title) so the dialog's buttons are not covered.
  await page.locator('.el-dialog__title:visible').first().click();
  await expect(page.locator('.el-select-dropdown:visible')).toHaveCount(0);
}

/** The recipients of a parsed email. */
export function recipients(mail: ParsedMail): string {
  const to = mail.to;
  if (!to) return '';
  return (Array.isArray(to) ? to : [to]).map((a) => a.text).join(', ');
}

/**
 * The HTTPS portal page an invitation email's link leads to, on `deviceOrigin` (127.0.0.1): the email's link opens the
 * first-visit page, which hands on there (tests/helpers/first-visit.ts).
 */
export function linkIn(mail: ParsedMail, deviceOrigin: string): string {
  return handOff(invitationLinkIn(mail.text ?? ''), deviceOrigin);
}

/** The PIN of an invitation email, or null when it has none. */
export function pinIn(mail: ParsedMail): string | null {
  return /PIN[^:\n]*: (\d{6,8})/.exec(mail.text ?? '')?.[1] ?? null;
}

/** The messages to `address` the sink has received so far. */
export function mailsTo(messages: ParsedMail[], address: string): ParsedMail[] {
  return messages.filter((m) => recipients(m).includes(address));
}

/** Waits until `address` has received `count` messages; returns them. */
export async function waitForMails(messages: ParsedMail[], address: string, count: number): Promise<ParsedMail[]> {
  await expect
    .poll(() => mailsTo(messages, address).length, { timeout: 15_000, message: `mails to ${address}` })
    .toBeGreaterThanOrEqual(count);
  return mailsTo(messages, address);
}

/** Where the specs' screenshots go (git-ignored; emptied before each run by global-setup.ts). */
export const SCREENSHOTS = join(TEST_OUTPUT, 'screenshots');

/**
 * Saves a screenshot of `page` as test-output/screenshots/<name>.png the same way in every spec: the mouse moved out
 * of the way (no hover effects), the fonts loaded (the Japanese glyphs are in it), animations stopped and the caret
 * hidden. Whole page by default (scrolled to the top first); `fullPage: false` keeps the viewport as it is.
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  const fullPage = options.fullPage ?? true;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.mouse.move(0, 0);
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage, animations: 'disabled', caret: 'hide' });
}
