import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaKeys, validateDict } from '../../../tests/helpers/apple-schema.js';
import { testFoundation } from '../../../tests/helpers/foundation.js';
import { isAppError } from '../../core/errors.js';
import { buildPlist, parsePlist, type PlistDict } from '../../core/plist.js';
import { signCms, verifyCms } from '../../pki/cms.js';
import { scepCaFingerprint } from '../profiles/enrollment-profile.js';
import type { ProfileSigner } from '../profiles/sign-profile.js';
import { buildConfigurationProfile, signedConfigurationProfile } from './configuration-profile.js';
import { parseUploadedProfile, UPLOAD_MAX_BYTES, type OurIdentity } from './uploaded-profile.js';

// Issue 15 item 1: an admin's .mobileconfig is untrusted. Signed or not, it is read within bounds by the strict
// plist parser and refused, with a message that says what to do, when it is not a usable profile or would fight
// our enrollment.

const dir = mkdtempSync(join(tmpdir(), 'tsunagu-upload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let us: OurIdentity;
let signer: ProfileSigner;
let officeDer: Buffer;

beforeAll(() => {
  const { services } = testFoundation({ start: new Date().toISOString() });
  services.ca.ensureTlsCredential({ dnsNames: ['mdm.office.test'], ipAddresses: ['127.0.0.1'] });
  officeDer = services.ca.caCertificate().der;
  signer = services.ca.currentTls();
  us = { scepUrls: ['http://mdm.office.test:8080/scep', 'https://mdm.office.test:8443/scep'], caDer: officeDer };
});

function wifiPayload(over: PlistDict = {}): PlistDict {
  return {
    PayloadType: 'com.apple.wifi.managed',
    PayloadIdentifier: 'com.example.wifi',
    PayloadUUID: '6E1C7A5E-2B64-4C51-9F0E-1D2C3B4A5F60',
    PayloadVersion: 1,
    SSID_STR: 'Guest',
    EncryptionType: 'None',
    ...over,
  };
}

function profile(payloads: PlistDict[], over: PlistDict = {}): PlistDict {
  return {
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: 'com.example.profile',
    PayloadUUID: '0B4E0C3A-7D0E-4E2B-8B76-4D1F0A9C2E11',
    PayloadDisplayName: 'Guest Wi-Fi',
    PayloadOrganization: 'Example',
    PayloadContent: payloads,
    ...over,
  };
}

const xml = (p: PlistDict) => Buffer.from(buildPlist(p), 'utf8');

function refusal(bytes: Buffer): { code: string; reason: unknown; message: string } {
  try {
    parseUploadedProfile(bytes, us);
  } catch (err) {
    if (isAppError(err)) return { code: err.code, reason: err.details?.reason, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

/** Signs with OpenSSL in streaming mode: BER with indefinite lengths and the content in a constructed OCTET STRING. */
function opensslStreamingSign(content: Buffer): Buffer {
  writeFileSync(join(dir, 'in.xml'), content);
  writeFileSync(join(dir, 'signer.pem'), signer.certPem);
  writeFileSync(join(dir, 'signer.key'), signer.keyPem);
  execFileSync('openssl', [
    'cms',
    '-sign',
    '-nodetach',
    '-stream',
    '-binary',
    '-in',
    join(dir, 'in.xml'),
    '-signer',
    join(dir, 'signer.pem'),
    '-inkey',
    join(dir, 'signer.key'),
    '-outform',
    'DER',
    '-out',
    join(dir, 'out.p7m'),
  ]);
  return readFileSync(join(dir, 'out.p7m'));
}

describe('an accepted upload', () => {
  it('plain XML: its payloads as ordinary dictionaries, and a summary for the console', () => {
    const got = parseUploadedProfile(xml(profile([wifiPayload({ PayloadDisplayName: 'Guest network' })])), us);
    expect(got).toMatchObject({
      displayName: 'Guest Wi-Fi',
      organization: 'Example',
      description: null,
      scope: null,
      wasSigned: false,
      summary: [{ type: 'com.apple.wifi.managed', identifier: 'com.example.wifi', displayName: 'Guest network' }],
    });
    expect(got.payloads).toEqual([wifiPayload({ PayloadDisplayName: 'Guest network' })]);
    expect(Object.getPrototypeOf(got.payloads[0])).toBe(Object.prototype);
  });

  it('signed as DER by our own CMS code: unwrapped', () => {
    const content = xml(profile([wifiPayload()]));
    const signed = signCms(content, { certPem: signer.certPem, keyPem: signer.keyPem });
    const got = parseUploadedProfile(signed, us);
    expect(got.wasSigned).toBe(true);
    expect(got.payloads).toEqual([wifiPayload()]);
  });

  it('signed by OpenSSL in streaming BER (indefinite lengths, chunked content), as Apple’s tools write: unwrapped', () => {
    const content = xml(
      profile([
        wifiPayload(),
        wifiPayload({
          PayloadIdentifier: 'com.example.wifi2',
          PayloadUUID: 'A'.repeat(8) + '-1111-2222-3333-444455556666',
          SSID_STR: 'x'.repeat(32),
        }),
      ]),
    );
    const signed = opensslStreamingSign(Buffer.concat([content, Buffer.alloc(0)]));
    expect(signed[1]).toBe(0x80); // indefinite length: the strict DER codec would refuse this
    expect(() => verifyCms(signed)).toThrow();
    const got = parseUploadedProfile(signed, us);
    expect(got.wasSigned).toBe(true);
    expect(got.payloads).toHaveLength(2);
    expect(got.payloads[1]?.SSID_STR).toBe('x'.repeat(32));
  });

  it('a third party’s SCEP payload (another CA, another URL) is fine', () => {
    const scep: PlistDict = {
      PayloadType: 'com.apple.security.scep',
      PayloadIdentifier: 'com.example.scep',
      PayloadUUID: '11111111-2222-3333-4444-555555555555',
      PayloadVersion: 1,
      PayloadContent: {
        URL: 'https://pki.example.com/scep',
        CAFingerprint: Buffer.alloc(20, 7),
        Subject: [[['CN', 'someone']]],
      },
    };
    expect(parseUploadedProfile(xml(profile([scep])), us).payloads).toHaveLength(1);
  });

  it('is delivered inside a profile of ours, with our identifier, and signed by us', async () => {
    const uploaded = parseUploadedProfile(xml(profile([wifiPayload()])), us);
    const input = {
      serverId: 'srv1',
      configurationId: 'up-1',
      version: 1,
      name: 'Guest Wi-Fi',
      organization: 'Example KK',
      lang: 'en' as const,
      target: 'ios' as const,
      channel: 'device' as const,
      platforms: ['ios' as const],
      spec: { kind: 'uploaded' as const, uploaded: { payloads: uploaded.payloads } },
      office: { der: officeDer, name: 'Office CA' },
    };
    const built = buildConfigurationProfile(input);
    expect(validateDict(schemaKeys('profiles/TopLevel.yaml'), built)).toEqual([]);
    expect(built.PayloadIdentifier).toBe('app.tsunagu.config.srv1.up-1');
    expect(built.PayloadContent).toEqual([wifiPayload()]);
    const signed = await signedConfigurationProfile(input, signer, new Date());
    expect(parsePlist(verifyCms(signed).content)).toEqual(built);
  });

  it('a __proto__ key stays a plain key of the payload and pollutes nothing', () => {
    const text = buildPlist(profile([wifiPayload()])).replace(
      '<key>SSID_STR</key>',
      '<key>__proto__</key><dict><key>polluted</key><true/></dict><key>SSID_STR</key>',
    );
    const got = parseUploadedProfile(Buffer.from(text), us);
    expect(Object.keys(got.payloads[0] as PlistDict)).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((got.payloads[0] as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('a refused upload', () => {
  const mdm: PlistDict = {
    PayloadType: 'com.apple.mdm',
    PayloadIdentifier: 'com.other.mdm',
    PayloadUUID: '22222222-2222-3333-4444-555555555555',
    PayloadVersion: 1,
    ServerURL: 'https://other.example/mdm',
    Topic: 'com.apple.mgmt.External.x',
    IdentityCertificateUUID: 'x',
  };
  const ourScep = (content: PlistDict): PlistDict => ({
    PayloadType: 'com.apple.security.scep',
    PayloadIdentifier: 'com.example.scep',
    PayloadUUID: '33333333-2222-3333-4444-555555555555',
    PayloadVersion: 1,
    PayloadContent: content,
  });
  const deep = (n: number): string => '<array>'.repeat(n) + '</array>'.repeat(n);

  it.each<[string, () => Buffer, string, string]>([
    ['with an MDM payload', () => xml(profile([wifiPayload(), mdm])), 'PROFILE_UPLOAD_REFUSED', 'mdm'],
    [
      'with an MDM payload, signed',
      () => signCms(xml(profile([mdm])), { certPem: signer.certPem, keyPem: signer.keyPem }),
      'PROFILE_UPLOAD_REFUSED',
      'mdm',
    ],
    [
      'with our identifier at the top',
      () => xml(profile([wifiPayload()], { PayloadIdentifier: 'app.tsunagu.enroll.srv1' })),
      'PROFILE_UPLOAD_REFUSED',
      'our-identifier',
    ],
    [
      'with our identifier on a payload (any case)',
      () => xml(profile([wifiPayload({ PayloadIdentifier: 'APP.Tsunagu.config.x' })])),
      'PROFILE_UPLOAD_REFUSED',
      'our-identifier',
    ],
    [
      'with a SCEP payload to our SCEP URL',
      () => xml(profile([ourScep({ URL: 'HTTP://MDM.office.test:8080/scep/' })])),
      'PROFILE_UPLOAD_REFUSED',
      'our-identity',
    ],
    [
      'with a SCEP payload naming our CA by fingerprint',
      () =>
        xml(profile([ourScep({ URL: 'https://elsewhere.example/scep', CAFingerprint: scepCaFingerprint(officeDer) })])),
      'PROFILE_UPLOAD_REFUSED',
      'our-identity',
    ],
    [
      'with a SCEP payload asking for our identity names',
      () => xml(profile([ourScep({ URL: 'https://elsewhere.example/scep', Subject: [[['CN', 'tsunagu-abc']]] })])),
      'PROFILE_UPLOAD_REFUSED',
      'our-identity',
    ],
    [
      'with a DOCTYPE internal subset',
      () =>
        Buffer.from(
          buildPlist(profile([wifiPayload()])).replace(/<!DOCTYPE[^>]*>/, '<!DOCTYPE plist [ <!ELEMENT plist ANY> ]>'),
        ),
      'PROFILE_UPLOAD_INVALID',
      'not-plist',
    ],
    [
      'with entities (billion laughs), even inside a signature',
      () =>
        signCms(
          Buffer.from(
            '<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><plist><string>&b;</string></plist>',
          ),
          { certPem: signer.certPem, keyPem: signer.keyPem },
        ),
      'PROFILE_UPLOAD_INVALID',
      'not-plist',
    ],
    [
      'that is not a plist at all',
      () => Buffer.from('hello, this is a text file'),
      'PROFILE_UPLOAD_INVALID',
      'not-plist',
    ],
    ['that is JSON', () => Buffer.from('{"PayloadType":"Configuration"}'), 'PROFILE_UPLOAD_INVALID', 'not-plist'],
    ['that is a binary plist', () => Buffer.from('bplist00\u00d1\u0001\u0002'), 'PROFILE_UPLOAD_INVALID', 'not-plist'],
    [
      'that nests 40 levels deep',
      () => Buffer.from(`<plist>${deep(40)}</plist>`),
      'PROFILE_UPLOAD_INVALID',
      'not-plist',
    ],
    ['that is empty', () => Buffer.alloc(0), 'PROFILE_UPLOAD_INVALID', 'empty'],
    [
      'that is too big',
      () => xml(profile([wifiPayload({ Blob: Buffer.alloc(UPLOAD_MAX_BYTES, 1) })])),
      'PROFILE_UPLOAD_TOO_LARGE',
      'undefined',
    ],
    [
      'that is signed and too big',
      () => signCms(Buffer.alloc(UPLOAD_MAX_BYTES, 0x20), { certPem: signer.certPem, keyPem: signer.keyPem }),
      'PROFILE_UPLOAD_TOO_LARGE',
      'undefined',
    ],
    [
      'that looks signed but is cut short',
      () => signCms(xml(profile([wifiPayload()])), { certPem: signer.certPem, keyPem: signer.keyPem }).subarray(0, 300),
      'PROFILE_UPLOAD_INVALID',
      'signature',
    ],
    [
      'that is signed but detached (no content inside)',
      () =>
        signCms(xml(profile([wifiPayload()])), { certPem: signer.certPem, keyPem: signer.keyPem }, { detached: true }),
      'PROFILE_UPLOAD_INVALID',
      'signature',
    ],
    [
      'that is a plist but not a Configuration profile',
      () => xml(wifiPayload()),
      'PROFILE_UPLOAD_INVALID',
      'not-configuration',
    ],
    [
      'that is encrypted',
      () => xml({ ...profile([]), EncryptedPayloadContent: Buffer.alloc(64, 3) }),
      'PROFILE_UPLOAD_INVALID',
      'encrypted',
    ],
    ['with no payloads', () => xml(profile([])), 'PROFILE_UPLOAD_INVALID', 'payloads'],
    [
      'with 51 payloads',
      () =>
        xml(
          profile(
            Array.from({ length: 51 }, (_, i) =>
              wifiPayload({
                PayloadIdentifier: `com.example.w${i}`,
                PayloadUUID: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
              }),
            ),
          ),
        ),
      'PROFILE_UPLOAD_INVALID',
      'payloads',
    ],
    [
      'with two payloads of the same UUID',
      () => xml(profile([wifiPayload(), wifiPayload({ PayloadIdentifier: 'com.example.other' })])),
      'PROFILE_UPLOAD_INVALID',
      'payloads',
    ],
    [
      'with a payload lacking PayloadUUID',
      () => {
        const p = wifiPayload();
        delete p.PayloadUUID;
        return xml(profile([p]));
      },
      'PROFILE_UPLOAD_INVALID',
      'payloads',
    ],
    [
      'with a nested Configuration payload',
      () => xml(profile([wifiPayload({ PayloadType: 'Configuration' })])),
      'PROFILE_UPLOAD_INVALID',
      'payloads',
    ],
    [
      'with a PayloadVersion that is text',
      () => xml(profile([wifiPayload({ PayloadVersion: '1' })])),
      'PROFILE_UPLOAD_INVALID',
      'payloads',
    ],
  ])('%s', (_name, bytes, code, reason) => {
    const r = refusal(bytes());
    expect({ code: r.code, reason: String(r.reason) }).toEqual({ code, reason });
    // Every message tells the admin what to do next, not only what is wrong.
    expect(r.message).toMatch(/Upload|upload|Remove|remove|Export|Convert|Choose|Give|Use|split/);
  });

  it('names DOCTYPE subsets and entities in its message', () => {
    const entity = Buffer.from(
      '<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY x "y">]><plist><string>&x;</string></plist>',
    );
    expect(refusal(entity).message).toMatch(/entities/);
    const subset = Buffer.from('<?xml version="1.0"?><!DOCTYPE plist [ <!ELEMENT plist ANY> ]><plist><dict/></plist>');
    expect(refusal(subset).message).toMatch(/internal subset/);
    expect(refusal(Buffer.from('bplist00')).message).toMatch(/plutil -convert xml1/);
  });
});
