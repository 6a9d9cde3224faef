// Screenshots of every macOS helper screen in ja and en, at the helper window's size (400x640) and narrower
// (360x740), into test-output/screenshots/helper-<screen>-<lang>-<width>x<height>.png, for people to look at.
// The helper's main process is replaced by a fake bridge injected before the page loads: it serves one screen,
// pushes more on request (window.__helperPush) and records every action the page sends (window.__helperSent).
// Every screen is also scanned with axe-core once, in en at the window's size, and no screen may break the
// Content-Security-Policy.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import type { HelperAction, HelperScreen, HelperScreenState } from '../../server/contract/helper.js';
import helperEn, { type HelperMessages } from '../../renderer/i18n/helper.en.js';
import helperJa from '../../renderer/i18n/helper.ja.js';
import { expectNoSeriousA11y, watchCsp } from './axe.js';
import { guardPage, type PageGuard } from './page-guard.js';
import { startTsunagu, TEST_OUTPUT, type TsunaguServer } from './server.js';

const SHOTS = join(TEST_OUTPUT, 'screenshots');
const LANGS = [
  { lang: 'ja', locale: 'ja-JP', m: helperJa },
  { lang: 'en', locale: 'en-US', m: helperEn },
] as const;
const SIZES = [
  { width: 400, height: 640 },
  { width: 360, height: 740 },
] as const;
/**
 * At the narrower size only the screens with the longest content are taken (steps, fingerprints, forms, hosts and
 * details that can wrap): the rest share their layout, and every screen costs the suite about two seconds.
 */
const NARROW_CASES = new Set([
  'enter-address-not-https',
  'confirm-server',
  'sign-in-bad-credentials',
  'enrolled-elsewhere',
  'installing-14',
  'installing-15-standard-replaced',
  'certificate-mismatch',
  'server-unreachable',
  'unsupported-macos',
]);

const HOST = 'enroll.example.co.jp';
const ORG = '株式会社サンプル商事 (Sample Trading Co., Ltd.)';
const CA = '3f9a1c0d5e7b2a4f6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d';
const OTHER_CA = '3f9a1c0d5e7b2a4f6c8d0e1f2a3b4c5d00000000a2b3c4d5e6f708192a3b4c5d';
const SONOMA = {
  major: 14,
  paneName: 'Privacy & Security > Profiles',
  buttons: { continue: 'Continue', install: ['Install', 'Enroll'] as const },
};
const SEQUOIA = {
  major: 15,
  paneName: 'General > Device Management',
  buttons: { continue: 'Continue', install: ['Enroll', 'Install'] as const },
};
/** Minutes and seconds the installing screens count down from (the fake bridge adds Date.now()). */
const VALID_FOR_MS = 14 * 60_000 + 32_000;

/** One picture: the state, the facts around it, what the page must show and which click sends what. */
interface Case {
  name: string;
  state: HelperScreenState;
  server?: HelperScreen['server'];
  isAdmin?: boolean;
  heading: (m: HelperMessages) => string;
  /** Text that must be on the page. */
  shows?: (m: HelperMessages) => string[];
  /** The buttons (data-testid) the screen offers, all of them. */
  buttons: string[];
  /** The main button and the action it must send. */
  click?: { testId: string; action: HelperAction };
}

const KNOWN = { organisation: ORG, host: HOST };
const steps = (m: HelperMessages, pane: string, install: [string, string]) => [
  m.installing.openPane.replace('{pane}', pane),
  m.installing.clickInstall.replace('{button}', install[0]).replace('{other}', install[1]),
];

