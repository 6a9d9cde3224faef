import { constants, createHash, createPrivateKey, createPublicKey, publicEncrypt, X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { isAppError } from '../../core/errors.js';
import { SeededRandom } from '../../core/random.js';
import { issueCertificate, randomSerialHex } from '../../pki/x509.js';
import {
  buildScepRequest,
  createCsr,
  parseCertRep,
  selfSignedIdentity,
  type ScepIdentity,
  type ScepRequest,
} from '../../../tests/helpers/scep-client.js';
import {
  FIXTURE_NOW,
  FIXTURE_TRANSACTION_ID,
  loadScepFixture,
  openssl,
  testKey,
  withTempDir,
  writeFiles,
} from '../../../tests/helpers/scep-fixtures.js';
import {
  createTestAudit,
  createTestCa,
  MemoryChallenges,
  MemoryIssuedCertificates,
} from '../../../tests/helpers/scep-harness.js';
import { certificateFromDer, issuerAndSerialNumber } from '../../pki/certificate-ref.js';
import { cipherByName, encryptContent } from '../../pki/ciphers.js';
import { contentInfo } from '../../pki/cms-signed.js';
import { buildEnvelopedData } from '../../pki/cms-enveloped.js';
import { algorithm, contextPrimitive, encode, int, octets, oid, seq, set } from '../../pki/der.js';
import { buildPkiMessage, parsePkiMessage, verifyPkiMessage } from './pki-message.js';
import { OID } from '../../pki/oids.js';
import { createScepService, SCEP_CAPABILITIES, type ScepService } from './scep.service.js';

const START = '2026-04-01T09:00:00.000Z';
const CA = createTestCa({ now: new Date(START), random: new SeededRandom(99) });
const CA_REF = certificateFromDer(Buffer.from(new X509Certificate(CA.certPem).raw), 'CA');
const DAY = 86_400_000;

const services: ScepService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});

function setup(
  o: { ca?: { certPem: string; keyPem: string }; now?: string; seed?: number; noChallengeEnrollment?: string } = {},
) {
  const clock = new FakeClock(o.now ?? START);
  const random = new SeededRandom(o.seed ?? 1);
  const ca = o.ca ?? CA;
  const challenges = new MemoryChallenges(clock, random, 15 * 60_000, o.noChallengeEnrollment ?? null);
  const certificates = new MemoryIssuedCertificates();
  const { audit } = createTestAudit(clock, random);
  const scep = createScepService({
    ca: () => ca,
    challenges,
    templates: challenges,
    certificates,
    audit,
    clock,
    random,
  });
  services.push(scep);
  return { clock, random, ca, challenges, certificates, audit, scep };
}

type Setup = ReturnType<typeof setup>;

function signer(t: Setup): ScepIdentity {
  return selfSignedIdentity(testKey('signer'), { now: t.clock.now(), random: t.random });
}

function pkcsReq(
  t: Setup,
  o: {
    challenge?: string | null;
    cipher?: 'aes-128-cbc' | 'aes-256-cbc' | 'des-ede3-cbc' | 'des-cbc';
    digest?: 'sha1' | 'sha256' | 'sha512';
    dnsNames?: string[];
    cn?: string;
  } = {},
): ScepRequest {
  const csr = createCsr({
    keyPem: testKey('device'),
    subject: [
      { shortName: 'O', value: 'Example' },
      { shortName: 'CN', value: o.cn ?? 'dev-1', tag: 'utf8' },
    ],
    challenge: o.challenge === undefined ? t.challenges.issue('enr-1') : o.challenge,
    ...(o.dnsNames ? { dnsNames: o.dnsNames } : {}),
  });
  return buildScepRequest({
    csr,
    signer: signer(t),
    caCertPem: t.ca.certPem,
    cipher: o.cipher ?? 'aes-128-cbc',
    digest: o.digest ?? 'sha256',
    random: t.random,
    now: t.clock.now(),
  });
}

