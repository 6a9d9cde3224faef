import { createHash, X509Certificate } from 'node:crypto';
import type { Services } from '../../server/compose.js';
import { signCms } from '../../server/pki/cms.js';
import { generateRsaKeyPair, issueCertificate, publicKeyOf, randomSerialHex } from '../../server/pki/x509.js';

/** A device identity as SCEP would have issued it, for tests that start after SCEP. */
export interface TestIdentity {
  certPem: string;
  keyPem: string;
  serial: string;
}

/**
 * Issues a clientAuth identity from the office CA and records it as issued for `enrollmentId` (as a first
 * PKCSReq, or as a SCEP renewal of an identity of that enrollment), for a new 2048-bit key or for `keyPem`.
 */
export function issueTestIdentity(
  services: Services,
  enrollmentId: string,
  now = new Date(),
  kind: 'PKCSReq' | 'RenewalReq' = 'PKCSReq',
  keyPem?: string,
): TestIdentity {
  const ca = services.ca.ensureOfficeCa();
  const keys = keyPem ? { privateKeyPem: keyPem, publicKeyPem: publicKeyOf(keyPem) } : generateRsaKeyPair(2048);
  const serial = randomSerialHex(createHash('sha256').update(`${enrollmentId}${Math.random()}`).digest());
  const certPem = issueCertificate({
    subject: [{ shortName: 'CN', value: `tsunagu-${enrollmentId}` }],
    issuerCertPem: ca.certPem,
    publicKeyPem: keys.publicKeyPem,
    signingKeyPem: ca.keyPem,
    serialHex: serial,
    notBefore: new Date(now.getTime() - 600_000),
    notAfter: new Date(now.getTime() + 365 * 86_400_000),
    extensions: [
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  const x = new X509Certificate(certPem);
  services.issued.insert({
    serial: x.serialNumber.toLowerCase(),
    enrollment_id: enrollmentId,
    device_id: null,
    subject: x.subject,
    sha256: createHash('sha256').update(x.raw).digest('hex'),
    not_before: new Date(x.validFrom).toISOString(),
    not_after: new Date(x.validTo).toISOString(),
    cert_pem: certPem,
    kind,
    transaction_id: 'test',
    created_at: now.toISOString(),
    revoked_at: null,
    revoked_reason: null,
  });
  return { certPem, keyPem: keys.privateKeyPem, serial: x.serialNumber.toLowerCase() };
}

/** The Mdm-Signature header value for `body`: base64 of a detached CMS SignedData, as devices send it. */
export function mdmSignature(body: Buffer | string, identity: { certPem: string; keyPem: string }): string {
  return signCms(Buffer.from(body), identity, { detached: true }).toString('base64');
}
