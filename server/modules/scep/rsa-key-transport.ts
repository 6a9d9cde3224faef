import { constants, createHash, createHmac, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { ScepError } from './scep.errors.js';

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

/** Prepares an RSA private key for decryption; throws SCEP_UNSUPPORTED_ALGORITHM for non-RSA keys. */
export function rsaDecryptionKey(privateKey: KeyObject): RsaDecryptionKey {
  if (privateKey.asymmetricKeyType !== 'rsa') throw new ScepError('SCEP_UNSUPPORTED_ALGORITHM', 'Only RSA keys can decrypt SCEP envelopes.');
  const jwk = privateKey.export({ format: 'jwk' });
  if (!jwk.n || !jwk.d) throw new ScepError('SCEP_UNSUPPORTED_ALGORITHM', 'The RSA key has no private exponent.');
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

function rawDecrypt(key: RsaDecryptionKey, ciphertext: Buffer): Buffer {
  try {
    return leftPad(privateDecrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, leftPad(ciphertext, key.modulusBytes)), key.modulusBytes);
  } catch {
    // Only public facts make this throw (ciphertext longer than k or not below n); it still takes the
    // rejection path below so there is a single way to fail.
    return Buffer.alloc(key.modulusBytes);
  }
}

/**
 * Decrypts an RSAES-PKCS1-v1_5 encrypted content-encryption key of exactly `keyLength` bytes with implicit
 * rejection. Never throws for a bad ciphertext: it returns the synthetic key instead.
 *
 * Because the expected length is known, a valid block is EM = 0x00 || 0x02 || PS (non-zero) || 0x00 || K with
 * K at a fixed position (the last `keyLength` bytes), so the check has no secret-dependent index.
 */
export function decryptKeyTransport(key: RsaDecryptionKey, ciphertext: Buffer, keyLength: number): Buffer {
  const k = key.modulusBytes;
  const separator = k - keyLength - 1;
  // RFC 8017 §7.2.2 needs at least 8 padding bytes: 2 + 8 + 1 + keyLength <= k. Public sizes only.
  if (keyLength < 1 || separator < 10) throw new ScepError('SCEP_UNSUPPORTED_ALGORITHM', 'The RSA key is too small for this content key.');
  const em = rawDecrypt(key, ciphertext);
  const synthetic = syntheticKey(key, ciphertext, keyLength);

  let bad = (em[0] ?? 1) | ((em[1] ?? 0) ^ 0x02) | (em[separator] ?? 1);
  for (let i = 2; i < separator; i++) bad |= ((em[i] ?? 0) - 1) >>> 31;
  // good = 0xff when every check passed, 0x00 otherwise, computed without a branch.
  const good = ((bad - 1) >> 8) & 0xff;
  const out = Buffer.alloc(keyLength);
  for (let i = 0; i < keyLength; i++) out[i] = ((em[separator + 1 + i] ?? 0) & good) | ((synthetic[i] ?? 0) & ~good & 0xff);
  return out;
}

/** Encrypts a content-encryption key to an RSA public key with RSAES-PKCS1-v1_5 (what SCEP clients decrypt). */
export function encryptKeyTransport(publicKey: KeyObject, contentKey: Buffer): Buffer {
  if (publicKey.asymmetricKeyType !== 'rsa') throw new ScepError('SCEP_UNSUPPORTED_ALGORITHM', 'The recipient certificate does not hold an RSA key.');
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, contentKey);
}
