import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { AppError } from '../../core/errors.js';
import { nativeSigningKey } from '../../pki/cms.js';
import { keyMatches, readPkcs12 } from '../../pki/pkcs12.js';

/** The OID of the X.500 userId (UID) attribute that carries the APNs topic. */
export const UID_OID = '0.9.2342.19200300.100.1.1';

/** A push certificate and key, checked. */
export interface PushCredential {
  certPem: string;
  keyPem: string;
  topic: string;
  subject: string;
  notAfter: Date;
}

/**
 * The APNs topic of an MDM push certificate: its subject UID, which must start with com.apple.mgmt.
 * (apple-protocols §5.3).
 */
export function topicOf(certPem: string): string {
  let cert: forge.pki.Certificate;
  try {
    cert = forge.pki.certificateFromPem(certPem);
  } catch (err) {
    throw new AppError(
      'VALIDATION_FAILED',
      'The push certificate is not a readable PEM certificate.',
      { field: 'certificatePem' },
      { cause: err },
    );
  }
  const uid = cert.subject.attributes.find((a) => a.type === UID_OID)?.value;
  if (typeof uid !== 'string' || uid === '') {
    throw new AppError(
      'VALIDATION_FAILED',
      'This certificate has no UID in its subject, so it is not an Apple MDM push certificate. Download the push certificate from identity.apple.com.',
      { field: 'certificatePem' },
    );
  }
  if (!uid.startsWith('com.apple.mgmt.')) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The certificate's topic "${uid}" does not start with com.apple.mgmt., so it is not an MDM push certificate.`,
      { field: 'certificatePem' },
    );
  }
  return uid;
}

/** Reads a certificate and key out of a PKCS#12 file (the .p12 that Keychain Access exports). */
export function fromPkcs12(der: Buffer, password: string): { certPem: string; keyPem: string } {
  const { certPem, keyPem } = readPkcs12(der, password);
  return { certPem, keyPem };
}

/** Validates a push certificate and key pair: an MDM topic, a matching key, not expired at `now`. */
export function checkPushCredential(certPem: string, keyPem: string, now: Date): PushCredential {
  const topic = topicOf(certPem);
  if (!keyMatches(certPem, keyPem)) {
    throw new AppError(
      'VALIDATION_FAILED',
      'The private key does not belong to this certificate. Upload the key you made the request with (or generate a CSR here and upload the certificate Apple returns for it).',
      { field: 'privateKeyPem' },
    );
  }
  const x = new X509Certificate(certPem);
  const notAfter = new Date(x.validTo);
  if (notAfter <= now)
    throw new AppError(
      'VALIDATION_FAILED',
      `This push certificate expired on ${notAfter.toISOString().slice(0, 10)}. Renew it at identity.apple.com with the same Apple ID.`,
      { field: 'certificatePem' },
    );
  return { certPem: x.toString(), keyPem, topic, subject: x.subject.replace(/\n/g, ', '), notAfter };
}

/** Builds a PKCS#10 request for a push certificate, signed with SHA-256 by the new key. */
export function buildPushCsr(keyPem: string, publicKeyPem: string, organization: string): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  csr.setSubject([
    { shortName: 'CN', value: `${organization} MDM Push` },
    { shortName: 'O', value: organization },
  ]);
  csr.sign(nativeSigningKey(keyPem) as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}
