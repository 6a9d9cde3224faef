import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  activeDevice,
  checkinAs,
  CONFIG_TOPIC,
  insertConfiguration,
  issued,
  issuedRowOf,
  scepEnroll,
  scepRenew,
} from '../../../tests/helpers/configuration-identity.js';
import { testFoundation, type TestFoundation } from '../../../tests/helpers/foundation.js';
import { isAppError } from '../../core/errors.js';
import { hashToken } from '../../core/ids.js';
import { CONFIGURATION_CHALLENGE_TTL_MINUTES } from './identity-challenges.js';

const SUBJECT = { organization: 'Example Office', commonName: 'taro@example.com', email: 'taro@example.com' };
const opened: TestFoundation[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((f) => f.services.scep.close()));
});

async function setup() {
  const f = testFoundation({ start: new Date().toISOString() });
  opened.push(f);
  const device = await activeDevice(f, 'taro');
  const wifi = insertConfiguration(f.db, 'cfg-wifi');
  const target = { deviceId: device.deviceId, channel: 'device', configurationId: wifi };
  return { f, device, wifi, target };
}

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isAppError(err)) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('IdentityChallenges.mint', () => {
  it('stores only the hash, linked to the device’s enrollment, for 60 minutes', async () => {
    const { f, device, target } = await setup();
    const challenge = f.services.identityChallenges.mint(target, SUBJECT);
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const row = f.db.prepare('SELECT * FROM scep_challenges WHERE challenge_hash = ?').get(hashToken(challenge)) as {
      enrollment_id: string;
      purpose: string;
      device_id: string;
      channel: string;
      configuration_id: string;
      template: string;
      created_at: string;
      expires_at: string;
    };
    expect(row).toMatchObject({
      enrollment_id: device.enrollmentId,
      purpose: 'configuration',
      device_id: device.deviceId,
      channel: 'device',
      configuration_id: 'cfg-wifi',
    });
    expect(JSON.parse(row.template)).toEqual({
      subject: [
        { shortName: 'O', value: 'Example Office' },
        { shortName: 'CN', value: 'taro@example.com' },
      ],
      email: 'taro@example.com',
    });
    expect(Date.parse(row.expires_at) - Date.parse(row.created_at)).toBe(CONFIGURATION_CHALLENGE_TTL_MINUTES * 60_000);
    const dump = JSON.stringify(f.db.prepare('SELECT * FROM scep_challenges').all());
    expect(dump).not.toContain(challenge);
  });

  it('voids the previous unconsumed challenge of the same device, channel and configuration only', async () => {
    const { f, target } = await setup();
    const vpn = insertConfiguration(f.db, 'cfg-vpn', 'vpn');
    const first = f.services.identityChallenges.mint(target, SUBJECT);
    const otherConfiguration = f.services.identityChallenges.mint({ ...target, configurationId: vpn }, SUBJECT);
    const otherChannel = f.services.identityChallenges.mint({ ...target, channel: 'user:ABC' }, SUBJECT);
    const second = f.services.identityChallenges.mint(target, SUBJECT);
    expect(f.services.enrollment.checkChallenge(first)).toEqual({ ok: false, reason: 'used' });
    for (const c of [otherConfiguration, otherChannel, second])
      expect(f.services.enrollment.checkChallenge(c)).toMatchObject({ ok: true });
    expect(f.services.enrollment.checkChallenge(second)).toMatchObject({
      ok: true,
      configuration: { deviceId: target.deviceId, channel: 'device', configurationId: 'cfg-wifi' },
    });
    expect('failInfo' in (await scepEnroll(f, first))).toBe(true);
    expect(issuedRowOf(f.services, issued(await scepEnroll(f, second)).certPem)?.purpose).toBe('configuration');
  });

  it('expires after 60 minutes', async () => {
    const { f, target } = await setup();
    const challenge = f.services.identityChallenges.mint(target, SUBJECT);
    f.clock.advance(CONFIGURATION_CHALLENGE_TTL_MINUTES * 60_000 - 1000);
    expect(f.services.enrollment.checkChallenge(challenge)).toMatchObject({ ok: true });
    f.clock.advance(1000);
    expect(f.services.enrollment.checkChallenge(challenge)).toEqual({ ok: false, reason: 'expired' });
    expect(await scepEnroll(f, challenge)).toEqual({ failInfo: 'badRequest' });
  });

  it('refuses an unknown device, a device that is not Active, and a subject the CA would not write', async () => {
    const { f, device, target } = await setup();
    expect(errorOf(() => f.services.identityChallenges.mint({ ...target, deviceId: 'nope' }, SUBJECT)).code).toBe(
      'DEVICE_NOT_FOUND',
    );
    for (const bad of [
      { ...SUBJECT, commonName: '' },
      { ...SUBJECT, organization: 'x'.repeat(65) },
      { ...SUBJECT, commonName: 'line\nbreak' },
      { ...SUBJECT, email: 'not a mailbox' },
      { ...SUBJECT, email: 'たろう@example.com' },
    ])
      expect(errorOf(() => f.services.identityChallenges.mint(target, bad)).code).toBe('CONFIGURATION_INVALID');
    const earlier = issued(await scepEnroll(f, f.services.identityChallenges.mint(target, SUBJECT)));
    const challenge = f.services.identityChallenges.mint(target, SUBJECT);
    // The user removes the enrollment profile: the device checks out and stops being managed.
    await checkinAs(f.services, device.identity, { MessageType: 'CheckOut', Topic: CONFIG_TOPIC, UDID: device.udid });
    expect(f.services.devices.get(device.deviceId).status).toBe('inactive');
    // Its configuration identities end with its management.
    expect(issuedRowOf(f.services, earlier.certPem)?.revoked_at).not.toBeNull();
    const refused = errorOf(() => f.services.identityChallenges.mint(target, SUBJECT));
    expect(refused.code).toBe('DEVICE_STATE_INVALID');
    expect(refused.message).toMatch(/active devices only/);
    // A challenge minted while it was Active is of no use once it is not.
    expect(f.services.enrollment.checkChallenge(challenge)).toEqual({ ok: false, reason: 'used' });
  });
});

