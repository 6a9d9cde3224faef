// The Devices page against an in-process server with real enrolled devices: emulated iPhones and a Mac (SCEP,
// signed MDM check-ins, the command loop), an Android agent, and an APNs stand-in. The console enrolls, inspects,
// locks, retires, wipes and deletes them; running each device's command loop changes its status. Another user's
// enrollment of an enrolled iPhone is refused, and the console settles it (dismiss, reassign).
import { randomBytes } from 'node:crypto';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { AndroidAgent, androidFacts } from '../helpers/android-agent.js';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { EmulatedAppleDevice, iphoneSpec, macSpec, type AppleDeviceSpec } from '../helpers/apple-device.js';
import { importableCa } from '../helpers/office-ca.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import { choose, expectToast, input, openConsole, option, pickUsers, type ConsolePage } from './console-kit.js';

test.describe.configure({ mode: 'serial' });

const PASSWORD = 'a long user password';

let h: Harness;
let apns: ApnsMock;
let c: ConsolePage;
let page: Page;
let caPem: string;
const users: Record<string, string> = {};
const devices: Record<string, EmulatedAppleDevice> = {};
let android: AndroidAgent;

async function addUser(email: string, displayName: string): Promise<string> {
  const res = await h.admin.call('POST', '/api/users', { email, displayName, locale: 'en', password: PASSWORD });
  expect(res.status, res.text).toBe(201);
  users[email] = res.json<{ id: string }>().id;
  return users[email] as string;
}

/** Downloads the profile from `profileUrl`, runs SCEP and MDM enrollment and the first command loop. */
async function enrollWith(spec: AppleDeviceSpec, profileUrl: string): Promise<EmulatedAppleDevice> {
  const device = new EmulatedAppleDevice(spec, { caPem });
  expect((await device.downloadProfile(profileUrl)).status).toBe(200);
  expect(await device.scep()).toEqual({ status: 'SUCCESS' });
  expect((await device.enrollMdm()).every((r) => r.status === 200)).toBe(true);
  await device.commandLoop();
  devices[spec.deviceName] = device;
  return device;
}

async function enrollByApi(spec: AppleDeviceSpec, email: string): Promise<EmulatedAppleDevice> {
  const res = await h.admin.call('POST', '/api/enrollments', {
    userId: users[email],
    platform: spec.kind === 'mac' ? 'macos' : 'ios',
  });
  expect(res.status, res.text).toBe(201);
  return enrollWith(spec, res.json<{ profileUrl: string }>().profileUrl);
}

/**
 * Another user's own profile and SCEP identity on the device with `udid`: its Authenticate is refused (400), and
 * the server keeps the attempt as a claim for the admin.
 */
async function refusedClaim(udid: string, email: string): Promise<void> {
  const res = await h.admin.call('POST', '/api/enrollments', { userId: users[email], platform: 'ios' });
  expect(res.status, res.text).toBe(201);
  const claimant = new EmulatedAppleDevice({ ...iphoneSpec(0), udid }, { caPem });
  try {
    expect((await claimant.downloadProfile(res.json<{ profileUrl: string }>().profileUrl)).status).toBe(200);
    expect(await claimant.scep()).toEqual({ status: 'SUCCESS' });
    const [auth] = await claimant.enrollMdm();
    expect(auth?.status).toBe(400);
  } finally {
    claimant.close();
  }
}

function row(name: string): Locator {
  return page.getByTestId('device-table').getByTestId('device-row').filter({ hasText: name });
}

async function refresh(): Promise<void> {
  await page.getByTestId('devices-refresh').click();
  await expect(page.getByTestId('devices-refresh')).not.toHaveClass(/is-loading/);
}

async function rowAction(name: string, action: string): Promise<Locator> {
  await row(name).getByTestId('device-actions').click();
  await option(page, action).click();
  const dialog = page.getByTestId('device-action-dialog');
  await expect(dialog).toBeVisible();
  return dialog;
}

test.beforeAll(async ({ browser }) => {
  const pki = fakePushCertificate();
  apns = await startApnsMock(pki.appleCaPem);
  h = await startHarness({ apnsCa: apns.caPem });
  caPem = h.server.services.ca.caCertificate().pem;
  expect(
    (await h.admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem }))
      .status,
  ).toBe(200);
  expect((await h.admin.call('PUT', '/api/push/settings', { apnsBaseUrl: apns.url })).status).toBe(200);
  const settings = (await h.admin.call('GET', '/api/settings/users')).json<{ settings: Record<string, unknown> }>()
    .settings;
  await h.admin.call('PUT', '/api/settings/users', { ...settings, deviceLimitPerUser: 20 });
  await addUser('hana@example.com', 'Hana Suzuki');
  await addUser('ken@example.com', 'Ken Watanabe');
  c = await openConsole(browser, h);
  page = c.page;
});

