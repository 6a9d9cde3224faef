// Screenshots of every /go portal page in ja and en, as an iPhone (390x844) and as a Mac (1280x800), into
// test-output/screenshots/portal-<page>-<lang>-<phone|desktop>.png, for people to look at. Each page is also
// scanned with axe-core once, in en as an iPhone (the Mac's helper offer in en on desktop), and no page may break the
// Content-Security-Policy.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { EmulatedAppleDevice, iphoneSpec, macSpec } from '../helpers/apple-device.js';
import { expectNoSeriousA11y, watchCsp } from './axe.js';
import { openPortal, portalCookie, startPortalWorld, type PortalWorld } from './portal-kit.js';
import { local } from '../helpers/server-harness.js';
import { TEST_OUTPUT } from './server.js';

const SHOTS = join(TEST_OUTPUT, 'screenshots');
const DAY = 86_400_000;
const PASSWORD = 'a good long password';
const COMBOS = [
  { lang: 'ja', locale: 'ja-JP', size: 'phone' },
  { lang: 'ja', locale: 'ja-JP', size: 'desktop' },
  { lang: 'en', locale: 'en-US', size: 'phone' },
  { lang: 'en', locale: 'en-US', size: 'desktop' },
] as const;

test.describe.configure({ mode: 'serial' });

let w: PortalWorld;
const devices: EmulatedAppleDevice[] = [];

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  w = await startPortalWorld();
});

test.afterAll(async () => {
  for (const d of devices) d.close();
  await w?.close();
});

async function shoot(page: Page, name: string, lang: string, size: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({
    path: join(SHOTS, `portal-${name}-${lang}-${size}.png`),
    fullPage: true,
    animations: 'disabled',
    caret: 'hide',
  });
}

for (const { lang, locale } of [COMBOS[1], COMBOS[3]]) {
  test(`the Mac section's helper offer in ${lang}`, async ({ browser }) => {
    const email = `helper-${lang}@example.com`;
    await w.addUser(email, lang === 'ja' ? 'ヘルパー 五郎' : 'Goro Helper', lang, PASSWORD);
    const build = Buffer.concat([Buffer.alloc(14 * 1024 * 1024, 5), Buffer.from('koly', 'latin1'), Buffer.alloc(508)]);
    const res = await w.h.admin.call('PUT', '/api/settings/helper-build?fileName=Tsunagu%20Helper.dmg', build, {
      contentType: 'application/octet-stream',
    });
    expect(res.status).toBe(200);
    const { page, context, assertClean } = await openPortal(browser, 'desktop', locale);
    await page.goto(`${w.origin}/go`);
    await page.locator('#email').fill(email);
    await page.locator('#secret').fill(PASSWORD);
    await page.locator('form.form button[type=submit]').click();
    await expect(page).toHaveURL(/\/go\/home$/);
    await expect(page.locator('#helper-link')).toHaveAttribute('href', /^tsunagu:\/\/enroll\?server=/);
    await expect(page.locator('#helper-download')).toHaveAttribute('href', '/downloads/tsunagu-helper.dmg');
    await shoot(page, 'home-macos-helper', lang, 'desktop');
    if (lang === 'en') await expectNoSeriousA11y(page, 'portal home-macos-helper (en, desktop)');
    assertClean();
    await context.close();
  });
}

