import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AndroidAgent, AgentApiError, androidFacts } from '../helpers/android-agent.js';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { EmulatedAppleDevice, iphoneSpec, macSpec, type AppleDeviceSpec } from '../helpers/apple-device.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

let h: Harness;
let apns: ApnsMock;
let caPem: string;
let base: string;
const PASSWORD = 'a long user password';

type Device = {
  id: string;
  status: string;
  statusReason: string | null;
  udid: string | null;
  hardwareId: string | null;
};

beforeAll(async () => {
  const pki = fakePushCertificate();
  apns = await startApnsMock(pki.appleCaPem);
  h = await startHarness({ apnsCa: apns.caPem });
  caPem = h.server.services.ca.caCertificate().pem;
  base = h.server.enrollmentUrl.replace(/\/$/, '');
  await h.admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem });
  await h.admin.call('PUT', '/api/push/settings', { apnsBaseUrl: apns.url });
  const settings = (await h.admin.call('GET', '/api/settings/users')).json<{ settings: Record<string, unknown> }>()
    .settings;
  await h.admin.call('PUT', '/api/settings/users', { ...settings, deviceLimitPerUser: 20 });
});
afterAll(async () => {
  await h.stop();
  await apns.close();
});

async function user(email: string): Promise<string> {
  const res = await h.admin.call('POST', '/api/users', {
    email,
    displayName: email.split('@')[0],
    locale: 'en',
    password: PASSWORD,
  });
  return res.json<{ id: string }>().id;
}

async function devices(q: string): Promise<Device[]> {
  return (await h.admin.call('GET', `/api/devices?q=${encodeURIComponent(q)}&limit=500`)).json<{ items: Device[] }>()
    .items;
}

async function act(action: string, deviceIds: string[], extra: Record<string, unknown> = {}) {
  const res = await h.admin.call('POST', '/api/devices/actions', { action, deviceIds, ...extra });
  expect(res.status).toBe(200);
  const out = res.json<{ results: { ok: boolean; pin?: string | null; error?: { message: string } }[] }>();
  expect(
    out.results.every((r) => r.ok),
    JSON.stringify(out),
  ).toBe(true);
  return out.results;
}

/** Downloads a profile for the user, runs SCEP and MDM enrollment and the first command loop. */
async function enrollApple(spec: AppleDeviceSpec, userId: string): Promise<EmulatedAppleDevice> {
  const enrollment = (
    await h.admin.call('POST', '/api/enrollments', { userId, platform: spec.kind === 'mac' ? 'macos' : 'ios' })
  ).json<{ profileUrl: string }>();
  const device = new EmulatedAppleDevice(spec, { caPem });
  expect((await device.downloadProfile(enrollment.profileUrl)).status).toBe(200);
  expect(await device.scep()).toEqual({ status: 'SUCCESS' });
  const replies = await device.enrollMdm();
  expect(replies.every((r) => r.status === 200)).toBe(true);
  await device.commandLoop();
  return device;
}

async function newAgent(apiLevel: number, hardwareId: string): Promise<AndroidAgent> {
  return new AndroidAgent({
    server: base,
    caPem,
    deviceId: null,
    token: null,
    facts: androidFacts(apiLevel, hardwareId),
    pendingResults: [],
    locked: false,
    wiped: false,
    retired: false,
    loopback: true,
  });
}

async function enrollAndroid(apiLevel: number, hardwareId: string, email: string): Promise<AndroidAgent> {
  const agent = await newAgent(apiLevel, hardwareId);
  const res = await agent.enroll({ method: 'password', email, password: PASSWORD });
  expect(res.status).toBe('pending');
  const first = await agent.checkIn();
  expect(first.status).toBe('pending');
  expect(first.reminder?.message).toMatch(/device admin app/);
  agent.grantAdmin();
  expect((await agent.checkIn()).status).toBe('active');
  return agent;
}

