// The macOS guided-install helper against a real server: the helper's host with its pinned API client, real profile
// files, and an emulated Mac that installs what the helper opened (real SCEP, Authenticate and TokenUpdate). Only
// macOS itself is emulated (FakeMacPlatform underneath: `open`, `profiles status`, notifications).
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelperApiClient } from '../../electron/helper/api-client.js';
import { formatDeepLink } from '../../electron/helper/deep-link.js';
import type { HelperStart } from '../../electron/helper/step-types.js';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { EmulatedAppleDevice, macSpec } from '../helpers/apple-device.js';
import { EmulatedMacPlatform } from '../helpers/emulated-mac.js';
import { loopbackLookup, testHelper, untilScreen } from '../helpers/helper-host.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import { tempDir } from '../helpers/temp-dir.js';

let h: Harness;
let apns: ApnsMock;
let caPem: string;
let caSha256: string;
let origin: string;
const dir = tempDir('helper');
let macs = 0;

beforeAll(async () => {
  const pki = fakePushCertificate();
  apns = await startApnsMock(pki.appleCaPem);
  h = await startHarness({ apnsCa: apns.caPem });
  caPem = h.server.services.ca.caCertificate().pem;
  caSha256 = h.server.services.ca.caCertificate().fingerprint256.replace(/:/g, '').toLowerCase();
  origin = new URL(h.server.enrollmentUrl).origin;
  await h.admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem });
  await h.admin.call('PUT', '/api/push/settings', { apnsBaseUrl: apns.url });
});
afterAll(async () => {
  await h.stop();
  await apns.close();
  dir.remove();
});

/** A user with a password, and a fresh portal link token for them (what the portal's Mac page puts in the link). */
async function userWithLinkToken(email: string): Promise<{ id: string; token: string }> {
  const created = await h.admin.call('POST', '/api/users', {
    email,
    displayName: email.split('@')[0],
    locale: 'en',
    password: 'a long enough password 1',
  });
  expect(created.status).toBe(201);
  const { principal } = await h.server.services.portal.signIn(
    { email, secret: 'a long enough password 1', invite: null },
    null,
  );
  return {
    id: created.json<{ id: string }>().id,
    token: h.server.services.portal.createSignInToken(principal, 'portal', null).token,
  };
}

function link(token: string | null, ca = caSha256): HelperStart {
  return { kind: 'deep-link', link: { server: origin, caSha256: ca, token } };
}

function newMac(options: ConstructorParameters<typeof EmulatedMacPlatform>[1] = {}) {
  macs += 1;
  const mac = new EmulatedMacPlatform(new EmulatedAppleDevice(macSpec(100 + macs), { caPem }), options);
  const helper = testHelper(mac, `${dir.path}/mac-${macs}`);
  return { mac, helper, host: helper.host };
}

async function devicesOf(userId: string) {
  return (await h.admin.call('GET', `/api/devices?userId=${userId}`)).json<{
    items: { status: string; udid?: string }[];
  }>().items;
}