// Checks a CertRep SUCCESS with OpenSSL alone: signature, envelope decryption with the signer key, the
// degenerate SignedData, and the issued certificate's chain and clientAuth purpose.
function opensslOpen(
  der: Buffer,
  identity: ScepIdentity,
  caPem: string,
): { verify: string; certPem: string; chain: string } {
  return withTempDir((dir) => {
    const f = writeFiles(dir, {
      'rep.der': der,
      'signer.pem': identity.certPem,
      'signer.key': identity.keyPem,
      'ca.pem': caPem,
    });
    const env = `${dir}/env.der`;
    const deg = `${dir}/deg.der`;
    const verify = openssl([
      'cms',
      '-verify',
      '-noverify',
      '-inform',
      'DER',
      '-in',
      f['rep.der'] as string,
      '-out',
      env,
      '-binary',
    ]).stderr;
    openssl([
      'cms',
      '-decrypt',
      '-inform',
      'DER',
      '-in',
      env,
      '-recip',
      f['signer.pem'] as string,
      '-inkey',
      f['signer.key'] as string,
      '-out',
      deg,
      '-binary',
    ]);
    const certPem = openssl(['pkcs7', '-inform', 'DER', '-in', deg, '-print_certs']).stdout.toString();
    const issued = writeFiles(dir, { 'issued.pem': certPem })['issued.pem'] as string;
    const chain = openssl([
      'verify',
      '-CAfile',
      f['ca.pem'] as string,
      '-purpose',
      'sslclient',
      issued,
    ]).stdout.toString();
    return { verify, certPem, chain };
  });
}

describe('SCEP service: capabilities and CA certificate', () => {
  it('advertises the apple-protocols §2.2 capabilities and serves the CA certificate in DER', async () => {
    const t = setup();
    expect(t.scep.caps()).toBe('POSTPKIOperation\nSHA-256\nAES\nSCEPStandard\nRenewal\nSHA-1\nDES3');
    expect(SCEP_CAPABILITIES).toHaveLength(7);
    expect(new X509Certificate(t.scep.caCertificate()).toString()).toBe(new X509Certificate(CA.certPem).toString());
  });
});

describe('SCEP service: the Apple-profile fixture', () => {
  it('refuses the fixture PKCSReq (3DES, SHA-1, no challenge) for its 1024-bit CSR key: CertRep FAILURE badRequest', async () => {
    // The fixture's device made a 1024-bit key (its profile asked for one); the CA issues for 2048 to 4096 bits only.
    const fixture = loadScepFixture();
    const t = setup({ ca: fixture.ca, now: FIXTURE_NOW, noChallengeEnrollment: 'enr-fixture' });
    const rep = await t.scep.pkiOperation(fixture.pkcsReq, { sourceAddress: '192.0.2.7' });
    const msg = parsePkiMessage(rep);
    expect(msg).toMatchObject({
      messageType: '3',
      pkiStatus: '2',
      failInfo: '2',
      transactionId: FIXTURE_TRANSACTION_ID,
      envelope: null,
    });
    expect(msg.failInfoText).toMatch(/RSA keys of 2048 to 4096 bits/);
    expect(msg.recipientNonce?.toString('hex')).toBe('ae7fe8816cc6bedd');
    const v = verifyPkiMessage(msg);
    expect(v.digest).toBe('sha1');
    expect(new X509Certificate(v.certificate.der).subject).toBe(new X509Certificate(fixture.ca.certPem).subject);
    expect(t.certificates.records).toEqual([]);
    expect(t.audit.list({ action: 'scep.refused' }).items[0]?.details).toMatchObject({
      reason: 'key_not_allowed',
      failInfo: 'badRequest',
      transactionId: FIXTURE_TRANSACTION_ID,
    });
  });
});

