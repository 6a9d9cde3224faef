import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCsr } from '../../tests/helpers/scep-client.js';
import { openssl, testKey, withTempDir, writeFiles } from '../../tests/helpers/scep-fixtures.js';
import { parseCsr, subjectToString } from './csr.js';
import { Tag } from './der.js';

const keyPem = testKey('device');

describe('PKCS#10 CSR parsing (RFC 2986; apple-protocols §2.5 tolerance)', () => {
  it.each([
    [
      'version 0, PrintableString, SHA-256',
      { version: 0, digest: 'sha256' as const, tag: 'printable' as const },
      0,
      Tag.PRINTABLE,
      'sha256',
    ],
    [
      'version 2 (as in the Apple fixture)',
      { version: 2, digest: 'sha256' as const, tag: 'printable' as const },
      2,
      Tag.PRINTABLE,
      'sha256',
    ],
    ['UTF8String CN', { version: 0, digest: 'sha256' as const, tag: 'utf8' as const }, 0, Tag.UTF8, 'sha256'],
    [
      'sha1WithRSAEncryption',
      { version: 0, digest: 'sha1' as const, tag: 'printable' as const },
      0,
      Tag.PRINTABLE,
      'sha1',
    ],
    ['all three at once', { version: 2, digest: 'sha1' as const, tag: 'utf8' as const }, 2, Tag.UTF8, 'sha1'],
  ])('accepts %s', (_name, o, version, tag, digest) => {
    const der = createCsr({
      keyPem,
      subject: [{ shortName: 'CN', value: 'dev-1', tag: o.tag }],
      version: o.version,
      digest: o.digest,
      challenge: 's3cret',
    });
    const csr = parseCsr(der);
    expect(csr.version).toBe(version);
    expect(csr.subject).toEqual([{ type: '2.5.4.3', value: 'dev-1', tag }]);
    expect(csr.signatureDigest).toBe(digest);
    expect(csr.challengePassword).toBe('s3cret');
    expect(csr.publicKeyBits).toBe(2048);
    expect(createPublicKey(csr.publicKeyPem).export({ format: 'jwk' })).toEqual(
      createPublicKey(createPrivateKey(keyPem)).export({ format: 'jwk' }),
    );
  });

  it.each(['printable', 'utf8', 'ia5', 'bmp'] as const)('reads challengePassword sent as %s', (challengeTag) => {
    const csr = parseCsr(
      createCsr({ keyPem, subject: [{ shortName: 'CN', value: 'x' }], challenge: 'Abc-123', challengeTag }),
    );
    expect(csr.challengePassword).toBe('Abc-123');
  });

  it('reads a non-ASCII UTF8 subject, SANs and no challenge', () => {
    const csr = parseCsr(
      createCsr({
        keyPem,
        subject: [
          { shortName: 'C', value: 'JP' },
          { shortName: 'O', value: 'つなぐ 株式会社' },
          { shortName: 'CN', value: '田中の iPhone, 2' },
        ],
        dnsNames: ['dev1.office.lan', 'dev1'],
      }),
    );
    expect(csr.challengePassword).toBeNull();
    expect(csr.subjectText).toBe('CN=田中の iPhone\\, 2,O=つなぐ 株式会社,C=JP');
    expect(csr.extensions).toEqual([{ oid: '2.5.29.17', critical: false, value: expect.any(Buffer) }]);
  });

  it('verifies a CSR whose subject and challenge are BMPStrings (re-encoding keeps the signed bytes exact)', () => {
    const csr = parseCsr(
      createCsr({
        keyPem,
        subject: [{ shortName: 'CN', value: 'デバイス-1', tag: 'bmp' }],
        challenge: 'チャレンジ',
        challengeTag: 'bmp',
      }),
    );
    expect(csr.subject).toEqual([{ type: '2.5.4.3', value: 'デバイス-1', tag: Tag.BMP }]);
    expect(csr.challengePassword).toBe('チャレンジ');
  });

  it('refuses BER and non-canonical DER instead of re-encoding it differently', () => {
    const der = createCsr({ keyPem, subject: [{ shortName: 'CN', value: 'dev-1' }] });
    // 30 82 LL LL -> 30 83 00 LL LL: the same length in a longer form.
    const longForm = Buffer.concat([Buffer.from([0x30, 0x83, 0x00]), der.subarray(2)]);
    expect(() => parseCsr(longForm)).toThrow(
      expect.objectContaining({ code: 'PKI_MALFORMED', message: expect.stringContaining('canonical DER') }),
    );
  });

  it('agrees with openssl on what it parses', () => {
    const der = createCsr({
      keyPem,
      subject: [
        { shortName: 'O', value: 'scep-client' },
        { shortName: 'CN', value: 'dev-1' },
      ],
      challenge: 'c',
      dnsNames: ['a.example'],
    });
    const text = withTempDir((dir) =>
      openssl([
        'req',
        '-inform',
        'DER',
        '-in',
        writeFiles(dir, { 'csr.der': der })['csr.der'] as string,
        '-noout',
        '-verify',
        '-text',
      ]).stdout.toString(),
    );
    expect(text).toContain('Subject: O = scep-client, CN = dev-1');
    expect(text).toContain('challengePassword');
    expect(text).toContain('DNS:a.example');
  });

  it('refuses a CSR whose self-signature does not verify', () => {
    const der = createCsr({ keyPem, subject: [{ shortName: 'CN', value: 'dev-1' }], challenge: 'c' });
    der.writeUInt8((der.at(-5) ?? 0) ^ 0x01, der.length - 5);
    expect(() => parseCsr(der)).toThrow(expect.objectContaining({ code: 'PKI_BAD_SIGNATURE' }));
  });

  it('refuses a CSR signed by another key than the one it carries', () => {
    const der = createCsr({ keyPem, subject: [{ shortName: 'CN', value: 'dev-1' }] });
    const other = createCsr({ keyPem: testKey('other'), subject: [{ shortName: 'CN', value: 'dev-1' }] });
    // Same length signatures: graft the other CSR's signature onto this CSR.
    const mixed = Buffer.concat([der.subarray(0, der.length - 256), other.subarray(other.length - 256)]);
    expect(() => parseCsr(mixed)).toThrow(expect.objectContaining({ code: 'PKI_BAD_SIGNATURE' }));
  });

  it('refuses keys outside the device key bounds before checking the signature', () => {
    const small = createCsr({ keyPem: testKey('small', 1024), subject: [{ shortName: 'CN', value: 'x' }] });
    expect(() => parseCsr(small)).toThrow(expect.objectContaining({ code: 'PKI_KEY_NOT_ALLOWED' }));
    // A broken self-signature is not even looked at: the key decides first.
    const broken = Buffer.from(small);
    broken[broken.length - 1] = (broken[broken.length - 1] ?? 0) ^ 0x01;
    expect(() => parseCsr(broken)).toThrow(expect.objectContaining({ code: 'PKI_KEY_NOT_ALLOWED' }));
  });

  it('refuses an EC key (this CA issues RSA identities only)', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(() => parseCsr(createCsr({ keyPem: ec.toString(), subject: [{ shortName: 'CN', value: 'x' }] }))).toThrow(
      expect.objectContaining({
        code: 'PKI_UNSUPPORTED_ALGORITHM',
        message: expect.stringMatching(/RSA keys of 2048/),
      }),
    );
  });

  it.each([
    ['empty', Buffer.alloc(0), 'PKI_MALFORMED'],
    ['not DER', Buffer.from('hello world'), 'PKI_MALFORMED'],
    ['too large', Buffer.alloc(20_000, 0x30), 'PKI_TOO_LARGE'],
    ['a SEQUENCE of the wrong shape', Buffer.from('3003020100', 'hex'), 'PKI_MALFORMED'],
  ])('throws a typed error for %s', (_name, der, code) => {
    expect(() => parseCsr(der)).toThrow(expect.objectContaining({ code }));
  });

  it('renders RFC 4514 strings with escaping', () => {
    expect(
      subjectToString([
        { type: '2.5.4.6', value: 'US', tag: Tag.PRINTABLE },
        { type: '2.5.4.3', value: ' #a+b;"c"<d> ', tag: Tag.UTF8 },
        { type: '1.2.3.4', value: 'x', tag: Tag.UTF8 },
      ]),
    ).toBe('1.2.3.4=x,CN=\\ #a\\+b\\;\\"c\\"\\<d\\>\\ ,C=US');
  });
});