test.afterEach(() => c.guard.assertClean());

test.afterAll(async () => {
  await c?.context.close();
  for (const d of Object.values(devices)) d.close();
  android?.close();
  await h?.stop();
  await apns?.close();
});

test('an empty devices page; "Enroll a device for a user" hands out a one-time profile link that enrolls an iPhone', async () => {
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Devices' }).click();
  await expect(page).toHaveURL(/\/devices$/);
  await expect(page.getByTestId('devices-empty')).toContainText('No devices yet.');
  await expect(page.getByTestId('summary-total')).toContainText('0');

  await page.getByTestId('enroll-device').click();
  const dialog = page.getByTestId('enroll-dialog');
  await expect(dialog.getByTestId('enroll-submit')).toBeDisabled();
  await pickUsers(page, 'enroll-user', ['hana@example.com']);
  await dialog.getByTestId('enroll-platform').getByText('iPhone / iPad').click();
  await dialog.getByTestId('enroll-submit').click();
  await expect(dialog).toContainText('The profile link for Hana Suzuki (iPhone / iPad) is ready:');
  await expect(dialog.getByTestId('enroll-notes')).toContainText('The link works until');
  await expect(dialog.getByTestId('enroll-notes')).toContainText(
    'once a device has enrolled with it, the link stops working',
  );
  const profileUrl = await input(dialog, 'enroll-profile-url').inputValue();
  expect(profileUrl).toMatch(/^https:\/\/tsunagu\.test:\d+\/profile\/[\w-]+$/);
  await dialog.getByTestId('enroll-profile-url-copy').click();
  await expect(dialog).toContainText(/Copied\.|Could not copy/);
  await dialog.getByTestId('enroll-close').click();

  await enrollWith(iphoneSpec(1), profileUrl);
  await refresh();
  await expect(row('iPhone 1').getByTestId('device-status')).toHaveAttribute('data-status', 'active');
  await expect(row('iPhone 1')).toContainText('Hana Suzuki');
  await expect(row('iPhone 1')).toContainText(devices['iPhone 1']?.spec.serialNumber ?? '-');
  await expect(page.getByTestId('summary-total')).toContainText('1');
  await expect(page.getByTestId('summary-active')).toContainText('1');
  await expect(page.getByTestId('enrollment-chart-total')).toHaveText('1 enrollment');

  // The link enrolls one device only.
  const again = await new EmulatedAppleDevice(iphoneSpec(99), { caPem }).downloadProfile(profileUrl);
  expect(again.status).not.toBe(200);
});

test('more devices: two iPhones and a Mac enrolled, one iPhone still pending, an Android phone with the agent', async () => {
  await enrollByApi(iphoneSpec(2), 'hana@example.com');
  await enrollByApi(iphoneSpec(3), 'ken@example.com');
  await enrollByApi(macSpec(4), 'ken@example.com');

  // Pending: the profile is installed and SCEP done, but no TokenUpdate yet.
  const res = await h.admin.call('POST', '/api/enrollments', { userId: users['ken@example.com'], platform: 'ios' });
  const pending = new EmulatedAppleDevice(iphoneSpec(5), { caPem });
  devices['iPhone 5'] = pending;
  expect((await pending.downloadProfile(res.json<{ profileUrl: string }>().profileUrl)).status).toBe(200);
  expect(await pending.scep()).toEqual({ status: 'SUCCESS' });
  const s = pending.spec;
  expect(
    (
      await pending.checkin({
        MessageType: 'Authenticate',
        UDID: s.udid,
        Topic: pending.profile?.mdm.topic ?? '',
        SerialNumber: s.serialNumber,
        OSVersion: s.osVersion,
        BuildVersion: s.buildVersion,
        ProductName: s.productName,
      })
    ).status,
  ).toBe(200);

  android = new AndroidAgent({
    server: h.server.enrollmentUrl.replace(/\/$/, ''),
    caPem,
    deviceId: null,
    token: null,
    facts: androidFacts(33, randomBytes(8).toString('hex'), 6),
    pendingResults: [],
    locked: false,
    wiped: false,
    retired: false,
    loopback: true,
  });
  expect((await android.enroll({ method: 'password', email: 'ken@example.com', password: PASSWORD })).status).toBe(
    'pending',
  );
  android.grantAdmin();
  expect((await android.checkIn()).status).toBe('active');

  await refresh();
  await expect(page.getByTestId('device-total')).toHaveText('Devices: 6');
  await expect(page.getByTestId('summary-active')).toContainText('5');
  await expect(page.getByTestId('summary-pending')).toContainText('1');
  await expect(page.getByTestId('summary-macos')).toContainText('1');
  await expect(page.getByTestId('summary-android')).toContainText('1');
  const pendingRow = row(s.serialNumber);
  await expect(pendingRow.getByTestId('device-status')).toHaveAttribute('data-status', 'pending');
  await expect(pendingRow.getByTestId('device-status-reason')).toHaveText('Waiting for the device to finish enrolling');
  await expect(row('Android 6')).toContainText('Android');
});