describe.each([
  ['iPhone', () => iphoneSpec(40)],
  ['Mac', () => macSpec(41)],
] as const)('an emulated %s through its whole life', (_name, makeSpec) => {
  it('enrolls, re-enrolls, is retired, wiped and deleted, re-enrolling after each, and never gets a second record', async () => {
    const spec = makeSpec();
    const userId = await user(`${spec.kind}-life@example.com`);
    const live = async () => devices(spec.udid);
    const one = async (status: string) => {
      const list = await live();
      expect(list, JSON.stringify(list)).toHaveLength(1);
      expect(list[0]?.status).toBe(status);
      return list[0] as Device;
    };

    let device = await enrollApple(spec, userId);
    const first = await one('active');
    const firstCert = device.identity?.certPem;

    device.close();
    device = await enrollApple(spec, userId);
    expect((await one('active')).id).toBe(first.id);
    expect(device.identity?.certPem).not.toBe(firstCert);

    await act('retire', [first.id]);
    expect(await device.commandLoop()).toEqual(['RemoveProfile']);
    expect((await one('inactive')).statusReason).toMatch(/retired/);
    device.close();
    device = await enrollApple(spec, userId);
    expect((await one('active')).id).toBe(first.id);

    const [wipe] = await act('wipe', [first.id]);
    if (spec.kind === 'mac') expect(wipe?.pin).toMatch(/^\d{6}$/);
    expect(await device.commandLoop()).toEqual(['EraseDevice']);
    expect(device.wiped).toBe(true);
    await one('wiped');
    device.close();
    device = await enrollApple(spec, userId);
    expect((await one('active')).id).toBe(first.id);

    await act('lock', [first.id], { message: 'Call the office' });
    expect(await device.commandLoop()).toEqual(['DeviceLock']);

    await act('delete', [first.id]);
    expect(await live()).toHaveLength(0);
    device.close();
    device = await enrollApple(spec, userId);
    const reborn = await one('active');
    expect(reborn.id).not.toBe(first.id);
    device.close();

    const trail = (await h.admin.call('GET', `/api/audit?subject=${first.id}&limit=500`))
      .json<{ items: { action: string }[] }>()
      .items.map((e) => e.action);
    expect(trail).toEqual(
      expect.arrayContaining([
        'device.enrolled',
        'device.reenrolled',
        'device.retire_requested',
        'device.retired',
        'device.wipe_requested',
        'device.wiped',
        'device.lock_requested',
        'device.deleted',
      ]),
    );
  });
});

describe('admin re-enrollment', () => {
  it('re-enrolls an active device without clearing it first, even at the device limit', async () => {
    const settings = (await h.admin.call('GET', '/api/settings/users')).json<{ settings: Record<string, unknown> }>()
      .settings;
    await h.admin.call('PUT', '/api/settings/users', { ...settings, deviceLimitPerUser: 1 });
    try {
      const spec = iphoneSpec(43);
      const userId = await user('limit@example.com');
      const device = await enrollApple(spec, userId);
      const [record] = await devices(spec.udid);
      const refused = await h.admin.call('POST', '/api/enrollments', { userId, platform: 'ios' });
      expect(refused.status).toBe(409);
      expect(refused.json()).toMatchObject({ code: 'DEVICE_LIMIT' });
      const again = (await h.admin.call('POST', `/api/devices/${record?.id}/reenroll`)).json<{ profileUrl: string }>();
      expect((await device.downloadProfile(again.profileUrl)).status).toBe(200);
      expect(await device.scep()).toEqual({ status: 'SUCCESS' });
      await device.enrollMdm();
      expect((await devices(spec.udid)).map((d) => [d.id, d.status])).toEqual([[record?.id, 'active']]);
      device.close();
      const hw = randomBytes(8).toString('hex');
      const androidUser = await user('limit-android@example.com');
      void androidUser;
      const agent = await enrollAndroid(33, hw, 'limit-android@example.com');
      const qr = (await h.admin.call('POST', `/api/devices/${agent.state.deviceId}/reenroll`)).json<{
        agentQr: string;
      }>();
      const payload = JSON.parse(qr.agentQr) as { token: string; caSha256: string };
      expect(payload.caSha256).toMatch(/^[0-9a-f]{64}$/);
      const fresh = await newAgent(33, hw);
      expect((await fresh.enroll({ method: 'qr', token: payload.token })).status).toBe('pending');
      fresh.grantAdmin();
      expect((await fresh.checkIn()).status).toBe('active');
      expect((await devices(hw)).map((d) => d.status).sort()).toEqual(['active', 'inactive']);
      agent.close();
      fresh.close();
    } finally {
      await h.admin.call('PUT', '/api/settings/users', { ...settings, deviceLimitPerUser: 20 });
    }
  });
});

