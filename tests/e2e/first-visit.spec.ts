// The first-visit page in Chromium: where invitation links and the printed /go address lead while the office CA is in
// use (plain HTTP, on the bootstrap listener). Its script probes the HTTPS device listener from the browser. A context
// that does not trust the office CA meets a real TLS failure there (no ignoreHTTPSErrors: Chromium refuses the office
// CA) and is shown the steps for its system with the CA's name and fingerprint; a context that trusts it is handed on to
// the HTTPS portal with the invitation token. In ja and en, as an iPhone, an Android phone and a Mac, with screenshots
// into test-output/screenshots/first-visit-<untrusted|not-yet>-<system>-<lang>-<phone|desktop>.png for people to look at.
//
// The links name the harness's host, tsunagu.test: the browser resolves it to 127.0.0.1 (playwright.config.ts), so the
// certificate check is the real one, for the name the certificate was issued to.
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlist, type PlistDict } from '../../server/core/plist.js';
import { verifyCms } from '../../server/pki/cms.js';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { IPHONE_UA, MAC_UA, startPortalWorld, type PortalWorld } from './portal-kit.js';
import { TEST_OUTPUT } from './server.js';

const SHOTS = join(TEST_OUTPUT, 'screenshots');

/** Chrome on an Android phone. */
const ANDROID_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } as const;
const DESKTOP = { viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false } as const;

type System = 'ios' | 'macos' | 'android';
type Lang = 'ja' | 'en';

/** Each system as the browser presents it, and what its steps must say (literal texts, so wrong texts fail). */
const SYSTEMS: Record<
  System,
  {
    device: { userAgent: string } & (typeof PHONE | typeof DESKTOP);
    size: 'phone' | 'desktop';
    heading: string;
    download: string;
    /** A part of the steps only this system's section has, per language. */
    says: Record<Lang, readonly string[]>;
  }
> = {
  ios: {
    device: { userAgent: IPHONE_UA, ...PHONE },
    size: 'phone',
    heading: 'iPhone / iPad',
    download: '/trust/ca.mobileconfig',
    says: {
      en: ['Settings > General > About > Certificate Trust Settings', 'Enable full trust for root certificates'],
      ja: ['「設定」>「一般」>「情報」>「証明書信頼設定」', '「ルート証明書を全面的に信頼する」'],
    },
  },
  macos: {
    device: { userAgent: MAC_UA, ...DESKTOP },
    size: 'desktop',
    heading: 'Mac',
    download: '/trust/ca.mobileconfig',
    says: {
      en: ['System Settings > General > Device Management', 'Privacy & Security > Profiles', 'Always Trust'],
      ja: ['システム設定 > 一般 > デバイス管理', 'プライバシーとセキュリティ > プロファイル', '「常に信頼」'],
    },
  },
  android: {
    device: { userAgent: ANDROID_UA, ...PHONE },
    size: 'phone',
    heading: 'Android',
    download: '/trust/ca.cer',
    says: {
      en: ['Encryption & credentials > Install a certificate > CA certificate', 'Trusted credentials > User'],
      ja: ['暗号化と認証情報 > 証明書のインストール > CA 証明書', '信頼できる認証情報 > ユーザー'],
    },
  },
};

const TEXTS = {
  en: { download: { ios: 'Download the profile', macos: 'Download the profile', android: 'Download the certificate' } },
  ja: {
    download: {
      ios: 'プロファイルをダウンロード',
      macos: 'プロファイルをダウンロード',
      android: '証明書をダウンロード',
    },
  },
} as const;

const LOCALES: Record<Lang, 'ja-JP' | 'en-US'> = { ja: 'ja-JP', en: 'en-US' };

test.describe.configure({ mode: 'serial' });

let w: PortalWorld;
/** The office CA as a person compares it: its name (common name) and SHA-256 fingerprint. */
let ca: { name: string; fingerprint: string };
/** The device listener as the links name it (https://tsunagu.test:<port>). */
let device: string;

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  w = await startPortalWorld();
  const x = new X509Certificate(w.caPem);
  ca = { name: /^CN=(.*)$/m.exec(x.subject)?.[1] ?? '', fingerprint: x.fingerprint256 };
  expect(ca.name).not.toBe('');
  device = w.h.server.enrollmentUrl.replace(/\/$/, '');
  expect(device).toMatch(/^https:\/\/tsunagu\.test:\d+$/);
});

test.afterAll(async () => {
  await w?.close();
});

/** A browser context and what it did: every request, the responses, failed requests, and script or console errors. */
interface Visit {
  context: BrowserContext;
  page: Page;
  requests: string[];
  /** Responses, as "<status> <url>". */
  answered: string[];
  failed: { url: string; error: string }[];
  problems: string[];
  assertClean(): void;
}

