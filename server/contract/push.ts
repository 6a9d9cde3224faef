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
  /** Where getting a vendor-signed request stands (resumable); absent from older servers. */
  request?: PushRequestDto;
}

/**
 * The two ways to a vendor-signed request for Apple's portal. `service`: a vendor-signing service of the
 * mdmcert.download kind signs the CSR and mails it back encrypted (step `sent` until that file is uploaded here);
 * `elsewhere`: the CSR is downloaded and a request signed elsewhere is uploaded (step `csr` until then). Both end at
 * `signed`: the request is checked and ready to download for identity.apple.com; Apple's certificate then goes
 * through the upload above, which ends the request.
 */
export interface PushRequestDto {
  path: 'service' | 'elsewhere' | null;
  step: 'none' | 'csr' | 'sent' | 'signed';
  /** The service the request went to, and the address it mails back to (path `service`). */
  serviceUrl: string | null;
  email: string | null;
  sentAt: string | null;
  signedAt: string | null;
  /** The subject of the vendor certificate that signed the request. */
  vendorSubject: string | null;
  /** The service address offered by default (mdmcert.download's signing API). */
  defaultServiceUrl: string;
}

/** Asks a vendor-signing service to sign a new push CSR. */
export interface PushServiceRequest {
  serviceUrl: string;
  email: string;
  apiKey: string;
}

/** A file uploaded during the request (the encrypted answer, or a signed request), base64-encoded. */
export interface PushRequestFile {
  fileBase64: string;
}

/** The checked, vendor-signed request to upload at identity.apple.com. */
export interface PushSignedRequestDto {
  /** Base64 of the request plist, as Apple's portal takes it. */
  signedRequest: string;
  fileName: string;
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