describe('a device reset outside our control', () => {
  it('shows Reset when APNs says its token is gone, until it enrolls again', async () => {
    const spec = iphoneSpec(42);
    const userId = await user('reset@example.com');
    let device = await enrollApple(spec, userId);
    const [record] = await devices(spec.udid);
    apns.script({ status: 410, reason: 'Unregistered' });
    const pushed = (await h.admin.call('POST', `/api/devices/${record?.id}/push`)).json<{
      outcomes: { result: { status: number } }[];
    }>();
    expect(pushed.outcomes[0]?.result.status).toBe(410);
    const [reset] = await devices(spec.udid);
    expect(reset).toMatchObject({ id: record?.id, status: 'reset' });
    expect(reset?.statusReason).toBe('push_token_gone');
    device.close();
    device = await enrollApple(spec, userId);
    expect((await devices(spec.udid)).map((d) => [d.id, d.status])).toEqual([[record?.id, 'active']]);
    device.close();
  });
});

describe('the Android agent', () => {
  it('keeps one entry for Android 9 through re-enrollment, retire, wipe and delete', async () => {
    const email = 'android9@example.com';
    await user(email);
    const hw = randomBytes(8).toString('hex');
    let agent = await enrollAndroid(28, hw, email);
    const entries = async () => devices(hw);
    const [first] = await entries();
    expect(first).toMatchObject({ status: 'active' });

    const old = agent;
    agent = await enrollAndroid(28, hw, email);
    expect((await entries()).map((d) => [d.id, d.status])).toEqual([[first?.id, 'active']]);
    await expect(old.checkIn()).rejects.toMatchObject({ status: 401, code: 'AGENT_TOKEN_INVALID' });
    old.close();

    await act('retire', [first?.id as string]);
    await agent.checkIn();
    expect(agent.state.retired).toBe(true);
    expect(await agent.checkIn()).toMatchObject({ status: 'inactive', stop: true });
    expect((await entries())[0]?.status).toBe('inactive');
    agent.close();
    agent = await enrollAndroid(28, hw, email);
    expect((await entries()).map((d) => [d.id, d.status])).toEqual([[first?.id, 'active']]);

    await act('wipe', [first?.id as string]);
    await agent.checkIn();
    expect(await agent.checkIn()).toMatchObject({ status: 'wiped', stop: true });
    await expect(agent.checkIn()).rejects.toBeInstanceOf(AgentApiError);
    agent.close();
    agent = await enrollAndroid(28, hw, email);
    expect((await entries()).map((d) => d.id)).toEqual([first?.id]);

    await act('delete', [first?.id as string]);
    expect(await entries()).toHaveLength(0);
    await expect(agent.checkIn()).rejects.toMatchObject({ status: 401 });
    agent.close();
    agent = await enrollAndroid(28, hw, email);
    const after = await entries();
    expect(after).toHaveLength(1);
    expect(after[0]?.id).not.toBe(first?.id);
    agent.close();
  });

  it('gives Android 13 a new entry per enrollment, only the newest active', async () => {
    const email = 'android13@example.com';
    await user(email);
    const hw = randomBytes(8).toString('hex');
    const a1 = await enrollAndroid(33, hw, email);
    const a2 = await enrollAndroid(33, hw, email);
    let list = await devices(hw);
    expect(list.map((d) => d.status).sort()).toEqual(['active', 'inactive']);
    expect(list.find((d) => d.status === 'inactive')?.statusReason).toBe('superseded');
    await expect(a1.checkIn()).rejects.toMatchObject({ status: 401 });
    const newest = list.find((d) => d.status === 'active') as Device;
    await act('lock', [newest.id], { message: 'Lost? Call 03-1234-5678' });
    await a2.checkIn();
    expect(a2.state.locked).toBe(true);
    await act('retire', [newest.id]);
    await a2.checkIn();
    await a2.checkIn();
    const a3 = await enrollAndroid(33, hw, email);
    list = await devices(hw);
    expect(list).toHaveLength(3);
    expect(list.filter((d) => d.status === 'active')).toHaveLength(1);
    const a3Id = a3.state.deviceId as string;
    await act('wipe', [a3Id]);
    await a3.checkIn();
    await a3.checkIn();
    const a4 = await enrollAndroid(33, hw, email);
    list = await devices(hw);
    expect(list.map((d) => d.status).sort()).toEqual(['active', 'inactive', 'inactive', 'wiped']);
    await act(
      'delete',
      list.filter((d) => d.status !== 'active').map((d) => d.id),
    );
    expect((await devices(hw)).map((d) => d.status)).toEqual(['active']);
    for (const a of [a1, a2, a3, a4]) a.close();
  });

  it('rotates and revokes agent tokens, and refuses a token on another device', async () => {
    const email = 'android-token@example.com';
    await user(email);
    const hw = randomBytes(8).toString('hex');
    const agent = await enrollAndroid(33, hw, email);
    const oldToken = agent.state.token;
    await agent.rotateToken();
    expect(agent.state.token).not.toBe(oldToken);
    expect((await agent.checkIn()).status).toBe('active');
    const thief = await newAgent(33, 'another-device-id');
    thief.state.token = agent.state.token;
    await expect(thief.checkIn()).rejects.toMatchObject({ status: 409, code: 'AGENT_DEVICE_MISMATCH' });
    await h.admin.call('POST', `/api/devices/${agent.state.deviceId}/agent-token/revoke`);
    await expect(agent.checkIn()).rejects.toMatchObject({ status: 401 });
    agent.close();
    thief.close();
  });

  it('enrolls with a single-use QR token from the portal, pinning the CA by fingerprint', async () => {
    const uid = await user('android-qr@example.com');
    const portal = h.server.services.portal;
    const principal = { user: { id: uid, email: 'android-qr@example.com' } } as unknown as Parameters<
      typeof portal.createSignInToken
    >[0];
    const { token } = portal.createSignInToken(principal, 'agent', null);
    const fp = h.server.services.ca.caCertificate().fingerprint256.replace(/:/g, '').toLowerCase();
    const pinned = await AndroidAgent.pinCa(base, fp, { loopback: true });
    expect(pinned).toBe(caPem);
    await expect(AndroidAgent.pinCa(base, '00'.repeat(32), { loopback: true })).rejects.toThrow(/does not match/);
    const agent = await newAgent(33, randomBytes(8).toString('hex'));
    expect((await agent.enroll({ method: 'qr', token })).status).toBe('pending');
    const again = await newAgent(33, randomBytes(8).toString('hex'));
    await expect(again.enroll({ method: 'qr', token })).rejects.toMatchObject({ status: 410 });
    agent.close();
    again.close();
  });
});

describe('the audit trail and summary', () => {
  it('verifies, and the summary counts match the device list', async () => {
    expect((await h.admin.call('GET', '/api/audit/verify')).json()).toMatchObject({ ok: true });
    const summary = (await h.admin.call('GET', '/api/devices/summary')).json<{
      total: number;
      byStatus: Record<string, number>;
      byPlatform: Record<string, number>;
      enrollmentsPerDay: { day: string; count: number }[];
    }>();
    const all = (await h.admin.call('GET', '/api/devices?limit=500')).json<{ items: Device[]; total: number }>();
    expect(summary.total).toBe(all.total);
    expect(Object.values(summary.byStatus).reduce((a, b) => a + b, 0)).toBe(all.total);
    expect(summary.enrollmentsPerDay).toHaveLength(30);
    expect(summary.enrollmentsPerDay.at(-1)?.count).toBeGreaterThan(5);
  });
});
