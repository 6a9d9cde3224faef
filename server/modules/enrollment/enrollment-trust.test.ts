import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testFoundation, TEST_ADMIN, TEST_CTX } from '../../../tests/helpers/foundation.js';
import { fakePushCertificate } from '../../../tests/helpers/push-cert.js';
import { schemaKeys, validateDict, validatePayload } from '../../../tests/helpers/apple-schema.js';
import { testPublicCa } from '../../../tests/helpers/public-cert.js';
import { parsePlist, type PlistDict } from '../../core/plist.js';
import { verifyCms } from '../../pki/cms.js';

// Issue 10: how the enrollment profile lets a device enroll without trusting the server's TLS certificate
// beforehand (office-CA mode), and what it leaves out when the certificate is publicly trusted (public mode).

const DEVICE = 'https://mdm.office.test:8443';
const BOOTSTRAP = 'http://mdm.office.test:8080';

/** A server certificate for mdm.office.test from a stand-in public CA, as an admin would import it. */
function publicCertificate(): { certificatePem: string; privateKeyPem: string; chainPem: string } {
  const ca = testPublicCa();
  const { certPem, keyPem } = ca.server({ dns: ['mdm.office.test'] });
  return { certificatePem: certPem, privateKeyPem: keyPem, chainPem: ca.rootPem };
}

async function downloaded(
  target: 'ios' | 'macos',
  mode: 'office-ca' | 'public',
  urls: { bootstrapBaseUrl?: string } = {},
) {
  const f = testFoundation({
    start: new Date().toISOString(),
    deviceBaseUrl: DEVICE,
    bootstrapBaseUrl: urls.bootstrapBaseUrl ?? BOOTSTRAP,
  });
  const { services } = f;
  const pki = fakePushCertificate();
  services.push.upload({ certificatePem: pki.certPem, privateKeyPem: pki.keyPem }, TEST_ADMIN, null);
  services.ca.ensureTlsCredential({ dnsNames: ['mdm.office.test'], ipAddresses: ['127.0.0.1'] });
  if (mode === 'public') services.ca.importTls(publicCertificate(), TEST_ADMIN, null);
  const user = await services.users.create({ email: 'taro@example.com', displayName: '太郎', locale: 'ja' }, TEST_CTX);
  const e = services.enrollment.create({ userId: user.id, platform: target }, TEST_ADMIN, null);
  const dl = await services.enrollment.downloadProfile(e.profileUrl.split('/').pop() as string, undefined, null);
  const profile = parsePlist(verifyCms(dl.body).content) as PlistDict;
  const payloads = profile.PayloadContent as PlistDict[];
  const ofType = (type: string) => payloads.filter((p) => p.PayloadType === type);
  return {
    profile,
    payloads,
    roots: ofType('com.apple.security.root'),
    scep: ofType('com.apple.security.scep')[0] as PlistDict,
    mdm: ofType('com.apple.mdm')[0] as PlistDict,
    caDer: services.ca.caCertificate().der,
  };
}

/** Every payload of the profile against its Apple schema, and the top level. */
function schemaProblems(profile: PlistDict): string[] {
  const problems = validateDict(schemaKeys('profiles/TopLevel.yaml'), profile);
  for (const payload of profile.PayloadContent as PlistDict[])
    problems.push(...validatePayload(`profiles/${payload.PayloadType as string}.yaml`, payload));
  return problems;
}

describe.each(['ios', 'macos'] as const)('the %s enrollment profile', (target) => {
  it('in office-CA mode: SCEP over plain HTTP with CAFingerprint, and MDM pinned to the profile’s own root', async () => {
    const { profile, payloads, roots, scep, mdm, caDer } = await downloaded(target, 'office-ca');
    expect(schemaProblems(profile)).toEqual([]);
    expect(profile.TargetDeviceType).toBe(target === 'macos' ? 5 : 1);

    const content = scep.PayloadContent as PlistDict;
    const fingerprint = content.CAFingerprint as Buffer;
    expect(Buffer.isBuffer(fingerprint)).toBe(true);
    expect(fingerprint).toHaveLength(20);
    expect(fingerprint.equals(createHash('sha1').update(caDer).digest())).toBe(true);
    const scepUrl = new URL(content.URL as string);
    expect([scepUrl.protocol, scepUrl.host, scepUrl.pathname]).toEqual(['http:', 'mdm.office.test:8080', '/scep']);

    expect(roots).toHaveLength(1);
    expect((roots[0]?.PayloadContent as Buffer).equals(caDer)).toBe(true);
    const byUuid = (uuid: string) => payloads.filter((p) => p.PayloadUUID === uuid);
    for (const key of ['ServerURLPinningCertificateUUIDs', 'CheckInURLPinningCertificateUUIDs']) {
      const uuids = mdm[key] as string[];
      expect(uuids, key).toEqual([roots[0]?.PayloadUUID]);
      for (const uuid of uuids) expect(byUuid(uuid).map((p) => p.PayloadType)).toEqual(['com.apple.security.root']);
    }
    expect(mdm.PinningRevocationCheckRequired).toBe(false);
    // The MDM connections themselves stay on HTTPS: only SCEP moves to plain HTTP.
    expect(mdm.ServerURL).toBe(`${DEVICE}/mdm/connect`);
    expect(mdm.CheckInURL).toBe(`${DEVICE}/mdm/checkin`);
  });

  it('in public mode: SCEP over HTTPS, still with CAFingerprint; no root and no pinning', async () => {
    const { profile, roots, scep, mdm, caDer } = await downloaded(target, 'public');
    expect(schemaProblems(profile)).toEqual([]);
    expect(roots).toEqual([]);
    expect((profile.PayloadContent as PlistDict[]).map((p) => p.PayloadType)).toEqual([
      'com.apple.security.scep',
      'com.apple.mdm',
    ]);
    const content = scep.PayloadContent as PlistDict;
    const fingerprint = content.CAFingerprint as Buffer;
    expect(fingerprint).toHaveLength(20);
    expect(fingerprint.equals(createHash('sha1').update(caDer).digest())).toBe(true);
    const scepUrl = new URL(content.URL as string);
    expect([scepUrl.protocol, scepUrl.host, scepUrl.pathname]).toEqual(['https:', 'mdm.office.test:8443', '/scep']);
    for (const key of [
      'ServerURLPinningCertificateUUIDs',
      'CheckInURLPinningCertificateUUIDs',
      'PinningRevocationCheckRequired',
    ])
      expect(mdm[key], key).toBeUndefined();
  });
});

describe('the SCEP URL before the bootstrap listener listens', () => {
  it('is the HTTPS one, the only address known in that moment at start', async () => {
    const { scep } = await downloaded('ios', 'office-ca', { bootstrapBaseUrl: '' });
    expect((scep.PayloadContent as PlistDict).URL).toBe(`${DEVICE}/scep`);
  });
});
