// Object identifiers of CMS (RFC 5652), PKCS #9 attributes (RFC 2985) and X.509 extensions (RFC 5280), and the
// digests the PKI library supports.

/** Object identifiers the CMS, CSR and certificate codecs read and write. */
export const OID = Object.freeze({
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  challengePassword: '1.2.840.113549.1.9.7',
  extensionRequest: '1.2.840.113549.1.9.14',
  rsaEncryption: '1.2.840.113549.1.1.1',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
});

/** The message digests the codecs support (SCEP's capabilities, RFC 8894 §3.5.2, name SHA-1, SHA-256 and SHA-512; SHA-384 comes free). */
export type DigestName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

interface DigestInfo {
  name: DigestName;
  oid: string;
  withRsaOid: string;
  bytes: number;
}

/** The supported digests with their OIDs (RFC 3370 §2.1, RFC 5754 §2) and RSA signature OIDs (RFC 8017 App. C). */
export const DIGESTS: Readonly<Record<DigestName, DigestInfo>> = Object.freeze({
  sha1: { name: 'sha1', oid: '1.3.14.3.2.26', withRsaOid: '1.2.840.113549.1.1.5', bytes: 20 },
  sha256: { name: 'sha256', oid: '2.16.840.1.101.3.4.2.1', withRsaOid: '1.2.840.113549.1.1.11', bytes: 32 },
  sha384: { name: 'sha384', oid: '2.16.840.1.101.3.4.2.2', withRsaOid: '1.2.840.113549.1.1.12', bytes: 48 },
  sha512: { name: 'sha512', oid: '2.16.840.1.101.3.4.2.3', withRsaOid: '1.2.840.113549.1.1.13', bytes: 64 },
});

const ALL_DIGESTS = Object.values(DIGESTS);

/** The digest named by a digest-algorithm OID, or undefined when we do not support it. */
export function digestByOid(oid: string): DigestName | undefined {
  return ALL_DIGESTS.find((d) => d.oid === oid)?.name;
}

/** The digest inside an RSA signature-algorithm OID (sha256WithRSAEncryption ...), or undefined. */
export function digestByRsaSignatureOid(oid: string): DigestName | undefined {
  return ALL_DIGESTS.find((d) => d.withRsaOid === oid)?.name;
}
