import { describe, expect, it } from 'vitest';
import { androidFacts } from '../../../tests/helpers/android-agent.js';
import { testFoundation, TEST_ADMIN, TEST_CTX } from '../../../tests/helpers/foundation.js';
import { issueTestIdentity, mdmSignature, type TestIdentity } from '../../../tests/helpers/mdm-identity.js';
import { fakePushCertificate } from '../../../tests/helpers/push-cert.js';
import type { DeviceStatus } from '../../contract/devices.js';
import { buildPlist, parsePlist, type PlistDict } from '../../core/plist.js';

const TOPIC = 'com.apple.mgmt.External.11111111-2222-3333-4444-555555555555';

/** A small world: one user, one Apple device through check-in messages, one Android agent through its API. */
async function world() {
  const f = testFoundation({ start: new Date().toISOString() });
  const push = fakePushCertificate({ uid: TOPIC });
  f.services.push.upload({ certificatePem: push.certPem, privateKeyPem: push.keyPem }, TEST_ADMIN, null);
  const user = await f.services.users.create(
    { email: 'w@example.com', displayName: 'W', password: 'a long password here' },
    TEST_CTX,
  );
  const s = f.services;
  let id: TestIdentity | null = null;
  const udid = 'LIFECYCLE-UDID-1';
  const checkin = (msg: PlistDict) => {
    const body = buildPlist(msg);
    return s.mdm.checkin(Buffer.from(body), mdmSignature(body, id as TestIdentity), null);
  };
  const connect = (msg: PlistDict) => {
    const body = buildPlist(msg);
    return s.mdm.connect(Buffer.from(body), mdmSignature(body, id as TestIdentity), null);
  };
  const apple = {
    async authenticate() {
      const e = s.enrollment.create({ userId: user.id, platform: 'ios' }, TEST_ADMIN, null);
      id = issueTestIdentity(s, e.id);
      await checkin({ MessageType: 'Authenticate', Topic: TOPIC, UDID: udid, ProductName: 'iPhone15,2' });
      return e.id;
    },
    tokenUpdate: () =>
      checkin({
        MessageType: 'TokenUpdate',
        Topic: TOPIC,
        UDID: udid,
        Token: Buffer.alloc(32, 1),
        PushMagic: 'M',
      }),
    checkOut: () => checkin({ MessageType: 'CheckOut', Topic: TOPIC, UDID: udid }),
    /** Answers every queued command with Acknowledged. */
    async ackAll() {
      let report: PlistDict = { UDID: udid, Status: 'Idle' };
      for (let i = 0; i < 20; i++) {
        const res = await connect(report);
        if (!res.body) return;
        report = {
          UDID: udid,
          Status: 'Acknowledged',
          CommandUUID: (parsePlist(res.body) as PlistDict).CommandUUID as string,
        };
      }
    },
    status: () => s.devices.list({ q: udid }).items[0]?.status,
    id: () => s.devices.list({ q: udid }).items[0]?.id as string,
  };
  let token: string | null = null;
  const facts = (adminActive: boolean) => ({ ...androidFacts(33, 'hw-lifecycle'), adminActive });
  const android = {
    async enroll() {
      token = (
        await s.agent.enroll(
          {
            auth: { method: 'password', email: 'w@example.com', password: 'a long password here' },
            device: facts(false),
          },
          null,
        )
      ).token;
    },
    checkIn: (adminActive = true) => s.agent.checkIn(token as string, { facts: facts(adminActive) }, null),
    doAll() {
      const res = s.agent.checkIn(token as string, { facts: facts(true) }, null);
      return s.agent.checkIn(
        token as string,
        { facts: facts(true), results: res.actions.map((a) => ({ actionId: a.id, status: 'done' as const })) },
        null,
      );
    },
    status: () =>
      s.devices.list({ q: 'hw-lifecycle', status: undefined }).items.find((d) => d.id === android.current)?.status,
    current: '' as string,
  };
  return { ...f, user, apple, android };
}

type World = Awaited<ReturnType<typeof world>>;
type Step = (w: World) => unknown | Promise<unknown>;

