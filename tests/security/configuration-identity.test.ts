// Attacks with the identities configurations carry (issue 15): an Enterprise Wi-Fi or VPN identity is issued over SCEP
// with a one-time challenge of its own, and its key may be exportable (a user can take it from a Mac's keychain). Such
// an identity must never speak for the device over MDM (check-in or command report: refused like every bad signer,
// before any signature work), cannot renew into an MDM identity, and says what the server's template says whatever the
// CSR asks. An enrollment's challenge and a configuration's are not interchangeable, and no challenge works twice.
import { X509Certificate } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlist, parsePlist, type PlistDict } from '../../server/core/plist.js';
import { installErrorHandler } from '../../server/http/error-handler.js';
import { mdmRoutes } from '../../server/modules/mdm/mdm.routes.js';
import { verifyCms } from '../../server/pki/cms.js';
import { contextPrimitive, encode, octets, oid, seq } from '../../server/pki/der.js';
import { OID } from '../../server/pki/oids.js';
import {
  activeDevice,
  CONFIG_TOPIC,
  EVIL_CSR_SUBJECT,
  insertConfiguration,
  issued,
  issuedRowOf,
  scepEnroll,
  scepRenew,
  type ActiveDevice,
} from '../helpers/configuration-identity.js';
import { testFoundation, TEST_ADMIN, TEST_CTX, type TestFoundation } from '../helpers/foundation.js';
import { mdmSignature } from '../helpers/mdm-identity.js';
import { buildScepRequest, createCsr, parseCertRep, selfSignedIdentity } from '../helpers/scep-client.js';
import { testKey } from '../helpers/scep-fixtures.js';

const SUBJECT = { organization: 'Example Office', commonName: 'hanako-wifi', email: 'hanako@example.com' };

let f: TestFoundation;
let app: FastifyInstance;
let device: ActiveDevice;
let target: { deviceId: string; channel: string; configurationId: string };
/** A configuration identity of the device, as the device (or a user with its exported key) holds it. */
let wifi: { certPem: string; keyPem: string };

beforeAll(async () => {
  f = testFoundation({ start: new Date().toISOString() });
  f.services.ca.ensureTlsCredential({ dnsNames: ['tsunagu.test'], ipAddresses: [] });
  device = await activeDevice(f, 'hanako');
  target = { deviceId: device.deviceId, channel: 'device', configurationId: insertConfiguration(f.db, 'cfg-eap') };
  wifi = issued(await scepEnroll(f, f.services.identityChallenges.mint(target, SUBJECT), { key: 'wifi-key' }));
  app = Fastify();
  installErrorHandler(app);
  await app.register(mdmRoutes, { mdm: f.services.mdm });
});
afterAll(async () => {
  await app.close();
  await f.services.scep.close();
});

/** Sends a signed check-in (`/mdm/checkin`) or command report (`/mdm/connect`) over HTTP. */
function send(path: '/mdm/checkin' | '/mdm/connect', message: PlistDict, signature: string) {
  const body = buildPlist(message);
  return app.inject({
    method: 'PUT',
    url: path,
    headers: {
      'content-type':
        path === '/mdm/checkin' ? 'application/x-apple-aspen-mdm-checkin' : 'application/x-apple-aspen-mdm',
      'mdm-signature': signature,
    },
    payload: body,
  });
}

const signed = (message: PlistDict, identity: { certPem: string; keyPem: string }) =>
  mdmSignature(buildPlist(message), identity);

