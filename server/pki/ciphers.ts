import { createCipheriv, createDecipheriv, getCiphers } from 'node:crypto';
import forge from 'node-forge';
import { PkiError } from './errors.js';

// Content-encryption algorithms of the SCEP envelope (RFC 8894 §3.5.2 caps AES and DES3; RFC 3565 and
// RFC 3370 §5 give the OIDs; the CBC IV is the AlgorithmIdentifier parameter).

/** A CBC content cipher: Node's OpenSSL name, its OID and key/IV sizes. */
export interface ContentCipher {
  name: 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc' | 'des-cbc';
  oid: string;
  keyLength: number;
  ivLength: number;
  /** node-forge's name, used where Node's crypto lacks the cipher. */
  forgeName: 'AES-CBC' | '3DES-CBC' | 'DES-CBC';
}

/** Every content cipher the server can open. */
export const CONTENT_CIPHERS: readonly ContentCipher[] = Object.freeze([
  { name: 'aes-128-cbc', oid: '2.16.840.1.101.3.4.1.2', keyLength: 16, ivLength: 16, forgeName: 'AES-CBC' },
  { name: 'aes-192-cbc', oid: '2.16.840.1.101.3.4.1.22', keyLength: 24, ivLength: 16, forgeName: 'AES-CBC' },
  { name: 'aes-256-cbc', oid: '2.16.840.1.101.3.4.1.42', keyLength: 32, ivLength: 16, forgeName: 'AES-CBC' },
  { name: 'des-ede3-cbc', oid: '1.2.840.113549.3.7', keyLength: 24, ivLength: 8, forgeName: '3DES-CBC' },
  // Single DES is what Debian's scepclient sends (stack.md §9); Node 20 and 22 only have it in the legacy
  // OpenSSL provider, so it always goes through forge.
  { name: 'des-cbc', oid: '1.3.14.3.2.7', keyLength: 8, ivLength: 8, forgeName: 'DES-CBC' },
] as const);

/** The content cipher for an OID, or undefined when unsupported. */
export function cipherByOid(oid: string): ContentCipher | undefined {
  return CONTENT_CIPHERS.find((c) => c.oid === oid);
}

/** The content cipher by its name. */
export function cipherByName(name: ContentCipher['name']): ContentCipher {
  const cipher = CONTENT_CIPHERS.find((c) => c.name === name);
  if (!cipher) throw new PkiError('PKI_UNSUPPORTED_ALGORITHM', `Unknown content cipher ${name}.`);
  return cipher;
}

let nativeNames: Set<string> | undefined;

// Electron builds Node on BoringSSL, whose cipher list differs from OpenSSL's: ask once, fall back to forge.
function isNative(cipher: ContentCipher): boolean {
  nativeNames ??= new Set(getCiphers());
  return cipher.name !== 'des-cbc' && nativeNames.has(cipher.name);
}

function checkSizes(cipher: ContentCipher, key: Buffer, iv: Buffer): void {
  if (key.length !== cipher.keyLength || iv.length !== cipher.ivLength) {
    throw new PkiError('PKI_MALFORMED', `The ${cipher.name} key or IV has the wrong length.`);
  }
}

/**
 * Decrypts CBC content with PKCS#7 padding. Any failure (bad padding, partial block) is PKI_UNDECRYPTABLE
 * with one message, so a wrong key and a tampered ciphertext look the same.
 */
export function decryptContent(cipher: ContentCipher, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  checkSizes(cipher, key, iv);
  const blockSize = cipher.ivLength;
  if (data.length === 0 || data.length % blockSize !== 0) throw undecryptable();
  if (isNative(cipher)) {
    try {
      const decipher = createDecipheriv(cipher.name, key, iv);
      return Buffer.concat([decipher.update(data), decipher.final()]);
    } catch (err) {
      throw undecryptable(err);
    }
  }
  const decipher = forge.cipher.createDecipher(cipher.forgeName, forge.util.createBuffer(key.toString('binary')));
  decipher.start({ iv: forge.util.createBuffer(iv.toString('binary')) });
  decipher.update(forge.util.createBuffer(data.toString('binary')));
  if (!decipher.finish()) throw undecryptable();
  return Buffer.from(decipher.output.getBytes(), 'binary');
}

/** Encrypts content in CBC mode with PKCS#7 padding. */
export function encryptContent(cipher: ContentCipher, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  checkSizes(cipher, key, iv);
  if (isNative(cipher)) {
    const c = createCipheriv(cipher.name, key, iv);
    return Buffer.concat([c.update(data), c.final()]);
  }
  const c = forge.cipher.createCipher(cipher.forgeName, forge.util.createBuffer(key.toString('binary')));
  c.start({ iv: forge.util.createBuffer(iv.toString('binary')) });
  c.update(forge.util.createBuffer(data.toString('binary')));
  c.finish();
  return Buffer.from(c.output.getBytes(), 'binary');
}

function undecryptable(cause?: unknown): PkiError {
  return new PkiError('PKI_UNDECRYPTABLE', 'The envelope could not be decrypted.', { cause });
}