test('filters: a status tile, the status and platform menus, and the search', async () => {
  await page.getByTestId('summary-pending').click();
  await expect(page.getByTestId('device-total')).toHaveText('Devices: 1');
  await expect(row(devices['iPhone 5']?.spec.serialNumber ?? '-')).toHaveCount(1);
  await page.getByTestId('summary-total').click();
  await expect(page.getByTestId('device-total')).toHaveText('Devices: 6');
  await choose(page, 'device-platform-filter', 'Mac');
  await expect(page.getByTestId('device-total')).toHaveText('Devices: 1');
  await choose(page, 'device-platform-filter', 'All platforms');
  await input(page, 'device-search').fill(devices['iPhone 2']?.spec.serialNumber ?? '');
  await expect(page.getByTestId('device-total')).toHaveText('Devices: 1');
  await expect(row('iPhone 2')).toHaveCount(1);
  await input(page, 'device-search').fill('');
  await expect(page.getByTestId('device-total')).toHaveText('Devices: 6');
});

test('the detail drawer: facts, channels, commands with results; ask for information, cancel it, push now', async () => {
  await row('iPhone 1').getByTestId('device-open').click();
  const drawer = page.getByTestId('device-detail');
  await expect(drawer).toBeVisible();
  const spec = devices['iPhone 1']?.spec as AppleDeviceSpec;
  await expect(drawer.getByTestId('device-facts')).toContainText(spec.serialNumber);
  await expect(drawer.getByTestId('device-facts')).toContainText(spec.udid);
  await expect(drawer.getByTestId('device-facts')).toContainText('Hana Suzuki');
  await expect(drawer.getByTestId('device-channel')).toContainText('Has a push token');
  const info = drawer
    .locator('[data-testid=device-command][data-type=DeviceInformation][data-status=acknowledged]')
    .first();
  await expect(info).toContainText('Done');
  await info.locator('summary').click();
  await expect(info.getByTestId('device-command-result')).toContainText(`"SerialNumber": "${spec.serialNumber}"`);

  await drawer.getByTestId('device-ask-info').click();
  await expectToast(page, 'Asked the device for its information.');
  const waiting = drawer.locator('[data-testid=device-command][data-type=DeviceInformation][data-status=queued]');
  await expect(waiting).toHaveCount(1);
  await waiting.getByTestId('device-command-cancel').click();
  await expectToast(page, 'Cancelled.');
  await expect(drawer.locator('[data-testid=device-command][data-status=cancelled]')).toHaveCount(1);
  expect(await devices['iPhone 1']?.commandLoop()).toEqual([]);

  const pushes = apns.received.length;
  await drawer.getByTestId('device-push').click();
  await expect(drawer.getByTestId('device-push-result')).toContainText('device: Apple accepted the push.');
  expect(apns.received.length).toBeGreaterThan(pushes);
  await drawer.locator('.el-drawer__close-btn').click();
  await expect(drawer).toBeHidden();
});

test('lock a Mac with a message: the console shows the PIN the Mac needs; the Mac gets DeviceLock', async () => {
  const dialog = await rowAction('Mac 4', 'Lock');
  await expect(dialog).toContainText('Lock this device?');
  await expect(dialog).toContainText('A Mac gets a 6-digit PIN with this command.');
  await input(dialog, 'device-lock-message').fill('Call the office on 1234');
  await dialog.getByTestId('device-action-confirm').click();
  await expect(dialog.getByTestId('device-action-ok')).toContainText('Lock sent to 1 device.');
  const pin = dialog.getByTestId('device-action-pin');
  await expect(pin).toHaveText(/^\d{6}$/);
  await expect(dialog.getByTestId('device-action-pins')).toContainText('Each Mac below needs its PIN to unlock.');
  await dialog.getByTestId('device-action-close').click();
  expect(await devices['Mac 4']?.commandLoop()).toEqual(['DeviceLock']);
  await refresh();
  await expect(row('Mac 4').getByTestId('device-status')).toHaveAttribute('data-status', 'active');
});

test('retire an iPhone: the dialog says what happens; after its command loop it is Inactive, with the reason', async () => {
  const dialog = await rowAction('iPhone 1', 'Retire');
  await expect(dialog).toContainText('Retire this device?');
  await expect(dialog).toContainText('The device becomes Inactive when it acknowledges');
  await dialog.getByTestId('device-action-confirm').click();
  await expect(dialog.getByTestId('device-action-ok')).toContainText('Retire sent to 1 device.');
  await dialog.getByTestId('device-action-close').click();
  expect(await devices['iPhone 1']?.commandLoop()).toEqual(['RemoveProfile']);
  await refresh();
  const status = row('iPhone 1').getByTestId('device-status');
  await expect(status).toHaveAttribute('data-status', 'inactive');
  await expect(status).toContainText('Inactive');
  await expect(status.getByTestId('device-status-reason')).toHaveText('Retired: no longer managed');
  // Retired devices cannot be locked or wiped any more.
  await row('iPhone 1').getByTestId('device-actions').click();
  await expect(page.locator('.el-dropdown-menu__item:visible').filter({ hasText: 'Wipe' })).toHaveClass(/is-disabled/);
  await page.keyboard.press('Escape');
});