describe('SCEP service: PKCSReq', () => {
  it.each([
    ['sha256', 'aes-128-cbc', 'sha256', 'aes-128-cbc'],
    ['sha512', 'aes-256-cbc', 'sha512', 'aes-128-cbc'],
    ['sha1', 'des-ede3-cbc', 'sha1', 'des-ede3-cbc'],
    ['sha1', 'des-cbc', 'sha1', 'des-ede3-cbc'],
  ] as const)(
    'issues for a %s / %s request and answers in %s / %s, verifiable and decryptable by OpenSSL',
    async (digest, cipher, replyDigest, replyCipher) => {
      const t = setup();
      const req = pkcsReq(t, { digest, cipher });
      const rep = await t.scep.pkiOperation(req.der, { sourceAddress: '192.0.2.7' });
      const result = parseCertRep(rep, req);
      expect(result).toMatchObject({ status: 'SUCCESS', digest: replyDigest, cipher: replyCipher });
      const viaOpenssl = opensslOpen(rep, req.signer, CA.certPem);
      expect(viaOpenssl.verify).toContain('Verification successful');
      expect(viaOpenssl.chain).toContain(': OK');
      expect(new X509Certificate(viaOpenssl.certPem).fingerprint256).toBe(
        new X509Certificate(result.status === 'SUCCESS' ? result.certificatePem : '').fingerprint256,
      );
    },
  );

  it('issues a client identity certificate with the template subject and the CSR key (its subject and SANs ignored), recorded and audited', async () => {
    const t = setup();
    const req = pkcsReq(t, { dnsNames: ['dev-1.office.lan'], cn: '田中の iPad' });
    const result = parseCertRep(await t.scep.pkiOperation(req.der, { sourceAddress: '192.0.2.7' }), req);
    if (result.status !== 'SUCCESS') throw new Error(`expected SUCCESS, got ${result.status}`);
    const cert = new X509Certificate(result.certificatePem);
    expect(cert.subject).toBe('O=Tsunagu Tests\nCN=enr-1');
    expect(cert.subjectAltName).toBeUndefined();
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(cert.ca).toBe(false);
    expect(cert.publicKey.export({ format: 'jwk' }).n).toBe(
      createPublicKey(testKey('device')).export({ format: 'jwk' }).n,
    );
    expect(new Date(cert.validFrom).toISOString()).toBe('2026-04-01T08:50:00.000Z');
    expect(new Date(cert.validTo).toISOString()).toBe('2027-04-01T09:00:00.000Z');
    const text = withTempDir((dir) =>
      openssl([
        'x509',
        '-in',
        writeFiles(dir, { 'c.pem': result.certificatePem })['c.pem'] as string,
        '-noout',
        '-text',
      ]).stdout.toString(),
    );
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Client Authentication/);
    expect(text).toContain('X509v3 Subject Key Identifier');
    const caSki = withTempDir((dir) =>
      openssl([
        'x509',
        '-in',
        writeFiles(dir, { 'ca.pem': CA.certPem })['ca.pem'] as string,
        '-noout',
        '-ext',
        'subjectKeyIdentifier',
      ])
        .stdout.toString()
        .split('\n')[1]
        ?.trim(),
    );
    expect(text).toMatch(new RegExp(`X509v3 Authority Key Identifier:\\s+(keyid:)?${caSki}`));
    const deviceSki = createHash('sha1')
      .update(createPublicKey(testKey('device')).export({ type: 'pkcs1', format: 'der' }))
      .digest('hex')
      .toUpperCase()
      .replace(/(..)(?!$)/g, '$1:');
    expect(text).toMatch(new RegExp(`X509v3 Subject Key Identifier:\\s+${deviceSki}`));
    const serialHex = cert.serialNumber.toLowerCase();
    expect(t.certificates.records).toEqual([
      {
        serialHex,
        subject: 'CN=enr-1,O=Tsunagu Tests',
        notBefore: '2026-04-01T08:50:00.000Z',
        notAfter: '2027-04-01T09:00:00.000Z',
        enrollmentId: 'enr-1',
        certPem: cert.toString(),
        kind: 'PKCSReq',
        transactionId: req.transactionId,
        purpose: 'mdm',
      },
    ]);
    const [event] = t.audit.list({ action: 'scep.issued' }).items;
    expect(event).toMatchObject({
      actorType: 'device',
      actorId: 'enr-1',
      subjectType: 'certificate',
      subjectId: serialHex,
      sourceAddress: '192.0.2.7',
    });
    expect(event?.details).toMatchObject({
      transactionId: req.transactionId,
      enrollmentId: 'enr-1',
      kind: 'PKCSReq',
      digest: 'sha256',
      cipher: 'aes-128-cbc',
    });
    expect(t.challenges.calls).toEqual([
      expect.objectContaining({
        transactionId: req.transactionId,
        subject: 'CN=enr-1,O=Tsunagu Tests',
        result: { ok: true, enrollmentId: 'enr-1' },
      }),
    ]);
  });

  it('honours clientCertValidityDays', async () => {
    const clock = new FakeClock(START);
    const random = new SeededRandom(5);
    const challenges = new MemoryChallenges(clock, random);
    const scep = createScepService({
      ca: () => CA,
      challenges,
      templates: challenges,
      certificates: new MemoryIssuedCertificates(),
      audit: createTestAudit(clock, random).audit,
      clock,
      random,
      clientCertValidityDays: 730,
    });
    services.push(scep);
    const csr = createCsr({
      keyPem: testKey('device'),
      subject: [{ shortName: 'CN', value: 'x' }],
      challenge: challenges.issue(),
    });
    const req = buildScepRequest({
      csr,
      signer: selfSignedIdentity(testKey('signer'), { now: clock.now() }),
      caCertPem: CA.certPem,
      random,
      now: clock.now(),
    });
    const result = parseCertRep(await scep.pkiOperation(req.der, {}), req);
    expect(
      result.status === 'SUCCESS' && new Date(new X509Certificate(result.certificatePem).validTo).toISOString(),
    ).toBe('2028-03-31T09:00:00.000Z');
  });
});

