import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testKey } from '../../tests/helpers/scep-fixtures.js';
import { issueCertificate, ownPemToDer, pemToDer, publicKeyOf } from './x509.js';

describe('ownPemToDer: the DER of a certificate PEM this server wrote, without parsing it', () => {
  const key = testKey('x509', 2048);
  const pem = issueCertificate({
    subject: [{ shortName: 'CN', value: 'own pem' }],
    publicKeyPem: publicKeyOf(key),
    signingKeyPem: key,
    serialHex: '01',
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2027-01-01T00:00:00Z'),
    extensions: [],
  });

  it('gives the same bytes as a parse, with LF or CRLF line ends', () => {
    expect(ownPemToDer(pem)).toEqual(pemToDer(pem));
    expect(ownPemToDer(pem.replace(/\n/g, '\r\n'))).toEqual(Buffer.from(new X509Certificate(pem).raw));
  });

  it('refuses what is not a certificate PEM', () => {
    expect(() => ownPemToDer('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')).toThrow(
      'Not a PEM certificate.',
    );
    expect(() => ownPemToDer('')).toThrow('Not a PEM certificate.');
  });
});
