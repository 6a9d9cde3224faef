// What the SCEP service needs from the rest of the server. The enrollment module implements these over
// SQLite; tests and the benchmark implement them in memory.

/** Why a challenge was not accepted. */
export type ChallengeRefusal = 'missing' | 'unknown' | 'expired' | 'used';

/**
 * What a configuration's identity is for: the device, channel and configuration whose profile carried the challenge,
 * and the template the CA issues from (decided when the challenge was minted).
 */
export interface ConfigurationIdentity {
  deviceId: string;
  channel: string;
  configurationId: string;
  template: IdentityTemplate;
}

/**
 * The outcome of consuming a challenge. An enrollment's challenge gets the device its MDM identity; a challenge with
 * `configuration` gets an identity for that configuration only (Wi-Fi, VPN), linked to the device's enrollment.
 */
export type ChallengeResult =
  { ok: true; enrollmentId: string; configuration?: ConfigurationIdentity } | { ok: false; reason: ChallengeRefusal };

/** What an issued certificate is: the device's MDM identity, or an identity a configuration carries. */
export type CertificatePurpose = 'mdm' | 'configuration';

/** One-time, expiring SCEP challenges (apple-protocols §2.6 step 5). */
export interface ScepChallengePort {
  /** Whether `consume` would succeed now, without consuming: checked before the CA signs anything. */
  check(challenge: string | null): ChallengeResult;
  /**
   * Atomically checks and consumes `challenge` (null when the CSR carried none): it succeeds at most once,
   * and only before it expires, binding the transaction to the pending enrollment it was minted for (or, for a
   * configuration's challenge, to the configuration identity it was minted for, linked to the device's enrollment).
   */
  consume(challenge: string | null, info: { transactionId: string; subject: string }): ChallengeResult;
}

/** One attribute of an identity's subject: a short name and its text. */
export interface TemplateNameAttr {
  shortName: 'CN' | 'O' | 'OU' | 'C' | 'L' | 'ST';
  value: string;
}

/**
 * What a device identity certificate says, decided by the server when the profile was made (the SCEP payload's
 * Subject and SubjectAltName). The CSR contributes only its key; its subject, subjectAltName and requested extensions
 * are ignored. An enrollment's template has no subjectAltName; a configuration's may name a mailbox.
 */
export interface IdentityTemplate {
  /** The subject's RDNs in DER order (the profile's Subject order), one attribute each. */
  subject: readonly TemplateNameAttr[];
  /** The one subjectAltName an identity may carry: an rfc822Name (ASCII mailbox), when the template names one. */
  email?: string;
}

/** The identity templates of enrollments. */
export interface IdentityTemplatePort {
  /** The template of the identity an enrollment's device gets, or undefined when there is no such enrollment. */
  templateFor(enrollmentId: string): IdentityTemplate | undefined;
}

/** A certificate issued over SCEP, as recorded. */
export interface IssuedCertificateRecord {
  /** Lowercase hex without leading zero octets, as `normalizeSerialHex` gives it. */
  serialHex: string;
  /** RFC 4514 subject. */
  subject: string;
  /** ISO 8601 instants. */
  notBefore: string;
  notAfter: string;
  enrollmentId: string;
  certPem: string;
  kind: 'PKCSReq' | 'RenewalReq';
  transactionId: string;
  purpose: CertificatePurpose;
  /** For purpose 'configuration': what it was issued for, and its template. */
  configuration?: ConfigurationIdentity;
}

/** What renewal needs to know about a certificate we issued. */
export interface IssuedCertificateStatus {
  enrollmentId: string;
  revoked: boolean;
  /** ISO 8601 instant. */
  notAfter: string;
  /** A renewal keeps the purpose: an MDM identity renews into an MDM identity, a configuration's into its own. */
  purpose: CertificatePurpose;
  /** For purpose 'configuration': what it was issued for and its template, which the renewal repeats. */
  configuration?: ConfigurationIdentity;
}

/** A certificate issued earlier in a transaction, for answering the same request again. */
export interface PreviousIssue {
  serialHex: string;
  enrollmentId: string;
  certPem: string;
  kind: 'PKCSReq' | 'RenewalReq';
  revoked: boolean;
  purpose: CertificatePurpose;
}

/** The record of certificates issued over SCEP (apple-protocols §2.10). */
export interface IssuedCertificatePort {
  /** Stores a newly issued certificate. */
  record(rec: IssuedCertificateRecord): void;
  /** Looks a certificate up by its normalized hex serial. */
  findBySerial(serialHex: string): IssuedCertificateStatus | undefined;
  /** Certificates issued for `transactionId`, newest first (at most a few). */
  findByTransaction(transactionId: string): PreviousIssue[];
}
