/**
 * How devices reach the server. 'office': links use the configured host names or the LAN address, with a
 * certificate from the office CA that devices trust once (the first-visit page walks them through it; enrollment
 * profiles carry and pin the office CA). 'public': links use the DNS name of a certificate an admin imported from a
 * public authority, which devices trust already (no trust step; new profiles carry no root and no pinning); the
 * office names keep the office CA's certificate, so devices enrolled before keep working.
 */
export type TlsMode = 'office' | 'public';

/** One certificate the device listener presents, as the console shows it. */
export interface TlsCertificateDto {
  subject: string;
  issuer: string;
  /** subjectAltName entries: `DNS:name`, `IP Address:a.b.c.d`. */
  names: string[];
  notAfter: string;
  fingerprint256: string;
}

/** The device listener's TLS certificates as the console sees them. */
export interface TlsStatusDto {
  mode: TlsMode;
  /** The DNS name links use in public mode; null in office mode. */
  publicName: string | null;
  /** The base URL links, profile URLs and QR codes use now. */
  deviceBaseUrl: string;
  /** The base URL under the office name (configured host name or LAN address), which devices enrolled before use. */
  officeBaseUrl: string;
  /** The office CA's certificate: every name in office mode; in public mode the office names, addresses and clients without SNI. */
  office: TlsCertificateDto;
  /**
   * The imported certificate: in public mode the one clients asking for its DNS names get. In office mode only an
   * unusable one imported by an older version (it names no DNS host name), which is stored but not served.
   */
  imported: TlsCertificateDto | null;
  /** Office host names the imported certificate also covers: devices asking for them get the imported certificate. */
  sharedNames: string[];
  caFingerprint256: string;
}

/** Import of a certificate for the device listener: PEM (with optional chain) or PKCS#12. */
export type TlsImportRequest =
  { certificatePem: string; privateKeyPem: string; chainPem?: string } | { pkcs12Base64: string; password: string };