/**
 * Opens a context with `device`'s User-Agent and size. `trusted` stands for a device that trusts the office CA
 * (Chromium ignores certificate errors); without it the office CA is unknown to Chromium and every HTTPS request to
 * the device listener fails its certificate check. The one console error such a failed probe causes is expected.
 */
async function visit(browser: Browser, device: object, lang: Lang, trusted: boolean): Promise<Visit> {
  const context = await browser.newContext({
    ...device,
    locale: LOCALES[lang],
    ignoreHTTPSErrors: trusted,
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const v: Visit = {
    context,
    page,
    requests: [],
    answered: [],
    failed: [],
    problems: [],
    assertClean() {
      if (v.problems.length > 0)
        throw new Error(`The page reported ${v.problems.length} problem(s):\n${v.problems.join('\n')}`);
    },
  };
  page.on('request', (r) => v.requests.push(r.url()));
  page.on('response', (r) => v.answered.push(`${r.status()} ${r.url()}`));
  page.on('requestfailed', (r) => v.failed.push({ url: r.url(), error: r.failure()?.errorText ?? '' }));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (!trusted && /tls-probe\.gif/.test(`${m.text()} ${m.location().url}`) && /ERR_CERT/.test(m.text())) return;
    v.problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => v.problems.push(`page error: ${e.message}`));
  return v;
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: join(SHOTS, `first-visit-${name}.png`), fullPage: true, animations: 'disabled' });
}

let users = 0;
/** Invites a new user in `lang`; returns the email's link (the first-visit page, the token in its fragment). */
async function invite(lang: Lang): Promise<{ email: string; entry: string; token: string }> {
  const email = `fv-${++users}-${lang}@example.com`;
  await w.addUser(email, lang === 'ja' ? '山田 太郎' : 'Taro Yamada', lang);
  const { entry } = await w.invite(email);
  const m = /^http:\/\/tsunagu\.test:\d+\/e\/[\w-]+\/go#invite=([\w-]{43})$/.exec(entry);
  if (!m?.[1]) throw new Error(`the email links to ${entry}, not to the first-visit page with a token`);
  return { email, entry, token: m[1] };
}

/** The probe requests that failed, and how. */
const probeFailures = (v: Visit) => v.failed.filter((f) => f.url === `${device}/tls-probe.gif`).map((f) => f.error);