const CASES: Case[] = [
  {
    name: 'enter-address',
    state: { kind: 'enter-address', input: '', problem: null },
    server: null,
    heading: (m) => m.address.title,
    buttons: ['address-submit', 'helper-quit'],
    click: { testId: 'helper-quit', action: { type: 'quit' } },
  },
  {
    name: 'enter-address-not-https',
    state: { kind: 'enter-address', input: 'http://enroll.example.co.jp', problem: 'not-https' },
    server: null,
    heading: (m) => m.address.title,
    shows: (m) => [m.address.problems['not-https']],
    buttons: ['address-submit', 'helper-quit'],
    click: { testId: 'address-submit', action: { type: 'start', server: 'http://enroll.example.co.jp' } },
  },
  {
    name: 'connecting',
    state: { kind: 'connecting', host: HOST },
    server: { organisation: null, host: HOST },
    heading: (m) => m.connecting.title,
    shows: (m) => [m.connecting.body.replace('{host}', HOST)],
    buttons: ['helper-cancel'],
    click: { testId: 'helper-cancel', action: { type: 'cancel' } },
  },
  {
    name: 'confirm-server',
    state: { kind: 'confirm-server', organisation: ORG, host: HOST, caSha256: CA },
    server: { organisation: null, host: HOST },
    heading: (m) => m.confirm.title,
    shows: (m) => [m.confirm.intro, '3F9A 1C0D 5E7B 2A4F'],
    buttons: ['confirm-accept', 'confirm-reject'],
    click: { testId: 'confirm-accept', action: { type: 'accept-server' } },
  },
  {
    name: 'sign-in',
    state: { kind: 'sign-in', submitting: false, problem: null, withLinkToken: false },
    heading: (m) => m.signIn.title,
    buttons: ['sign-in-submit', 'helper-cancel'],
    click: { testId: 'helper-cancel', action: { type: 'cancel' } },
  },
  {
    name: 'sign-in-bad-credentials',
    state: { kind: 'sign-in', submitting: false, problem: 'bad-credentials', withLinkToken: false },
    heading: (m) => m.signIn.title,
    shows: (m) => [m.signIn.problems['bad-credentials']],
    buttons: ['sign-in-submit', 'helper-cancel'],
  },
  {
    name: 'sign-in-link',
    state: { kind: 'sign-in', submitting: true, problem: null, withLinkToken: true },
    heading: (m) => m.signIn.title,
    shows: (m) => [m.signIn.withLink],
    buttons: ['helper-cancel'],
  },
  {
    name: 'checking-mac',
    state: { kind: 'checking-mac' },
    heading: (m) => m.checkingMac.title,
    buttons: ['helper-cancel'],
  },
  {
    name: 'enrolled-elsewhere',
    state: { kind: 'enrolled-elsewhere', otherHost: 'mdm.other-vendor.example.com' },
    heading: (m) => m.elsewhere.title,
    shows: () => ['mdm.other-vendor.example.com'],
    buttons: ['helper-retry', 'helper-cancel'],
    click: { testId: 'helper-retry', action: { type: 'retry' } },
  },
  {
    name: 'admin-needed-warning',
    state: { kind: 'admin-needed-warning' },
    isAdmin: false,
    heading: (m) => m.adminNeeded.title,
    buttons: ['admin-continue', 'helper-cancel'],
    click: { testId: 'admin-continue', action: { type: 'acknowledge' } },
  },
  {
    name: 'downloading',
    state: { kind: 'downloading', refreshing: false },
    heading: (m) => m.downloading.title,
    buttons: ['helper-cancel'],
  },
  {
    name: 'downloading-refreshing',
    state: { kind: 'downloading', refreshing: true },
    heading: (m) => m.downloading.refreshing,
    buttons: ['helper-cancel'],
  },
  {
    name: 'download-failed',
    state: { kind: 'download-failed' },
    heading: (m) => m.downloadFailed.title,
    buttons: ['helper-retry', 'helper-cancel'],
    click: { testId: 'helper-retry', action: { type: 'retry' } },
  },
  {
    name: 'installing-14',
    state: { kind: 'installing', pane: SONOMA, expiresAt: VALID_FOR_MS, replaced: false },
    isAdmin: true,
    heading: (m) => m.installing.title,
    shows: (m) => [m.installing.passwordWarnAdmin],
    buttons: ['installing-reopen', 'helper-cancel'],
    click: { testId: 'installing-reopen', action: { type: 'reopen-settings' } },
  },
  {
    name: 'installing-15-standard-replaced',
    state: { kind: 'installing', pane: SEQUOIA, expiresAt: VALID_FOR_MS, replaced: true },
    isAdmin: false,
    heading: (m) => m.installing.title,
    shows: (m) => [m.installing.replaced, m.installing.passwordWarnStandard],
    buttons: ['installing-reopen', 'helper-cancel'],
    click: { testId: 'helper-cancel', action: { type: 'cancel' } },
  },
  {
    name: 'waiting-for-server',
    state: { kind: 'waiting-for-server' },
    heading: (m) => m.waiting.title,
    buttons: ['helper-cancel'],
  },
  {
    name: 'enrolled',
    state: { kind: 'enrolled', how: 'installed' },
    heading: (m) => m.enrolled.title,
    shows: (m) => [m.enrolled.installed],
    buttons: ['helper-close'],
    click: { testId: 'helper-close', action: { type: 'quit' } },
  },
  {
    name: 'enrolled-already-here',
    state: { kind: 'enrolled', how: 'already-enrolled-here' },
    heading: (m) => m.enrolled.title,
    shows: (m) => [m.enrolled.alreadyHere],
    buttons: ['helper-close'],
  },
  {
    name: 'cancelled-user',
    state: { kind: 'cancelled', reason: 'user' },
    heading: (m) => m.cancelled.title,
    shows: (m) => [m.cancelled.user],
    buttons: ['helper-start-again', 'helper-close'],
    click: { testId: 'helper-start-again', action: { type: 'start-again' } },
  },
  {
    name: 'cancelled-server-rejected',
    state: { kind: 'cancelled', reason: 'server-rejected' },
    heading: (m) => m.cancelled.title,
    shows: (m) => [m.cancelled['server-rejected']],
    buttons: ['helper-start-again', 'helper-close'],
  },
  {
    name: 'expired',
    state: { kind: 'expired' },
    heading: (m) => m.expired.title,
    buttons: ['helper-retry', 'helper-cancel'],
    click: { testId: 'helper-retry', action: { type: 'retry' } },
  },
  {
    name: 'network-lost',
    state: { kind: 'network-lost' },
    heading: (m) => m.networkLost.title,
    buttons: ['helper-retry', 'helper-cancel'],
    click: { testId: 'helper-retry', action: { type: 'retry' } },
  },
  {
    name: 'certificate-mismatch',
    state: { kind: 'certificate-mismatch', expected: CA, presented: OTHER_CA },
    heading: (m) => m.mismatch.title,
    shows: (m) => [m.mismatch.next, '0000 0000'],
    buttons: ['helper-close'],
    click: { testId: 'helper-close', action: { type: 'quit' } },
  },
  {
    name: 'server-unreachable',
    state: {
      kind: 'server-unreachable',
      detail: 'connect ECONNREFUSED 203.0.113.10:443 <script>alert(1)</script>',
    },
    heading: (m) => m.unreachable.title,
    shows: () => ['connect ECONNREFUSED 203.0.113.10:443 <script>alert(1)</script>'],
    buttons: ['helper-retry', 'helper-cancel'],
    click: { testId: 'helper-retry', action: { type: 'retry' } },
  },
  {
    name: 'status-unreadable',
    state: { kind: 'status-unreadable', detail: 'profiles: exit code 1' },
    heading: (m) => m.unreadable.title,
    shows: () => ['profiles: exit code 1'],
    buttons: ['helper-retry', 'helper-cancel'],
  },
  {
    name: 'unsupported-macos',
    state: { kind: 'unsupported-macos', macosVersion: '12.7.4', portalUrl: 'https://enroll.example.co.jp/go' },
    server: null,
    heading: (m) => m.unsupported.title,
    shows: (m) => [m.unsupported.body.replace('{version}', '12.7.4')],
    buttons: ['helper-open-portal', 'helper-close'],
    click: { testId: 'helper-open-portal', action: { type: 'open-portal' } },
  },
];

