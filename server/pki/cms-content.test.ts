import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signCms } from './cms.js';
import { signedDataContent } from './cms-content.js';
import { isPkiError } from './errors.js';
import { generateRsaKeyPair, issueCertificate } from './x509.js';

const keys = generateRsaKeyPair(2048);
const certPem = issueCertificate({
  subject: [{ shortName: 'CN', value: 'signer' }],
  publicKeyPem: keys.publicKeyPem,
  signingKeyPem: keys.privateKeyPem,
  serialHex: '0a1b2c',
  notBefore: new Date(Date.now() - 60_000),
  notAfter: new Date(Date.now() + 86_400_000),
  extensions: [{ name: 'keyUsage', digitalSignature: true }],
});
const content = Buffer.from('<plist><string>hello</string></plist>');
const signed = signCms(content, { certPem, keyPem: keys.privateKeyPem });

/** Hand-made BER: ContentInfo(SignedData) with indefinite lengths and the content in two OCTET STRING segments. */
function berSigned(parts: Buffer[]): Buffer {
  const h = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
  const octet = (b: Buffer) => Buffer.concat([Buffer.from([0x04, b.length]), b]);
  return Buffer.concat([
    h('3080 06092a864886f70d010702 a080 3080 020101 3100 3080 06092a864886f70d010701 a080 2480'),
    ...parts.map(octet),
    h('0000 0000 0000 3100 0000 0000 0000'),
  ]);
}

describe('the content of a signed profile, read without trusting the signature', () => {
  it('reads DER SignedData as our CMS code writes it', () => {
    expect(signedDataContent(signed, 1 << 20).equals(content)).toBe(true);
  });

  it('reads BER with indefinite lengths and a chunked OCTET STRING', () => {
    const ber = berSigned([Buffer.from('<plist><string>he'), Buffer.from('llo</string></plist>')]);
    expect(signedDataContent(ber, 1 << 20).toString()).toBe('<plist><string>hello</string></plist>');
  });

  it.each<[string, Buffer, string]>([
    ['bytes after the end', Buffer.concat([signed, Buffer.from([0])]), 'PKI_MALFORMED'],
    ['a truncated structure', signed.subarray(0, signed.length - 10), 'PKI_MALFORMED'],
    ['a length of 2^32', Buffer.from('3084ffffffff00', 'hex'), 'PKI_MALFORMED'],
    ['an indefinite primitive', Buffer.from('0480000000', 'hex'), 'PKI_MALFORMED'],
    [
      'deep indefinite nesting',
      Buffer.concat([Buffer.alloc(200, 0x30).map((_, i) => (i % 2 ? 0x80 : 0x30))]),
      'PKI_MALFORMED',
    ],
    ['not SignedData', Buffer.from('300d06092a864886f70d010701a000', 'hex'), 'PKI_MALFORMED'],
    ['an input over the limit', signed, 'PKI_TOO_LARGE'],
  ])('refuses %s', (_name, input, code) => {
    const limit = code === 'PKI_TOO_LARGE' ? 100 : 1 << 20;
    let caught: unknown;
    try {
      signedDataContent(input, limit);
    } catch (err) {
      caught = err;
    }
    expect(isPkiError(caught, code as 'PKI_MALFORMED')).toBe(true);
  });

  it('throws only PkiErrors on any truncation or random corruption', () => {
    const ber = berSigned([Buffer.from('<plist>'), Buffer.from('</plist>')]);
    for (const sample of [signed, ber]) {
      for (let n = 0; n < sample.length; n += 7) {
        const cut = sample.subarray(0, n);
        const flipped = Buffer.from(sample);
        flipped[n] = randomBytes(1)[0] as number;
        for (const b of [cut, flipped]) {
          try {
            signedDataContent(b, 1 << 20);
          } catch (err) {
            expect(isPkiError(err)).toBe(true);
          }
        }
      }
    }
  });
});
