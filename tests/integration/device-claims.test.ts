import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceDto } from '../../server/contract/index.js';
import { AndroidAgent, androidFacts } from '../helpers/android-agent.js';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { EmulatedAppleDevice, iphoneSpec, macSpec, type AppleDeviceSpec } from '../helpers/apple-device.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

// A device identity speaks only for its own device. User B has a valid account and B's own valid profile (so a
// valid SCEP identity) and tries to take over user A's devices; each attempt must leave A's record exactly as it
// was and end up in the audit trail. Then the legitimate ways a device changes hands still work.

let h: Harness;
let apns: ApnsMock;
let caPem: string;
let base: string;
const PASSWORD = 'a long user password';

type Device = Pick<DeviceDto, 'id' | 'status' | 'statusReason' | 'userId' | 'openClaims' | 'reassignedTo'>;
type Detail = {
  device: Device;
  channels: { channel: string; enabled: boolean; hasPushToken: boolean; tokenUpdatedAt: string | null }[];
  commands: { uuid: string; requestType: string; status: string }[];
  claimConflicts: { id: string; claimantUserId: string; ownerUserId: string | null; attempts: number }[];
};
type AuditEvent = { action: string; subjectId: string | null; details: Record<string, unknown> };

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

async function detail(id: string): Promise<Detail> {
  return (await h.admin.call('GET', `/api/devices/${id}`)).json<Detail>();
}

async function recordOf(key: string): Promise<Device> {
  const items = (await h.admin.call('GET', `/api/devices?q=${encodeURIComponent(key)}&limit=50`)).json<{
    items: Device[];
  }>().items;
  expect(items, JSON.stringify(items)).toHaveLength(1);
  return items[0] as Device;
}

async function audit(action: string): Promise<AuditEvent[]> {
  return (await h.admin.call('GET', `/api/audit?action=${action}&limit=200`)).json<{ items: AuditEvent[] }>().items;
}

/** A device of `spec` with the user's own profile and SCEP identity, before MDM enrollment. */
async function withIdentity(spec: AppleDeviceSpec, userId: string): Promise<EmulatedAppleDevice> {
  const enrollment = (
    await h.admin.call('POST', '/api/enrollments', { userId, platform: spec.kind === 'mac' ? 'macos' : 'ios' })
  ).json<{ profileUrl: string }>();
  const device = new EmulatedAppleDevice(spec, { caPem });
  expect((await device.downloadProfile(enrollment.profileUrl)).status).toBe(200);
  expect(await device.scep()).toEqual({ status: 'SUCCESS' });
  return device;
}

async function enrollApple(spec: AppleDeviceSpec, userId: string): Promise<EmulatedAppleDevice> {
  const device = await withIdentity(spec, userId);
  const replies = await device.enrollMdm();
  expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
  await device.commandLoop();
  return device;
}

function agentFor(apiLevel: number, hardwareId: string): AndroidAgent {
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
  const agent = agentFor(apiLevel, hardwareId);
  expect((await agent.enroll({ method: 'password', email, password: PASSWORD })).status).toBe('pending');
  agent.grantAdmin();
  expect((await agent.checkIn()).status).toBe('active');
  return agent;
}

/** Everything about a record that an attacker must not change. */
async function snapshot(id: string) {
  const d = await detail(id);
  // A refused claim is counted on the record for the admin (openClaims); everything else must stay as it was.
  const { openClaims: _counted, ...device } = d.device;
  return {
    device,
    channels: d.channels,
    commands: d.commands.map((c) => [c.uuid, c.requestType, c.status]),
  };
}