describe('SCEP service: challenge refusals (CertRep FAILURE badRequest, HTTP 200)', () => {
  it.each([
    ['wrong', 'unknown', (t: Setup) => pkcsReq(t, { challenge: 'not-a-challenge' })],
    ['missing', 'missing', (t: Setup) => pkcsReq(t, { challenge: null })],
    [
      'expired',
      'expired',
      (t: Setup) => {
        const req = pkcsReq(t);
        t.clock.advance(15 * 60_000);
        return req;
      },
    ],
    [
      'reused',
      'used',
      async (t: Setup) => {
        const challenge = t.challenges.issue('enr-1');
        const first = pkcsReq(t, { challenge });
        expect(parseCertRep(await t.scep.pkiOperation(first.der, {}), first).status).toBe('SUCCESS');
        return pkcsReq(t, { challenge });
      },
    ],
  ])('refuses a %s challenge and audits scep.refused with the cause', async (_name, reason, makeRequest) => {
    const t = setup();
    const req = await makeRequest(t);
    const issuedBefore = t.certificates.records.length;
    const rep = await t.scep.pkiOperation(req.der, { sourceAddress: '192.0.2.9' });
    expect(parseCertRep(rep, req)).toEqual({
      status: 'FAILURE',
      failInfo: 'badRequest',
      failInfoText: expect.stringContaining('download a new enrollment profile'),
      digest: 'sha256',
    });
    expect(t.certificates.records).toHaveLength(issuedBefore);
    const [event] = t.audit.list({ action: 'scep.refused' }).items;
    expect(event).toMatchObject({
      actorType: 'device',
      subjectType: 'scep-transaction',
      subjectId: req.transactionId,
      sourceAddress: '192.0.2.9',
    });
    expect(event?.details).toEqual({
      reason: `challenge_${reason}`,
      failInfo: 'badRequest',
      messageType: '19',
      transactionId: req.transactionId,
    });
    // The FAILURE carries no content and OpenSSL verifies it over empty content.
    const msg = parsePkiMessage(rep);
    expect(msg.envelope).toBeNull();
    const stderr = withTempDir(
      (dir) =>
        openssl([
          'cms',
          '-verify',
          '-noverify',
          '-inform',
          'DER',
          '-in',
          writeFiles(dir, { 'rep.der': rep })['rep.der'] as string,
          '-content',
          '/dev/null',
        ]).stderr,
    );
    expect(stderr).toContain('Verification successful');
  });
});

