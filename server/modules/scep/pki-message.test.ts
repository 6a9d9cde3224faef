import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/random.js';
import { buildScepRequest, createCsr, selfSignedIdentity } from '../../../tests/helpers/scep-client.js';
import { createTestCa } from '../../../tests/helpers/scep-harness.js';
import { FIXTURE_TRANSACTION_ID, loadScepFixture, testKey } from '../../../tests/helpers/scep-fixtures.js';
import { certificateFromDer } from '../../pki/certificate-ref.js';
import { buildSignedData, attribute } from '../../pki/cms-signed.js';
import { openEnvelope, parseEnvelopedData } from '../../pki/cms-enveloped.js';
import { parseCsr } from '../../pki/csr.js';
import { octets, oid, parseDer } from '../../pki/der.js';
import { buildPkiMessage, parsePkiMessage, verifyPkiMessage } from './pki-message.js';
import { rsaDecryptionKey } from '../../pki/rsa-key-transport.js';
import { isPkiError } from '../../pki/errors.js';

const fixture = loadScepFixture();
const fixtureCa = certificateFromDer(Buffer.from(new X509Certificate(fixture.ca.certPem).raw), 'CA');
const fixtureKey = rsaDecryptionKey(createPrivateKey(fixture.ca.keyPem));

describe('the Apple-profile fixture PKCSReq (micromdm/scep testdata)', () => {
  const msg = parsePkiMessage(fixture.pkcsReq);

  it('parses the SCEP attributes, including an 8-byte senderNonce', () => {
    expect(msg.messageType).toBe('19');
    expect(msg.transactionId).toBe(FIXTURE_TRANSACTION_ID);
    expect(msg.senderNonce?.toString('hex')).toBe('ae7fe8816cc6bedd');
    expect(msg.signingTime?.toISOString()).toBe('2016-05-31T11:30:13.000Z');
    expect(msg.recipientNonce).toBeNull();
    expect(msg.envelope?.length).toBe(1093);
  });

  it('verifies the SHA-1 signature of the self-signed MDM SCEP SIGNER', () => {
    const v = verifyPkiMessage(msg);
    expect(v.digest).toBe('sha1');
    expect(new X509Certificate(v.certificate.der).subject).toBe('CN=MDM SCEP SIGNER\nC=US');
  });

  it('opens the DES-EDE3 envelope with the fixture CA and finds a 1024-bit CSR key, below the issuance bound', () => {
    const { content, cipher } = openEnvelope(parseEnvelopedData(msg.envelope as Buffer), {
      id: fixtureCa.id,
      key: fixtureKey,
    });
    expect(cipher.name).toBe('des-ede3-cbc');
    // The fixture's profile asked for a 1024-bit key; the CA issues for RSA 2048 to 4096 bits only.
    expect(() => parseCsr(content)).toThrow(
      expect.objectContaining({ code: 'PKI_KEY_NOT_ALLOWED', message: expect.stringMatching(/RSA 1024 bits/) }),
    );
  });

  it.each([
    ['the signature', 2300],
    ['the transactionID attribute', 2150],
    ['the encapsulated envelope', 700],
  ])('refuses a message with one byte of %s changed', (_name, offset) => {
    const der = Buffer.from(fixture.pkcsReq);
    der.writeUInt8((der[offset] ?? 0) ^ 0x04, offset);
    expect(() => verifyPkiMessage(parsePkiMessage(der))).toThrow(
      expect.objectContaining({ code: 'PKI_BAD_SIGNATURE' }),
    );
  });
});

