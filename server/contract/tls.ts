/** The device listener's TLS certificate as the console sees it. */
export interface TlsStatusDto {
  /** 'generated' by the office CA (re-issued automatically), or 'imported' by an admin for a public host name. */
  source: 'generated' | 'imported';
  subject: string;
  issuer: string;
  names: string[];
  notAfter: string;
  fingerprint256: string;
  caFingerprint256: string;
}

/** Import of a certificate for the device listener: PEM (with optional chain) or PKCS#12. */
export type TlsImportRequest =
  { certificatePem: string; privateKeyPem: string; chainPem?: string } | { pkcs12Base64: string; password: string };
