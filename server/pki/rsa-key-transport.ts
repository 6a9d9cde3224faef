import { constants, createHash, createHmac, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { PkiError } from './errors.js';

// RSAES-PKCS1-v1_5 key transport for CMS KeyTransRecipientInfo (RFC 5652 §6.2.1, RFC 8017 §7.2).
//
// Node 20 refuses privateDecrypt with RSA_PKCS1_PADDING (the Marvin-attack safeguard, CVE-2023-46809), so the
// raw RSA operation runs natively with RSA_NO_PADDING and the padding is removed here. Removing it naively
// would reopen Bleichenbacher's oracle, so this follows RFC 8017 §7.2.2 with implicit rejection as OpenSSL
// 3.2+ does (draft-irtf-cfrg-rsa-guidance): whatever the padding looks like, the caller gets a key of the
// expected length, either the real one or a pseudo-random one derived from the ciphertext and a secret of
// the private key, through the same sequence of operations. A wrong key then fails later exactly like a
// forged one, in the content decryption or the CSR check.

/** An RSA private key prepared for key-transport decryption. */
export interface RsaDecryptionKey {
  privateKey: KeyObject;
  /** k, the modulus length in bytes. */
  modulusBytes: number;
  /** The implicit-rejection key-derivation key: SHA-256 of the private exponent d (as OpenSSL 3.2 derives it). */
  rejectionSecret: Buffer;
}

/** Prepares an RSA private key for decryption; throws PKI_UNSUPPORTED_ALGORITHM for non-RSA keys. */
export function rsaDecryptionKey(privateKey: KeyObject): RsaDecryptionKey {
  if (privateKey.asymmetricKeyType !== 'rsa')
    throw new PkiError('PKI_UNSUPPORTED_ALGORITHM', 'Only RSA keys can decrypt SCEP envelopes.');
  const jwk = privateKey.export({ format: 'jwk' });
  if (!jwk.n || !jwk.d) throw new PkiError('PKI_UNSUPPORTED_ALGORITHM', 'The RSA key has no private exponent.');
  const modulusBytes = stripZeros(Buffer.from(jwk.n, 'base64url')).length;
  const d = leftPad(Buffer.from(jwk.d, 'base64url'), modulusBytes);
  return { privateKey, modulusBytes, rejectionSecret: createHash('sha256').update(d).digest() };
}

function stripZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

function leftPad(b: Buffer, length: number): Buffer {
  if (b.length >= length) return b;
  return Buffer.concat([Buffer.alloc(length - b.length), b]);
}

/**
 * The IRPRF of draft-irtf-cfrg-rsa-guidance: HMAC-SHA256(kdk, counter || label || bit length), concatenated
 * until `length` bytes are produced.
 */
function prf(kdk: Buffer, label: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  const bits = Buffer.alloc(2);
  bits.writeUInt16BE(length * 8);
  for (let counter = 0; blocks.length * 32 < length; counter++) {
    const iter = Buffer.alloc(2);
    iter.writeUInt16BE(counter);
    blocks.push(createHmac('sha256', kdk).update(iter).update(label, 'latin1').update(bits).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** The synthetic key returned on bad padding: deterministic per (private key, ciphertext), unpredictable without d. */
export function syntheticKey(key: RsaDecryptionKey, ciphertext: Buffer, length: number): Buffer {
  const kdk = createHmac('sha256', key.rejectionSecret).update(leftPad(ciphertext, key.modulusBytes)).digest();
  return prf(kdk, 'message', length);
}

/** Computes the raw RSA block c^d mod n (RSA_NO_PADDING) of a k-byte ciphertext, or null when OpenSSL refuses it. */
export type RawRsaDecrypt = (block: Buffer) => Buffer | null | Promise<Buffer | null>;

/** The raw RSA private operation on the calling thread. */
export function rawDecryptInThread(key: RsaDecryptionKey): RawRsaDecrypt {
  return (block) => {
    try {
      return privateDecrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, block);
    } catch {
      // Only public facts make this throw (ciphertext longer than k or not below n); the caller still
      // takes the rejection path so there is a single way to fail.
      return null;
    }
  };
}

// RFC 8017 §7.2.2 needs at least 8 padding bytes: 2 + 8 + 1 + keyLength <= k. Public sizes only.
function checkKeyLength(key: RsaDecryptionKey, keyLength: number): void {
  if (keyLength < 1 || key.modulusBytes - keyLength - 1 < 10)
    throw new PkiError('PKI_UNSUPPORTED_ALGORITHM', 'The RSA key is too small for this content key.');
}

/**
 * Removes RSAES-PKCS1-v1_5 padding from the raw block `em` with implicit rejection: returns the key of
 * exactly `keyLength` bytes, or the synthetic key when the block is not valid, through the same steps.
 *
 * Because the expected length is known, a valid block is EM = 0x00 || 0x02 || PS (non-zero) || 0x00 || K with
 * K at a fixed position (the last `keyLength` bytes), so the check has no secret-dependent index.
 */
function unpad(key: RsaDecryptionKey, ciphertext: Buffer, raw: Buffer | null, keyLength: number): Buffer {
  const k = key.modulusBytes;
  const separator = k - keyLength - 1;
  const em = raw ? leftPad(raw, k) : Buffer.alloc(k);
  const synthetic = syntheticKey(key, ciphertext, keyLength);

  let bad = (em[0] ?? 1) | ((em[1] ?? 0) ^ 0x02) | (em[separator] ?? 1);
  for (let i = 2; i < separator; i++) bad |= ((em[i] ?? 0) - 1) >>> 31;
  // good = 0xff when every check passed, 0x00 otherwise, computed without a branch.
  const good = ((bad - 1) >> 8) & 0xff;
  const out = Buffer.alloc(keyLength);
  for (let i = 0; i < keyLength; i++)
    out[i] = ((em[separator + 1 + i] ?? 0) & good) | ((synthetic[i] ?? 0) & ~good & 0xff);
  return out;
}

/**
 * Decrypts an RSAES-PKCS1-v1_5 encrypted content-encryption key of exactly `keyLength` bytes with implicit
 * rejection, on the calling thread. Never throws for a bad ciphertext: it returns the synthetic key instead.
 */
export function decryptKeyTransport(key: RsaDecryptionKey, ciphertext: Buffer, keyLength: number): Buffer {
  checkKeyLength(key, keyLength);
  return unpad(
    key,
    ciphertext,
    rawDecryptInThread(key)(leftPad(ciphertext, key.modulusBytes)) as Buffer | null,
    keyLength,
  );
}

/** decryptKeyTransport with the raw RSA operation done by `raw` (e.g. a worker thread). */
export async function decryptKeyTransportAsync(
  key: RsaDecryptionKey,
  ciphertext: Buffer,
  keyLength: number,
  raw: RawRsaDecrypt,
): Promise<Buffer> {
  checkKeyLength(key, keyLength);
  return unpad(key, ciphertext, await raw(leftPad(ciphertext, key.modulusBytes)), keyLength);
}

/** Encrypts a content-encryption key to an RSA public key with RSAES-PKCS1-v1_5 (what SCEP clients decrypt). */
export function encryptKeyTransport(publicKey: KeyObject, contentKey: Buffer): Buffer {
  if (publicKey.asymmetricKeyType !== 'rsa')
    throw new PkiError('PKI_UNSUPPORTED_ALGORITHM', 'The recipient certificate does not hold an RSA key.');
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, contentKey);
}
