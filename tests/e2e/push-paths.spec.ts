// The push certificate through a signing service, in the browser, against the stand-ins: the admin sends the request
// (service address, email, API key), uploads the encrypted file the service "mailed", downloads the checked signed
// request, the stand-in Apple issues the certificate for it, and the admin uploads that: topic and expiry shown.
// Once per language and size, with a picture of each state in test-output/screenshots/push-paths-<state>-<lang>-<size>.png.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import { standInApple, startVendorSigner, type StandInApple, type VendorSigner } from '../helpers/push-vendor.js';
import { A11Y_SCANS, expectNoSeriousA11y } from './axe.js';
import { expectToast, input, noToasts, openConsole, type ConsolePage, type SIZES } from './console-kit.js';
import { TEST_OUTPUT } from './server.js';

const SHOTS = join(TEST_OUTPUT, 'screenshots');
const RUNS = [
  { lang: 'en', locale: 'en-US', size: 'desktop' },
  { lang: 'ja', locale: 'ja-JP', size: 'desktop' },
  { lang: 'en', locale: 'en-US', size: 'phone' },
  { lang: 'ja', locale: 'ja-JP', size: 'phone' },
] as const;

let h: Harness;
let signer: VendorSigner;
let apple: StandInApple;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  mkdirSync(SHOTS, { recursive: true });
  [h, signer] = await Promise.all([startHarness(), startVendorSigner()]);
  apple = standInApple();
});

test.afterAll(async () => {
  await signer?.close();
  await h?.stop();
});

/** The console signed in (console-kit's openConsole), on the push page. */
async function openPushPage(browser: Browser, locale: string, size: keyof typeof SIZES): Promise<ConsolePage> {
  const opened = await openConsole(browser, h, { locale, size });
  await opened.page.goto('/settings/push');
  return opened;
}

async function shoot(page: Page, state: string, lang: string, size: string): Promise<void> {
  await noToasts(page);
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({
    path: join(SHOTS, `push-paths-${state}-${lang}-${size}.png`),
    fullPage: true,
    animations: 'disabled',
    caret: 'hide',
  });
  if (A11Y_SCANS.has(`${lang}-${size}`)) await expectNoSeriousA11y(page, `push paths ${state} (${lang}, ${size})`);
}

