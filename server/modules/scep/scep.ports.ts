// What the SCEP service needs from the rest of the server. The enrollment module implements these over
// SQLite; tests and the benchmark implement them in memory.

/** Why a challenge was not accepted. */
export type ChallengeRefusal = 'missing' | 'unknown' | 'expired' | 'used';

/** The outcome of consuming a challenge. */
export type ChallengeResult = { ok: true; enrollmentId: string } | { ok: false; reason: ChallengeRefusal };

/** One-time, expiring SCEP challenges (apple-protocols §2.6 step 5). */
export interface ScepChallengePort {
  /** Whether `consume` would succeed now, without consuming: checked before the CA signs anything. */
  check(challenge: string | null): ChallengeResult;
  /**
   * Atomically checks and consumes `challenge` (null when the CSR carried none): it succeeds at most once,
   * and only before it expires, binding the transaction to the pending enrollment it was minted for.
   */
  consume(challenge: string | null, info: { transactionId: string; subject: string }): ChallengeResult;
}

/** One attribute of an identity's subject: a short name and its text. */
export interface TemplateNameAttr {
  shortName: 'CN' | 'O' | 'OU' | 'C' | 'L' | 'ST';
  value: string;
}

/**
 * What a device identity certificate says, decided by the server when the enrollment's profile was made (the SCEP
 * payload's Subject). The CSR contributes only its key; its subject, subjectAltName and requested extensions are
 * ignored. No subjectAltName: no template has one.
 */
export interface IdentityTemplate {
  /** The subject's RDNs in DER order (the profile's Subject order), one attribute each. */
  subject: readonly TemplateNameAttr[];
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
}

/** What renewal needs to know about a certificate we issued. */
export interface IssuedCertificateStatus {
  enrollmentId: string;
  revoked: boolean;
  /** ISO 8601 instant. */
  notAfter: string;
}

/** A certificate issued earlier in a transaction, for answering the same request again. */
export interface PreviousIssue {
  serialHex: string;
  enrollmentId: string;
  certPem: string;
  kind: 'PKCSReq' | 'RenewalReq';
  revoked: boolean;
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
