import { isUniversal, parseDer, readAlgorithm, readBitString, readOid, sequence, Tag, type Node } from './der.js';
import { OID } from './oids.js';
import { PkiError } from './errors.js';

// Which device keys the server accepts, decided from the SubjectPublicKeyInfo bytes alone, before the key is
// imported or used. The cost of one RSA verification grows with the modulus and with the public exponent (OpenSSL
// verifies with any exponent up to a 3072-bit modulus, so a chosen exponent makes one check cost about a
// private-key operation): a key outside these bounds is refused before anything is verified with it.

/** The device keys accepted: RSA 2048 to 4096 bits with e = 65537 (Apple devices make 2048), or EC P-256/P-384. */
export const DEVICE_KEY_POLICY = Object.freeze({
  minRsaBits: 2048,
  maxRsaBits: 4096,
  rsaExponent: 65537,
  /** Named curves by OID (RFC 5480 §2.1.1.1): secp256r1 (P-256) and secp384r1 (P-384). */
  curves: Object.freeze({ '1.2.840.10045.3.1.7': 'P-256', '1.3.132.0.34': 'P-384' }) as Readonly<
    Record<string, string>
  >,
});

const EC_PUBLIC_KEY = '1.2.840.10045.2.1';

/** What a SubjectPublicKeyInfo holds, as far as the policy needs to know. */
export type DeviceKey = { type: 'rsa'; bits: number } | { type: 'ec'; curve: string };

/** The text a refusal shows: what is accepted. */
export const DEVICE_KEY_RULE = `RSA keys of ${DEVICE_KEY_POLICY.minRsaBits} to ${DEVICE_KEY_POLICY.maxRsaBits} bits with exponent ${DEVICE_KEY_POLICY.rsaExponent}, or EC keys on P-256 or P-384`;

// The content octets of a DER INTEGER read as an unsigned number: its bit length, and its value when small.
function unsignedInteger(node: Node | undefined, what: string): { bits: number; bytes: Buffer } {
  if (!isUniversal(node, Tag.INTEGER) || node.constructed || typeof node.value !== 'string' || node.value.length === 0)
    throw new PkiError('PKI_MALFORMED', `${what} is not an INTEGER.`);
  const raw = Buffer.from(node.value, 'binary');
  if ((raw[0] ?? 0) & 0x80) throw new PkiError('PKI_MALFORMED', `${what} is negative.`);
  let start = 0;
  while (start < raw.length - 1 && raw[start] === 0) start++;
  const bytes = raw.subarray(start);
  const top = bytes[0] ?? 0;
  return { bits: top === 0 ? 0 : (bytes.length - 1) * 8 + (32 - Math.clz32(top)), bytes };
}

/**
 * Checks a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) against DEVICE_KEY_POLICY from its DER alone. Throws
 * PKI_KEY_NOT_ALLOWED for an RSA key outside the bounds, PKI_UNSUPPORTED_ALGORITHM for another algorithm or curve,
 * PKI_MALFORMED when it cannot be read; returns what the key is.
 */
export function checkDeviceKey(spki: Node, what: string): DeviceKey {
  const [alg, bits] = sequence(spki, what, 2, 2);
  const { oid, params } = readAlgorithm(alg, `${what} algorithm`);
  if (oid === OID.rsaEncryption) {
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 A.1.1).
    const [n, e] = sequence(parseDer(readBitString(bits, what), `${what} RSAPublicKey`), `${what} RSAPublicKey`, 2, 2);
    const modulus = unsignedInteger(n, `${what} modulus`);
    const exponent = unsignedInteger(e, `${what} exponent`);
    const exponentValue = exponent.bits <= 32 ? exponent.bytes.readUIntBE(0, exponent.bytes.length) : -1;
    if (
      modulus.bits < DEVICE_KEY_POLICY.minRsaBits ||
      modulus.bits > DEVICE_KEY_POLICY.maxRsaBits ||
      exponentValue !== DEVICE_KEY_POLICY.rsaExponent
    )
      throw new PkiError(
        'PKI_KEY_NOT_ALLOWED',
        `${what} is RSA ${modulus.bits} bits with a ${exponent.bits}-bit exponent; only ${DEVICE_KEY_RULE} are accepted.`,
      );
    return { type: 'rsa', bits: modulus.bits };
  }
  if (oid === EC_PUBLIC_KEY) {
    const curveOid = params && isUniversal(params, Tag.OID) ? readOid(params, `${what} curve`) : '';
    const curve = DEVICE_KEY_POLICY.curves[curveOid];
    if (!curve)
      throw new PkiError(
        'PKI_UNSUPPORTED_ALGORITHM',
        `${what} is an EC key on curve ${curveOid || '(not named)'}; only ${DEVICE_KEY_RULE} are accepted.`,
      );
    return { type: 'ec', curve };
  }
  throw new PkiError(
    'PKI_UNSUPPORTED_ALGORITHM',
    `${what} uses algorithm ${oid}; only ${DEVICE_KEY_RULE} are accepted.`,
  );
}
