import { constants, createHash, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { encode, readAlgorithm, readBitString, sequence, type Node } from './der.js';
import { OID } from './oids.js';
import { PkiError } from './errors.js';

// Public keys out of SubjectPublicKeyInfo (RFC 5280 §4.1.2.7). OpenSSL 3.0's generic SPKI decoder costs about
// 0.1 ms per key, 25 times the PKCS#1 RSAPublicKey import, and a PKIOperation reads two keys, so RSA keys
// take the PKCS#1 path (the BIT STRING of an rsaEncryption SPKI is exactly an RSAPublicKey, RFC 8017 A.1.1).

/** Imports the key of a SubjectPublicKeyInfo node; PKI_MALFORMED when it cannot be read. */
export function publicKeyFromSpki(spki: Node, what: string): KeyObject {
  const [alg, bits] = sequence(spki, what, 2, 2);
  const { oid } = readAlgorithm(alg, `${what} algorithm`);
  try {
    if (oid === OID.rsaEncryption)
      return createPublicKey({ key: readBitString(bits, what), format: 'der', type: 'pkcs1' });
    return createPublicKey({ key: encode(spki), format: 'der', type: 'spki' });
  } catch (err) {
    throw new PkiError('PKI_MALFORMED', `${what} cannot be read.`, { cause: err });
  }
}

/** The PEM ("PUBLIC KEY") of a SubjectPublicKeyInfo node, without a round trip through OpenSSL. */
export function spkiToPem(spki: Node): string {
  const b64 = encode(spki).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN PUBLIC KEY-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END PUBLIC KEY-----\n`;
}

/** The key identifier of RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdentifier(spki: Node, what: string): Buffer {
  const [, bits] = sequence(spki, what, 2, 2);
  return createHash('sha1').update(readBitString(bits, what)).digest();
}

/** Verifies an RSASSA-PKCS1-v1_5 signature; any error (wrong key type, malformed signature) is a plain false. */
export function rsaVerify(digest: string, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    return nodeVerify(digest, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}