test('wipe two devices at once: the wipe word must be typed; the Mac PIN is shown; both turn Wiped', async () => {
  await row('iPhone 2').locator('.el-checkbox').click();
  await row('Mac 4').locator('.el-checkbox').click();
  await row('iPhone 1').locator('.el-checkbox').click();
  await expect(page.getByTestId('devices-bulk')).toContainText('3 devices selected');
  await page.getByTestId('devices-bulk-wipe').click();
  const dialog = page.getByTestId('device-action-dialog');
  await expect(dialog).toContainText('Wipe 2 devices?');
  await expect(dialog).toContainText('This cannot be undone.');
  await expect(dialog.getByTestId('device-action-skipped')).toContainText('iPhone 1 (Inactive)');
  await expect(dialog.getByTestId('device-action-targets')).toContainText('iPhone 2');
  await expect(dialog.getByTestId('device-action-targets')).toContainText('Mac 4');
  const confirm = dialog.getByTestId('device-action-confirm');
  await expect(confirm).toBeDisabled();
  await input(dialog, 'device-wipe-word').fill('wip');
  await expect(confirm).toBeDisabled();
  await input(dialog, 'device-wipe-word').fill('WIPE');
  await expect(confirm).toBeEnabled();
  await confirm.click();
  await expect(dialog.getByTestId('device-action-ok')).toContainText('Wipe sent to 2 devices.');
  await expect(dialog.getByTestId('device-action-pins')).toContainText('Mac 4');
  await expect(dialog.getByTestId('device-action-pin')).toHaveCount(1);
  await dialog.getByTestId('device-action-close').click();
  await expect(page.getByTestId('devices-bulk')).toHaveCount(0);
  expect(await devices['iPhone 2']?.commandLoop()).toEqual(['EraseDevice']);
  expect(await devices['Mac 4']?.commandLoop()).toEqual(['EraseDevice']);
  await refresh();
  await expect(row('iPhone 2').getByTestId('device-status')).toHaveAttribute('data-status', 'wiped');
  await expect(row('Mac 4').getByTestId('device-status')).toHaveAttribute('data-status', 'wiped');
  await expect(page.getByTestId('summary-wiped')).toContainText('2');
});

test('wipe one device: its name is the word to type', async () => {
  const dialog = await rowAction('iPhone 3', 'Wipe');
  await expect(dialog.getByTestId('device-wipe-expected')).toHaveText('iPhone 3');
  await input(dialog, 'device-wipe-word').fill('WIPE');
  await expect(dialog.getByTestId('device-action-confirm')).toBeDisabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});

test('an Android lock waits for the agent and can be cancelled from the detail drawer; a user CA is flagged there', async () => {
  const dialog = await rowAction('Android 6', 'Lock');
  await expect(dialog).not.toContainText('A Mac gets a 6-digit PIN');
  await dialog.getByTestId('device-action-confirm').click();
  await expect(dialog.getByTestId('device-action-ok')).toBeVisible();
  await expect(dialog.getByTestId('device-action-pins')).toHaveCount(0);
  await dialog.getByTestId('device-action-close').click();
  await row('Android 6').getByTestId('device-open').click();
  const drawer = page.getByTestId('device-detail');
  const action = drawer.locator('[data-testid=device-agent-action][data-status=queued]');
  await expect(action).toContainText('Lock');
  await expect(action).toContainText('Waiting');
  await action.getByTestId('device-agent-cancel').click();
  await expectToast(page, 'Cancelled.');
  await expect(drawer.locator('[data-testid=device-agent-action][data-status=cancelled]')).toHaveCount(1);
  const checkIn = await android.checkIn();
  expect(checkIn.actions).toEqual([]);
  // The user installed a CA of their own besides the office CA: the drawer flags it (the agent cannot remove it).
  await expect(drawer.getByTestId('device-ca-none')).toBeVisible();
  android.installUserCa(caPem);
  android.installUserCa(importableCa({ name: 'Home Proxy CA' }).certificatePem);
  await android.syncConfigurations();
  await drawer.getByTestId('device-detail-refresh').click();
  await expect(drawer.locator('[data-testid=device-ca-certificate][data-kind=unknown]')).toContainText('Home Proxy CA');
  await expect(drawer.locator('[data-testid=device-ca-certificate][data-kind=office]')).toContainText('Office CA');
  await expect(drawer.getByTestId('device-ca-unknown')).toContainText('needs a device owner (Android Enterprise)');
  await drawer.locator('.el-drawer__close-btn').click();
});

