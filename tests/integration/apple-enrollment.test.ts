import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { EmulatedAppleDevice, iphoneSpec, macSpec } from '../helpers/apple-device.js';
import { fakePushCertificate, type FakePushPki } from '../helpers/push-cert.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

let h: Harness;
let apns: ApnsMock;
let pki: FakePushPki;
let caPem: string;

async function waitFor<T>(fn: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  pki = fakePushCertificate();
  apns = await startApnsMock(pki.appleCaPem);
  h = await startHarness({ apnsCa: apns.caPem });
  caPem = h.server.services.ca.caCertificate().pem;
  expect(
    (await h.admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem }))
      .status,
  ).toBe(200);
  expect((await h.admin.call('PUT', '/api/push/settings', { apnsBaseUrl: apns.url })).status).toBe(200);
});
afterAll(async () => {
  await h.stop();
  await apns.close();
});

async function newEnrollment(platform: 'ios' | 'macos', email: string) {
  const user = (
    await h.admin.call('POST', '/api/users', { email, displayName: email.split('@')[0], locale: 'ja' })
  ).json<{ id: string }>();
  const res = await h.admin.call('POST', '/api/enrollments', { userId: user.id, platform });
  return res.json<{ id: string; profileUrl: string }>();
}

describe('emulated Apple devices enroll end to end', () => {
  it.each([
    ['iPhone', iphoneSpec(1), 'ios'],
    ['Mac', macSpec(1), 'macos'],
  ] as const)('an emulated %s enrolls, is pushed, and answers DeviceInformation', async (_name, spec, platform) => {
    const enrollment = await newEnrollment(platform, `${spec.kind}@example.com`);
    const device = new EmulatedAppleDevice(spec, { caPem });
    try {
      const dl = await device.downloadProfile(enrollment.profileUrl);
      expect(dl.status).toBe(200);
      expect(dl.headers['content-type']).toBe('application/x-apple-aspen-config');
      expect(dl.profile?.raw.TargetDeviceType).toBe(platform === 'macos' ? 5 : 1);
      expect(await device.scep()).toEqual({ status: 'SUCCESS' });
      const [auth, token, user] = await device.enrollMdm();
      expect([auth?.status, token?.status]).toEqual([200, 200]);
      expect(auth?.body.length).toBe(0);
      if (platform === 'macos') expect(user?.status).toBe(200);
      const devices = (await h.admin.call('GET', `/api/devices?q=${spec.udid}`)).json<{
        items: { id: string; status: string }[];
      }>();
      expect(devices.items).toHaveLength(1);
      const deviceId = devices.items[0]?.id as string;
      expect(devices.items[0]?.status).toBe('active');
      // The first TokenUpdate queued DeviceInformation and woke the device through APNs.
      const push = await waitFor(
        () => apns.received.find((p) => p.tokenHex === device.token.toString('hex')),
        'the APNs push',
      );
      expect(JSON.parse(push.body)).toEqual({ mdm: device.pushMagic });
      expect(push.topic).toBe(pki.topic);
      expect(await device.commandLoop()).toEqual(['DeviceInformation']);
      const detail = (await h.admin.call('GET', `/api/devices/${deviceId}`)).json<{
        device: Record<string, unknown>;
        channels: { channel: string }[];
        commands: { requestType: string; status: string }[];
      }>();
      expect(detail.device).toMatchObject({
        serialNumber: spec.serialNumber,
        deviceName: spec.deviceName,
        osVersion: spec.osVersion,
        modelName: spec.modelName,
        platform,
        status: 'active',
      });
      expect(detail.commands).toEqual([
        expect.objectContaining({ requestType: 'DeviceInformation', status: 'acknowledged' }),
      ]);
      expect(detail.channels.map((c) => c.channel)).toEqual(
        platform === 'macos' ? ['device', 'user:A8D2F2C4-6E3B-4B5A-9C1D-2F0E8B7A6C5D'] : ['device'],
      );
      // An admin command travels the same way: queued, pushed, fetched, answered, stored.
      const queued = await h.admin.call('POST', `/api/devices/${deviceId}/commands`, { type: 'ProfileList' });
      expect(queued.status).toBe(201);
      expect(await device.commandLoop()).toEqual(['ProfileList']);
      const commands = (await h.admin.call('GET', `/api/devices/${deviceId}/commands`)).json<
        { requestType: string; status: string; result: { ProfileList?: unknown[] } }[]
      >();
      expect(commands[0]).toMatchObject({ requestType: 'ProfileList', status: 'acknowledged' });
      expect(commands[0]?.result.ProfileList).toHaveLength(1);
    } finally {
      device.close();
    }
  });

  it('refuses an old challenge after a second download, and a reused one', async () => {
    const enrollment = await newEnrollment('ios', 'twice@example.com');
    const first = new EmulatedAppleDevice(iphoneSpec(2), { caPem });
    const second = new EmulatedAppleDevice(iphoneSpec(2), { caPem });
    try {
      await first.downloadProfile(enrollment.profileUrl);
      await second.downloadProfile(enrollment.profileUrl);
      expect(await first.scep()).toEqual({ status: 'FAILURE', failInfo: 'badRequest' });
      expect(await second.scep()).toEqual({ status: 'SUCCESS' });
      expect(await second.scep()).toEqual({ status: 'FAILURE', failInfo: 'badRequest' });
      const refused = (await h.admin.call('GET', '/api/audit?action=scep.refused')).json<{
        items: { details: { reason: string } }[];
      }>();
      expect(refused.items.map((e) => e.details.reason)).toEqual(expect.arrayContaining(['challenge_used']));
    } finally {
      first.close();
      second.close();
    }
  });
});