/** Every state kind of the contract, so a new one cannot go without a picture. */
const KINDS: HelperScreenState['kind'][] = [
  'enter-address',
  'connecting',
  'confirm-server',
  'sign-in',
  'checking-mac',
  'enrolled-elsewhere',
  'admin-needed-warning',
  'downloading',
  'download-failed',
  'installing',
  'waiting-for-server',
  'enrolled',
  'cancelled',
  'expired',
  'network-lost',
  'certificate-mismatch',
  'server-unreachable',
  'status-unreadable',
  'unsupported-macos',
];

/** Installs the fake bridge; an `installing` state's expiresAt is taken as milliseconds from page load. */
function installFakeBridge(screen: HelperScreen | null): void {
  type Listener = (next: HelperScreen) => void;
  const w = window as unknown as Record<string, unknown>;
  const listeners = new Set<Listener>();
  const sent: HelperAction[] = [];
  w.__helperSent = sent;
  w.__helperPush = (next: HelperScreen) => listeners.forEach((listener) => listener(next));
  if (screen === null) return;
  const first: HelperScreen =
    screen.state.kind === 'installing'
      ? { ...screen, state: { ...screen.state, expiresAt: Date.now() + screen.state.expiresAt } }
      : screen;
  w.tsunaguHelper = {
    screen: () => Promise.resolve(first),
    send: (action: HelperAction) => {
      sent.push(action);
      return Promise.resolve();
    },
    onScreen: (listener: Listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

let server: TsunaguServer;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startTsunagu('helper-screens');
});

test.afterAll(async () => {
  if (server) expect(await server.stop(), server.output()).toBe(0);
});

/** Records what a page asks of the admin API and which of its requests failed (into `guard`). */
function watchRequests(page: Page, guard: PageGuard): string[] {
  const apiRequests: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/')) apiRequests.push(request.url());
  });
  page.on('requestfailed', (request) => guard.problems.push(`request failed: ${request.url()}`));
  return apiRequests;
}