test('delete a device entry: it leaves the list, and the audit trail keeps it', async () => {
  const dialog = await rowAction('iPhone 3', 'Delete');
  await expect(dialog).toContainText('Delete this device entry?');
  await expect(dialog).toContainText('its history stays in the audit trail');
  await dialog.getByTestId('device-action-confirm').click();
  await expect(dialog.getByTestId('device-action-ok')).toContainText('Deleted 1 entry.');
  await dialog.getByTestId('device-action-close').click();
  await expect(row('iPhone 3')).toHaveCount(0);
  await expect(page.getByTestId('device-total')).toHaveText('Devices: 5');
  const audit = (await h.admin.call('GET', '/api/audit?action=device.deleted')).json<{
    items: { subjectLabel: string }[];
  }>();
  expect(audit.items[0]?.subjectLabel).toBe('iPhone 3');

  await page.goto('/audit');
  await expect(page.getByTestId('audit-table')).toContainText('Device entry deleted');
  await expect(page.getByTestId('audit-table')).toContainText('Wipe sent to device');
});

test('re-enroll an enrolled iPhone from the detail drawer: the one-time link enrolls it again into its single entry', async () => {
  const device = await enrollByApi(iphoneSpec(7), 'hana@example.com');
  const spec = device.spec;
  const entry = async () =>
    (await h.admin.call('GET', `/api/devices?q=${spec.serialNumber}`)).json<{
      items: { id: string; status: string; statusReason: string | null }[];
    }>().items;
  const [before] = await entry();
  await page.goto('/devices');
  await row('iPhone 7').getByTestId('device-open').click();
  const drawer = page.getByTestId('device-detail');
  await expect(drawer.getByTestId('device-facts')).toContainText(spec.serialNumber);
  // Revoking an agent token is for Android only.
  await expect(drawer.getByTestId('device-revoke-token')).toHaveCount(0);
  await drawer.getByTestId('device-reenroll').click();

  const dialog = page.getByTestId('device-reenroll-dialog');
  await expect(dialog).toContainText('Re-enroll iPhone 7?');
  await expect(dialog).toContainText(
    'Makes a one-time profile link that enrolls this device again, without retiring or deleting it first.',
  );
  const notes = dialog.getByTestId('device-reenroll-notes');
  await expect(notes).toContainText('The device keeps its entry and its history.');
  await expect(notes).toContainText('It does not count against the user’s device limit.');
  await expect(notes).toContainText('The link works once, and it expires');
  await dialog.getByTestId('device-reenroll-confirm').click();
  await expect(dialog).toContainText('The profile link that enrolls iPhone 7 again:');
  const profileUrl = await input(dialog, 'device-reenroll-url').inputValue();
  expect(profileUrl).toMatch(/^https:\/\/tsunagu\.test:\d+\/profile\/[\w-]+$/);
  const resultNotes = dialog.getByTestId('device-reenroll-result-notes');
  await expect(resultNotes).toContainText(
    'Open it on iPhone 7 itself, in Safari, then install the downloaded profile.',
  );
  await expect(resultNotes).toContainText('It works once, until');
  await expect(resultNotes).toContainText(
    'Anyone with this link can enroll a device as Hana Suzuki. Send it only to them.',
  );
  await dialog.getByTestId('device-reenroll-close').click();
  await expect(dialog).toBeHidden();
  await drawer.locator('.el-drawer__close-btn').click();
  await expect(drawer).toBeHidden();

  // The same iPhone installs the new profile: while it finishes, its entry says it is enrolling again.
  expect((await device.downloadProfile(profileUrl)).status).toBe(200);
  expect(await device.scep()).toEqual({ status: 'SUCCESS' });
  expect(
    (
      await device.checkin({
        MessageType: 'Authenticate',
        UDID: spec.udid,
        Topic: device.profile?.mdm.topic ?? '',
        SerialNumber: spec.serialNumber,
        OSVersion: spec.osVersion,
        BuildVersion: spec.buildVersion,
        ProductName: spec.productName,
      })
    ).status,
  ).toBe(200);
  await refresh();
  await expect(row('iPhone 7').getByTestId('device-status')).toHaveAttribute('data-status', 'pending');
  await expect(row('iPhone 7').getByTestId('device-status-reason')).toHaveText(
    'Enrolling again: waiting for the device to finish',
  );
  expect((await device.enrollMdm()).every((r) => r.status === 200)).toBe(true);
  await device.commandLoop();
  await refresh();
  await expect(row('iPhone 7')).toHaveCount(1);
  await expect(row('iPhone 7').getByTestId('device-status')).toHaveAttribute('data-status', 'active');
  expect((await entry()).map((d) => [d.id, d.status])).toEqual([[before?.id, 'active']]);

  // The link enrolls one device only.
  const again = await new EmulatedAppleDevice(iphoneSpec(98), { caPem }).downloadProfile(profileUrl);
  expect(again.status).not.toBe(200);
});