const MESSAGES: [string, '/mdm/checkin' | '/mdm/connect', () => PlistDict][] = [
  [
    'an Authenticate for the device',
    '/mdm/checkin',
    () => ({ MessageType: 'Authenticate', Topic: CONFIG_TOPIC, UDID: device.udid }),
  ],
  [
    'a TokenUpdate for the device',
    '/mdm/checkin',
    () => ({
      MessageType: 'TokenUpdate',
      Topic: CONFIG_TOPIC,
      UDID: device.udid,
      Token: Buffer.alloc(32, 9),
      PushMagic: 'X',
    }),
  ],
  [
    'a CheckOut for the device',
    '/mdm/checkin',
    () => ({ MessageType: 'CheckOut', Topic: CONFIG_TOPIC, UDID: device.udid }),
  ],
  [
    'an Authenticate for a new device',
    '/mdm/checkin',
    () => ({ MessageType: 'Authenticate', Topic: CONFIG_TOPIC, UDID: 'ROGUE-UDID' }),
  ],
  ['a command report', '/mdm/connect', () => ({ UDID: device.udid, Status: 'Idle' })],
  [
    'a command result',
    '/mdm/connect',
    () => ({ UDID: device.udid, Status: 'Acknowledged', CommandUUID: '8F1A3C52-1D1B-4C7E-9B6C-3E0C7A0D4B11' }),
  ],
];

describe('a configuration identity signing MDM messages', () => {
  it.each(MESSAGES)(
    'is refused for %s (400 MDM_SIGNATURE_INVALID, as other bad signers)',
    async (_name, path, message) => {
      const res = await send(path, message(), signed(message(), wifi));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'MDM_SIGNATURE_INVALID' });
      expect(JSON.stringify(res.json())).toMatch(/configuration's identity/);
    },
  );

  it('is refused from its serial alone: a broken signature gets the same refusal, never "does not verify"', async () => {
    const message = MESSAGES[4]?.[2]() as PlistDict;
    const der = Buffer.from(signed(message, wifi), 'base64');
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
    const res = await send('/mdm/connect', message, der.toString('base64'));
    expect(res.statusCode).toBe(400);
    expect(res.json<{ message: string }>().message).toMatch(/configuration's identity/);
  });

  it('changes nothing: the device stays Active on its MDM identity, which still speaks for it', async () => {
    const detail = f.services.mdm.detail(device.deviceId);
    expect(detail.device.status).toBe('active');
    expect(f.services.devices.list({}).items.map((d) => d.udid)).not.toContain('ROGUE-UDID');
    expect(f.services.issued.bySerial(device.identity.serial)?.revoked_at).toBeNull();
    const message = { UDID: device.udid, Status: 'Idle' };
    const res = await send('/mdm/connect', message, signed(message, device.identity));
    expect(res.statusCode).toBe(200);
  });
});

describe('renewal signed by a configuration identity', () => {
  it('renews a configuration identity only, with its template: never an MDM identity, never accepted over MDM', async () => {
    const renewed = issued(await scepRenew(f, wifi, 'wifi-renewed'));
    const x = new X509Certificate(renewed.certPem);
    expect(x.subject).toBe('O=Example Office\nCN=hanako-wifi');
    expect(x.subject).not.toContain(`tsunagu-${device.enrollmentId}`);
    expect(x.subjectAltName).toBe('email:hanako@example.com');
    expect(issuedRowOf(f.services, renewed.certPem)).toMatchObject({ purpose: 'configuration', kind: 'RenewalReq' });
    const message = { MessageType: 'Authenticate', Topic: CONFIG_TOPIC, UDID: device.udid };
    const res = await send('/mdm/checkin', message, signed(message, renewed));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'MDM_SIGNATURE_INVALID' });
  });
});

