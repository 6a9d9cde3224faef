/** The APNs MDM push certificate as the console sees it. */
export interface PushStatusDto {
  configured: boolean;
  /** The APNs topic (the certificate subject's UID), e.g. com.apple.mgmt.External.<uuid>. */
  topic: string | null;
  subject: string | null;
  notAfter: string | null;
  daysLeft: number | null;
  /** 'expiring' within 30 days, 'expired' after; renew at identity.apple.com with the same Apple ID. */
  warning: 'expiring' | 'expired' | null;
  /** A CSR was generated and its private key is waiting for the signed certificate. */
  csrPending: boolean;
  apnsBaseUrl: string;
}

/** Upload of the push certificate: PEM (key optional when it came from our CSR) or PKCS#12. */
export type PushCertificateUpload =
  { certificatePem: string; privateKeyPem?: string } | { pkcs12Base64: string; password: string };

/** A freshly generated push CSR, to be signed by an MDM vendor and uploaded to identity.apple.com. */
export interface PushCsrDto {
  csrPem: string;
}

/** APNs connection settings. */
export interface PushSettingsDto {
  apnsBaseUrl: string;
}
