import { constants, createPrivateKey, createPublicKey, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testKey } from '../../tests/helpers/scep-fixtures.js';
import { decryptKeyTransport, encryptKeyTransport, rsaDecryptionKey, syntheticKey } from './rsa-key-transport.js';

const keyPem = testKey('ca');
const key = rsaDecryptionKey(createPrivateKey(keyPem));
const pub = createPublicKey(keyPem);
const k = key.modulusBytes;

// Encrypts a hand-made encoded message EM with raw RSA, so any padding (valid or not) can be sent.
function rawEncrypt(em: Buffer): Buffer {
  return publicEncrypt({ key: pub, padding: constants.RSA_NO_PADDING }, em);
}

function validEm(message: Buffer, psByte = 0x5a): Buffer {
  return Buffer.concat([
    Buffer.from([0x00, 0x02]),
    Buffer.alloc(k - 3 - message.length, psByte),
    Buffer.from([0x00]),
    message,
  ]);
}

describe('RSA key transport with implicit rejection (RFC 8017 §7.2.2)', () => {
  it('returns the content key of a valid PKCS#1 v1.5 block (Node-encrypted and hand-made)', () => {
    const cek = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    expect(decryptKeyTransport(key, encryptKeyTransport(pub, cek), 16)).toEqual(cek);
    expect(decryptKeyTransport(key, rawEncrypt(validEm(cek)), 16)).toEqual(cek);
    const des3 = Buffer.alloc(24, 7);
    expect(decryptKeyTransport(key, encryptKeyTransport(pub, des3), 24)).toEqual(des3);
  });

  it.each([
    [
      'first byte not 0x00',
      (em: Buffer) => {
        em[0] = 0x01;
      },
    ],
    [
      'block type 0x01 instead of 0x02',
      (em: Buffer) => {
        em[1] = 0x01;
      },
    ],
    [
      'no zero separator before the key',
      (em: Buffer) => {
        em[k - 17] = 0x33;
      },
    ],
    [
      'a zero inside the padding string (key too long)',
      (em: Buffer) => {
        em[20] = 0x00;
      },
    ],
    [
      'padding string shorter than 8 bytes',
      (em: Buffer) => {
        em[5] = 0x00;
      },
    ],
  ])('never throws and returns the deterministic synthetic key of the right length: %s', (_name, breakIt) => {
    const em = validEm(Buffer.alloc(16, 0xab));
    breakIt(em);
    const ciphertext = rawEncrypt(em);
    const out = decryptKeyTransport(key, ciphertext, 16);
    expect(out).toHaveLength(16);
    expect(out).toEqual(syntheticKey(key, ciphertext, 16));
    expect(out).not.toEqual(Buffer.alloc(16, 0xab));
    expect(decryptKeyTransport(key, ciphertext, 16)).toEqual(out);
  });

  it('rejects a valid block whose key has the wrong length for the cipher, implicitly', () => {
    const ciphertext = encryptKeyTransport(pub, Buffer.alloc(24, 1));
    const out = decryptKeyTransport(key, ciphertext, 16);
    expect(out).toEqual(syntheticKey(key, ciphertext, 16));
  });

  it('handles ciphertexts that are too long, not below n, short or empty without throwing', () => {
    for (const ciphertext of [Buffer.alloc(k + 1, 1), Buffer.alloc(k, 0xff), Buffer.alloc(5, 1), Buffer.alloc(0)]) {
      const out = decryptKeyTransport(key, ciphertext, 32);
      expect(out).toHaveLength(32);
      expect(out).toEqual(syntheticKey(key, ciphertext, 32));
    }
  });

  it('derives different synthetic keys for different ciphertexts and different private keys', () => {
    const a = Buffer.alloc(k, 1);
    const b = Buffer.alloc(k, 2);
    const other = rsaDecryptionKey(createPrivateKey(testKey('other')));
    expect(syntheticKey(key, a, 16)).not.toEqual(syntheticKey(key, b, 16));
    expect(syntheticKey(key, a, 16)).not.toEqual(syntheticKey(other, a, 16));
    // The length is part of the derivation, so a DES key is not a prefix of an AES-256 key.
    expect(syntheticKey(key, a, 8)).not.toEqual(syntheticKey(key, a, 32).subarray(0, 8));
    expect(syntheticKey(key, a, 48)).toHaveLength(48);
  });

  it('refuses a key length the modulus cannot carry with 8 bytes of padding', () => {
    const small = rsaDecryptionKey(createPrivateKey(testKey('small', 512)));
    expect(() => decryptKeyTransport(small, Buffer.alloc(64), 64 - 10)).toThrow(
      expect.objectContaining({ code: 'PKI_UNSUPPORTED_ALGORITHM' }),
    );
  });
});