for (const lang of ['ja', 'en'] as const) {
  for (const system of ['ios', 'macos', 'android'] as const) {
    const s = SYSTEMS[system];
    test(`untrusted, ${system} in ${lang}: the steps for this system, the CA's name and fingerprint; no dead end`, async ({
      browser,
    }) => {
      const { entry, token } = await invite(lang);
      const v = await visit(browser, s.device, lang, false);
      const { page } = v;
      await page.goto(entry);

      const box = page.locator('#first-visit');
      await expect(box).toHaveAttribute('data-state', 'untrusted');
      // The browser refused the device listener's certificate: a real TLS failure, not a missing server.
      expect(probeFailures(v)).toEqual(['net::ERR_CERT_AUTHORITY_INVALID']);
      expect(v.answered.filter((a) => a.includes('/tls-probe.gif'))).toEqual([]);
      await expect(page.locator('#fv-steps')).toBeVisible();
      // The "checking" box gives way to the steps (no empty box above them).
      await expect(box).toBeHidden();

      // The CA to compare, and this system's steps only.
      await expect(page.locator('#ca-name')).toHaveText(ca.name);
      await expect(page.locator('#fingerprint')).toHaveText(ca.fingerprint);
      const section = page.locator(`#trust-${system}`);
      await expect(section).toBeVisible();
      await expect(section.locator('h2')).toHaveText(s.heading);
      const download = section.getByRole('link', { name: TEXTS[lang].download[system] });
      await expect(download).toHaveAttribute('href', s.download);
      for (const text of s.says[lang]) await expect(section).toContainText(text);
      for (const other of ['ios', 'macos', 'android', 'windows'].filter((p) => p !== system))
        await expect(page.locator(`#trust-${other}`)).toBeHidden();
      await expect(page.locator(`#fv-platforms a[data-show-platform="${system}"]`)).toHaveAttribute(
        'aria-current',
        'true',
      );
      await shoot(page, `untrusted-${system}-${lang}-${s.size}`);

      // The profile or certificate downloads from this plain-HTTP listener, which a device that trusts nothing yet
      // can reach, and the page stays as it is.
      const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
      expect(file.suggestedFilename()).toBe(`tsunagu-office-ca.${s.download.split('.').pop()}`);
      const bytes = readFileSync((await file.path()) as string);
      const caDer = new X509Certificate(w.caPem).raw;
      if (system === 'android') expect(bytes.equals(caDer)).toBe(true);
      else {
        // A signed profile whose one payload is the office CA, as a root to trust.
        const profile = parsePlist(verifyCms(bytes).content) as PlistDict;
        const payloads = profile.PayloadContent as PlistDict[];
        expect(payloads.map((p) => p.PayloadType)).toEqual(['com.apple.security.root']);
        expect((payloads[0]?.PayloadContent as Buffer).equals(caDer)).toBe(true);
      }
      await expect(box).toHaveAttribute('data-state', 'untrusted');

      // "I have done this" while it is still untrusted: checks again and says it still does not work.
      await page.locator('#fv-continue').click();
      await expect(page.locator('#fv-not-yet')).toBeVisible();
      await expect(box).toHaveAttribute('data-state', 'untrusted');
      expect(probeFailures(v)).toEqual(['net::ERR_CERT_AUTHORITY_INVALID', 'net::ERR_CERT_AUTHORITY_INVALID']);
      await expect(page.locator('#fv-continue')).toBeEnabled();
      await shoot(page, `not-yet-${system}-${lang}-${s.size}`);

      // Another system's steps, on the same page: the token in the fragment stays.
      await page.locator('#fv-platforms a[data-show-platform="windows"]').click();
      await expect(page.locator('#trust-windows')).toBeVisible();
      await expect(section).toBeHidden();
      expect(new URL(page.url()).hash).toBe(`#invite=${token}`);
      // The language link keeps the token too.
      expect(await page.locator('header.bar a.lang').getAttribute('href')).toMatch(new RegExp(`#invite=${token}$`));

      // Nothing went over HTTPS but the probe, and the token went nowhere (it is only in the fragment).
      expect(v.requests.filter((u) => u.startsWith('https:'))).toEqual([
        `${device}/tls-probe.gif`,
        `${device}/tls-probe.gif`,
      ]);
      expect(v.requests.filter((u) => u.includes(token))).toEqual([]);
      v.assertClean();
      await v.context.close();
    });
  }

  test(`trusted, in ${lang}: the invitation link goes on to the HTTPS portal with the token; /go to the sign-in page`, async ({
    browser,
  }) => {
    const { email, entry, token } = await invite(lang);
    const v = await visit(browser, SYSTEMS.ios.device, lang, true);
    const { page } = v;
    await page.goto(entry);
    const key = new URL(entry).pathname.split('/')[2] as string;
    await expect(page).toHaveURL(`${device}/e/${key}/i/${token}/go`);
    await expect(page.locator('#email')).toHaveValue(email);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    // The probe was answered (the page then moved on, which may abort reading the pixel: that is not a failure).
    expect(v.answered).toContain(`200 ${device}/tls-probe.gif`);
    expect(probeFailures(v).filter((e) => e !== 'net::ERR_ABORTED')).toEqual([]);
    // The token reached the server only over HTTPS.
    expect(v.requests.filter((u) => u.includes(token)).every((u) => u.startsWith(`${device}/`))).toBe(true);
    v.assertClean();

    // The printed /go address (no invitation): the first-visit page, then the HTTPS sign-in page.
    const desktop = await visit(browser, SYSTEMS.macos.device, lang, true);
    expect(w.h.server.entryUrl).toMatch(/^http:\/\/tsunagu\.test:\d+\/go$/);
    await desktop.page.goto(w.h.server.entryUrl);
    await expect(desktop.page).toHaveURL(`${device}/e/${key}/go`);
    await expect(desktop.page.locator('#email')).toHaveValue('');
    await expect(desktop.page.locator('html')).toHaveAttribute('lang', lang);
    desktop.assertClean();
    await desktop.context.close();
    await v.context.close();
  });
}

test('an iPad (whose Safari says it is a Mac) is shown the iPhone / iPad steps', async ({ browser }) => {
  const { entry } = await invite('en');
  const v = await visit(
    browser,
    { userAgent: MAC_UA, viewport: { width: 820, height: 1180 }, hasTouch: true },
    'en',
    false,
  );
  await v.page.goto(entry);
  await expect(v.page.locator('#first-visit')).toHaveAttribute('data-state', 'untrusted');
  await expect(v.page.locator('#trust-ios')).toBeVisible();
  await expect(v.page.locator('#trust-macos')).toBeHidden();
  v.assertClean();
  await v.context.close();
});
