// Office CA certificates an admin might import in the setup wizard: a good one, and the ways one can be wrong.
import { createPublicKey, randomBytes } from 'node:crypto';
import { generateRsaKeyPair, issueCertificate } from '../../server/pki/x509.js';

/** A CA certificate and its private key in PEM. */
export interface CaPair {
  certificatePem: string;
  privateKeyPem: string;
}

const DAY = 86_400_000;

/** A self-signed certificate for `publicKeyPem`, signed by `signingKeyPem`; a CA unless `ca` is false. */
export function certificateFor(
  publicKeyPem: string,
  signingKeyPem: string,
  options: { ca?: boolean; name?: string; notBefore?: Date; notAfter?: Date } = {},
): string {
  const now = Date.now();
  return issueCertificate({
    subject: [
      { shortName: 'CN', value: options.name ?? 'Imported Office CA' },
      { shortName: 'O', value: 'Example Office' },
    ],
    publicKeyPem,
    signingKeyPem,
    serialHex: `1${randomBytes(8).toString('hex')}`,
    notBefore: options.notBefore ?? new Date(now - DAY),
    notAfter: options.notAfter ?? new Date(now + 3650 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: options.ca ?? true, critical: true },
      {
        name: 'keyUsage',
        keyCertSign: true,
        cRLSign: true,
        digitalSignature: true,
        keyEncipherment: true,
        critical: true,
      },
      { name: 'subjectKeyIdentifier' },
    ],
  });
}

/** A good RSA 2048 office CA to import. */
export function importableCa(options: { name?: string; notAfter?: Date; notBefore?: Date; ca?: boolean } = {}): CaPair {
  const keys = generateRsaKeyPair(2048);
  return {
    certificatePem: certificateFor(keys.publicKeyPem, keys.privateKeyPem, options),
    privateKeyPem: keys.privateKeyPem,
  };
}

/** A CA certificate whose public key is an RSA modulus of `bits` bits (no private key exists for it). */
export function caWithRsaModulus(bits: number, exponent = 'AQAB'): CaPair {
  const n = randomBytes(bits / 8);
  n[0] = (n[0] ?? 0) | 0x80;
  n[n.length - 1] = (n[n.length - 1] ?? 0) | 1;
  const pub = createPublicKey({ key: { kty: 'RSA', n: n.toString('base64url'), e: exponent }, format: 'jwk' });
  const signer = generateRsaKeyPair(2048);
  return {
    certificatePem: certificateFor(pub.export({ type: 'spki', format: 'pem' }) as string, signer.privateKeyPem),
    privateKeyPem: signer.privateKeyPem,
  };
}
