import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaKeys, validateDict, validatePayload } from '../../../tests/helpers/apple-schema.js';
import { testFoundation } from '../../../tests/helpers/foundation.js';
import { isAppError } from '../../core/errors.js';
import { buildPlist, parsePlist, type PlistDict } from '../../core/plist.js';
import { verifyCms } from '../../pki/cms.js';
import { pemToDer } from '../../pki/x509.js';
import { scepCaFingerprint } from '../profiles/enrollment-profile.js';
import type { ProfileSigner } from '../profiles/sign-profile.js';
import {
  buildConfigurationProfile,
  checkConfiguration,
  configurationProfileIdentifier,
  configurationProfileUuid,
  needsIdentity,
  signedConfigurationProfile,
  withoutSecrets,
  type ConfigurationProfileInput,
  type ConfigurationSpec,
} from './configuration-profile.js';
import { WEBCLIP_ICON_MAX_BYTES } from './webclip.js';

// Issue 15 items 1 and 5: every configuration kind built into a whole profile and checked key by key against
// Apple's schemas (tests/fixtures/apple/schema/profiles), the refusals, and the signed profile verified by OpenSSL.

const dir = mkdtempSync(join(tmpdir(), 'tsunagu-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let office: { der: Buffer; name: string; pem: string };
let signer: ProfileSigner;

beforeAll(() => {
  const { services } = testFoundation({ start: new Date().toISOString() });
  services.ca.ensureTlsCredential({ dnsNames: ['mdm.office.test'], ipAddresses: ['127.0.0.1'] });
  office = services.ca.caCertificate();
  signer = services.ca.currentTls();
});

const CHALLENGE = 'one-time-challenge-0123456789';
const identity = {
  scepUrl: 'http://mdm.office.test:8080/scep',
  challenge: CHALLENGE,
  subject: { organization: 'Example KK', commonName: 'tsunagu-cfg-7f3a' },
  email: 'hanako@example.com',
};

function input(spec: ConfigurationSpec, over: Partial<ConfigurationProfileInput> = {}): ConfigurationProfileInput {
  return {
    serverId: 'srv1',
    configurationId: 'cfg-1',
    version: 3,
    name: 'Office network',
    organization: 'Example KK',
    lang: 'en',
    target: 'ios',
    channel: 'device',
    platforms: ['ios', 'macos'],
    spec,
    office,
    ...(needsIdentity(spec) ? { identity } : {}),
    ...over,
  };
}

/** The profile against TopLevel.yaml and every payload against its own schema plus the common keys. */
function schemaProblems(profile: PlistDict): string[] {
  const problems = validateDict(schemaKeys('profiles/TopLevel.yaml'), profile);
  for (const payload of profile.PayloadContent as PlistDict[])
    problems.push(...validatePayload(`profiles/${payload.PayloadType as string}.yaml`, payload));
  return problems;
}

/** A real PNG: signature, IHDR, one IDAT row of nothing, IEND, with CRCs. */
function png(width: number, height: number, padTo = 0): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = (crcTable[(c ^ x) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const parts = [Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr)];
  if (padTo > 0) parts.push(chunk('tEXt', Buffer.alloc(padTo, 0x61)));
  parts.push(chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}

function refusal(fn: () => unknown): { code: string; details: Record<string, unknown> | undefined; message: string } {
  try {
    fn();
  } catch (err) {
    if (isAppError(err)) return { code: err.code, details: err.details, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

const uuidOf = (p: PlistDict | undefined) => p?.PayloadUUID as string;
const BASE = configurationProfileIdentifier('srv1', 'cfg-1');

describe('each configuration kind, built and checked against Apple’s schema key by key', () => {
  it('WPA2 Personal Wi-Fi: one payload with the password, hidden SSID and auto-join as asked', () => {
    const profile = buildConfigurationProfile(
      input({
        kind: 'wifi',
        wifi: {
          ssid: 'Office 5G',
          security: 'wpa2-personal',
          password: 'correct horse battery',
          hidden: true,
          autoJoin: false,
        },
      }),
    );
    expect(schemaProblems(profile)).toEqual([]);
    const [wifi] = profile.PayloadContent as PlistDict[];
    expect(wifi).toEqual({
      PayloadType: 'com.apple.wifi.managed',
      PayloadIdentifier: `${BASE}.wifi`,
      PayloadUUID: expect.stringMatching(/^[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/),
      PayloadVersion: 1,
      PayloadDisplayName: 'Office network',
      SSID_STR: 'Office 5G',
      HIDDEN_NETWORK: true,
      AutoJoin: false,
      EncryptionType: 'WPA2',
      Password: 'correct horse battery',
    });
    expect(profile.PayloadContent).toHaveLength(1);
  });

  it('WPA3 Personal Wi-Fi says WPA3 and takes a 64-hex-digit key', () => {
    const key = 'a'.repeat(64);
    const profile = buildConfigurationProfile(
      input({ kind: 'wifi', wifi: { ssid: 'Lab', security: 'wpa3-personal', password: key } }),
    );
    expect(schemaProblems(profile)).toEqual([]);
    expect((profile.PayloadContent as PlistDict[])[0]).toMatchObject({
      EncryptionType: 'WPA3',
      Password: key,
      HIDDEN_NETWORK: false,
      AutoJoin: true,
    });
  });

  it.each(['wpa2-enterprise', 'wpa3-enterprise'] as const)(
    '%s Wi-Fi: EAP-TLS with the SCEP identity of the same profile, anchored to the office CA payload',
    (security) => {
      const profile = buildConfigurationProfile(
        input({
          kind: 'wifi',
          wifi: { ssid: 'Corp', security, trustedServerNames: ['radius.office.test', 'radius.*.office.test'] },
        }),
      );
      expect(schemaProblems(profile)).toEqual([]);
      const [ca, scep, wifi] = profile.PayloadContent as PlistDict[];
      expect(ca).toEqual({
        PayloadType: 'com.apple.security.root',
        PayloadIdentifier: `${BASE}.ca`,
        PayloadUUID: expect.any(String),
        PayloadVersion: 1,
        PayloadDisplayName: 'Example KK Office Certificate',
        PayloadCertificateFileName: 'office-ca.cer',
        PayloadContent: office.der,
      });
      expect(scep).toEqual({
        PayloadType: 'com.apple.security.scep',
        PayloadIdentifier: `${BASE}.identity`,
        PayloadUUID: expect.any(String),
        PayloadVersion: 1,
        PayloadDisplayName: 'User Identity Certificate',
        PayloadContent: {
          URL: identity.scepUrl,
          Name: 'Tsunagu',
          Subject: [[['O', 'Example KK']], [['CN', 'tsunagu-cfg-7f3a']]],
          Challenge: CHALLENGE,
          Keysize: 2048,
          'Key Type': 'RSA',
          'Key Usage': 5,
          CAFingerprint: scepCaFingerprint(office.der),
          SubjectAltName: { rfc822Name: 'hanako@example.com' },
          KeyIsExtractable: false,
        },
      });
      expect(wifi).toEqual({
        PayloadType: 'com.apple.wifi.managed',
        PayloadIdentifier: `${BASE}.wifi`,
        PayloadUUID: expect.any(String),
        PayloadVersion: 1,
        PayloadDisplayName: 'Office network',
        SSID_STR: 'Corp',
        HIDDEN_NETWORK: false,
        AutoJoin: true,
        EncryptionType: security === 'wpa3-enterprise' ? 'WPA3' : 'WPA2',
        PayloadCertificateUUID: uuidOf(scep),
        EAPClientConfiguration: {
          AcceptEAPTypes: [13],
          TLSTrustedServerNames: ['radius.office.test', 'radius.*.office.test'],
          PayloadCertificateAnchorUUID: [uuidOf(ca)],
          TLSMinimumVersion: '1.2',
        },
      });
      expect(new Set([uuidOf(ca), uuidOf(scep), uuidOf(wifi), profile.PayloadUUID]).size).toBe(4);
    },
  );

  it('IKEv2 VPN with certificate sign-in: the SCEP identity, the office CA as issuer and the server name', () => {
    const profile = buildConfigurationProfile(
      input({
        kind: 'vpn',
        vpn: {
          name: 'Office VPN',
          remoteAddress: 'vpn.office.test',
          remoteIdentifier: 'vpn.office.test',
          localIdentifier: 'hanako@example.com',
          auth: 'certificate',
          serverCertificateName: 'vpn.office.test',
        },
      }),
    );
    expect(schemaProblems(profile)).toEqual([]);
    const [ca, scep, vpn] = profile.PayloadContent as PlistDict[];
    expect(ca?.PayloadType).toBe('com.apple.security.root');
    expect(scep?.PayloadType).toBe('com.apple.security.scep');
    expect(vpn).toEqual({
      PayloadType: 'com.apple.vpn.managed',
      PayloadIdentifier: `${BASE}.vpn`,
      PayloadUUID: expect.any(String),
      PayloadVersion: 1,
      PayloadDisplayName: 'Office network',
      VPNType: 'IKEv2',
      UserDefinedName: 'Office VPN',
      IKEv2: {
        RemoteAddress: 'vpn.office.test',
        RemoteIdentifier: 'vpn.office.test',
        LocalIdentifier: 'hanako@example.com',
        AuthenticationMethod: 'Certificate',
        DeadPeerDetectionRate: 'Medium',
        PayloadCertificateUUID: uuidOf(scep),
        CertificateType: 'RSA',
        ServerCertificateIssuerCommonName: office.name,
        ServerCertificateCommonName: 'vpn.office.test',
      },
    });
  });

  it('IKEv2 VPN with a shared secret: one payload, no identity, no CA', () => {
    const spec: ConfigurationSpec = {
      kind: 'vpn',
      vpn: {
        name: 'Branch',
        remoteAddress: '203.0.113.7',
        remoteIdentifier: 'branch',
        localIdentifier: 'client',
        auth: 'shared-secret',
        sharedSecret: 'a long shared secret',
      },
    };
    expect(needsIdentity(spec)).toBe(false);
    const profile = buildConfigurationProfile(input(spec));
    expect(schemaProblems(profile)).toEqual([]);
    const payloads = profile.PayloadContent as PlistDict[];
    expect(payloads).toHaveLength(1);
    expect(payloads[0]?.IKEv2).toEqual({
      RemoteAddress: '203.0.113.7',
      RemoteIdentifier: 'branch',
      LocalIdentifier: 'client',
      AuthenticationMethod: 'SharedSecret',
      DeadPeerDetectionRate: 'Medium',
      SharedSecret: 'a long shared secret',
    });
  });

  it('passcode policy: the chosen keys under Apple’s names and ranges', () => {
    const profile = buildConfigurationProfile(
      input({
        kind: 'passcode',
        passcode: {
          minLength: 8,
          requireAlphanumeric: true,
          maxInactivityMinutes: 5,
          maxFailedAttempts: 10,
          maxPasscodeAgeDays: 365,
          passcodeHistory: 3,
          minComplexChars: 1,
          allowSimple: false,
        },
      }),
    );
    expect(schemaProblems(profile)).toEqual([]);
    expect((profile.PayloadContent as PlistDict[])[0]).toEqual({
      PayloadType: 'com.apple.mobiledevice.passwordpolicy',
      PayloadIdentifier: `${BASE}.passcode`,
      PayloadUUID: expect.any(String),
      PayloadVersion: 1,
      PayloadDisplayName: 'Office network',
      forcePIN: true,
      allowSimple: false,
      requireAlphanumeric: true,
      minLength: 8,
      minComplexChars: 1,
      maxInactivity: 5,
      maxFailedAttempts: 10,
      maxPINAgeInDays: 365,
      pinHistory: 3,
    });
  });

  it('restrictions: only the chosen keys, each a boolean the schema knows', () => {
    const profile = buildConfigurationProfile(
      input({
        kind: 'restrictions',
        restrictions: { values: { allowScreenShot: false, allowCloudBackup: false, forceEncryptedBackup: true } },
      }),
    );
    expect(schemaProblems(profile)).toEqual([]);
    expect((profile.PayloadContent as PlistDict[])[0]).toEqual({
      PayloadType: 'com.apple.applicationaccess',
      PayloadIdentifier: `${BASE}.restrictions`,
      PayloadUUID: expect.any(String),
      PayloadVersion: 1,
      PayloadDisplayName: 'Office network',
      allowScreenShot: false,
      allowCloudBackup: false,
      forceEncryptedBackup: true,
    });
  });

  it('the office CA as a trusted root', () => {
    const profile = buildConfigurationProfile(input({ kind: 'office-ca' }, { lang: 'ja' }));
    expect(schemaProblems(profile)).toEqual([]);
    expect(profile.PayloadContent).toEqual([
      {
        PayloadType: 'com.apple.security.root',
        PayloadIdentifier: `${BASE}.ca`,
        PayloadUUID: expect.any(String),
        PayloadVersion: 1,
        PayloadDisplayName: 'Example KK オフィス証明書',
        PayloadCertificateFileName: 'office-ca.cer',
        PayloadContent: office.der,
      },
    ]);
  });

  it('a per-user identity certificate on the Mac’s user channel: SCEP with its own challenge, scope User', () => {
    const profile = buildConfigurationProfile(
      input(
        { kind: 'identity' },
        { target: 'macos', channel: 'user', identity: { ...identity, challenge: 'other-one' } },
      ),
    );
    expect(schemaProblems(profile)).toEqual([]);
    expect(profile.PayloadScope).toBe('User');
    expect(profile.TargetDeviceType).toBe(5);
    const [scep] = profile.PayloadContent as PlistDict[];
    expect((scep?.PayloadContent as PlistDict).Challenge).toBe('other-one');
    expect(profile.PayloadContent).toHaveLength(1);
  });

  it('a web clip on iOS with a PNG icon; on a Mac (user channel) without the keys macOS lacks', () => {
    const icon = png(180, 180);
    const spec: ConfigurationSpec = {
      kind: 'webclip',
      webclip: { url: 'https://intra.example.com/portal?x=1', label: 'Intranet', icon, removable: false },
    };
    const ios = buildConfigurationProfile(input(spec));
    expect(schemaProblems(ios)).toEqual([]);
    expect((ios.PayloadContent as PlistDict[])[0]).toEqual({
      PayloadType: 'com.apple.webClip.managed',
      PayloadIdentifier: `${BASE}.webclip`,
      PayloadUUID: expect.any(String),
      PayloadVersion: 1,
      PayloadDisplayName: 'Office network',
      URL: 'https://intra.example.com/portal?x=1',
      Label: 'Intranet',
      Icon: icon,
      IsRemovable: false,
      FullScreen: false,
    });
    const mac = buildConfigurationProfile(input(spec, { target: 'macos', channel: 'user' }));
    expect(schemaProblems(mac)).toEqual([]);
    const clip = (mac.PayloadContent as PlistDict[])[0] as PlistDict;
    expect(Object.keys(clip).sort()).toEqual(
      [
        'Icon',
        'Label',
        'PayloadDisplayName',
        'PayloadIdentifier',
        'PayloadType',
        'PayloadUUID',
        'PayloadVersion',
        'URL',
      ].sort(),
    );
  });
});

describe('the assembled profile', () => {
  const wifi: ConfigurationSpec = {
    kind: 'wifi',
    wifi: { ssid: 'Office', security: 'wpa2-personal', password: 'password123' },
  };

  it('keeps one PayloadIdentifier per configuration and derives its UUIDs from the version', () => {
    const v3 = buildConfigurationProfile(input(wifi));
    const v3again = buildConfigurationProfile(input(wifi));
    const v4 = buildConfigurationProfile(input(wifi, { version: 4 }));
    const other = buildConfigurationProfile(input(wifi, { configurationId: 'cfg-2' }));
    expect(validateDict(schemaKeys('profiles/TopLevel.yaml'), v3)).toEqual([]);
    expect(v3).toMatchObject({
      PayloadType: 'Configuration',
      PayloadVersion: 1,
      PayloadIdentifier: 'app.tsunagu.config.srv1.cfg-1',
      PayloadUUID: configurationProfileUuid('srv1', 'cfg-1', 3),
      PayloadDisplayName: 'Office network',
      PayloadOrganization: 'Example KK',
      PayloadScope: 'System',
      PayloadRemovalDisallowed: false,
      TargetDeviceType: 1,
    });
    expect(v3).toEqual(v3again);
    expect(v4.PayloadIdentifier).toBe(v3.PayloadIdentifier);
    expect(v4.PayloadUUID).not.toBe(v3.PayloadUUID);
    expect(uuidOf((v4.PayloadContent as PlistDict[])[0])).not.toBe(uuidOf((v3.PayloadContent as PlistDict[])[0]));
    expect(other.PayloadIdentifier).not.toBe(v3.PayloadIdentifier);
    expect(other.PayloadUUID).not.toBe(v3.PayloadUUID);
  });

  it('a Mac device-channel profile is System scope, a user-channel one User scope', () => {
    expect(buildConfigurationProfile(input(wifi, { target: 'macos' })).PayloadScope).toBe('System');
    expect(buildConfigurationProfile(input(wifi, { target: 'macos', channel: 'user' })).PayloadScope).toBe('User');
  });

  it('carries a description when given one', () => {
    const p = buildConfigurationProfile(input(wifi, { description: 'Joins the office network.' }));
    expect(p.PayloadDescription).toBe('Joins the office network.');
    expect(validateDict(schemaKeys('profiles/TopLevel.yaml'), p)).toEqual([]);
  });

  it.each([
    ['a user channel on an iPhone', input(wifi, { channel: 'user' }), 'channel'],
    [
      'a web clip on a Mac’s device channel (Apple allows web clips on the user channel only)',
      input({ kind: 'webclip', webclip: { url: 'https://a.example', label: 'A' } }, { target: 'macos' }),
      'channel',
    ],
    ['a device the configuration does not target', input(wifi, { platforms: ['macos'] }), 'target'],
    ['an id with dots', input(wifi, { configurationId: 'a.b' }), 'configurationId'],
    ['version 0', input(wifi, { version: 0 }), 'version'],
    ['an empty name', input(wifi, { name: '' }), 'name'],
    ['an unknown kind', input({ kind: 'mdm' } as unknown as ConfigurationSpec), 'kind'],
    [
      'a stored upload that carries an MDM payload after all',
      input({
        kind: 'uploaded',
        uploaded: {
          payloads: [{ PayloadType: 'com.apple.mdm', PayloadIdentifier: 'x', PayloadUUID: 'y', PayloadVersion: 1 }],
        },
      }),
      'uploaded',
    ],
  ])('refuses %s', (_name, bad, field) => {
    expect(refusal(() => buildConfigurationProfile(bad))).toMatchObject({
      code: 'CONFIGURATION_INVALID',
      details: { field },
    });
  });

  it('will not build an identity payload without a one-time challenge', () => {
    const bad = input({ kind: 'identity' });
    delete bad.identity;
    expect(refusal(() => buildConfigurationProfile(bad)).code).toBe('INTERNAL');
  });

  it('is signed with the server’s TLS identity, and OpenSSL verifies it against the office CA', async () => {
    const spec: ConfigurationSpec = {
      kind: 'wifi',
      wifi: { ssid: 'Corp', security: 'wpa2-enterprise', trustedServerNames: ['radius.office.test'] },
    };
    const body = await signedConfigurationProfile(input(spec), signer, new Date());
    writeFileSync(join(dir, 'config.der'), body);
    writeFileSync(join(dir, 'ca.pem'), office.pem);
    execFileSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-inform',
        'DER',
        '-in',
        join(dir, 'config.der'),
        '-CAfile',
        join(dir, 'ca.pem'),
        '-purpose',
        'any',
        '-out',
        join(dir, 'config.plist'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const xml = readFileSync(join(dir, 'config.plist'));
    expect(xml.toString('utf8')).toBe(buildPlist(buildConfigurationProfile(input(spec))));
    const parsed = parsePlist(xml) as PlistDict;
    expect(schemaProblems(parsed)).toEqual([]);
    // Python's plistlib, a reader that is not ours, sees the same references.
    const py = execFileSync('python3', [
      '-c',
      [
        'import plistlib, json',
        `p = plistlib.load(open(${JSON.stringify(join(dir, 'config.plist'))}, "rb"))`,
        'ca, scep, wifi = p["PayloadContent"]',
        'print(json.dumps({"cert": wifi["PayloadCertificateUUID"] == scep["PayloadUUID"], "anchor": wifi["EAPClientConfiguration"]["PayloadCertificateAnchorUUID"] == [ca["PayloadUUID"]], "der": len(ca["PayloadContent"]), "fp": len(scep["PayloadContent"]["CAFingerprint"])}))',
      ].join('\n'),
    ]).toString();
    expect(JSON.parse(py)).toEqual({ cert: true, anchor: true, der: office.der.length, fp: 20 });
    expect(verifyCms(body).signerCertDer.equals(pemToDer(signer.certPem))).toBe(true);
    // A tampered profile no longer verifies.
    const tampered = Buffer.from(body);
    const at = tampered.indexOf(Buffer.from('radius.office.test'));
    tampered[at] = 0x52;
    writeFileSync(join(dir, 'tampered.der'), tampered);
    expect(() =>
      execFileSync(
        'openssl',
        [
          'cms',
          '-verify',
          '-inform',
          'DER',
          '-in',
          join(dir, 'tampered.der'),
          '-CAfile',
          join(dir, 'ca.pem'),
          '-purpose',
          'any',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    ).toThrow();
  });
});

describe('refusals of what an admin enters', () => {
  const build =
    (spec: unknown, over: Partial<ConfigurationProfileInput> = {}) =>
    () =>
      buildConfigurationProfile(input(spec as ConfigurationSpec, over));

  it.each([
    [
      'an http:// web clip',
      { kind: 'webclip', webclip: { url: 'http://intra.example.com', label: 'X' } },
      'url',
      'format',
    ],
    [
      'a javascript: web clip',
      { kind: 'webclip', webclip: { url: 'javascript:alert(1)', label: 'X' } },
      'url',
      'format',
    ],
    [
      'a web clip address with a password in it',
      { kind: 'webclip', webclip: { url: 'https://u:p@intra.example.com', label: 'X' } },
      'url',
      'format',
    ],
    [
      'an oversized icon',
      {
        kind: 'webclip',
        webclip: { url: 'https://a.example', label: 'X', icon: png(180, 180, WEBCLIP_ICON_MAX_BYTES) },
      },
      'icon',
      'length',
    ],
    [
      'an icon that is not a PNG',
      {
        kind: 'webclip',
        webclip: { url: 'https://a.example', label: 'X', icon: Buffer.from('GIF89a........................') },
      },
      'icon',
      'format',
    ],
    [
      'an icon of 5000 by 5000 pixels',
      { kind: 'webclip', webclip: { url: 'https://a.example', label: 'X', icon: png(5000, 5000) } },
      'icon',
      'range',
    ],
    [
      'a label with a line break',
      { kind: 'webclip', webclip: { url: 'https://a.example', label: 'a\nb' } },
      'label',
      'characters',
    ],
    [
      'a short Wi-Fi password',
      { kind: 'wifi', wifi: { ssid: 'A', security: 'wpa2-personal', password: 'short' } },
      'password',
      'format',
    ],
    [
      'a Wi-Fi password with a control character',
      { kind: 'wifi', wifi: { ssid: 'A', security: 'wpa2-personal', password: 'abcdefgh\u0000' } },
      'password',
      'format',
    ],
    [
      'an SSID over 32 bytes',
      {
        kind: 'wifi',
        wifi: { ssid: 'オフィス無線ネットワーク東京', security: 'wpa2-personal', password: 'password123' },
      },
      'ssid',
      'length',
    ],
    [
      'an Enterprise network without server names',
      { kind: 'wifi', wifi: { ssid: 'A', security: 'wpa2-enterprise' } },
      'trustedServerNames',
      'required',
    ],
    [
      'an Enterprise network with a password',
      {
        kind: 'wifi',
        wifi: { ssid: 'A', security: 'wpa2-enterprise', password: 'password123', trustedServerNames: ['r.example'] },
      },
      'password',
      'not-allowed',
    ],
    [
      'a server name that is not a host name',
      { kind: 'wifi', wifi: { ssid: 'A', security: 'wpa3-enterprise', trustedServerNames: ['radius office'] } },
      'trustedServerNames',
      'format',
    ],
    [
      'an unknown Wi-Fi security',
      { kind: 'wifi', wifi: { ssid: 'A', security: 'wep', password: 'password123' } },
      'security',
      'not-allowed',
    ],
    [
      'a VPN shared secret with certificate sign-in',
      {
        kind: 'vpn',
        vpn: {
          name: 'V',
          remoteAddress: 'v.example',
          remoteIdentifier: 'v',
          localIdentifier: 'c',
          auth: 'certificate',
          sharedSecret: 'x'.repeat(10),
        },
      },
      'sharedSecret',
      'not-allowed',
    ],
    [
      'a VPN server address with a path',
      {
        kind: 'vpn',
        vpn: {
          name: 'V',
          remoteAddress: 'v.example/x',
          remoteIdentifier: 'v',
          localIdentifier: 'c',
          auth: 'shared-secret',
          sharedSecret: 'x'.repeat(10),
        },
      },
      'remoteAddress',
      'format',
    ],
    [
      'a short VPN shared secret',
      {
        kind: 'vpn',
        vpn: {
          name: 'V',
          remoteAddress: 'v.example',
          remoteIdentifier: 'v',
          localIdentifier: 'c',
          auth: 'shared-secret',
          sharedSecret: 'x',
        },
      },
      'sharedSecret',
      'length',
    ],
    ['a passcode of 17 characters', { kind: 'passcode', passcode: { minLength: 17 } }, 'minLength', 'range'],
    [
      'auto-lock after 60 minutes',
      { kind: 'passcode', passcode: { maxInactivityMinutes: 60 } },
      'maxInactivityMinutes',
      'range',
    ],
    ['one failed attempt', { kind: 'passcode', passcode: { maxFailedAttempts: 1 } }, 'maxFailedAttempts', 'range'],
    [
      'a restriction Tsunagu does not offer',
      { kind: 'restrictions', restrictions: { values: { allowEverything: false } } },
      'values.allowEverything',
      'not-allowed',
    ],
    [
      'a __proto__ restriction',
      { kind: 'restrictions', restrictions: { values: JSON.parse('{"__proto__": false}') } },
      'values.__proto__',
      'not-allowed',
    ],
    [
      'a restriction that is not a boolean',
      { kind: 'restrictions', restrictions: { values: { allowCamera: 'no' } } },
      'values.allowCamera',
      'type',
    ],
    ['no restriction at all', { kind: 'restrictions', restrictions: { values: {} } }, 'values', 'required'],
  ])('%s', (_name, spec, field, reason) => {
    expect(refusal(build(spec))).toMatchObject({ code: 'CONFIGURATION_INVALID', details: { field, reason } });
  });

  it('a supervised-only restriction, naming it and saying why', () => {
    const r = refusal(
      build({
        kind: 'restrictions',
        restrictions: { values: { allowAppInstallation: false, allowAirDrop: false, allowCamera: false } },
      }),
    );
    expect(r.code).toBe('CONFIGURATION_SUPERVISION_REQUIRED');
    expect(r.details).toEqual({ keys: ['allowAppInstallation', 'allowAirDrop'], platforms: ['ios', 'macos'] });
    expect(r.message).toMatch(/only on supervised devices/);
    // AirDrop can be restricted on an unsupervised Mac: a Mac-only configuration may carry it.
    const mac = buildConfigurationProfile(
      input(
        { kind: 'restrictions', restrictions: { values: { allowAirDrop: false } } },
        { target: 'macos', platforms: ['macos'] },
      ),
    );
    expect(schemaProblems(mac)).toEqual([]);
    expect((mac.PayloadContent as PlistDict[])[0]?.allowAirDrop).toBe(false);
  });

  it('a restriction no targeted platform has', () => {
    expect(
      refusal(() =>
        checkConfiguration({ kind: 'restrictions', restrictions: { values: { allowCloudBackup: false } } }, ['macos']),
      ),
    ).toMatchObject({
      code: 'CONFIGURATION_INVALID',
      details: { field: 'values.allowCloudBackup', reason: 'not-allowed' },
    });
  });
});

describe('values that need care in XML', () => {
  it('a password with markup characters and an SSID with emoji and Japanese survive the plist round trip', () => {
    const password = `<&>"']]></plist>`;
    const ssid = 'オフィス📶';
    const profile = buildConfigurationProfile(
      input({ kind: 'wifi', wifi: { ssid, security: 'wpa2-personal', password } }),
    );
    const back = parsePlist(buildPlist(profile)) as PlistDict;
    const wifi = (back.PayloadContent as PlistDict[])[0] as PlistDict;
    expect([wifi.SSID_STR, wifi.Password]).toEqual([ssid, password]);
  });

  it('an IPv6 VPN server address is accepted, a malformed one is not', () => {
    const vpn = (remoteAddress: string): ConfigurationSpec => ({
      kind: 'vpn',
      vpn: {
        name: 'V',
        remoteAddress,
        remoteIdentifier: 'v',
        localIdentifier: 'c',
        auth: 'shared-secret',
        sharedSecret: 'x'.repeat(10),
      },
    });
    expect(checkConfiguration(vpn('2001:db8::1'), ['ios'])).toMatchObject({ vpn: { remoteAddress: '2001:db8::1' } });
    expect(refusal(() => checkConfiguration(vpn('2001:db8:::1::'), ['ios']))).toMatchObject({
      details: { field: 'remoteAddress' },
    });
  });
});

describe('what the library stores', () => {
  it('checkConfiguration returns the canonical form, withoutSecrets drops the password and the shared secret', () => {
    const wifi = checkConfiguration(
      { kind: 'wifi', wifi: { ssid: 'A', security: 'wpa2-personal', password: 'password123' } },
      ['ios'],
    );
    expect(wifi).toEqual({
      kind: 'wifi',
      wifi: { ssid: 'A', security: 'wpa2-personal', password: 'password123', hidden: false, autoJoin: true },
    });
    expect(withoutSecrets(wifi)).toEqual({
      kind: 'wifi',
      wifi: { ssid: 'A', security: 'wpa2-personal', hidden: false, autoJoin: true },
    });
    const vpn = checkConfiguration(
      {
        kind: 'vpn',
        vpn: {
          name: 'V',
          remoteAddress: 'v.example',
          remoteIdentifier: 'v',
          localIdentifier: 'c',
          auth: 'shared-secret',
          sharedSecret: 'secret-secret',
        },
      },
      ['ios'],
    );
    expect(JSON.stringify(withoutSecrets(vpn))).not.toContain('secret-secret');
  });

  it('needsIdentity is true exactly for Enterprise Wi-Fi, certificate VPN and the identity kind', () => {
    expect(needsIdentity({ kind: 'identity' })).toBe(true);
    expect(needsIdentity({ kind: 'wifi', wifi: { ssid: 'A', security: 'wpa3-enterprise' } })).toBe(true);
    expect(needsIdentity({ kind: 'wifi', wifi: { ssid: 'A', security: 'wpa3-personal' } })).toBe(false);
    expect(needsIdentity({ kind: 'office-ca' })).toBe(false);
  });
});

describe('the schema check these tests rely on', () => {
  it('catches an unknown key, a wrong type, a value out of range and a malformed UUID reference', () => {
    const profile = buildConfigurationProfile(input({ kind: 'passcode', passcode: { minLength: 6 } }));
    const payload = { ...((profile.PayloadContent as PlistDict[])[0] as PlistDict) };
    expect(validatePayload('profiles/com.apple.mobiledevice.passwordpolicy.yaml', payload)).toEqual([]);
    expect(
      validatePayload('profiles/com.apple.mobiledevice.passwordpolicy.yaml', {
        ...payload,
        minLength: 40,
        forcePIN: 'yes',
        bogus: 1,
      }).sort(),
    ).toEqual([
      'bogus: not a key of this schema',
      'forcePIN: expected <boolean>, found <string>',
      'minLength: 40 is outside 0..16',
    ]);
    const wifi = buildConfigurationProfile(
      input({ kind: 'wifi', wifi: { ssid: 'A', security: 'wpa2-personal', password: 'password123' } }),
    );
    const w = (wifi.PayloadContent as PlistDict[])[0] as PlistDict;
    expect(
      validatePayload('profiles/com.apple.wifi.managed.yaml', { ...w, PayloadCertificateUUID: 'not-a-uuid' }),
    ).toEqual([expect.stringMatching(/^PayloadCertificateUUID: "not-a-uuid" does not match/)]);
  });
});