test('re-enroll an Android phone: the console shows the agent QR code; the agent enrolls with it, and the old entry is superseded', async () => {
  await row('Android 6').getByTestId('device-open').click();
  const drawer = page.getByTestId('device-detail');
  await expect(drawer.getByTestId('device-facts')).toContainText('Google');
  await drawer.getByTestId('device-reenroll').click();
  const dialog = page.getByTestId('device-reenroll-dialog');
  await expect(dialog).toContainText('Re-enroll Android 6?');
  await expect(dialog).toContainText('Makes a one-time QR code that enrolls this device again with the Tsunagu agent');
  // Android 13 (API 33): a new entry, and this one turns Inactive.
  await expect(dialog.getByTestId('device-reenroll-notes')).toContainText(
    'Android 10 and newer get a new entry when they enroll again',
  );
  await expect(dialog.getByTestId('device-reenroll-notes')).toContainText('The QR code works once, and it expires');
  const answer = page.waitForResponse(
    (r) => r.request().method() === 'POST' && /\/api\/devices\/[^/]+\/reenroll$/.test(r.url()),
  );
  await dialog.getByTestId('device-reenroll-confirm').click();
  const response = await answer;
  expect(response.status()).toBe(201);
  const reenroll = (await response.json()) as {
    profileUrl: string | null;
    agentQr: string;
    agentQrImage: string;
    expiresAt: string;
  };
  expect(reenroll.profileUrl).toBeNull();

  const qr = dialog.getByTestId('device-reenroll-qr');
  await expect(qr).toBeVisible();
  await expect(qr).toHaveAttribute('src', reenroll.agentQrImage);
  expect(reenroll.agentQrImage).toMatch(/^data:image\/png;base64,/);
  // The page really shows the picture (the console's content security policy lets data: images in).
  expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  await expect(dialog).toContainText('On the device, open the Tsunagu agent and scan this code.');
  await expect(dialog.getByTestId('device-reenroll-result-notes')).toContainText('It works once, until');
  await expect(dialog.getByTestId('device-reenroll-result-notes')).toContainText(
    'Anyone who scans this code can enroll a device as Ken Watanabe.',
  );
  await expect(dialog.getByTestId('device-reenroll-url')).toHaveCount(0);
  await dialog.getByTestId('device-reenroll-close').click();
  await drawer.locator('.el-drawer__close-btn').click();
  await expect(drawer).toBeHidden();

  // The reference agent scans the code: pins the CA by its fingerprint and enrolls with the one-time token.
  const payload = JSON.parse(reenroll.agentQr) as { server: string; token: string; caSha256: string };
  const pinned = await AndroidAgent.pinCa(payload.server, payload.caSha256, { loopback: true });
  const old = android;
  android = new AndroidAgent({
    ...old.state,
    server: payload.server.replace(/\/$/, ''),
    caPem: pinned,
    deviceId: null,
    token: null,
    facts: { ...old.state.facts, adminActive: false },
    pendingResults: [],
  });
  expect((await android.enroll({ method: 'qr', token: payload.token })).status).toBe('pending');
  android.grantAdmin();
  expect((await android.checkIn()).status).toBe('active');
  old.close();

  await refresh();
  await expect(row('Android 6')).toHaveCount(2);
  await expect(row('Android 6').filter({ has: page.locator('[data-status=active]') })).toHaveCount(1);
  const superseded = row('Android 6').filter({ has: page.locator('[data-status=inactive]') });
  await expect(superseded.getByTestId('device-status-reason')).toHaveText(
    'Replaced by a newer enrollment of the same device',
  );

  // The token works once.
  const another = new AndroidAgent({
    ...android.state,
    deviceId: null,
    token: null,
    facts: androidFacts(33, randomBytes(8).toString('hex'), 66),
  });
  await expect(another.enroll({ method: 'qr', token: payload.token })).rejects.toMatchObject({ status: 410 });
  another.close();

  // The superseded entry's agent is already stopped: there is no token left to revoke.
  await superseded.getByTestId('device-open').click();
  await expect(drawer.getByTestId('device-status')).toHaveAttribute('data-status', 'inactive');
  await expect(drawer.getByTestId('device-revoke-token')).toHaveCount(0);
  await expect(drawer.getByTestId('device-reenroll')).toBeVisible();
  await drawer.locator('.el-drawer__close-btn').click();
  await expect(drawer).toBeHidden();
});

