import { describe, expect, it } from 'vitest';
import { androidFacts } from '../../../tests/helpers/android-agent.js';
import { testFoundation, TEST_ADMIN, TEST_CTX } from '../../../tests/helpers/foundation.js';
import { issueTestIdentity, mdmSignature, type TestIdentity } from '../../../tests/helpers/mdm-identity.js';
import { fakePushCertificate } from '../../../tests/helpers/push-cert.js';
import type { DeviceStatus } from '../../contract/devices.js';
import { buildPlist, type PlistDict } from '../../core/plist.js';
import { TRANSITIONS, canChange, type TransitionName } from './device-lifecycle.service.js';

const TOPIC = 'com.apple.mgmt.External.99999999-2222-3333-4444-555555555555';
const PASSWORD = 'a long password here';
const DAY = 86_400_000;
const STATUSES: DeviceStatus[] = ['pending', 'active', 'inactive', 'wiped', 'reset'];

/** Users A and B (with passwords only where an agent signs in: argon2 is slow) and the device channels. */
async function world(withPasswords = false) {
  const secret = withPasswords ? { password: PASSWORD } : {};
  const f = testFoundation({ start: new Date().toISOString() });
  const s = f.services;
  const push = fakePushCertificate({ uid: TOPIC });
  s.push.upload({ certificatePem: push.certPem, privateKeyPem: push.keyPem }, TEST_ADMIN, null);
  s.settings.updateUserSettings({ ...s.settings.userSettings(), deviceLimitPerUser: 100 }, TEST_ADMIN, null);
  const a = await s.users.create({ email: 'a@example.com', displayName: 'A', ...secret }, TEST_CTX);
  const b = await s.users.create({ email: 'b@example.com', displayName: 'B', ...secret }, TEST_CTX);
  const checkin = (id: TestIdentity, msg: PlistDict) => {
    const body = buildPlist({ Topic: TOPIC, ...msg });
    return s.mdm.checkin(Buffer.from(body), mdmSignature(body, id), '10.0.0.7');
  };
  const connect = (id: TestIdentity, msg: PlistDict) => {
    const body = buildPlist(msg);
    return s.mdm.connect(Buffer.from(body), mdmSignature(body, id), '10.0.0.7');
  };
  /** An identity of a fresh enrollment of `userId`. */
  const identity = (userId: string) =>
    issueTestIdentity(s, s.enrollment.create({ userId, platform: 'ios' }, TEST_ADMIN, null).id);
  const enrollPhone = async (id: TestIdentity, udid: string) => {
    await checkin(id, { MessageType: 'Authenticate', UDID: udid, ProductName: 'iPhone15,2' });
    await checkin(id, { MessageType: 'TokenUpdate', UDID: udid, Token: Buffer.alloc(32, 3), PushMagic: 'M' });
  };
  const agentEnroll = (email: string, hw: string, apiLevel = 33) =>
    s.agent.enroll(
      { auth: { method: 'password', email, password: PASSWORD }, device: { ...androidFacts(apiLevel, hw) } },
      null,
    );
  const record = (key: string) => s.devices.list({ q: key }).items;
  return { ...f, s, a, b, checkin, connect, identity, enrollPhone, agentEnroll, record };
}

const auditCount = (w: { db: { prepare(sql: string): { get(): unknown } } }) =>
  (w.db.prepare('SELECT count(*) AS n FROM audit_events').get() as { n: number }).n;

describe('the transition table', () => {
  const NAMES = Object.keys(TRANSITIONS) as TransitionName[];
  // One server for the whole table: each case enrolls its own phone.
  let shared: Promise<Awaited<ReturnType<typeof world>>> | null = null;
  it.each(NAMES.flatMap((name) => STATUSES.map((status) => [name, status] as const)))(
    '%s from %s',
    async (name, status) => {
      const w = await (shared ??= world());
      const id = w.identity(w.a.id);
      await w.enrollPhone(id, `UDID-T-${name}-${status}`);
      const [device] = w.record(`UDID-T-${name}-${status}`);
      w.db.prepare('UPDATE devices SET status = ? WHERE id = ?').run(status, device?.id);
      const row = w.s.devices.list({ q: `UDID-T-${name}-${status}` }).items[0];
      const raw = w.db.prepare('SELECT * FROM devices WHERE id = ?').get(row?.id) as never;
      const allowed = (TRANSITIONS[name].from as readonly DeviceStatus[]).includes(status);
      expect(canChange(status, name)).toBe(allowed);
      const before = auditCount(w);
      const change = () => w.s.lifecycle.change(raw, name, { actor: TEST_ADMIN });
      if (allowed) {
        change();
        expect(w.record(`UDID-T-${name}-${status}`)[0]?.status).toBe(TRANSITIONS[name].to);
        const events = w.s.audit.list({ limit: 500 }).items;
        expect(auditCount(w)).toBe(before + 1);
        expect(events[0]).toMatchObject({ action: TRANSITIONS[name].action, details: { from: status } });
      } else {
        expect(change).toThrow(expect.objectContaining({ code: 'DEVICE_STATE_INVALID' }));
        expect(w.record(`UDID-T-${name}-${status}`)[0]?.status).toBe(status);
        expect(auditCount(w)).toBe(before);
      }
    },
  );
});