describe('a CSR with a configuration challenge asking for another subject or names', () => {
  it('gets the template’s subject and rfc822Name only', async () => {
    const keyPem = testKey('wifi-evil');
    const evilExtensions = [
      seq(
        oid(OID.subjectAltName),
        octets(
          encode(
            seq(contextPrimitive(2, Buffer.from('tsunagu.test')), contextPrimitive(1, Buffer.from('ceo@example.com'))),
          ),
        ),
      ),
      seq(oid('2.5.29.37'), octets(encode(seq(oid('1.3.6.1.5.5.7.3.1'))))),
    ];
    const csr = createCsr({
      keyPem,
      subject: EVIL_CSR_SUBJECT,
      challenge: f.services.identityChallenges.mint(target, SUBJECT),
      extensions: evilExtensions,
    });
    const caPem = f.services.ca.caCertificate().pem;
    const req = buildScepRequest({ csr, signer: selfSignedIdentity(keyPem), caCertPem: caPem });
    const result = parseCertRep(await f.services.scep.pkiOperation(req.der, {}), req);
    if (result.status !== 'SUCCESS') throw new Error(`expected SUCCESS, got ${JSON.stringify(result)}`);
    const x = new X509Certificate(result.certificatePem);
    expect(x.subject).toBe('O=Example Office\nCN=hanako-wifi');
    expect(x.subjectAltName).toBe('email:hanako@example.com');
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(x.ca).toBe(false);
  });
});

describe('enrollment and configuration challenges are not interchangeable, and none works twice', () => {
  /** A fresh enrollment's profile challenge. */
  async function enrollmentChallenge(): Promise<{ enrollmentId: string; challenge: string }> {
    const user = await f.services.users.create({ email: `p${Date.now()}@example.com`, displayName: 'P' }, TEST_CTX);
    const enrollmentId = f.services.enrollment.create({ userId: user.id, platform: 'ios' }, TEST_ADMIN, null).id;
    const profile = await f.services.enrollment.downloadProfileFor(enrollmentId, 'iPhone', null);
    const payloads = (parsePlist(verifyCms(profile.body).content) as PlistDict).PayloadContent as PlistDict[];
    const scep = payloads.find((p) => p.PayloadType === 'com.apple.security.scep')?.PayloadContent as PlistDict;
    return { enrollmentId, challenge: scep.Challenge as string };
  }

  it('an enrollment’s challenge gets an MDM identity of its enrollment, never a configuration’s; then it is spent', async () => {
    const { enrollmentId, challenge } = await enrollmentChallenge();
    const cert = issued(await scepEnroll(f, challenge, { key: 'enrollment-key' }));
    expect(new X509Certificate(cert.certPem).subject).toContain(`CN=tsunagu-${enrollmentId}`);
    expect(issuedRowOf(f.services, cert.certPem)).toMatchObject({
      purpose: 'mdm',
      enrollment_id: enrollmentId,
      configuration_id: null,
      channel: null,
      device_id: null,
    });
    expect(await scepEnroll(f, challenge, { key: 'enrollment-again' })).toEqual({ failInfo: 'badRequest' });
  });

  it('a configuration’s challenge gets a configuration identity that cannot enroll a device; then it is spent', async () => {
    const challenge = f.services.identityChallenges.mint(target, SUBJECT);
    const cert = issued(await scepEnroll(f, challenge, { key: 'rogue-key' }));
    expect(issuedRowOf(f.services, cert.certPem)).toMatchObject({
      purpose: 'configuration',
      configuration_id: 'cfg-eap',
    });
    const message = { MessageType: 'Authenticate', Topic: CONFIG_TOPIC, UDID: 'ROGUE-UDID-2' };
    expect((await send('/mdm/checkin', message, signed(message, cert))).statusCode).toBe(400);
    const replay = await scepEnroll(f, challenge, { key: 'rogue-key-2' });
    expect(replay).toEqual({ failInfo: 'badRequest' });
    const refused = f.services.audit.list({ action: 'scep.refused' }).items[0];
    expect(refused?.details.reason).toBe('challenge_used');
    const forChallenge = f.db
      .prepare("SELECT COUNT(*) AS n FROM issued_certificates WHERE purpose = 'configuration' AND subject = ?")
      .get('CN=hanako-wifi,O=Example Office') as { n: number };
    // The first identity, its renewal, the evil CSR's and this one: each challenge issued exactly one.
    expect(forChallenge.n).toBe(4);
  });
});