describe('SCEP with a configuration challenge', () => {
  it('issues the template’s identity (subject and rfc822Name, not the CSR’s) with purpose configuration; the MDM identity stays', async () => {
    const { f, device, target } = await setup();
    const challenge = f.services.identityChallenges.mint(target, SUBJECT);
    const cert = issued(await scepEnroll(f, challenge, { dnsNames: ['tsunagu.test'] }));
    const x = new X509Certificate(cert.certPem);
    expect(x.subject).toBe('O=Example Office\nCN=taro@example.com');
    expect(x.subjectAltName).toBe('email:taro@example.com');
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(x.verify(new X509Certificate(f.services.ca.caCertificate().pem).publicKey)).toBe(true);
    expect(issuedRowOf(f.services, cert.certPem)).toMatchObject({
      purpose: 'configuration',
      enrollment_id: device.enrollmentId,
      device_id: device.deviceId,
      configuration_id: 'cfg-wifi',
      channel: 'device',
      kind: 'PKCSReq',
      revoked_at: null,
    });
    // The device's MDM identity: not revoked, still the channel's, still accepted.
    expect(f.services.issued.bySerial(device.identity.serial)?.revoked_at).toBeNull();
    expect(f.services.issued.bySerial(device.identity.serial)?.purpose).toBe('mdm');
    expect(f.services.mdm.detail(device.deviceId).device.status).toBe('active');
    await expect(
      checkinAs(f.services, device.identity, {
        MessageType: 'TokenUpdate',
        Topic: CONFIG_TOPIC,
        UDID: device.udid,
        Token: Buffer.alloc(32, 8),
        PushMagic: 'MAGIC-2',
      }),
    ).resolves.toMatchObject({ status: 200 });
    const [event] = f.services.audit.list({ action: 'scep.issued' }).items;
    expect(event?.details).toMatchObject({
      purpose: 'configuration',
      configurationId: 'cfg-wifi',
      deviceId: device.deviceId,
      channel: 'device',
      enrollmentId: device.enrollmentId,
    });
    expect(f.services.audit.list({ action: 'scep.challenge_consumed' }).items[0]?.details).toMatchObject({
      purpose: 'configuration',
      configurationId: 'cfg-wifi',
    });
  });

  it('without an email: no subjectAltName at all', async () => {
    const { f, target } = await setup();
    const challenge = f.services.identityChallenges.mint(target, { organization: 'Example', commonName: 'dev-wifi' });
    const x = new X509Certificate(issued(await scepEnroll(f, challenge)).certPem);
    expect(x.subject).toBe('O=Example\nCN=dev-wifi');
    expect(x.subjectAltName).toBeUndefined();
  });

  it('is one-time under a concurrent burst: of several requests with one challenge, one certificate', async () => {
    const { f, target } = await setup();
    const challenge = f.services.identityChallenges.mint(target, SUBJECT);
    const outcomes = await Promise.all(
      ['burst-1', 'burst-2', 'burst-3'].map((key) => scepEnroll(f, challenge, { key })),
    );
    expect(outcomes.filter((o) => 'certPem' in o)).toHaveLength(1);
    expect(outcomes.filter((o) => 'failInfo' in o)).toEqual([{ failInfo: 'badRequest' }, { failInfo: 'badRequest' }]);
    const rows = f.db
      .prepare("SELECT COUNT(*) AS n FROM issued_certificates WHERE purpose = 'configuration'")
      .get() as { n: number };
    expect(rows.n).toBe(1);
  });

  it('renews a configuration identity into one with the same template; an MDM identity renews into an MDM identity', async () => {
    const { f, device, target } = await setup();
    const first = issued(await scepEnroll(f, f.services.identityChallenges.mint(target, SUBJECT)));
    const renewed = issued(await scepRenew(f, first));
    const x = new X509Certificate(renewed.certPem);
    expect(x.subject).toBe('O=Example Office\nCN=taro@example.com');
    expect(x.subjectAltName).toBe('email:taro@example.com');
    expect(issuedRowOf(f.services, renewed.certPem)).toMatchObject({
      purpose: 'configuration',
      kind: 'RenewalReq',
      device_id: device.deviceId,
      configuration_id: 'cfg-wifi',
      channel: 'device',
    });
    const mdmRenewed = issued(await scepRenew(f, device.identity, 'mdm-renewed'));
    expect(new X509Certificate(mdmRenewed.certPem).subject).toBe(
      `O=${organization(f)}\nCN=tsunagu-${device.enrollmentId}`,
    );
    expect(issuedRowOf(f.services, mdmRenewed.certPem)).toMatchObject({ purpose: 'mdm', configuration_id: null });
  });

  it('does not change what the enrollment’s portal status says', async () => {
    const { f, device, target } = await setup();
    f.services.identityChallenges.mint(target, SUBJECT);
    expect(f.services.enrollment.profileStatus(device.enrollmentId).state).toBe('enrolled');
    expect(f.services.enrollment.closeAbandoned(0)).toEqual([]);
  });
});

function organization(f: TestFoundation): string {
  return f.services.onboarding.organization();
}