describe('SCEP service: a PKCSReq sent again after a lost reply', () => {
  it('answers the same transaction with the certificate already issued, once recorded, and audits scep.resent', async () => {
    const t = setup();
    const req = pkcsReq(t);
    const first = parseCertRep(await t.scep.pkiOperation(req.der, {}), req);
    const again = parseCertRep(await t.scep.pkiOperation(req.der, { sourceAddress: '192.0.2.9' }), req);
    if (first.status !== 'SUCCESS' || again.status !== 'SUCCESS') throw new Error('expected two SUCCESS replies');
    expect(again.certificatePem).toBe(first.certificatePem);
    expect(t.certificates.records).toHaveLength(1);
    expect(t.audit.list({ action: 'scep.resent' }).items[0]).toMatchObject({
      actorId: 'enr-1',
      subjectId: t.certificates.records[0]?.serialHex,
      sourceAddress: '192.0.2.9',
    });
  });

  it('refuses the same transaction with another key, or once its certificate is revoked', async () => {
    const t = setup();
    const challenge = t.challenges.issue('enr-1');
    const req = pkcsReq(t, { challenge });
    expect(parseCertRep(await t.scep.pkiOperation(req.der, {}), req).status).toBe('SUCCESS');
    // Same transactionID and challenge, another device key: a spent challenge, not a resend.
    const csr = createCsr({ keyPem: testKey('signer'), subject: [{ shortName: 'CN', value: 'dev-1' }], challenge });
    const other = buildScepRequest({
      csr,
      signer: signer(t),
      caCertPem: t.ca.certPem,
      transactionId: req.transactionId,
      random: t.random,
      now: t.clock.now(),
    });
    expect(parseCertRep(await t.scep.pkiOperation(other.der, {}), other)).toMatchObject({
      status: 'FAILURE',
      failInfo: 'badRequest',
    });
    t.certificates.revoke(t.certificates.records[0]?.serialHex as string);
    expect(parseCertRep(await t.scep.pkiOperation(req.der, {}), req)).toMatchObject({
      status: 'FAILURE',
      failInfo: 'badRequest',
    });
    expect(t.certificates.records).toHaveLength(1);
    expect(t.audit.list({ action: 'scep.resent' }).items).toHaveLength(0);
  });
});

// Builds a PKCSReq whose envelope carries a chosen RSA key-transport block, so padding can be broken on purpose.
function requestWithKeyBlock(t: Setup, encryptedKey: Buffer, contentKey: Buffer, content: Buffer): Buffer {
  const cipher = cipherByName('aes-128-cbc');
  const iv = Buffer.alloc(16, 9);
  const ktri = seq(int(0), issuerAndSerialNumber(CA_REF), algorithm(OID.rsaEncryption), octets(encryptedKey));
  const eci = seq(
    oid(OID.data),
    algorithm(cipher.oid, octets(iv)),
    contextPrimitive(0, encryptContent(cipher, contentKey, iv, content)),
  );
  const envelope = encode(contentInfo(OID.envelopedData, seq(int(0), set(ktri), eci)));
  const id = selfSignedIdentity(testKey('signer'), { now: new Date(START), random: new SeededRandom(42) });
  const ref = certificateFromDer(Buffer.from(new X509Certificate(id.certPem).raw), 'signer');
  return buildPkiMessage(
    {
      messageType: '19',
      transactionId: 'IR-TEST',
      senderNonce: Buffer.alloc(16, 3),
      envelope,
      certificates: [ref.node],
      signingTime: new Date(START),
    },
    { cert: ref, key: createPrivateKey(id.keyPem), digest: 'sha256' },
  );
}

