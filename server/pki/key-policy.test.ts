import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/helpers/fixtures.js';
import { testKey } from '../../tests/helpers/scep-fixtures.js';
import { parseDer } from './der.js';
import { checkDeviceKey } from './key-policy.js';

const spki = (keyPem: string) =>
  parseDer(createPublicKey(keyPem).export({ type: 'spki', format: 'der' }), 'SubjectPublicKeyInfo');
const rsa = (bits: number, publicExponent = 65537) =>
  generateKeyPairSync('rsa', { modulusLength: bits, publicExponent })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
const ec = (namedCurve: string) =>
  generateKeyPairSync('ec', { namedCurve }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const fixture = (name: string) => readFixture('security', name).toString('utf8');

describe('checkDeviceKey: RSA 2048 to 4096 bits with e = 65537, or EC P-256/P-384, from the DER alone', () => {
  it.each([
    ['RSA 2048', () => testKey('policy', 2048), { type: 'rsa', bits: 2048 }],
    ['RSA 3072', () => rsa(3072), { type: 'rsa', bits: 3072 }],
    ['RSA 4096', () => fixture('rsa-4096.key.pem'), { type: 'rsa', bits: 4096 }],
    ['EC P-256', () => ec('P-256'), { type: 'ec', curve: 'P-256' }],
    ['EC P-384', () => ec('P-384'), { type: 'ec', curve: 'P-384' }],
  ])('accepts %s', (_name, key, expected) => {
    expect(checkDeviceKey(spki(key()), 'key')).toEqual(expected);
  });

  it.each([
    ['RSA 1024', () => testKey('policy', 1024), 'PKI_KEY_NOT_ALLOWED'],
    ['RSA 2040 (one byte short)', () => rsa(2040), 'PKI_KEY_NOT_ALLOWED'],
    ['RSA 8192', () => fixture('rsa-8192.key.pem'), 'PKI_KEY_NOT_ALLOWED'],
    ['RSA 2048 with e = 3', () => rsa(2048, 3), 'PKI_KEY_NOT_ALLOWED'],
    ['RSA 2048 with e = 2^31 + 1', () => rsa(2048, 2 ** 31 + 1), 'PKI_KEY_NOT_ALLOWED'],
    ['RSA 3072 with a 3071-bit e', () => fixture('rsa-3072-big-exponent.key.pem'), 'PKI_KEY_NOT_ALLOWED'],
    ['EC P-521', () => ec('P-521'), 'PKI_UNSUPPORTED_ALGORITHM'],
    [
      'Ed25519',
      () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      'PKI_UNSUPPORTED_ALGORITHM',
    ],
  ])('refuses %s', (_name, key, code) => {
    expect(() => checkDeviceKey(spki(key()), 'The key')).toThrow(
      expect.objectContaining({
        code,
        message: expect.stringMatching(/^The key .* only RSA keys of 2048 to 4096 bits/),
      }),
    );
  });
});