describe('user B with a valid identity of their own', () => {
  it("cannot claim A's Active iPhone: A's record, push token, commands and certificate stay as they were", async () => {
    const a = await user('claim-a-iphone@example.com');
    const b = await user('claim-b-iphone@example.com');
    const spec = iphoneSpec(60);
    const phone = await enrollApple(spec, a);
    const record = await recordOf(spec.udid);
    // A pending erase must survive the attempt (today's hole cancelled it).
    const erase = await h.admin.call('POST', `/api/devices/${record.id}/commands`, { type: 'EraseDevice' });
    expect(erase.status).toBe(201);
    const before = await snapshot(record.id);
    const pushesBefore = apns.received.length;

    const attacker = await withIdentity({ ...iphoneSpec(61), udid: spec.udid }, b);
    const [auth, token] = await attacker.enrollMdm();
    expect(auth?.status).toBe(400);
    expect(token?.status).toBe(400);
    // Command results and an erase acknowledgement signed by B's identity change nothing.
    const eraseUuid = erase.json<{ uuid: string }>().uuid;
    const ack = await attacker.report({ UDID: spec.udid, Status: 'Acknowledged', CommandUUID: eraseUuid });
    expect(ack.status).toBe(400);

    expect(await snapshot(record.id)).toEqual(before);
    // The server asked APNs whether A's enrollment is gone (it is not): one push to A's token.
    expect(apns.received.length).toBe(pushesBefore + 1);
    expect(apns.received.at(-1)?.tokenHex).toBe(phone.token.toString('hex'));
    // A's own identity still speaks for the phone.
    expect(await phone.commandLoop()).toEqual(['EraseDevice']);

    const refused = (await audit('device.claim_refused')).find((e) => e.subjectId === record.id);
    expect(refused?.details).toMatchObject({ ownerUserId: a, claimantUserId: b, platform: 'ios' });
    // B's TokenUpdate and erase acknowledgement for A's UDID were refused and audited on A's record.
    const spoke = (await audit('device.identity_refused')).filter((e) => e.subjectId === record.id);
    expect(spoke.map((e) => e.details.why)).toEqual(['not bound', 'not bound']);
    const conflicts = (await detail(record.id)).claimConflicts;
    expect(conflicts).toEqual([expect.objectContaining({ claimantUserId: b, ownerUserId: a })]);
    expect((await recordOf(spec.udid)).openClaims).toBe(1);
    phone.close();
    attacker.close();
  });

  it("cannot claim A's Mac, nor read the Bootstrap Token A's Mac escrowed", async () => {
    const a = await user('claim-a-mac@example.com');
    const b = await user('claim-b-mac@example.com');
    const spec = macSpec(62);
    const mac = await enrollApple(spec, a);
    const record = await recordOf(spec.udid);
    const escrow = await mac.checkin({
      MessageType: 'SetBootstrapToken',
      UDID: spec.udid,
      BootstrapToken: Buffer.from('a-bootstrap-token'),
    });
    expect(escrow.status).toBe(200);
    const before = await snapshot(record.id);

    const attacker = await withIdentity({ ...macSpec(63), udid: spec.udid }, b);
    const [auth] = await attacker.enrollMdm();
    expect(auth?.status).toBe(400);
    const stolen = await attacker.checkin({ MessageType: 'GetBootstrapToken', UDID: spec.udid });
    expect(stolen.status).toBe(400);
    expect(stolen.body.toString()).not.toContain('a-bootstrap-token');

    expect(await snapshot(record.id)).toEqual(before);
    const mine = await mac.checkin({ MessageType: 'GetBootstrapToken', UDID: spec.udid });
    expect(mine.status).toBe(200);
    expect(mine.body.toString()).toContain(Buffer.from('a-bootstrap-token').toString('base64'));
    mac.close();
    attacker.close();
  });

  it.each([
    ['Android 9', 28, 28],
    ['Android 13', 33, 33],
    ['Android 9, with B claiming Android 13', 28, 34],
    ['Android 13, with B claiming Android 9', 33, 28],
  ])("cannot claim A's %s device, whatever apiLevel B claims", async (_name, aLevel, bLevel) => {
    const tag = `${aLevel}-${bLevel}`;
    const aEmail = `claim-a-android-${tag}@example.com`;
    const bEmail = `claim-b-android-${tag}@example.com`;
    const a = await user(aEmail);
    const b = await user(bEmail);
    const hw = randomBytes(8).toString('hex');
    const phone = await enrollAndroid(aLevel, hw, aEmail);
    const record = await recordOf(hw);
    const before = await snapshot(record.id);

    const attacker = agentFor(bLevel, hw);
    await expect(attacker.enroll({ method: 'password', email: bEmail, password: PASSWORD })).rejects.toMatchObject({
      status: 409,
      code: 'DEVICE_CLAIM_REFUSED',
    });

    expect(await snapshot(record.id)).toEqual(before);
    expect(await recordOf(hw)).toMatchObject({ id: record.id, userId: a, status: 'active' });
    // A's agent token still works.
    expect((await phone.checkIn()).status).toBe('active');
    const refused = (await audit('device.claim_refused')).find((e) => e.subjectId === record.id);
    expect(refused?.details).toMatchObject({ ownerUserId: a, claimantUserId: b, platform: 'android' });
    phone.close();
    attacker.close();
  });
});

