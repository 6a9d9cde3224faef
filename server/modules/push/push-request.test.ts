import { createPublicKey, sign } from 'node:crypto';
import forge from 'node-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  csrDer,
  encryptForMail,
  standInVendor,
  vendorSignedRequest,
  type StandInVendor,
} from '../../../tests/helpers/push-vendor.js';
import { generateRsaKeyPair, issueCertificate } from '../../pki/x509.js';
import { buildPushCsr } from './push-certificate.js';
import { checkSignedRequest, decodeEncryptedFile, openEncryptedAnswer, PUSH_REQUEST_LIMITS } from './push-request.js';

const DAY = 86_400_000;
let vendor: StandInVendor;
let push: { publicKeyPem: string; privateKeyPem: string };
let csrPem: string;
let exchange: { certPem: string; keyPem: string };

beforeAll(() => {
  vendor = standInVendor();
  push = generateRsaKeyPair(2048);
  csrPem = buildPushCsr(push.privateKeyPem, push.publicKeyPem, 'Test Office');
  const keys = generateRsaKeyPair(2048);
  exchange = {
    keyPem: keys.privateKeyPem,
    certPem: issueCertificate({
      subject: [{ shortName: 'CN', value: 'exchange' }],
      publicKeyPem: keys.publicKeyPem,
      signingKeyPem: keys.privateKeyPem,
      serialHex: '0badcafe',
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + DAY),
      extensions: [],
    }),
  };
});

describe('the vendor-signed push request', () => {
  const key = () => createPublicKey(push.publicKeyPem);

  it('takes the base64 and the XML form, with a SHA-256 or a SHA-1 vendor signature', () => {
    const sha1 = vendorSignedRequest(csrPem, vendor, { signature: sign('sha1', csrDer(csrPem), vendor.keyPem) });
    for (const file of [
      vendorSignedRequest(csrPem, vendor),
      vendorSignedRequest(csrPem, vendor, { xml: true }),
      sha1,
    ]) {
      const checked = checkSignedRequest(Buffer.from(file), key(), new Date());
      expect(checked.vendorSubject).toContain('MDM Vendor: Test Stand-in Signer');
      expect(Buffer.from(checked.forApple, 'base64').toString()).toContain('<key>PushCertRequestCSR</key>');
    }
  });

  it('refuses a request whose vendor certificate has expired, naming the date', () => {
    const file = Buffer.from(vendorSignedRequest(csrPem, vendor));
    expect(() => checkSignedRequest(file, key(), new Date(Date.now() + 400 * DAY))).toThrow(/not valid now/);
  });

  it('refuses plists without the three keys, and oversized input, before any crypto', () => {
    const empty =
      '<?xml version="1.0"?><plist version="1.0"><dict><key>PushCertRequestCSR</key><string>AA==</string></dict></plist>';
    expect(() => checkSignedRequest(Buffer.from(empty), key(), new Date())).toThrow(
      /not a valid certificate request|no PushCert/,
    );
    expect(() =>
      checkSignedRequest(Buffer.alloc(PUSH_REQUEST_LIMITS.signedRequestBytes + 1, 0x41), key(), new Date()),
    ).toThrow(/larger than/);
  });
});

describe('the encrypted file the service mails', () => {
  it('opens hex text with whitespace, and the raw DER', () => {
    const hex = encryptForMail(Buffer.from('signed request'), exchange.certPem);
    const wrapped = `${hex.replace(/.{76}/g, '$&\n')}\n`;
    for (const file of [Buffer.from(wrapped), Buffer.from(hex, 'hex')]) {
      const der = decodeEncryptedFile(file);
      expect(openEncryptedAnswer(der, exchange.certPem, exchange.keyPem).toString()).toBe('signed request');
    }
  });

  it('opens an envelope in BER (indefinite lengths, as streaming encoders write) through node-forge', () => {
    const p7 = forge.pkcs7.createEnvelopedData();
    p7.addRecipient(forge.pki.certificateFromPem(exchange.certPem));
    p7.content = forge.util.createBuffer('signed request');
    p7.encrypt();
    const der = Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
    // Re-encode the outer SEQUENCE with an indefinite length: valid BER, not DER.
    const ber = Buffer.concat([Buffer.from([0x30, 0x80]), der.subarray(headerLength(der)), Buffer.from([0, 0])]);
    expect(openEncryptedAnswer(ber, exchange.certPem, exchange.keyPem).toString()).toBe('signed request');
  });
});

function headerLength(der: Buffer): number {
  const first = der[1] ?? 0;
  return first < 0x80 ? 2 : 2 + (first & 0x7f);
}