const APPLE_STEPS: Record<string, Step> = {
  authenticate: (w) => w.apple.authenticate(),
  tokenUpdate: (w) => w.apple.tokenUpdate(),
  checkOut: (w) => w.apple.checkOut(),
  retire: async (w) => {
    w.services.deviceActions.act({ action: 'retire', deviceIds: [w.apple.id()] }, TEST_ADMIN, null);
    await w.apple.ackAll();
  },
  wipe: async (w) => {
    w.services.deviceActions.act({ action: 'wipe', deviceIds: [w.apple.id()] }, TEST_ADMIN, null);
    await w.apple.ackAll();
  },
  deadToken: (w) => w.services.deviceActions.markReset(w.apple.id(), 'APNs says Unregistered'),
  abandon: (w) => {
    w.clock.advance(2 * 3600_000);
    w.services.enrollment.closeAbandoned(60);
  },
};

describe('Apple device statuses', () => {
  it.each<[string, string[], DeviceStatus]>([
    ['Pending until the first TokenUpdate', ['authenticate'], 'pending'],
    ['Active after TokenUpdate', ['authenticate', 'tokenUpdate'], 'active'],
    ['Inactive when retired (RemoveProfile acknowledged)', ['authenticate', 'tokenUpdate', 'retire'], 'inactive'],
    ['Inactive after CheckOut', ['authenticate', 'tokenUpdate', 'checkOut'], 'inactive'],
    ['Wiped when the erase is acknowledged', ['authenticate', 'tokenUpdate', 'wipe'], 'wiped'],
    ['Reset when APNs no longer knows it', ['authenticate', 'tokenUpdate', 'deadToken'], 'reset'],
    [
      'Pending again while a reset device re-enrolls',
      ['authenticate', 'tokenUpdate', 'deadToken', 'authenticate'],
      'pending',
    ],
    [
      'Active again after re-enrolling from Reset',
      ['authenticate', 'tokenUpdate', 'deadToken', 'authenticate', 'tokenUpdate'],
      'active',
    ],
    [
      'Active again after re-enrolling a wiped device',
      ['authenticate', 'tokenUpdate', 'wipe', 'authenticate', 'tokenUpdate'],
      'active',
    ],
    ['Inactive when the install was cancelled after SCEP', ['authenticate', 'abandon'], 'inactive'],
  ])('%s', async (_name, steps, expected) => {
    const w = await world();
    for (const step of steps) await (APPLE_STEPS[step] as Step)(w);
    expect(w.apple.status()).toBe(expected);
    expect(w.services.devices.list({ q: 'LIFECYCLE-UDID-1' }).total).toBe(1);
    expect(w.services.audit.verify().ok).toBe(true);
  });
});

const ANDROID_STEPS: Record<string, Step> = {
  enroll: async (w) => {
    await w.android.enroll();
    w.android.current = w.services.devices.list({ q: 'hw-lifecycle', status: 'pending' }).items[0]?.id as string;
  },
  checkInIncomplete: (w) => w.android.checkIn(false),
  checkIn: (w) => w.android.checkIn(true),
  retire: async (w) => {
    w.services.deviceActions.act({ action: 'retire', deviceIds: [w.android.current] }, TEST_ADMIN, null);
    w.android.doAll();
  },
  wipe: async (w) => {
    w.services.deviceActions.act({ action: 'wipe', deviceIds: [w.android.current] }, TEST_ADMIN, null);
    w.android.doAll();
  },
};

describe('Android device statuses', () => {
  it.each<[string, string[], DeviceStatus]>([
    ['Pending after enrollment', ['enroll'], 'pending'],
    ['Pending while device admin is off (a reminder is sent)', ['enroll', 'checkInIncomplete'], 'pending'],
    ['Active after a complete check-in', ['enroll', 'checkIn'], 'active'],
    ['Inactive when the agent retired it', ['enroll', 'checkIn', 'retire'], 'inactive'],
    ['Wiped when the agent wiped it', ['enroll', 'checkIn', 'wipe'], 'wiped'],
  ])('%s', async (_name, steps, expected) => {
    const w = await world();
    for (const step of steps) await (ANDROID_STEPS[step] as Step)(w);
    expect(w.android.status()).toBe(expected);
  });

  it('reminds the user while enrollment is incomplete, in their language', async () => {
    const w = await world();
    await w.android.enroll();
    expect(w.android.checkIn(false).reminder?.title).toBe('デバイス登録が完了していません');
    expect(w.android.checkIn(true).reminder).toBeNull();
  });
});
