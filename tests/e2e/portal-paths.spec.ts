// The /go portal's other ways in, in Chromium against an in-process server with a real SMTP server: the "require a
// PIN" user setting for a user who already has a password (the invitation then carries a PIN, and the portal asks for
// it); a temporary password the admin gave, which the portal makes the user change first; the sign-in QR code read
// off the home page and opened in a second browser, as a phone's camera would; and the "Re-enroll" button of a
// device, which enrolls the same iPhone again without a second record.
import { expect, test, type Page } from '@playwright/test';
import { EmulatedAppleDevice, iphoneSpec } from '../helpers/apple-device.js';
import { decodeQr } from '../helpers/qr-decode.js';
import { openPortal, portalCookie, startPortalWorld, type PortalWorld } from './portal-kit.js';

test.describe.configure({ mode: 'serial' });

const PASSWORD = 'a good long password';

let w: PortalWorld;
const devices: EmulatedAppleDevice[] = [];

test.beforeAll(async () => {
  w = await startPortalWorld();
});

test.afterAll(async () => {
  for (const d of devices) d.close();
  await w?.close();
});

async function signIn(page: Page, email: string, secret: string): Promise<void> {
  await page.goto(`${w.origin}/go`);
  await page.locator('#email').fill(email);
  await page.locator('#secret').fill(secret);
  await page.locator('form.form button[type=submit]').click();
}

async function userSettings(patch: Record<string, unknown>): Promise<void> {
  const settings = (await w.h.admin.call('GET', '/api/settings/users')).json<{ settings: Record<string, unknown> }>()
    .settings;
  const res = await w.h.admin.call('PUT', '/api/settings/users', { ...settings, ...patch });
  expect(res.status, res.text).toBe(200);
}

test('"require a PIN": a user with a password is invited with a PIN, and the portal asks for it', async ({
  browser,
}) => {
  await w.addUser('pinned@example.com', 'Pinned Person', 'en', PASSWORD);
  // Without the setting, a user who has a password is invited without a PIN.
  const before = await w.invite('pinned@example.com');
  expect(before.pin).toBe('');
  await userSettings({ requirePin: true });
  const { link, pin } = await w.invite('pinned@example.com');
  expect(pin).toMatch(/^\d{6,8}$/);

  const p = await openPortal(browser, 'phone', 'en-US');
  await p.page.goto(link);
  await expect(p.page.locator('#email')).toHaveValue('pinned@example.com');
  await expect(p.page.locator('.hint')).toContainText('Enter the PIN from your invitation email.');
  await p.page.locator('#secret').fill(pin);
  await p.page.locator('form.form button[type=submit]').click();
  // The PIN opens the portal; the password the user has stays theirs (nothing to set).
  await expect(p.page).toHaveURL(/\/go\/home$/);
  await expect(p.page.locator('#this-device')).toBeVisible();
  const events = (await w.h.admin.call('GET', '/api/audit?action=invitation.pin_verified&limit=5')).json<{
    items: { subjectLabel: string | null; actorLabel: string | null }[];
  }>();
  expect(JSON.stringify(events.items)).toContain('pinned@example.com');
  p.assertClean();
  await p.context.close();
  await userSettings({ requirePin: false });
});

test('a temporary password from the admin: the portal makes the user choose their own first', async ({ browser }) => {
  const id = await w.addUser('temp@example.com', 'Temp Person', 'en', PASSWORD);
  const res = await w.h.admin.call('POST', `/api/users/${id}/temporary-password`);
  expect(res.status, res.text).toBe(200);
  const temporary = res.json<{ password: string }>().password;

  const p = await openPortal(browser, 'desktop', 'en-US');
  const { page } = p;
  // The old password no longer works.
  await signIn(page, 'temp@example.com', PASSWORD);
  await expect(page.locator('.error')).toBeVisible();
  await signIn(page, 'temp@example.com', temporary);
  await expect(page).toHaveURL(/\/go\/password$/);
  await expect(page.locator('h1')).toHaveText('Set your password');
  // Nothing else opens until it is changed; the current (temporary) password is not asked again.
  await page.goto(page.url().replace(/\/password$/, '/home'));
  await expect(page).toHaveURL(/\/go\/password$/);
  await expect(page.locator('#current')).toHaveCount(0);
  await page.locator('#password').fill('my very own password');
  await page.locator('#confirm').fill('my very own password');
  await page.locator('form.form button[type=submit]').click();
  await expect(page).toHaveURL(/\/go\/home$/);

  // Signed out, the temporary password is refused and the new one works.
  await page.locator('form.who button[type=submit]').click();
  await signIn(page, 'temp@example.com', temporary);
  await expect(page.locator('.error')).toBeVisible();
  await signIn(page, 'temp@example.com', 'my very own password');
  await expect(page).toHaveURL(/\/go\/home$/);
  p.assertClean();
  await p.context.close();
});

