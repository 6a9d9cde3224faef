import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { ownPemToDer } from '../../pki/x509.js';
import type { IssuedRow, IssuedStore } from '../ca/issued.store.js';
import type {
  ConfigurationIdentity,
  IdentityTemplatePort,
  IssuedCertificatePort,
  ScepChallengePort,
} from '../scep/scep.ports.js';
import { parseIdentityTemplate } from './identity-challenges.js';
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
      const c = rec.purpose === 'configuration' ? rec.configuration : undefined;
      if (rec.purpose === 'configuration' && !c) throw new Error('A configuration identity names its configuration.');
      issued.insert({
        serial: rec.serialHex.toLowerCase(),
        enrollment_id: rec.enrollmentId,
        // A configuration identity belongs to its device from the start (the device's certificates list it, retiring
        // the device revokes it); an MDM identity is bound at Authenticate.
        device_id: c ? c.deviceId : null,
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
        purpose: rec.purpose,
        configuration_id: c ? c.configurationId : null,
        channel: c ? c.channel : null,
        template: c ? JSON.stringify(c.template) : null,
      });
    },
    findByTransaction(transactionId) {
      return issued.byTransaction(transactionId).map((row) => ({
        serialHex: row.serial,
        enrollmentId: row.enrollment_id,
        certPem: row.cert_pem,
        kind: row.kind,
        revoked: row.revoked_at !== null,
        purpose: row.purpose,
      }));
    },
    findBySerial(serialHex) {
      const row = issued.bySerial(serialHex.toLowerCase());
      if (!row) return undefined;
      const status = {
        enrollmentId: row.enrollment_id,
        revoked: row.revoked_at !== null,
        notAfter: row.not_after,
        purpose: row.purpose,
      };
      const configuration = configurationOf(row);
      return configuration ? { ...status, configuration } : status;
    },
  };
}

// What a configuration identity was issued for, as its renewal repeats it (undefined for an MDM identity, or for a
// configuration row missing its facts, which then cannot be renewed).
function configurationOf(row: IssuedRow): ConfigurationIdentity | undefined {
  if (row.purpose !== 'configuration' || !row.device_id || !row.channel || !row.configuration_id) return undefined;
  const template = row.template === null ? undefined : parseIdentityTemplate(row.template);
  return template
    ? { deviceId: row.device_id, channel: row.channel, configurationId: row.configuration_id, template }
    : undefined;
}