/** A page with the fake bridge serving `screen`, guarded against console errors, failed and admin API requests. */
async function openHelper(
  context: BrowserContext,
  screen: HelperScreen | null,
): Promise<{ page: Page; guard: PageGuard; apiRequests: string[] }> {
  const page = await context.newPage();
  const guard = guardPage(page);
  const apiRequests = watchRequests(page, guard);
  await page.addInitScript(installFakeBridge, screen);
  await page.goto('/helper');
  return { page, guard, apiRequests };
}

/**
 * Loads /helper afresh in `page` with the fake bridge serving `screen` (a new document, so a new app and bridge; the
 * page and its renderer are reused, which makes a load about a second cheaper than in a new page).
 */
async function showHelper(page: Page, screen: HelperScreen): Promise<void> {
  const bridge = await page.addInitScript(installFakeBridge, screen);
  try {
    await page.goto('/helper');
  } finally {
    await bridge.dispose();
  }
}

async function newContext(browser: Browser, locale: string, size: { width: number; height: number }) {
  return browser.newContext({ baseURL: server.adminUrl, locale, viewport: size, deviceScaleFactor: 1 });
}

/** The text input with `testId` (on the <input> itself or on its wrapper). */
function field(page: Page, testId: string): Locator {
  return page.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first();
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({
    path: join(SHOTS, `helper-${name}.png`),
    fullPage: true,
    animations: 'disabled',
    caret: 'hide',
  });
}

test('every state kind has a screenshot case', () => {
  expect([...new Set(CASES.map((c) => c.state.kind))].sort()).toEqual([...KINDS].sort());
});

for (const { lang, locale, m } of LANGS) {
  for (const size of SIZES) {
    const tag = `${lang}-${size.width}x${size.height}`;

    test(`every helper screen in ${lang} at ${size.width}x${size.height}`, async ({ browser }) => {
      test.setTimeout(240_000);
      const context = await newContext(browser, locale, size);
      const csp = await watchCsp(context);
      // One page, each screen a fresh load in it: its guard and request log are checked (and the log emptied) per
      // screen, so a problem is still reported at the screen that caused it.
      const page = await context.newPage();
      const guard = guardPage(page);
      const apiRequests = watchRequests(page, guard);
      for (const c of CASES) {
        if (size !== SIZES[0] && !NARROW_CASES.has(c.name)) continue;
        const screen: HelperScreen = {
          state: c.state,
          server: c.server === undefined ? KNOWN : c.server,
          macosVersion: '14.6.1',
          isAdmin: c.isAdmin ?? true,
          locale: lang,
        };
        apiRequests.length = 0;
        await showHelper(page, screen);
        const heading = page.getByTestId('helper-heading');
        await expect(heading, c.name).toHaveText(c.heading(m));
        await expect(page.locator('html')).toHaveAttribute('lang', lang);
        // The heading has the focus, so a screen reader starts at the new screen.
        await expect(heading).toBeFocused();
        for (const text of c.shows?.(m) ?? []) await expect(page.locator('main'), c.name).toContainText(text);
        // Exactly the buttons the case names, no others (the certificate mismatch offers no way forward).
        const offered = await page
          .locator('main button[data-testid]')
          .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-testid')));
        expect(offered.sort(), c.name).toEqual([...c.buttons].sort());
        if (screen.server) await expect(page.getByTestId('helper-server')).toContainText(screen.server.host);
        // Nothing wider than the window.
        expect(
          await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
          `${c.name} overflows sideways`,
        ).toBeLessThanOrEqual(0);

        if (c.state.kind === 'installing') {
          const pane = c.state.pane;
          const names =
            lang === 'en'
              ? {
                  pane: `“${pane.paneName}”`,
                  install: [`“${pane.buttons.install[0]}”`, `“${pane.buttons.install[1]}”`],
                }
              : {
                  pane:
                    pane.major >= 15
                      ? '「一般 > デバイス管理」（“General > Device Management”）'
                      : '「プライバシーとセキュリティ > プロファイル」（“Privacy & Security > Profiles”）',
                  install:
                    pane.major >= 15
                      ? ['「登録」（“Enroll”）', '「インストール」（“Install”）']
                      : ['「インストール」（“Install”）', '「登録」（“Enroll”）'],
                };
          const list = page.getByTestId('installing-steps');
          for (const step of steps(m, names.pane, names.install as [string, string]))
            await expect(list).toContainText(step);
          await expect(list.locator('li')).toHaveCount(5);
          const countdown = page.getByTestId('installing-countdown');
          await expect(countdown).toHaveText(/^14:(3[0-2]|2\d)$/);
        }

        await shoot(page, `${c.name}-${tag}`);
        if (lang === 'en' && size === SIZES[0]) await expectNoSeriousA11y(page, `helper ${c.name} (${tag})`);

        if (c.click) {
          await page.getByTestId(c.click.testId).click();
          await expect
            .poll(() => page.evaluate(() => (window as unknown as { __helperSent: unknown[] }).__helperSent))
            .toEqual([c.click.action]);
        }
        guard.assertClean();
        expect(apiRequests, `${c.name} asked the admin API`).toEqual([]);
      }
      csp.assertClean();
      await context.close();
    });
  }
}