for (const { lang, locale, size } of COMBOS) {
  test(`every portal page in ${lang} on ${size}`, async ({ browser }) => {
    test.setTimeout(180_000);
    const tag = `${lang}-${size}`;
    const names = lang === 'ja' ? ['山田 太郎', '佐藤 次郎', '遅刻 三郎'] : ['Taro Yamada', 'Jiro Sato', 'Saburo Late'];
    await w.addUser(`main-${tag}@example.com`, names[0] as string, lang);
    await w.addUser(`locked-${tag}@example.com`, names[1] as string, lang);
    await w.addUser(`late-${tag}@example.com`, names[2] as string, lang);
    const main = await w.invite(`main-${tag}@example.com`);
    const locked = await w.invite(`locked-${tag}@example.com`);

    const p = await openPortal(browser, size, locale);
    const { page, context } = p;
    const csp = await watchCsp(context);
    const shot = async (name: string) => {
      await shoot(page, name, lang, size);
      if (tag === 'en-phone') await expectNoSeriousA11y(page, `portal ${name} (${tag})`);
    };
    const submit = () => page.locator('form.form button[type=submit]').click();

    // Sign in with the invitation's PIN, once wrong.
    await page.goto(main.link);
    await expect(page.locator('#email')).toBeVisible();
    await shot('sign-in');
    await page.locator('#secret').fill(main.pin === '000000' ? '111111' : '000000');
    await submit();
    await expect(page.locator('.error')).toBeVisible();
    await shot('pin-error');
    await page.locator('#secret').fill(main.pin);
    await submit();
    await expect(page).toHaveURL(/\/go\/password$/);
    await shot('password');
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#confirm').fill(`${PASSWORD} typo`);
    await submit();
    await expect(page.locator('.error')).toBeVisible();
    await shot('password-error');
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#confirm').fill(PASSWORD);
    await submit();
    await expect(page).toHaveURL(/\/go\/home$/);
    const home = page.url();
    // A later change of the password asks for the current one.
    await page.goto(home.replace(/home$/, 'password'));
    await expect(page.locator('#current')).toBeVisible();
    await shot('password-change');
    for (const platform of ['ios', 'macos', 'android'] as const) {
      await page.goto(`${home}?platform=${platform}`);
      await expect(page.locator('#this-device')).toBeVisible();
      await shot(`home-${platform}`);
    }

    // Enroll this device: before the download, counting down, expired, a new one, used, enrolled.
    await page.goto(home);
    await page.locator('#this-device button[type=submit]').click();
    await expect(page).toHaveURL(/\/go\/enroll\/[\w-]+$/);
    const enrollPath = new URL(page.url()).pathname;
    await shot('enroll');
    const downloaded = page.waitForEvent('download');
    await page.locator('#download').click();
    await downloaded;
    await expect(page.locator('#countdown-box')).toBeVisible();
    await shot('enroll-countdown');
    await w.clock.advance(16 * 60_000);
    await page.reload();
    await expect(page.locator('#enroll')).toHaveAttribute('data-state', 'expired');
    await shot('enroll-expired');
    const spec = size === 'phone' ? iphoneSpec(devices.length + 1) : macSpec(devices.length + 1);
    const device = new EmulatedAppleDevice(
      {
        ...spec,
        deviceName:
          lang === 'ja'
            ? `${names[0]}の${size === 'phone' ? ' iPhone' : ' MacBook Air'}`
            : `${names[0]}’s ${size === 'phone' ? 'iPhone' : 'MacBook Air'}`,
      },
      { caPem: w.caPem },
    );
    devices.push(device);
    expect(
      (
        await device.downloadProfile(`${w.origin}${enrollPath}/profile`, {
          cookie: await portalCookie(context, w.origin),
        })
      ).status,
    ).toBe(200);
    expect(await device.scep()).toEqual({ status: 'SUCCESS' });
    await page.reload();
    await expect(page.locator('#enroll')).toHaveAttribute('data-state', 'used');
    await shot('enroll-used');
    await device.enrollMdm();
    await device.commandLoop();
    await page.reload();
    await expect(page.locator('#enroll')).toHaveAttribute('data-state', 'enrolled');
    await shot('enroll-enrolled');

    // The self-service page with the device, and a sign-in QR code for another device.
    await page.goto(home);
    await expect(page.locator('#my-devices li.device')).toHaveCount(1);
    await page.locator('#other-device button[type=submit]').click();
    await expect(page.locator('#qr-portal')).toBeVisible();
    await shot('home-qr');

    // An enrollment that waits for the administrator: the device is still another user's.
    const ownerId = await w.addUser(`owner-${tag}@example.com`, lang === 'ja' ? '持ち主 四郎' : 'Shiro Owner', lang);
    const taken = size === 'phone' ? iphoneSpec(devices.length + 1) : macSpec(devices.length + 1);
    const ownersDevice = new EmulatedAppleDevice(taken, { caPem: w.caPem });
    const second = new EmulatedAppleDevice(taken, { caPem: w.caPem });
    devices.push(ownersDevice, second);
    const ownerEnrollment = await w.h.admin.call('POST', '/api/enrollments', {
      userId: ownerId,
      platform: size === 'phone' ? 'ios' : 'macos',
    });
    expect((await ownersDevice.downloadProfile(ownerEnrollment.json<{ profileUrl: string }>().profileUrl)).status).toBe(
      200,
    );
    expect(await ownersDevice.scep()).toEqual({ status: 'SUCCESS' });
    await ownersDevice.enrollMdm();
    await page.goto(home);
    await page.locator('#this-device button[type=submit]').click();
    const claimPath = new URL(page.url()).pathname;
    expect(
      (
        await second.downloadProfile(`${w.origin}${claimPath}/profile`, {
          cookie: await portalCookie(context, w.origin),
        })
      ).status,
    ).toBe(200);
    expect(await second.scep()).toEqual({ status: 'SUCCESS' });
    expect((await second.enrollMdm())[0]?.status).toBe(400);
    await page.goto(home);
    await expect(page.locator('#claim-waiting')).toBeVisible();
    await shot('home-claim-waiting');

    // A locked PIN.
    await context.clearCookies({ name: 'tsunagu_portal' });
    await page.goto(locked.link);
    for (let i = 0; i < 5; i++) {
      await page.locator('#secret').fill(locked.pin === '000000' ? '111111' : '000000');
      await submit();
    }
    await expect(page.locator('.error')).toBeVisible();
    await shot('locked');

    // A link of an older enrollment address, then an expired invitation.
    expect((await w.h.admin.call('POST', '/api/enrollment-url/regenerate')).status).toBe(200);
    await page.goto(locked.link);
    await expect(page.locator('h1')).toBeVisible();
    await shot('outdated');
    const late = await w.invite(`late-${tag}@example.com`);
    await w.advance(15 * DAY);
    await page.goto(late.link);
    await expect(page.locator('h1')).toBeVisible();
    await shot('invitation-expired');

    // A session that ended.
    await page.goto(home.replace(/\/e\/[^/]+\//, `/e/${new URL(late.link).pathname.split('/')[2]}/`));
    await expect(page).toHaveURL(/\?ended=1$/);
    await shot('session-ended');

    // The pages outside the portal share its shell: the first-visit trust page (plain HTTP), the device
    // listener's home page, and the refusal of a dead profile link.
    await page.goto(`${local(w.h.server.bootstrapUrl)}?lang=${lang}`);
    await expect(page.locator('#fingerprint')).toBeVisible();
    await shot('trust');
    await page.goto(`${local(w.h.server.enrollmentUrl)}?lang=${lang}`);
    await expect(page.locator('h1')).toBeVisible();
    await shot('device-home');
    await page.goto(`${local(w.h.server.enrollmentUrl)}profile/not-a-live-link?lang=${lang}`);
    await expect(page.locator('h1')).toBeVisible();
    await shot('profile-refused');

    p.assertClean();
    csp.assertClean();
    await context.close();
  });
}