describe('who may speak for an Apple device', () => {
  it('refuses the identity of an older binding once the device enrolled again, and audits it', async () => {
    const w = await world();
    const first = w.identity(w.a.id);
    await w.enrollPhone(first, 'UDID-BIND');
    const second = w.identity(w.a.id);
    // Between the new Authenticate and its TokenUpdate the old certificate is not revoked yet: it must not speak.
    await w.checkin(second, { MessageType: 'Authenticate', UDID: 'UDID-BIND', ProductName: 'iPhone15,2' });
    await expect(w.connect(first, { UDID: 'UDID-BIND', Status: 'Idle' })).rejects.toThrow(
      expect.objectContaining({ code: 'MDM_BAD_REQUEST', message: expect.stringMatching(/enrolled again/) }),
    );
    await expect(
      w.checkin(first, { MessageType: 'TokenUpdate', UDID: 'UDID-BIND', Token: Buffer.alloc(32, 9), PushMagic: 'X' }),
    ).rejects.toMatchObject({ code: 'MDM_BAD_REQUEST' });
    expect(w.s.audit.list({ action: 'device.identity_refused' }).items).toHaveLength(2);
    expect((await w.connect(second, { UDID: 'UDID-BIND', Status: 'Idle' })).status).toBe(200);
  });

  it('lets a SCEP renewal of the bound identity speak for the device, and no renewal of another binding', async () => {
    const w = await world();
    const first = w.identity(w.a.id);
    await w.enrollPhone(first, 'UDID-RENEW');
    const binding = w.db.prepare("SELECT enrollment_id AS e FROM devices WHERE udid = 'UDID-RENEW'").get() as {
      e: string;
    };
    const renewed = issueTestIdentity(w.s, binding.e, new Date(), 'RenewalReq');
    expect((await w.connect(renewed, { UDID: 'UDID-RENEW', Status: 'Idle' })).status).toBe(200);
    const other = w.s.enrollment.create({ userId: w.b.id, platform: 'ios' }, TEST_ADMIN, null);
    const stranger = issueTestIdentity(w.s, other.id, new Date(), 'RenewalReq');
    await expect(w.connect(stranger, { UDID: 'UDID-RENEW', Status: 'Idle' })).rejects.toThrow(
      expect.objectContaining({ code: 'MDM_BAD_REQUEST' }),
    );
  });

  it('refuses an enrollment for an iPhone or iPad that Authenticates as a Mac', async () => {
    const w = await world();
    const id = w.identity(w.a.id);
    await expect(
      w.checkin(id, { MessageType: 'Authenticate', UDID: 'UDID-WRONG', ProductName: 'Mac14,2', Model: 'Mac14,2' }),
    ).rejects.toMatchObject({ code: 'MDM_BAD_REQUEST', message: expect.stringMatching(/iPhone or iPad/) });
    expect(w.record('UDID-WRONG')).toHaveLength(0);
  });
});

describe('an Android agent that went silent', () => {
  it.each([
    { days: 29, allowed: false },
    { days: 31, allowed: true },
  ])(
    'silent for $days days of the 30 allowed: another user may enroll the device: $allowed',
    async ({ days, allowed }) => {
      const silence = days * DAY;
      const w = await world(true);
      const hw = `hw-silent-${silence}`;
      const first = await w.agentEnroll('a@example.com', hw);
      w.s.agent.checkIn(first.token, { facts: { ...androidFacts(33, hw), adminActive: true } }, null);
      expect(w.record(hw).map((d) => d.status)).toEqual(['active']);
      w.clock.advance(silence);
      const attempt = w.agentEnroll('b@example.com', hw);
      if (!allowed) {
        await expect(attempt).rejects.toMatchObject({ code: 'DEVICE_CLAIM_REFUSED' });
        expect(w.record(hw).map((d) => [d.userId, d.status])).toEqual([[w.a.id, 'active']]);
        return;
      }
      await attempt;
      const rows = w.record(hw);
      expect(rows.map((d) => [d.userId === w.a.id ? 'a' : 'b', d.status]).sort()).toEqual([
        ['a', 'reset'],
        ['b', 'pending'],
      ]);
      const reset = w.s.audit.list({ action: 'device.reset_detected' }).items[0];
      expect(reset?.details).toMatchObject({ reason: 'agent_silent', from: 'active', to: 'reset' });
    },
  );
});