test('revoke an Android agent token: the console asks first; the agent’s next check-in is refused with 401', async () => {
  expect((await android.checkIn()).status).toBe('active');
  await row('Android 6')
    .filter({ has: page.locator('[data-status=active]') })
    .getByTestId('device-open')
    .click();
  const drawer = page.getByTestId('device-detail');
  await expect(drawer.getByTestId('device-status')).toHaveAttribute('data-status', 'active');
  await drawer.getByTestId('device-revoke-token').click();
  const dialog = page.getByTestId('device-revoke-token-dialog');
  await expect(dialog).toContainText('Revoke the agent token of Android 6?');
  await expect(dialog).toContainText('The Tsunagu agent on this device stops working');
  await expect(dialog).toContainText('until the device enrolls again');
  await expect(dialog).toContainText('The device entry stays as it is, with the same status.');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect((await android.checkIn()).status).toBe('active');

  await drawer.getByTestId('device-revoke-token').click();
  await dialog.getByTestId('device-revoke-token-dialog-confirm').click();
  await expectToast(page, 'Agent token revoked: the agent on Android 6 stops working until the device enrolls again.');
  await expect(dialog).toBeHidden();
  await expect(android.checkIn()).rejects.toMatchObject({ status: 401 });

  // A second revoke finds nothing to revoke, and says so.
  await drawer.getByTestId('device-revoke-token').click();
  await dialog.getByTestId('device-revoke-token-dialog-confirm').click();
  await expectToast(page, 'Android 6 had no working agent token; nothing changed.');
  await drawer.locator('.el-drawer__close-btn').click();
  await expect(drawer).toBeHidden();

  const audit = (await h.admin.call('GET', '/api/audit?action=agent.token_revoked')).json<{ items: unknown[] }>();
  expect(audit.items.length).toBeGreaterThanOrEqual(2);
  await page.goto('/audit');
  await expect(page.getByTestId('audit-table')).toContainText('Agent token revoked');
  await expect(page.getByTestId('audit-table')).toContainText('Re-enrollment link or QR code made');
  await page.goto('/devices');
});

test('refused claims: another user’s enrollment of the same iPhone shows in the drawer; one is dismissed, the device is reassigned to the other, who then enrolls it', async () => {
  await addUser('mei@example.com', 'Mei Tanaka');
  const owned = await enrollByApi(iphoneSpec(8), 'hana@example.com');
  const udid = owned.spec.udid;
  await refusedClaim(udid, 'ken@example.com');
  await refusedClaim(udid, 'mei@example.com');
  await refusedClaim(udid, 'mei@example.com');

  await page.goto('/devices');
  await expect(row('iPhone 8')).toHaveCount(1);
  // The list marks the device: two users' attempts wait for the admin.
  await expect(row('iPhone 8').getByTestId('device-open-claims')).toHaveText('2 refused enrollments');
  await row('iPhone 8').getByTestId('device-open').click();
  const drawer = page.getByTestId('device-detail');
  const notice = drawer.getByTestId('device-claim-conflicts');
  await expect(notice).toContainText('2 other users tried to enroll this device');
  await expect(notice).toContainText('the device still belongs to Hana Suzuki, and nothing on it was changed');
  const ken = notice.locator('[data-testid=device-claim-conflict][data-claimant="ken@example.com"]');
  const mei = notice.locator('[data-testid=device-claim-conflict][data-claimant="mei@example.com"]');
  await expect(ken.getByTestId('device-claim-claimant')).toHaveText('Ken Watanabe');
  await expect(ken.getByTestId('device-claim-when')).toContainText('Tried once, on');
  await expect(mei.getByTestId('device-claim-claimant')).toHaveText('Mei Tanaka');
  await expect(mei.getByTestId('device-claim-when')).toContainText('Tried 2 times: first');
  await expect(drawer.getByTestId('device-facts')).toContainText('Hana Suzuki');

  // Dismiss Ken's attempt: asked first (Cancel changes nothing); the device stays with Hana.
  await ken.getByTestId('device-claim-dismiss').click();
  const dismiss = page.getByTestId('device-dismiss-claim-dialog');
  await expect(dismiss).toContainText('Dismiss the attempt by Ken Watanabe?');
  await expect(dismiss).toContainText('iPhone 8 stays with Hana Suzuki, and this attempt leaves the list.');
  await expect(dismiss).toContainText('If Ken Watanabe tries to enroll the device again, it is refused again');
  await dismiss.getByRole('button', { name: 'Cancel' }).click();
  await expect(dismiss).toBeHidden();
  await expect(ken).toHaveCount(1);
  await ken.getByTestId('device-claim-dismiss').click();
  await dismiss.getByTestId('device-dismiss-claim-dialog-confirm').click();
  await expectToast(page, 'Attempt dismissed: iPhone 8 stays with Hana Suzuki.');
  await expect(dismiss).toBeHidden();
  await expect(ken).toHaveCount(0);
  await expect(notice).toContainText('Another user tried to enroll this device');
  await expect(mei).toHaveCount(1);

  // Reassign to Mei: asked first; then the drawer shows the answer (no claim left), and the device is still Hana's.
  await mei.getByTestId('device-claim-reassign').click();
  const reassign = page.getByTestId('device-reassign-dialog');
  await expect(reassign).toContainText('Reassign iPhone 8 to Mei Tanaka?');
  await expect(reassign).toContainText('Mei Tanaka may then enroll iPhone 8, and it moves to them when they do.');
  await expect(reassign).toContainText('Until then it stays with Hana Suzuki, and nothing is sent to the device.');
  await expect(reassign.getByTestId('device-reassign-notes')).toContainText(
    'The refused attempts by Mei Tanaka on this device are cleared.',
  );
  await reassign.getByTestId('device-reassign-confirm').click();
  await expect(reassign.getByTestId('device-reassign-done')).toHaveText(
    'Mei Tanaka can now enroll iPhone 8. It moves to them when they do; until then it stays with Hana Suzuki.',
  );
  await reassign.getByTestId('device-reassign-close').click();
  await expect(reassign).toBeHidden();
  await expect(notice).toHaveCount(0);
  await expect(drawer.getByTestId('device-facts')).toContainText('Hana Suzuki');
  await expect(drawer.getByTestId('device-reassigned')).toContainText(
    'Reassigned to Mei Tanaka: the device moves to them when they enroll it. Until then it stays with Hana Suzuki.',
  );
  // Hana's iPhone has not been touched: nothing was queued for it.
  expect(await owned.commandLoop()).toEqual([]);

  // Mei enrolls the iPhone with her own account: it moves to her, in the same entry.
  await enrollByApi({ ...iphoneSpec(8), udid }, 'mei@example.com');
  await drawer.getByTestId('device-detail-refresh').click();
  await expect(drawer.getByTestId('device-facts')).toContainText('Mei Tanaka');
  await expect(drawer.getByTestId('device-status')).toHaveAttribute('data-status', 'active');
  await expect(drawer.getByTestId('device-reassigned')).toHaveCount(0);
  await drawer.locator('.el-drawer__close-btn').click();
  await expect(drawer).toBeHidden();
  await refresh();
  await expect(row('iPhone 8')).toHaveCount(1);
  await expect(row('iPhone 8')).toContainText('Mei Tanaka');
  await expect(row('iPhone 8').getByTestId('device-open-claims')).toHaveCount(0);
  owned.close();
});

