import { describe, expect, it } from 'vitest';
import { openssl, withTempDir, writeFiles } from '../../tests/helpers/scep-fixtures.js';
import { CONTENT_CIPHERS, cipherByOid, decryptContent, encryptContent } from './ciphers.js';

const plaintext = Buffer.from('a CSR is usually some hundred bytes long; this one is shorter');

describe('envelope content ciphers (RFC 3565, RFC 3370 §5)', () => {
  it.each(CONTENT_CIPHERS.map((c) => [c.name, c] as const))(
    '%s matches OpenSSL byte for byte and round-trips',
    (_name, cipher) => {
      const key = Buffer.from(Array.from({ length: cipher.keyLength }, (_, i) => (0x11 * (i + 1)) & 0xff));
      const iv = Buffer.alloc(cipher.ivLength, 0x5c);
      const ours = encryptContent(cipher, key, iv, plaintext);
      // Single DES lives in OpenSSL 3's legacy provider, which is exactly why the server uses forge for it.
      const providers = cipher.name === 'des-cbc' ? ['-provider', 'legacy', '-provider', 'default'] : [];
      const theirs = withTempDir(
        (dir) =>
          openssl([
            'enc',
            `-${cipher.name}`,
            '-K',
            key.toString('hex'),
            '-iv',
            iv.toString('hex'),
            '-in',
            writeFiles(dir, { p: plaintext }).p as string,
            ...providers,
          ]).stdout,
      );
      expect(ours).toEqual(theirs);
      expect(decryptContent(cipher, key, iv, ours)).toEqual(plaintext);
      expect(cipherByOid(cipher.oid)).toBe(cipher);
    },
  );

  it.each(CONTENT_CIPHERS.map((c) => [c.name, c] as const))(
    '%s turns a wrong key, a bad length or bad padding into PKI_UNDECRYPTABLE',
    (_name, cipher) => {
      const key = Buffer.alloc(cipher.keyLength, 1);
      const iv = Buffer.alloc(cipher.ivLength, 2);
      const data = encryptContent(cipher, key, iv, plaintext);
      const wrong = Buffer.alloc(cipher.keyLength, 3);
      // A wrong key still "decrypts" 1 time in 256 (valid-looking padding); over a few keys at least one fails.
      const outcomes = [3, 4, 5, 6].map((b) => {
        try {
          return decryptContent(cipher, Buffer.alloc(cipher.keyLength, b), iv, data).equals(plaintext)
            ? 'same'
            : 'garbage';
        } catch (err) {
          return (err as { code?: string }).code;
        }
      });
      expect(outcomes).toContain('PKI_UNDECRYPTABLE');
      expect(outcomes).not.toContain('same');
      expect(() => decryptContent(cipher, key, iv, data.subarray(0, data.length - 1))).toThrow(
        expect.objectContaining({ code: 'PKI_UNDECRYPTABLE' }),
      );
      expect(() => decryptContent(cipher, key, iv, Buffer.alloc(0))).toThrow(
        expect.objectContaining({ code: 'PKI_UNDECRYPTABLE' }),
      );
      expect(() => decryptContent(cipher, wrong.subarray(1), iv, data)).toThrow(
        expect.objectContaining({ code: 'PKI_MALFORMED' }),
      );
    },
  );
});