{
  const { lang, locale, size } = RUNS[0];
  test(`path A against the stand-in signer in the browser, ${lang} ${size}`, async ({ browser }) => {
    // Generous for a loaded machine; the run itself is timed in the report, not here.
    test.setTimeout(120_000);
    const en = lang === 'en';
    const email = `admin-${lang}-${size}@office.example`;
    const { context, page, guard } = await openPushPage(browser, locale, size);
    const section = page.getByTestId('push-paths-section');
    await expect(section.getByTestId('push-path-service')).toHaveClass(/is-checked/);
    // The service address starts at the default (mdmcert.download); here it is the stand-in's.
    await expect(input(page, 'push-service-url')).toHaveValue(/^https:\/\/mdmcert\.download\/|^http:\/\/127\.0\.0\.1/);
    await expect(section.getByTestId('push-step-request')).toHaveAttribute('aria-current', 'step');
    await shoot(page, 'choose', lang, size);

    // A wrong API key: the service's refusal in words, nothing changes.
    await input(page, 'push-service-url').fill(signer.url);
    await input(page, 'push-service-email').fill(email);
    await input(page, 'push-service-key').fill('wrong-key');
    await page.getByTestId('push-service-send').click();
    await expect(page.getByTestId('push-service-error')).toContainText('API key');
    await shoot(page, 'refused', lang, size);

    await input(page, 'push-service-key').fill(signer.apiKey);
    await page.getByTestId('push-service-send').click();
    await expectToast(page, en ? 'Request sent. Check your mail.' : '要求を送信しました。');
    await expect(page.getByTestId('push-sent')).toContainText(email);
    await expect(section.getByTestId('push-step-mail')).toHaveAttribute('aria-current', 'step');
    // The form folds away once sent (the API key went with the request and is not kept).
    await expect(page.getByTestId('push-service-form')).toHaveCount(0);
    await shoot(page, 'sent', lang, size);

    const mailed = signer.mailFor(email);
    expect(mailed).toBeTruthy();
    await page.getByTestId('push-encrypted-file').setInputFiles({
      name: 'mdm_signed_request.plist.b64.p7',
      mimeType: 'application/pkcs7-mime',
      buffer: Buffer.from(mailed ?? ''),
    });
    await expect(section).toContainText('mdm_signed_request.plist.b64.p7');
    await page.getByTestId('push-encrypted-open').click();
    await expect(page.getByTestId('push-signed-ready')).toContainText('MDM Vendor: Test Stand-in Signer');
    await expect(section.getByTestId('push-step-apple')).toHaveAttribute('aria-current', 'step');
    await expect(page.getByTestId('push-apple-link')).toHaveAttribute('href', 'https://identity.apple.com/pushcert/');
    await shoot(page, 'signed', lang, size);

    const download = page.waitForEvent('download');
    await page.getByTestId('push-signed-download').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('tsunagu-push-request-signed.plist.b64');
    const issued = apple.issue(readFileSync(await file.path(), 'utf8'));

    await input(page, 'push-certificate').fill(issued.certPem);
    await page.getByTestId('push-upload').click();
    await expect(page.getByTestId('push-topic')).toHaveText(issued.topic);
    await expect(page.getByTestId('push-expires')).toContainText(en ? /36[3-5] days left/ : /残り 36[3-5] 日/);
    await expect(page.getByTestId('push-apple-step')).toHaveCount(0);
    await shoot(page, 'done', lang, size);

    // The service's refusal is a 502 from our server (a gateway's answer), shown in the page on purpose.
    const refusal = /status of 502 .*\/api\/push\/request\/service\)$/;
    expect(guard.problems.filter((p) => !refusal.test(p))).toEqual([]);
    await context.close();
  });
}

// The same states in the other languages and sizes, reached through the API (the browser run above drives them).
for (const { lang, locale, size } of RUNS.slice(1)) {
  test(`each state of path A, ${lang} ${size}`, async ({ browser }) => {
    test.setTimeout(120_000);
    const email = `admin-${lang}-${size}@office.example`;
    const { context, page, guard } = await openPushPage(browser, locale, size);
    await expect(page.getByTestId('push-step-request')).toHaveAttribute('aria-current', 'step');
    await shoot(page, 'choose', lang, size);

    const sent = await h.admin.call('POST', '/api/push/request/service', {
      serviceUrl: signer.url,
      email,
      apiKey: signer.apiKey,
    });
    expect(sent.status, sent.text).toBe(200);
    await page.reload();
    await expect(page.getByTestId('push-sent')).toContainText(email);
    await shoot(page, 'sent', lang, size);

    const opened = await h.admin.call('POST', '/api/push/request/encrypted', {
      fileBase64: Buffer.from(signer.mailFor(email) ?? '').toString('base64'),
    });
    expect(opened.status, opened.text).toBe(200);
    await page.reload();
    await expect(page.getByTestId('push-signed-ready')).toBeVisible();
    await shoot(page, 'signed', lang, size);

    const { signedRequest } = (await h.admin.call('GET', '/api/push/request/signed')).json<{ signedRequest: string }>();
    const issued = apple.issue(signedRequest);
    const uploaded = await h.admin.call('PUT', '/api/push/certificate', { certificatePem: issued.certPem });
    expect(uploaded.status, uploaded.text).toBe(200);
    await page.reload();
    await expect(page.getByTestId('push-topic')).toHaveText(issued.topic);
    await shoot(page, 'done', lang, size);

    expect(guard.problems).toEqual([]);
    await context.close();
  });
}