describe('the legitimate ways a device changes hands', () => {
  it('A re-enrolls the same iPhone; the admin reassigns it to B and B enrolls it', async () => {
    const a = await user('hands-a@example.com');
    const b = await user('hands-b@example.com');
    const spec = iphoneSpec(64);
    let phone = await enrollApple(spec, a);
    const record = await recordOf(spec.udid);
    phone.close();
    phone = await enrollApple(spec, a);
    expect(await recordOf(spec.udid)).toMatchObject({ id: record.id, userId: a, status: 'active' });

    const refusedFirst = await withIdentity(spec, b);
    expect((await refusedFirst.enrollMdm())[0]?.status).toBe(400);
    const [conflict] = (await detail(record.id)).claimConflicts;
    // The list marks the device while the refused claim waits for the admin.
    expect(await recordOf(spec.udid)).toMatchObject({ openClaims: 1, reassignedTo: null });
    const reassigned = await h.admin.call('POST', `/api/devices/${record.id}/reassign`, { userId: b });
    expect(reassigned.status).toBe(200);
    expect(reassigned.json<Detail>().claimConflicts).toEqual([]);
    expect(conflict?.claimantUserId).toBe(b);
    // Until B enrolls it, the device stays with A and says whom it waits for.
    expect(await recordOf(spec.udid)).toMatchObject({
      userId: a,
      openClaims: 0,
      reassignedTo: { userId: b, email: 'hands-b@example.com' },
    });

    const handedOver = await enrollApple(spec, b);
    expect(await recordOf(spec.udid)).toMatchObject({
      id: record.id,
      userId: b,
      status: 'active',
      openClaims: 0,
      reassignedTo: null,
    });
    // A's identity no longer speaks for the phone.
    expect((await phone.report({ UDID: spec.udid, Status: 'Idle' })).status).toBe(400);
    const claimed = (await audit('device.claimed')).find((e) => e.subjectId === record.id);
    expect(claimed?.details).toMatchObject({ fromUserId: a, toUserId: b, why: 'granted' });
    phone.close();
    refusedFirst.close();
    handedOver.close();
  });

  it('a wiped iPhone enrolls for a new user', async () => {
    const a = await user('wiped-a@example.com');
    const b = await user('wiped-b@example.com');
    const spec = iphoneSpec(65);
    const phone = await enrollApple(spec, a);
    const record = await recordOf(spec.udid);
    await h.admin.call('POST', '/api/devices/actions', { action: 'wipe', deviceIds: [record.id] });
    expect(await phone.commandLoop()).toEqual(['EraseDevice']);
    phone.close();
    const fresh = await enrollApple(spec, b);
    expect(await recordOf(spec.udid)).toMatchObject({ id: record.id, userId: b, status: 'active' });
    fresh.close();
  });

  it('an iPhone erased on the device (APNs says its old token is gone) enrolls for a new user without the admin', async () => {
    const a = await user('erased-a@example.com');
    const b = await user('erased-b@example.com');
    const spec = iphoneSpec(66);
    const phone = await enrollApple(spec, a);
    const record = await recordOf(spec.udid);
    phone.close();
    apns.script({ status: 410, reason: 'Unregistered' });
    const fresh = await enrollApple(spec, b);
    expect(await recordOf(spec.udid)).toMatchObject({ id: record.id, userId: b, status: 'active' });
    const reset = (await audit('device.reset_detected')).find((e) => e.subjectId === record.id);
    expect(reset?.details).toMatchObject({ from: 'active', to: 'reset' });
    fresh.close();
  });

  it('the admin reassigns an Android 13 device and B enrolls it; A can enroll it again only after a new grant', async () => {
    const aEmail = 'android-hands-a@example.com';
    const bEmail = 'android-hands-b@example.com';
    await user(aEmail);
    const b = await user(bEmail);
    const hw = randomBytes(8).toString('hex');
    const phone = await enrollAndroid(33, hw, aEmail);
    const record = await recordOf(hw);
    await h.admin.call('POST', `/api/devices/${record.id}/reassign`, { userId: b });
    const handedOver = await enrollAndroid(33, hw, bEmail);
    const items = (await h.admin.call('GET', `/api/devices?q=${hw}&limit=50`)).json<{ items: Device[] }>().items;
    expect(items.map((d) => [d.userId === b ? 'b' : 'a', d.status]).sort()).toEqual([
      ['a', 'inactive'],
      ['b', 'active'],
    ]);
    await expect(
      agentFor(33, hw).enroll({ method: 'password', email: aEmail, password: PASSWORD }),
    ).rejects.toMatchObject({ status: 409, code: 'DEVICE_CLAIM_REFUSED' });
    // A's old agent no longer speaks for the device, and its attempt is in the audit trail.
    await expect(phone.checkIn()).rejects.toMatchObject({ status: 401, code: 'AGENT_TOKEN_INVALID' });
    const refusedIdentity = (await audit('device.identity_refused')).find((e) => e.subjectId === record.id);
    expect(refusedIdentity?.details).toMatchObject({ channel: 'agent' });
    phone.close();
    handedOver.close();
  });

  it('the admin dismisses a refused claim: it leaves the device, which stays with its user', async () => {
    const a = await user('dismiss-a@example.com');
    const b = await user('dismiss-b@example.com');
    const spec = iphoneSpec(67);
    const phone = await enrollApple(spec, a);
    const record = await recordOf(spec.udid);
    const attacker = await withIdentity(spec, b);
    expect((await attacker.enrollMdm())[0]?.status).toBe(400);
    // The same user trying again is one conflict with two attempts.
    const again = await withIdentity(spec, b);
    expect((await again.enrollMdm())[0]?.status).toBe(400);
    const [conflict] = (await detail(record.id)).claimConflicts;
    expect(conflict?.attempts).toBe(2);
    const dismissed = await h.admin.call('POST', `/api/devices/${record.id}/claims/${conflict?.id}/dismiss`);
    expect(dismissed.status).toBe(200);
    expect(dismissed.json<Detail>().claimConflicts).toEqual([]);
    expect(await recordOf(spec.udid)).toMatchObject({ id: record.id, userId: a, status: 'active' });
    const twice = await h.admin.call('POST', `/api/devices/${record.id}/claims/${conflict?.id}/dismiss`);
    expect(twice.status).toBe(404);
    phone.close();
    attacker.close();
    again.close();
  });
});