describe('SCEP service: implicit rejection (RFC 8017 §7.2.2, stack.md Addendum)', () => {
  const caPub = createPublicKey(CA.certPem);
  const k = 256;
  const cek = Buffer.alloc(16, 0x42);
  const t0 = setup();
  const csr = createCsr({
    keyPem: testKey('device'),
    subject: [{ shortName: 'CN', value: 'dev-1' }],
    challenge: t0.challenges.issue(),
  });
  const badPadding = Buffer.concat([Buffer.from([0x00, 0x01]), Buffer.alloc(k - 19, 0x77), Buffer.from([0x00]), cek]);

  const cases = {
    'broken PKCS#1 padding': requestWithKeyBlock(
      t0,
      publicEncrypt({ key: caPub, padding: constants.RSA_NO_PADDING }, badPadding),
      cek,
      csr,
    ),
    'valid padding around a wrong key': requestWithKeyBlock(
      t0,
      publicEncrypt({ key: caPub, padding: constants.RSA_PKCS1_PADDING }, Buffer.alloc(16, 0x24)),
      cek,
      csr,
    ),
    'valid padding around a key of the wrong length': requestWithKeyBlock(
      t0,
      publicEncrypt({ key: caPub, padding: constants.RSA_PKCS1_PADDING }, Buffer.alloc(24, 0x42)),
      cek,
      csr,
    ),
    'the right key but corrupted content': requestWithKeyBlock(
      t0,
      publicEncrypt({ key: caPub, padding: constants.RSA_PKCS1_PADDING }, cek),
      cek,
      Buffer.from(csr).fill(0x11, 100, 140),
    ),
    'a ciphertext not below the modulus': requestWithKeyBlock(t0, Buffer.alloc(k, 0xff), cek, csr),
  };

  it('answers every undecryptable envelope with byte-identical CertRep FAILUREs and one audit reason, without throwing', async () => {
    const replies: Buffer[] = [];
    for (const [name, der] of Object.entries(cases)) {
      const t = setup({ seed: 77 });
      const rep = await t.scep.pkiOperation(der, { sourceAddress: '192.0.2.1' });
      const [event] = t.audit.list({ action: 'scep.refused' }).items;
      expect(event?.details, name).toEqual({
        reason: 'undecryptable',
        failInfo: 'badMessageCheck',
        messageType: '19',
        transactionId: 'IR-TEST',
      });
      replies.push(rep);
    }
    const msg = parsePkiMessage(replies[0] as Buffer);
    expect(msg).toMatchObject({ pkiStatus: '2', failInfo: '1', envelope: null, transactionId: 'IR-TEST' });
    for (const rep of replies) expect(rep.equals(replies[0] as Buffer)).toBe(true);
  });

  it('still issues for the same construction with a correct key block (the harness itself is sound)', async () => {
    const t = setup({ seed: 77 });
    const challenge = t.challenges.issue();
    const good = createCsr({ keyPem: testKey('device'), subject: [{ shortName: 'CN', value: 'dev-1' }], challenge });
    const rep = await t.scep.pkiOperation(
      requestWithKeyBlock(t, publicEncrypt({ key: caPub, padding: constants.RSA_PKCS1_PADDING }, cek), cek, good),
      {},
    );
    expect(parsePkiMessage(rep).pkiStatus).toBe('0');
  });
});