test('reassign a device to another user from the drawer: pick the user (not its own), confirm, then whom it waits for; the audit trail names each step', async () => {
  await row('iPhone 8').getByTestId('device-open').click();
  const drawer = page.getByTestId('device-detail');
  await expect(drawer.getByTestId('device-facts')).toContainText('Mei Tanaka');
  await drawer.getByTestId('device-reassign').click();
  const dialog = page.getByTestId('device-reassign-dialog');
  await expect(dialog).toContainText('Reassign iPhone 8 to another user');
  await expect(dialog).toContainText('Choose who may enroll iPhone 8 next.');
  const confirm = dialog.getByTestId('device-reassign-confirm');
  await expect(confirm).toBeDisabled();
  await pickUsers(page, 'device-reassign-user', ['mei@example.com']);
  await expect(dialog.getByTestId('device-reassign-owner')).toHaveText('This device already belongs to Mei Tanaka.');
  await expect(confirm).toBeDisabled();
  await pickUsers(page, 'device-reassign-user', ['ken@example.com']);
  await expect(dialog.getByTestId('device-reassign-owner')).toHaveCount(0);
  await expect(dialog.getByTestId('device-reassign-notes')).toContainText(
    'Ask Ken Watanabe to enroll the device with their own account',
  );
  await expect(confirm).toHaveText('Reassign to Ken Watanabe');
  await confirm.click();
  await expect(dialog.getByTestId('device-reassign-done')).toHaveText(
    'Ken Watanabe can now enroll iPhone 8. It moves to them when they do; until then it stays with Mei Tanaka.',
  );
  await dialog.getByTestId('device-reassign-close').click();
  await expect(dialog).toBeHidden();
  await expect(drawer.getByTestId('device-facts')).toContainText('Mei Tanaka');
  await drawer.locator('.el-drawer__close-btn').click();
  await expect(drawer).toBeHidden();

  await page.goto('/audit');
  await input(page, 'audit-action').fill('device.');
  await page.getByTestId('audit-apply').click();
  const table = page.getByTestId('audit-table');
  for (const label of [
    'Enrollment refused: device belongs to another user',
    'Refused enrollment dismissed',
    'Device reassigned to another user',
    'Device moved to a new user',
  ])
    await expect(table).toContainText(label);
  await page.goto('/devices');
});
