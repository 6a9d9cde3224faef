import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { ownPemToDer } from '../../pki/x509.js';
import type { IssuedStore } from '../ca/issued.store.js';
import type { IdentityTemplatePort, IssuedCertificatePort, ScepChallengePort } from '../scep/scep.ports.js';
import type { EnrollmentService } from './enrollment.service.js';

/** The SCEP challenge port over the enrollment service's one-time challenges. */
export function challengePort(enrollment: EnrollmentService): ScepChallengePort {
  return {
    check: (challenge) => enrollment.checkChallenge(challenge),
    consume: (challenge, info) => enrollment.consumeChallenge(challenge, info),
  };
}

/** The SCEP identity-template port: the subject each enrollment's profile named. */
export function identityTemplatePort(enrollment: EnrollmentService): IdentityTemplatePort {
  return { templateFor: (enrollmentId) => enrollment.identityTemplate(enrollmentId) };
}

/** The SCEP issued-certificates port over the issued_certificates table. */
export function issuedCertificatePort(issued: IssuedStore, clock: Clock): IssuedCertificatePort {
  return {
    record(rec) {
      issued.insert({
        serial: rec.serialHex.toLowerCase(),
        enrollment_id: rec.enrollmentId,
        device_id: null,
        subject: rec.subject,
        sha256: createHash('sha256').update(ownPemToDer(rec.certPem)).digest('hex'),
        not_before: rec.notBefore,
        not_after: rec.notAfter,
        cert_pem: rec.certPem,
        kind: rec.kind,
        transaction_id: rec.transactionId,
        created_at: clock.now().toISOString(),
        revoked_at: null,
        revoked_reason: null,
      });
    },
    findByTransaction(transactionId) {
      return issued.byTransaction(transactionId).map((row) => ({
        serialHex: row.serial,
        enrollmentId: row.enrollment_id,
        certPem: row.cert_pem,
        kind: row.kind,
        revoked: row.revoked_at !== null,
      }));
    },
    findBySerial(serialHex) {
      const row = issued.bySerial(serialHex.toLowerCase());
      return row
        ? { enrollmentId: row.enrollment_id, revoked: row.revoked_at !== null, notAfter: row.not_after }
        : undefined;
    },
  };
}
