import { describe, expect, it } from 'vitest';
import { testFoundation, TEST_ADMIN, TEST_CTX } from '../../../tests/helpers/foundation.js';
import { fakePushCertificate } from '../../../tests/helpers/push-cert.js';
import { validateDict, validatePayload, schemaKeys } from '../../../tests/helpers/apple-schema.js';
import { parsePlist, type PlistDict } from '../../core/plist.js';
import { verifyCms } from '../../pki/cms.js';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';

async function ready() {
  const f = testFoundation({ start: new Date().toISOString() });
  const pki = fakePushCertificate();
  f.services.push.upload({ certificatePem: pki.certPem, privateKeyPem: pki.keyPem }, TEST_ADMIN, null);
  f.services.ca.ensureTlsCredential({ dnsNames: ['mdm.office.test'], ipAddresses: ['127.0.0.1'] });
  const user = await f.services.users.create(
    { email: 'hanako@example.com', displayName: '花子', locale: 'ja' },
    TEST_CTX,
  );
  return { ...f, pki, user };
}

function profileOf(body: Buffer): PlistDict {
  return parsePlist(verifyCms(body).content) as PlistDict;
}

describe('enrollment profiles', () => {
  it('builds a signed profile with every key Apple requires, of the right type', async () => {
    const { services, user, pki } = await ready();
    const e = services.enrollment.create({ userId: user.id, platform: 'ios' }, TEST_ADMIN, null);
    const token = e.profileUrl.split('/').pop() as string;
    const dl = await services.enrollment.downloadProfile(token, IPHONE, '10.0.0.7');
    expect(dl.target).toBe('ios');
    const profile = profileOf(dl.body);
    expect(validateDict(schemaKeys('profiles/TopLevel.yaml'), profile)).toEqual([]);
    expect(profile).toMatchObject({
      PayloadType: 'Configuration',
      PayloadVersion: 1,
      PayloadScope: 'System',
      TargetDeviceType: 1,
      PayloadDisplayName: 'Tsunagu デバイス登録',
    });
    const [root, scep, mdm] = profile.PayloadContent as PlistDict[];
    expect(validatePayload('profiles/com.apple.security.root.yaml', root as PlistDict)).toEqual([]);
    expect(validatePayload('profiles/com.apple.security.scep.yaml', scep as PlistDict)).toEqual([]);
    expect(validatePayload('profiles/com.apple.mdm.yaml', mdm as PlistDict)).toEqual([]);
    expect((root as PlistDict).PayloadContent).toEqual(services.ca.caCertificate().der);
    const scepContent = (scep as PlistDict).PayloadContent as PlistDict;
    expect(Object.keys(scepContent).sort()).toEqual([
      'CAFingerprint',
      'Challenge',
      'Key Type',
      'Key Usage',
      'Keysize',
      'Name',
      'Subject',
      'URL',
    ]);
    expect(scepContent).toMatchObject({
      // Office-CA mode: SCEP over the plain-HTTP bootstrap listener (enrollment-trust.test.ts has the details).
      URL: 'http://localhost:8080/scep',
      Keysize: 2048,
      'Key Type': 'RSA',
      'Key Usage': 5,
      Subject: [[['O', 'Tsunagu']], [['CN', `tsunagu-${e.id}`]]],
    });
    expect(scepContent.Challenge).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(mdm).toMatchObject({
      IdentityCertificateUUID: (scep as PlistDict).PayloadUUID,
      Topic: pki.topic,
      ServerURL: 'https://localhost:8443/mdm/connect',
      CheckInURL: 'https://localhost:8443/mdm/checkin',
      SignMessage: true,
      CheckOutWhenRemoved: true,
      AccessRights: 8191,
    });
    expect((mdm as PlistDict).ServerCapabilities).toBeUndefined();
    const audit = services.audit.list({ action: 'profile.downloaded' }).items[0];
    expect(audit?.details).toMatchObject({ target: 'ios', deviceHint: IPHONE, expiresAt: dl.expiresAt });
    expect(new Date(dl.expiresAt).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
  });

  it('gives Macs TargetDeviceType 5 and per-user connections, with the same top-level identifier', async () => {
    const { services, user } = await ready();
    const e = services.enrollment.create({ userId: user.id, platform: 'macos' }, TEST_ADMIN, null);
    const token = e.profileUrl.split('/').pop() as string;
    const mac = profileOf((await services.enrollment.downloadProfile(token, MAC, null)).body);
    const phone = profileOf((await services.enrollment.downloadProfile(token, IPHONE, null)).body);
    expect(mac.TargetDeviceType).toBe(5);
    expect(((mac.PayloadContent as PlistDict[])[2] as PlistDict).ServerCapabilities).toEqual([
      'com.apple.mdm.per-user-connections',
      'com.apple.mdm.bootstraptoken',
    ]);
    expect(mac.PayloadIdentifier).toBe(phone.PayloadIdentifier);
    expect(mac.PayloadUUID).not.toBe(phone.PayloadUUID);
  });
});

describe('one-time SCEP challenges', () => {
  const challengeOf = (body: Buffer) =>
    (((profileOf(body).PayloadContent as PlistDict[])[1] as PlistDict).PayloadContent as PlistDict).Challenge as string;
  const info = { transactionId: 'tx', subject: 'CN=x' };

  it('voids the previous challenge on each download and consumes a challenge once', async () => {
    const { services, user } = await ready();
    const e = services.enrollment.create({ userId: user.id, platform: 'ios' }, TEST_ADMIN, null);
    const token = e.profileUrl.split('/').pop() as string;
    const first = challengeOf((await services.enrollment.downloadProfile(token, IPHONE, null)).body);
    const second = challengeOf((await services.enrollment.downloadProfile(token, IPHONE, null)).body);
    expect(first).not.toBe(second);
    expect(services.enrollment.consumeChallenge(first, info)).toEqual({ ok: false, reason: 'used' });
    expect(services.enrollment.consumeChallenge(second, info)).toEqual({ ok: true, enrollmentId: e.id });
    expect(services.enrollment.consumeChallenge(second, info)).toEqual({ ok: false, reason: 'used' });
    expect(services.enrollment.consumeChallenge('not-a-challenge', info)).toEqual({ ok: false, reason: 'unknown' });
    expect(services.enrollment.consumeChallenge(null, info)).toEqual({ ok: false, reason: 'missing' });
  });

  it('expires a challenge after the profile validity setting', async () => {
    const { services, user, clock } = await ready();
    services.settings.updateUserSettings(
      { ...services.settings.userSettings(), profileValidityMinutes: 5 },
      TEST_ADMIN,
      null,
    );
    const e = services.enrollment.create({ userId: user.id, platform: 'ios' }, TEST_ADMIN, null);
    const c = challengeOf(
      (await services.enrollment.downloadProfile(e.profileUrl.split('/').pop() as string, IPHONE, null)).body,
    );
    clock.advance(5 * 60_000 + 1);
    expect(services.enrollment.consumeChallenge(c, info)).toEqual({ ok: false, reason: 'expired' });
  });

  it.each([
    ['an unknown link', (t: string) => `${t}x`, 'ENROLLMENT_NOT_FOUND'],
    [
      'an expired link',
      (t: string, f: Awaited<ReturnType<typeof ready>>) => {
        f.clock.advance(15 * 86_400_000);
        return t;
      },
      'ENROLLMENT_EXPIRED',
    ],
    [
      'a closed enrollment',
      (t: string, f: Awaited<ReturnType<typeof ready>>, id: string) => {
        f.services.enrollment.close(id, 'test');
        return t;
      },
      'ENROLLMENT_CLOSED',
    ],
  ])('refuses a download through %s', async (_name, prepare, code) => {
    const f = await ready();
    const e = f.services.enrollment.create({ userId: f.user.id, platform: 'ios' }, TEST_ADMIN, null);
    const token = prepare(e.profileUrl.split('/').pop() as string, f, e.id);
    await expect(f.services.enrollment.downloadProfile(token, IPHONE, null)).rejects.toMatchObject({ code });
  });

  it('needs the push certificate before Apple devices can enroll', async () => {
    const f = testFoundation();
    f.services.ca.ensureTlsCredential({ dnsNames: ['x.test'], ipAddresses: [] });
    const user = await f.services.users.create({ email: 'a@example.com', displayName: 'A' }, TEST_CTX);
    const e = f.services.enrollment.create({ userId: user.id, platform: 'ios' }, TEST_ADMIN, null);
    await expect(
      f.services.enrollment.downloadProfile(e.profileUrl.split('/').pop() as string, IPHONE, null),
    ).rejects.toMatchObject({ code: 'PUSH_NOT_CONFIGURED' });
  });
});