describe('the helper, from the portal link to an enrolled Mac', () => {
  it('confirms the server, signs in with the link token, stages the profile, and notices the TokenUpdate', async () => {
    const user = await userWithLinkToken('mac-one@example.com');
    // The link the portal writes parses into the start the helper uses.
    expect(formatDeepLink({ server: origin, caSha256: caSha256, token: user.token })).toMatch(/^tsunagu:\/\/enroll\?/);
    const { mac, helper, host } = newMac({ productVersion: '15.1' });
    await host.start(link(user.token));
    await untilScreen(host, 'confirm-server');
    expect(host.screen().state).toEqual({
      kind: 'confirm-server',
      organisation: 'Tsunagu',
      host: new URL(origin).hostname,
      caSha256,
    });
    await host.send({ type: 'accept-server' });
    await untilScreen(host, 'installing');
    const screen = host.screen().state;
    expect(screen.kind === 'installing' && screen.pane.paneName).toBe('General > Device Management');
    expect(helper.servers.list().map((s) => [s.host, s.caSha256])).toEqual([[new URL(origin).hostname, caSha256]]);
    const [profilePath] = mac.opened;
    expect(profilePath).toMatch(/\.mobileconfig$/);
    expect(mac.opened[1]).toBe('x-apple.systempreferences:com.apple.Profiles-Settings.extension');
    // The server has the enrollment open and a valid profile out; nothing is enrolled yet.
    expect(await devicesOf(user.id)).toEqual([]);

    expect(await mac.install()).toEqual({ scep: 'SUCCESS', checkIns: [200, 200, 200] });
    await untilScreen(host, 'enrolled');
    expect(host.screen().state).toEqual({ kind: 'enrolled', how: 'installed' });
    expect(mac.notifications.at(-1)?.title).toBe('Your Mac is enrolled');
    expect((await devicesOf(user.id)).map((d) => d.status)).toEqual(['active']);
    expect(helper.cleared).toBe(1);
    // The link's token was spent by the helper: a replay is refused.
    const replay = createHelperApiClient({ serverUrl: origin, pinnedCaSha256: () => caSha256, lookup: loopbackLookup });
    await expect(replay.signIn({ method: 'token', token: user.token })).rejects.toMatchObject({
      failure: { kind: 'http', status: 410, code: 'LINK_OUTDATED' },
    });
    host.dispose();
  });

  it('replaces a profile about to expire, voids the old one, and enrolls with the fresh one', async () => {
    const user = await userWithLinkToken('mac-two@example.com');
    const { mac, helper, host } = newMac({ productVersion: '14.6' });
    // A server the user accepted before: straight to sign-in with the token.
    helper.servers.remember({ host: new URL(origin).hostname, caSha256, organisation: 'Tsunagu' });
    await host.start(link(user.token));
    await untilScreen(host, 'installing');
    const first = mac.opened[0] as string;
    const firstProfile = mac.staged as Buffer;
    // Four minutes before the profile expires (the default margin is five): the helper fetches a fresh one.
    const state = host.state();
    const expiresAt = state?.kind === 'installing' ? state.expiresAt : 0;
    helper.advance(expiresAt - 4 * 60_000 - Date.now());
    await untilScreen(host, 'downloading').catch(() => undefined);
    await untilScreen(host, 'installing');
    await host.idle();
    const screen = host.screen().state;
    expect(screen.kind === 'installing' && screen.replaced).toBe(true);
    expect(existsSync(first)).toBe(false);
    expect(mac.opened.filter((t) => t.endsWith('.mobileconfig'))).toHaveLength(2);
    expect(mac.notifications.map((n) => n.title)).toContain('A fresh profile is ready');
    // The voided profile's challenge is refused by the SCEP server: a device still holding it cannot enroll.
    const stale = new EmulatedAppleDevice(macSpec(999), { caPem });
    stale.receiveProfile(firstProfile);
    expect((await stale.scep()).status).toBe('FAILURE');
    expect(mac.staged?.equals(firstProfile)).toBe(false);
    const installed = await mac.install();
    const audit = (await h.admin.call('GET', '/api/audit?limit=8')).json<{
      items: { action: string; details: unknown }[];
    }>();
    expect(installed.scep, JSON.stringify(audit.items)).toBe('SUCCESS');
    await untilScreen(host, 'enrolled');
    expect((await devicesOf(user.id)).map((d) => d.status)).toEqual(['active']);
    host.dispose();
  });

  it('shows the expired screen when the profile ran out, and a fresh profile on retry', async () => {
    const user = await userWithLinkToken('mac-three@example.com');
    const { mac, helper, host } = newMac();
    helper.servers.remember({ host: new URL(origin).hostname, caSha256, organisation: 'Tsunagu' });
    await host.start(link(user.token));
    await untilScreen(host, 'installing');
    helper.advance(2 * 3600_000);
    await untilScreen(host, 'expired');
    expect(mac.notifications.map((n) => n.title)).toContain('The profile expired');
    helper.advance(-2 * 3600_000);
    await host.send({ type: 'retry' });
    await untilScreen(host, 'installing');
    await host.idle();
    expect(mac.opened.filter((t) => t.endsWith('.mobileconfig'))).toHaveLength(2);
    host.dispose();
  });

  it('refuses politely when the Mac is enrolled with another MDM, and downloads nothing', async () => {
    const user = await userWithLinkToken('mac-four@example.com');
    const { mac, helper, host } = newMac({
      profilesStatus: [
        'Enrolled via DEP: No\nMDM enrollment: Yes (User Approved)\nMDM server: https://mdm.other.example/mdm\n',
      ],
    });
    helper.servers.remember({ host: new URL(origin).hostname, caSha256, organisation: 'Tsunagu' });
    await host.start(link(user.token));
    await untilScreen(host, 'enrolled-elsewhere');
    expect(host.screen().state).toEqual({ kind: 'enrolled-elsewhere', otherHost: 'mdm.other.example' });
    expect(mac.opened).toEqual([]);
    host.dispose();
  });

  it('goes straight to success when the Mac is already enrolled with this server', async () => {
    const user = await userWithLinkToken('mac-five@example.com');
    const { host, helper } = newMac({
      profilesStatus: [
        `Enrolled via DEP: No\nMDM enrollment: Yes (User Approved)\nMDM server: ${origin}/mdm/connect\n`,
      ],
    });
    helper.servers.remember({ host: new URL(origin).hostname, caSha256, organisation: 'Tsunagu' });
    await host.start(link(user.token));
    await untilScreen(host, 'enrolled');
    expect(host.screen().state).toEqual({ kind: 'enrolled', how: 'already-enrolled-here' });
    host.dispose();
  });

  it('refuses a link whose CA fingerprint is not the server’s before it sends the token', async () => {
    const user = await userWithLinkToken('mac-six@example.com');
    const { host } = newMac();
    const wrong = 'ab'.repeat(32);
    await host.start(link(user.token, wrong));
    await untilScreen(host, 'certificate-mismatch');
    expect(host.screen().state).toEqual({ kind: 'certificate-mismatch', expected: wrong, presented: caSha256 });
    host.dispose();
    // The token never left the helper: it still signs in once.
    const { host: second, helper } = newMac();
    helper.servers.remember({ host: new URL(origin).hostname, caSha256, organisation: 'Tsunagu' });
    await second.start(link(user.token));
    await untilScreen(second, 'installing');
    second.dispose();
  });

  it('refuses a server that changed its CA since the user accepted it', async () => {
    const { host, helper } = newMac();
    helper.servers.remember({ host: new URL(origin).hostname, caSha256: 'cd'.repeat(32), organisation: 'Tsunagu' });
    await host.start({ kind: 'typed', server: origin });
    await untilScreen(host, 'certificate-mismatch');
    host.dispose();
  });

  it('signs in with a PIN and a new password; a password that breaks the rule does not spend the PIN', async () => {
    const created = await h.admin.call('POST', '/api/users', {
      email: 'mac-pin@example.com',
      displayName: 'Pin',
      locale: 'en',
      sendInvitation: true,
    });
    const userId = created.json<{ id: string }>().id;
    const invitation = (await h.admin.call('GET', `/api/invitations?userId=${userId}`)).json<{
      items: { id: string }[];
    }>().items[0];
    const { pin } = (await h.admin.call('POST', `/api/invitations/${invitation?.id}/pin`)).json<{ pin: string }>();
    const { host, helper } = newMac({ isAdmin: false });
    helper.servers.remember({ host: new URL(origin).hostname, caSha256, organisation: 'Tsunagu' });
    await host.start({ kind: 'typed', server: origin });
    await untilScreen(host, 'sign-in');
    expect(host.screen().state).toEqual({ kind: 'sign-in', submitting: false, problem: null, withLinkToken: false });
    await host.send({
      type: 'sign-in',
      credentials: { method: 'pin', email: 'mac-pin@example.com', pin, newPassword: 'short' },
    });
    await host.idle();
    expect(host.screen().state).toMatchObject({ kind: 'sign-in', problem: 'password-rule' });
    await host.send({
      type: 'sign-in',
      credentials: { method: 'pin', email: 'mac-pin@example.com', pin, newPassword: 'a much better password 7' },
    });
    // A standard user hears early that an administrator's name and password will be asked for.
    await untilScreen(host, 'admin-needed-warning');
    await host.send({ type: 'acknowledge' });
    await untilScreen(host, 'installing');
    host.dispose();
  });

  it('quitting mid-install leaves a login-item reminder', async () => {
    const user = await userWithLinkToken('mac-quit@example.com');
    const { host, helper } = newMac();
    helper.servers.remember({ host: new URL(origin).hostname, caSha256, organisation: 'Tsunagu' });
    await host.start(link(user.token));
    await untilScreen(host, 'installing');
    await host.send({ type: 'quit' });
    await host.idle();
    expect(helper.reminders).toEqual([origin]);
    expect(helper.quits).toBe(1);
    host.dispose();
  });
});