describe('SCEP service: other refusals', () => {
  it('answers a bad signature with FAILURE badMessageCheck', async () => {
    const t = setup();
    const req = pkcsReq(t);
    const der = Buffer.from(req.der);
    const sigAt = der.length - 40;
    der[sigAt] = (der[sigAt] ?? 0) ^ 0xff;
    expect(parseCertRep(await t.scep.pkiOperation(der, {}), req)).toMatchObject({
      status: 'FAILURE',
      failInfo: 'badMessageCheck',
    });
    expect(t.audit.list({ action: 'scep.refused' }).items[0]?.details.reason).toBe('bad_signature');
    expect(t.challenges.calls).toEqual([]);
  });

  it('answers an unsupported digest with FAILURE badAlg in SHA-256', async () => {
    const t = setup();
    const req = pkcsReq(t);
    // sha256 (…04 02 01) becomes sha224 (…04 02 04) in digestAlgorithms and the SignerInfo.
    const sha256 = Buffer.from('0609608648016503040201', 'hex');
    const der = Buffer.from(
      req.der.toString('hex').split(sha256.toString('hex')).join('0609608648016503040204'),
      'hex',
    );
    expect(parseCertRep(await t.scep.pkiOperation(der, {}), req)).toMatchObject({
      status: 'FAILURE',
      failInfo: 'badAlg',
      digest: 'sha256',
    });
  });

  it('answers an unsupported content cipher with FAILURE badAlg', async () => {
    const t = setup();
    const id = signer(t);
    const ref = certificateFromDer(Buffer.from(new X509Certificate(id.certPem).raw), 'signer');
    const csr = createCsr({
      keyPem: testKey('device'),
      subject: [{ shortName: 'CN', value: 'x' }],
      challenge: t.challenges.issue(),
    });
    const aes128 = cipherByName('aes-128-cbc').oid;
    const envelope = buildEnvelopedData(
      csr,
      CA_REF,
      createPublicKey(CA.certPem),
      cipherByName('aes-128-cbc'),
      t.random,
    );
    // aes-128-cbc 2.16.840.1.101.3.4.1.2 -> aes-128-ofb 2.16.840.1.101.3.4.1.3
    const patched = Buffer.from(
      envelope
        .toString('hex')
        .replace(encode(oid(aes128)).toString('hex'), encode(oid('2.16.840.1.101.3.4.1.3')).toString('hex')),
      'hex',
    );
    const req = {
      der: buildPkiMessage(
        {
          messageType: '19',
          transactionId: 'T-ALG',
          senderNonce: Buffer.alloc(16, 1),
          envelope: patched,
          certificates: [ref.node],
          signingTime: t.clock.now(),
        },
        { cert: ref, key: createPrivateKey(id.keyPem), digest: 'sha256' },
      ),
      transactionId: 'T-ALG',
      senderNonce: Buffer.alloc(16, 1),
      signer: id,
      caCertPem: CA.certPem,
    };
    expect(parseCertRep(await t.scep.pkiOperation(req.der, {}), req)).toMatchObject({
      status: 'FAILURE',
      failInfo: 'badAlg',
    });
  });

  it.each([
    ['CertPoll', '20'],
    ['GetCert', '21'],
    ['GetCRL', '22'],
    ['UpdateReq', '18'],
  ])('answers %s with FAILURE badRequest', async (_name, type) => {
    const t = setup();
    const id = signer(t);
    const ref = certificateFromDer(Buffer.from(new X509Certificate(id.certPem).raw), 'signer');
    const nonce = Buffer.alloc(16, 5);
    const der = buildPkiMessage(
      {
        messageType: type,
        transactionId: 'T-TYPE',
        senderNonce: nonce,
        envelope: Buffer.from([1]),
        certificates: [ref.node],
        signingTime: t.clock.now(),
      },
      { cert: ref, key: createPrivateKey(id.keyPem), digest: 'sha256' },
    );
    expect(
      parseCertRep(await t.scep.pkiOperation(der, {}), {
        der,
        transactionId: 'T-TYPE',
        senderNonce: nonce,
        signer: id,
        caCertPem: CA.certPem,
      }),
    ).toMatchObject({ status: 'FAILURE', failInfo: 'badRequest' });
    expect(t.audit.list({ action: 'scep.refused' }).items[0]?.details.reason).toBe('unsupported_message_type');
  });

  it('answers an envelope for another CA with FAILURE badMessageCheck', async () => {
    const t = setup();
    const other = createTestCa({ random: new SeededRandom(8), cn: 'Someone Else' });
    const csr = createCsr({
      keyPem: testKey('device'),
      subject: [{ shortName: 'CN', value: 'x' }],
      challenge: t.challenges.issue(),
    });
    const req = buildScepRequest({ csr, signer: signer(t), caCertPem: other.certPem, random: t.random });
    const result = parseCertRep(await t.scep.pkiOperation(req.der, {}), { ...req, caCertPem: CA.certPem });
    expect(result).toMatchObject({ status: 'FAILURE', failInfo: 'badMessageCheck' });
  });

  it.each([
    ['random bytes', new SeededRandom(1).bytes(3000)],
    ['a truncated message', loadScepFixture().pkcsReq.subarray(0, 1500)],
    ['an empty body', Buffer.alloc(0)],
    ['a huge body', Buffer.alloc(100_000, 0x30)],
  ])('throws AppError VALIDATION_FAILED (HTTP 400) for %s, and audits nothing', async (_name, der) => {
    const t = setup();
    let thrown: unknown;
    try {
      await t.scep.pkiOperation(der, {});
    } catch (err) {
      thrown = err;
    }
    expect(isAppError(thrown, 'VALIDATION_FAILED')).toBe(true);
    expect((thrown as { status: number }).status).toBe(400);
    expect(t.audit.list({}).items).toEqual([]);
  });

  it('answers every single-byte corruption of a request with a CertRep or an HTTP 400, never another error', async () => {
    const t = setup();
    const req = pkcsReq(t);
    for (let i = 0; i < req.der.length; i += 3) {
      const der = Buffer.from(req.der);
      der[i] = (der[i] ?? 0) ^ 0x20;
      try {
        const rep = await t.scep.pkiOperation(der, {});
        expect(parsePkiMessage(rep).messageType).toBe('3');
      } catch (err) {
        if (!isAppError(err, 'VALIDATION_FAILED')) throw err;
      }
    }
  });
});

