// Attacks on what the CA signs (issue 12 item 6): a device's CSR asks for another subject ("CN=evil,O=Apple"),
// for subjectAltNames (our own host name, a mailbox, a URI) and for extensions that would make it a CA or a TLS
// server. The issued identity must carry the subject the server chose when it made the enrollment's profile, no
// subjectAltName, and only the template's extensions; the CSR contributes its key, the challenge authenticates.
// The same holds for a RenewalReq signed by that identity.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlist, type PlistDict } from '../../server/core/plist.js';
import { verifyCms } from '../../server/pki/cms.js';
import { contextPrimitive, encode, octets, oid, parseDer, seq, type Node } from '../../server/pki/der.js';
import { OID } from '../../server/pki/oids.js';
import { testFoundation, TEST_ADMIN, TEST_CTX, type TestFoundation } from '../helpers/foundation.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import {
  buildScepRequest,
  createCsr,
  parseCertRep,
  selfSignedIdentity,
  type CsrNameAttr,
} from '../helpers/scep-client.js';
import { openssl, testKey, withTempDir, writeFiles } from '../helpers/scep-fixtures.js';

const TOPIC = 'com.apple.mgmt.External.e0bd1eac-1f17-4c8e-8a63-dd17d3dd35d9';
const TRUE = parseDer(Buffer.from('0101ff', 'hex'), 'BOOLEAN');
const EVIL_SUBJECT: CsrNameAttr[] = [
  { shortName: 'O', value: 'Apple' },
  { shortName: 'CN', value: 'evil' },
];
/** subjectAltName (dNSName, rfc822Name, URI), basicConstraints CA:TRUE (critical), extKeyUsage serverAuth. */
const EVIL_EXTENSIONS: Node[] = [
  seq(
    oid(OID.subjectAltName),
    octets(
      encode(
        seq(
          contextPrimitive(2, Buffer.from('tsunagu.test')),
          contextPrimitive(1, Buffer.from('ceo@example.com')),
          contextPrimitive(6, Buffer.from('https://tsunagu.test/')),
        ),
      ),
    ),
  ),
  seq(oid('2.5.29.19'), TRUE, octets(encode(seq(TRUE)))),
  seq(oid('2.5.29.37'), octets(encode(seq(oid('1.3.6.1.5.5.7.3.1'))))),
];

let f: TestFoundation;
let enrollmentId: string;
let scep: { challenge: string; subject: [string, string][][] };
let caPem: string;

beforeAll(async () => {
  f = testFoundation({ start: new Date().toISOString() });
  const pki = fakePushCertificate({ uid: TOPIC });
  f.services.push.upload({ certificatePem: pki.certPem, privateKeyPem: pki.keyPem }, TEST_ADMIN, null);
  // The TLS credential signs profiles; the server issues it when its listeners start.
  f.services.ca.ensureTlsCredential({ dnsNames: ['tsunagu.test'], ipAddresses: [] });
  const user = await f.services.users.create({ email: 'taro@example.com', displayName: 'Taro' }, TEST_CTX);
  enrollmentId = f.services.enrollment.create({ userId: user.id, platform: 'ios' }, TEST_ADMIN, null).id;
  const profile = await f.services.enrollment.downloadProfileFor(enrollmentId, 'iPhone', null);
  const payloads = (parsePlist(verifyCms(profile.body).content) as PlistDict).PayloadContent as PlistDict[];
  const content = payloads.find((p) => p.PayloadType === 'com.apple.security.scep')?.PayloadContent as PlistDict;
  scep = { challenge: content.Challenge as string, subject: content.Subject as [string, string][][] };
  caPem = f.services.ca.caCertificate().pem;
});
afterAll(async () => {
  await f.services.scep.close();
});

/** The subject the profile told the device to ask for, as Node prints a certificate subject. */
function templateSubject(): string {
  return scep.subject.map((rdn) => rdn.map(([type, value]) => `${type}=${value}`).join('+')).join('\n');
}

function certText(certPem: string): string {
  return withTempDir((dir) =>
    openssl([
      'x509',
      '-in',
      writeFiles(dir, { 'c.pem': certPem })['c.pem'] as string,
      '-noout',
      '-text',
    ]).stdout.toString(),
  );
}

function expectTemplateOnly(certPem: string): void {
  const cert = new X509Certificate(certPem);
  expect(cert.subject).toBe(templateSubject());
  expect(cert.subject).toBe(`O=${scep.subject[0]?.[0]?.[1] ?? ''}\nCN=tsunagu-${enrollmentId}`);
  expect(cert.subjectAltName).toBeUndefined();
  expect(cert.ca).toBe(false);
  expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  const text = certText(certPem);
  expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
  expect(text).not.toMatch(/Subject Alternative Name|TLS Web Server Authentication|evil|Apple/);
  const extensions = [...text.matchAll(/^\s+(X509v3 (?!extensions)[A-Za-z ]+?):/gm)].map((m) => m[1]);
  expect(extensions.sort()).toEqual([
    'X509v3 Authority Key Identifier',
    'X509v3 Basic Constraints',
    'X509v3 Extended Key Usage',
    'X509v3 Key Usage',
    'X509v3 Subject Key Identifier',
  ]);
}

describe('the device identity certificate comes from the enrollment template, not from the CSR', () => {
  let issued: { certPem: string; keyPem: string };

  it('PKCSReq: the requested subject, SANs, CA flag and serverAuth are ignored; only the key is taken', async () => {
    const keyPem = testKey('template-device');
    const csr = createCsr({
      keyPem,
      subject: EVIL_SUBJECT,
      challenge: scep.challenge,
      extensions: EVIL_EXTENSIONS,
    });
    const req = buildScepRequest({ csr, signer: selfSignedIdentity(keyPem), caCertPem: caPem });
    const result = parseCertRep(await f.services.scep.pkiOperation(req.der, {}), req);
    if (result.status !== 'SUCCESS') throw new Error(`expected SUCCESS, got ${JSON.stringify(result)}`);
    expectTemplateOnly(result.certificatePem);
    const serial = new X509Certificate(result.certificatePem).serialNumber.toLowerCase();
    expect(f.services.issued.bySerial(serial)).toMatchObject({
      enrollment_id: enrollmentId,
      subject: `CN=tsunagu-${enrollmentId},O=${scep.subject[0]?.[0]?.[1] ?? ''}`,
    });
    issued = { certPem: result.certificatePem, keyPem };
  });

  it('RenewalReq signed by that identity: the new certificate again has the template subject only', async () => {
    const keyPem = testKey('template-renewed');
    const csr = createCsr({ keyPem, subject: EVIL_SUBJECT, extensions: EVIL_EXTENSIONS });
    const req = buildScepRequest({ messageType: 'RenewalReq', csr, signer: issued, caCertPem: caPem });
    const result = parseCertRep(await f.services.scep.pkiOperation(req.der, {}), req);
    if (result.status !== 'SUCCESS') throw new Error(`expected SUCCESS, got ${JSON.stringify(result)}`);
    expectTemplateOnly(result.certificatePem);
  });
});
