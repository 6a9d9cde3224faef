import { randomUUID } from 'node:crypto';
import { generateRsaKeyPair, issueCertificate, randomSerialHex } from '../../server/pki/x509.js';

/** A stand-in for Apple's push CA and an MDM push certificate it issued, shaped like the real one (apple-protocols §5.3). */
export interface FakePushPki {
  appleCaPem: string;
  appleCaKeyPem: string;
  certPem: string;
  keyPem: string;
  topic: string;
}

/** Issues a push certificate with subject UID=com.apple.mgmt.External.<uuid>, valid `days` from `now`. */
export function fakePushCertificate(options: { now?: Date; days?: number; uid?: string | null } = {}): FakePushPki {
  const now = options.now ?? new Date();
  const ca = generateRsaKeyPair(2048);
  const appleCaPem = issueCertificate({
    subject: [
      { shortName: 'CN', value: 'Test Apple Application Integration CA' },
      { shortName: 'O', value: 'Test' },
    ],
    publicKeyPem: ca.publicKeyPem,
    signingKeyPem: ca.privateKeyPem,
    serialHex: randomSerialHex(Buffer.from(randomUUID().replace(/-/g, ''), 'hex')),
    notBefore: new Date(now.getTime() - 86_400_000),
    notAfter: new Date(now.getTime() + 3650 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const leaf = generateRsaKeyPair(2048);
  const uuid = randomUUID();
  const topic = options.uid === undefined ? `com.apple.mgmt.External.${uuid}` : options.uid;
  const subject = [
    ...(topic ? [{ type: '0.9.2342.19200300.100.1.1', value: topic }] : []),
    { shortName: 'CN', value: `APSP:${uuid}` },
    { shortName: 'C', value: 'US' },
  ];
  const days = options.days ?? 365;
  const certPem = issueCertificate({
    subject,
    issuerCertPem: appleCaPem,
    publicKeyPem: leaf.publicKeyPem,
    signingKeyPem: ca.privateKeyPem,
    serialHex: randomSerialHex(Buffer.from(randomUUID().replace(/-/g, ''), 'hex')),
    notBefore: new Date(now.getTime() - 86_400_000),
    notAfter: new Date(now.getTime() + days * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  return { appleCaPem, appleCaKeyPem: ca.privateKeyPem, certPem, keyPem: leaf.privateKeyPem, topic: topic ?? '' };
}