describe('SCEP service: RenewalReq', () => {
  async function enroll(t: Setup): Promise<ScepIdentity> {
    const req = pkcsReq(t);
    const result = parseCertRep(await t.scep.pkiOperation(req.der, {}), req);
    if (result.status !== 'SUCCESS') throw new Error('enrollment failed');
    return { certPem: result.certificatePem, keyPem: testKey('device') };
  }

  function renewal(t: Setup, identity: ScepIdentity): ScepRequest {
    const csr = createCsr({ keyPem: testKey('device'), subject: [{ shortName: 'CN', value: 'dev-1' }] });
    return buildScepRequest({
      messageType: 'RenewalReq',
      csr,
      signer: identity,
      caCertPem: CA.certPem,
      random: t.random,
      now: t.clock.now(),
    });
  }

  it('renews an identity we issued for the same enrollment, without a challenge', async () => {
    const t = setup();
    const identity = await enroll(t);
    t.clock.advance(300 * DAY);
    const req = renewal(t, identity);
    const result = parseCertRep(await t.scep.pkiOperation(req.der, {}), req);
    expect(result.status).toBe('SUCCESS');
    expect(t.certificates.records.map((r) => [r.kind, r.enrollmentId])).toEqual([
      ['PKCSReq', 'enr-1'],
      ['RenewalReq', 'enr-1'],
    ]);
    expect(t.challenges.calls).toHaveLength(1);
    expect(t.audit.list({ action: 'scep.issued' }).items[0]?.details).toMatchObject({
      kind: 'RenewalReq',
      enrollmentId: 'enr-1',
    });
  });

  it.each([
    [
      'revoked',
      'badRequest',
      'renewal_revoked',
      (t: Setup, id: ScepIdentity) => {
        t.certificates.revoke(new X509Certificate(id.certPem).serialNumber.toLowerCase());
        return id;
      },
    ],
    [
      'expired',
      'badRequest',
      'renewal_expired',
      (t: Setup, id: ScepIdentity) => {
        t.clock.advance(366 * DAY);
        return id;
      },
    ],
    ['self-signed', 'badCertId', 'renewal_not_issued_by_ca', (t: Setup) => signer(t)],
    [
      'issued by another CA',
      'badCertId',
      'renewal_not_issued_by_ca',
      (t: Setup) => {
        const other = createTestCa({ random: new SeededRandom(8), cn: CA_SUBJECT_CN });
        return issuedBy(other, t);
      },
    ],
    ['signed by our CA but never recorded', 'badCertId', 'renewal_unknown_certificate', (t: Setup) => issuedBy(CA, t)],
  ])('refuses renewal with a %s certificate', async (_name, failInfo, reason, makeSigner) => {
    const t = setup();
    const identity = makeSigner(t, await enroll(t));
    const req = renewal(t, identity);
    expect(parseCertRep(await t.scep.pkiOperation(req.der, {}), req)).toMatchObject({ status: 'FAILURE', failInfo });
    expect(t.audit.list({ action: 'scep.refused' }).items[0]?.details).toMatchObject({ reason, messageType: '17' });
  });
});

const CA_SUBJECT_CN = 'Tsunagu Test SCEP CA';

function issuedBy(ca: { certPem: string; keyPem: string }, t: Setup): ScepIdentity {
  const keyPem = testKey('device');
  const certPem = issueCertificate({
    subject: [{ shortName: 'CN', value: 'dev-1' }],
    issuerCertPem: ca.certPem,
    publicKeyPem: createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString(),
    signingKeyPem: ca.keyPem,
    serialHex: randomSerialHex(t.random.bytes(16)),
    notBefore: new Date(t.clock.now().getTime() - 60_000),
    notAfter: new Date(t.clock.now().getTime() + DAY),
    extensions: [{ name: 'extKeyUsage', clientAuth: true }, { name: 'authorityKeyIdentifier' }],
  });
  return { certPem, keyPem };
}