describe('pkiMessage robustness', () => {
  function expectTyped(der: Buffer): void {
    try {
      verifyPkiMessage(parsePkiMessage(der));
    } catch (err) {
      if (!isPkiError(err)) throw err;
    }
  }

  it('gives a typed error for every truncation of the fixture', () => {
    for (let n = 0; n < fixture.pkcsReq.length; n++) {
      expect(() => parsePkiMessage(fixture.pkcsReq.subarray(0, n)), `length ${n}`).toThrow(
        expect.objectContaining({ name: 'PkiError' }),
      );
    }
  });

  it('never throws anything but a PkiError for random bytes and single-byte corruptions', () => {
    const random = new SeededRandom(7);
    for (let i = 0; i < 500; i++) expectTyped(random.bytes(random.int(1, 4000)));
    for (let i = 0; i < fixture.pkcsReq.length; i++) {
      const der = Buffer.from(fixture.pkcsReq);
      der[i] = (der[i] ?? 0) ^ (1 << random.int(0, 8));
      expectTyped(der);
    }
  });

  it.each([
    ['larger than 64 KiB', Buffer.alloc(70_000, 0x30), 'PKI_TOO_LARGE'],
    [
      'nested 30 000 levels deep',
      Buffer.concat([Buffer.alloc(60_000, 0x30).map((b, i) => (i % 2 ? 0x80 : b))]),
      'PKI_MALFORMED',
    ],
    ['an indefinite-length primitive', Buffer.from('0480', 'hex'), 'PKI_MALFORMED'],
    ['a length longer than the data', Buffer.from('3084ffffffff00', 'hex'), 'PKI_MALFORMED'],
    ['trailing bytes after the message', Buffer.concat([fixture.pkcsReq, Buffer.from([0])]), 'PKI_MALFORMED'],
    [
      'a certificate instead of a pkiMessage',
      Buffer.from(new X509Certificate(fixture.ca.certPem).raw),
      'PKI_MALFORMED',
    ],
  ])('refuses input %s with a typed error', (_name, der, code) => {
    expect(() => parsePkiMessage(der)).toThrow(expect.objectContaining({ code }));
  });

  it('bounds the number of certificates and signed attributes', () => {
    const random = new SeededRandom(3);
    const ca = createTestCa({ random });
    const ref = certificateFromDer(Buffer.from(new X509Certificate(ca.certPem).raw), 'CA');
    const signer = { cert: ref, key: createPrivateKey(ca.keyPem), digest: 'sha256' as const };
    const base = {
      messageType: '19',
      transactionId: 'T',
      senderNonce: Buffer.alloc(16, 1),
      envelope: Buffer.from('x'),
      signingTime: new Date(),
    };
    expect(() =>
      parsePkiMessage(buildPkiMessage({ ...base, certificates: Array.from({ length: 9 }, () => ref.node) }, signer)),
    ).toThrow(expect.objectContaining({ code: 'PKI_TOO_LARGE' }));
    const many = Array.from({ length: 40 }, (_, i) => attribute(`1.2.3.${i}`, octets(Buffer.from([i]))));
    const der = buildSignedData({
      eContent: Buffer.from('x'),
      certificates: [ref.node],
      signerCert: ref,
      signerKey: signer.key,
      digest: 'sha256',
      attributes: many,
      signingTime: new Date(),
    });
    expect(() => parsePkiMessage(der)).toThrow(expect.objectContaining({ code: 'PKI_TOO_LARGE' }));
  });

  it('refuses requests without a transactionID or senderNonce, and repeated attributes', () => {
    const random = new SeededRandom(4);
    const ca = createTestCa({ random });
    const ref = certificateFromDer(Buffer.from(new X509Certificate(ca.certPem).raw), 'CA');
    const sign = (attributes: ReturnType<typeof attribute>[]) =>
      buildSignedData({
        eContent: Buffer.from('x'),
        certificates: [ref.node],
        signerCert: ref,
        signerKey: createPrivateKey(ca.keyPem),
        digest: 'sha256',
        attributes,
        signingTime: new Date(),
      });
    const type = attribute('2.16.840.1.113733.1.9.2', parseDer(Buffer.from('13023139', 'hex'), 't'));
    const tid = attribute('2.16.840.1.113733.1.9.7', parseDer(Buffer.from('130154', 'hex'), 't'));
    const nonce = attribute('2.16.840.1.113733.1.9.5', octets(Buffer.alloc(16)));
    expect(() => parsePkiMessage(sign([type, nonce]))).toThrow(
      expect.objectContaining({ code: 'PKI_MALFORMED', message: expect.stringContaining('transactionID') }),
    );
    expect(() => parsePkiMessage(sign([type, tid]))).toThrow(
      expect.objectContaining({ code: 'PKI_MALFORMED', message: expect.stringContaining('senderNonce') }),
    );
    expect(() => parsePkiMessage(sign([type, tid, nonce, attribute('2.16.840.1.113733.1.9.7', oid('1.2.3'))]))).toThrow(
      expect.objectContaining({ code: 'PKI_MALFORMED' }),
    );
  });
});

describe('requests built like an Apple device builds them', () => {
  const random = new SeededRandom(11);
  const ca = createTestCa({ random });
  const caRef = certificateFromDer(Buffer.from(new X509Certificate(ca.certPem).raw), 'CA');
  const deviceKey = testKey('device');
  const signer = selfSignedIdentity(testKey('signer'), { random });
  const csr = createCsr({ keyPem: deviceKey, subject: [{ shortName: 'CN', value: 'dev-1' }], challenge: 'c1' });

  it.each([
    ['sha256', 'aes-128-cbc'],
    ['sha512', 'aes-256-cbc'],
    ['sha1', 'des-ede3-cbc'],
    ['sha1', 'des-cbc'],
    ['sha256', 'aes-192-cbc'],
  ] as const)('round-trips %s with %s', (digest, cipher) => {
    const req = buildScepRequest({ csr, signer, caCertPem: ca.certPem, digest, cipher, random });
    const msg = parsePkiMessage(req.der);
    expect(msg).toMatchObject({ messageType: '19', transactionId: req.transactionId, senderNonce: req.senderNonce });
    expect(verifyPkiMessage(msg).digest).toBe(digest);
    const opened = openEnvelope(parseEnvelopedData(msg.envelope as Buffer), {
      id: caRef.id,
      key: rsaDecryptionKey(createPrivateKey(ca.keyPem)),
    });
    expect(opened.cipher.name).toBe(cipher);
    expect(opened.content).toEqual(csr);
  });
});