test('"Re-enroll": the same iPhone enrolls again from its row on the home page, and stays one device', async ({
  browser,
}) => {
  await w.addUser('own@example.com', 'Own Person', 'en', PASSWORD);
  const p = await openPortal(browser, 'phone', 'en-US');
  const { page, context } = p;
  await signIn(page, 'own@example.com', PASSWORD);
  await expect(page).toHaveURL(/\/go\/home$/);
  const home = page.url();

  // One iPhone (one UDID), enrolled twice.
  const spec = iphoneSpec(7);
  const enroll = async (): Promise<void> => {
    await expect(page).toHaveURL(/\/go\/enroll\/[\w-]+$/);
    const profile = `${new URL(page.url()).href}/profile`;
    const device = new EmulatedAppleDevice(spec, { caPem: w.caPem });
    devices.push(device);
    const cookie = await portalCookie(context, w.origin);
    expect((await device.downloadProfile(profile, { cookie })).status).toBe(200);
    expect(await device.scep()).toEqual({ status: 'SUCCESS' });
    await device.enrollMdm();
    await expect(page.locator('#enroll')).toHaveAttribute('data-state', 'enrolled', { timeout: 15_000 });
  };

  await page.locator('#this-device button[type=submit]').click();
  await enroll();
  await page.goto(home);
  const mine = page.locator('#my-devices li.device');
  await expect(mine).toHaveCount(1);
  const reenroll = mine.getByRole('button', { name: 'Re-enroll' });
  await expect(reenroll).toBeVisible();
  await reenroll.click();
  await expect(page.locator('#enroll')).toHaveAttribute('data-state', 'none');
  await enroll();
  await page.goto(home);
  await expect(mine).toHaveCount(1);
  await expect(mine.locator('.status')).toHaveText('Active');
  const list = (await w.h.admin.call('GET', '/api/devices?q=own%40example.com&limit=10')).json<{ total: number }>();
  expect(list.total).toBe(1);
  const reenrolled = (await w.h.admin.call('GET', '/api/audit?action=device.reenrolled&limit=5')).json<{
    items: unknown[];
  }>();
  expect(reenrolled.items.length).toBeGreaterThan(0);
  p.assertClean();
  await context.close();
});

test('the sign-in QR code: read off the home page and opened in a second browser, it signs that one in once', async ({
  browser,
}) => {
  const desk = await openPortal(browser, 'desktop', 'en-US');
  await signIn(desk.page, 'own@example.com', PASSWORD);
  await expect(desk.page).toHaveURL(/\/go\/home$/);
  await desk.page.locator('#other-device button[type=submit]').click();
  const qr = desk.page.locator('#qr-portal');
  await expect(qr).toBeVisible();
  // The modules of the code as drawn (the server draws 6 pixels a module inside a 4-module quiet zone).
  const modules = await qr.evaluate((img: HTMLImageElement) => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d canvas');
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const scale = 6;
    const n = canvas.width / scale - 8;
    return Array.from({ length: n }, (_, r) =>
      Array.from({ length: n }, (_, c) => {
        const x = (c + 4) * scale + 3;
        const y = (r + 4) * scale + 3;
        return (data[(y * canvas.width + x) * 4] ?? 255) < 128 ? 1 : 0;
      }),
    );
  });
  const link = decodeQr(modules, 'https://');
  expect(link).toMatch(/\/go\/t\/[\w-]+$/);

  // The phone's camera opens the link: the phone is signed in as the same user, on the home page.
  const phone = await openPortal(browser, 'phone', 'en-US');
  await phone.page.goto(link.replace(/^https:\/\/[^/]+/, w.origin));
  await expect(phone.page).toHaveURL(/\/go\/home$/);
  await expect(phone.page.locator('form.who')).toContainText('Own Person');
  await expect(phone.page.locator('#my-devices li.device')).toHaveCount(1);
  // Once: the same code opens nothing in a third browser.
  const third = await openPortal(browser, 'phone', 'en-US');
  await third.page.goto(link.replace(/^https:\/\/[^/]+/, w.origin));
  await expect(third.page).not.toHaveURL(/\/go\/home$/);
  for (const p of [desk, phone, third]) {
    p.assertClean();
    await p.context.close();
  }
});