test('the install countdown ticks every second and announces only whole minutes', async ({ browser }) => {
  // A Japanese browser on an English Mac: the page starts with the Japanese messages and switches to the Mac's
  // language once the English ones have loaded (the page guard fails on any untranslated key on the way).
  const context = await newContext(browser, 'ja-JP', SIZES[0]);
  const { page, guard } = await openHelper(context, {
    state: { kind: 'installing', pane: SEQUOIA, expiresAt: 65_000, replaced: false },
    server: KNOWN,
    macosVersion: '15.3',
    isAdmin: true,
    locale: 'en',
  });
  const countdown = page.getByTestId('installing-countdown');
  const live = page.getByTestId('installing-countdown-live');
  await expect(countdown).toHaveText(/^01:0[1-5]$/);
  await expect(live).toHaveText('2 minutes left to install the profile');
  await expect(countdown).toHaveText('00:59', { timeout: 8_000 });
  await expect(live).toHaveText('1 minute left to install the profile');
  await expect(page.getByTestId('installing-countdown-live')).toHaveAttribute('aria-live', 'polite');
  // The same screen at desktop width: the content stays one readable column.
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(page.locator('main')).toHaveCSS('max-width', '560px');
  await shoot(page, 'installing-en-1280x800');
  guard.assertClean();
  await context.close();
});

test('a sign-in with a PIN sends the PIN and the new password; a pushed screen replaces it', async ({ browser }) => {
  const context = await newContext(browser, 'en-US', SIZES[1]);
  const { page, guard } = await openHelper(context, {
    state: { kind: 'sign-in', submitting: false, problem: null, withLinkToken: false },
    server: KNOWN,
    macosVersion: '15.3',
    isAdmin: true,
    locale: 'en',
  });
  await page.getByTestId('method-pin').click();
  await field(page, 'sign-in-email').fill('hanako@example.com');
  await field(page, 'sign-in-pin').fill('12345678');
  await field(page, 'sign-in-new-password').fill('a good long password');
  await field(page, 'sign-in-confirm').fill('a good long passwort');
  await page.getByTestId('sign-in-submit').click();
  await expect(page.locator('main')).toContainText(helperEn.signIn.errors.mismatch);
  await shoot(page, 'sign-in-pin-mismatch-en-360x740');
  await field(page, 'sign-in-confirm').fill('a good long password');
  await page.getByTestId('sign-in-submit').click();
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __helperSent: unknown[] }).__helperSent))
    .toEqual([
      {
        type: 'sign-in',
        credentials: {
          method: 'pin',
          email: 'hanako@example.com',
          pin: '12345678',
          newPassword: 'a good long password',
        },
      },
    ]);
  await page.evaluate((next) => (window as unknown as { __helperPush: (s: unknown) => void }).__helperPush(next), {
    state: { kind: 'checking-mac' },
    server: KNOWN,
    macosVersion: '15.3',
    isAdmin: true,
    locale: 'en',
  });
  await expect(page.getByTestId('helper-heading')).toHaveText(helperEn.checkingMac.title);
  await expect(page.getByTestId('helper-heading')).toBeFocused();
  guard.assertClean();
  await context.close();
});

test('outside the helper app the page says so and asks nothing of the admin API', async ({ browser }) => {
  for (const { lang, locale, m } of LANGS) {
    const context = await newContext(browser, locale, SIZES[0]);
    const { page, guard, apiRequests } = await openHelper(context, null);
    await expect(page.getByTestId('helper-heading')).toHaveText(m.unavailable.title);
    await shoot(page, `no-bridge-${lang}-400x640`);
    guard.assertClean();
    expect(apiRequests).toEqual([]);
    await context.close();
  }
});
