import type { Db } from '../../db/open.js';

/**
 * A device identity certificate issued by our SCEP CA: the device's MDM identity (purpose 'mdm'), or an identity a
 * configuration carries (purpose 'configuration', for Wi-Fi or VPN), which never speaks for the device over MDM.
 */
export interface IssuedRow {
  serial: string;
  enrollment_id: string;
  device_id: string | null;
  subject: string;
  sha256: string;
  not_before: string;
  not_after: string;
  cert_pem: string;
  kind: 'PKCSReq' | 'RenewalReq';
  transaction_id: string;
  created_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
  purpose: 'mdm' | 'configuration';
  /** For a configuration identity: the configuration and channel it was issued for, and its template (JSON). */
  configuration_id: string | null;
  channel: string | null;
  template: string | null;
}

/** A row to insert; without the configuration columns it is an MDM identity. */
export type NewIssuedRow = Omit<IssuedRow, 'purpose' | 'configuration_id' | 'channel' | 'template'> &
  Partial<Pick<IssuedRow, 'purpose' | 'configuration_id' | 'channel' | 'template'>>;

/** The SQL behind issued certificates. */
export interface IssuedStore {
  insert(row: NewIssuedRow): void;
  bySerial(serial: string): IssuedRow | undefined;
  bySha256(sha256: string): IssuedRow | undefined;
  bindDevice(serial: string, deviceId: string): void;
  /** Revokes every live certificate of a device except `keepSerial`; returns how many. */
  revokeOthers(deviceId: string, keepSerial: string | null, at: string, reason: string): number;
  revoke(serial: string, at: string, reason: string): void;
  forEnrollment(enrollmentId: string): IssuedRow[];
  /** Certificates issued for a SCEP transactionID, newest first. */
  byTransaction(transactionId: string): IssuedRow[];
  /** How many certificates are neither revoked nor expired at `at` (devices that would lose trust if the CA changed). */
  countLive(at: string): number;
}

/** Builds the issued-certificates store over an open database. */
export function createIssuedStore(db: Db): IssuedStore {
  const s = {
    insert:
      db.prepare(`INSERT INTO issued_certificates (serial, enrollment_id, device_id, subject, sha256, not_before, not_after, cert_pem, kind, transaction_id, created_at, revoked_at, revoked_reason, purpose, configuration_id, channel, template)
      VALUES (@serial, @enrollment_id, @device_id, @subject, @sha256, @not_before, @not_after, @cert_pem, @kind, @transaction_id, @created_at, @revoked_at, @revoked_reason, @purpose, @configuration_id, @channel, @template)`),
    bySerial: db.prepare<[string], IssuedRow>('SELECT * FROM issued_certificates WHERE serial = ?'),
    bySha: db.prepare<[string], IssuedRow>('SELECT * FROM issued_certificates WHERE sha256 = ?'),
    bind: db.prepare('UPDATE issued_certificates SET device_id = ? WHERE serial = ?'),
    revokeOthers: db.prepare(
      'UPDATE issued_certificates SET revoked_at = @at, revoked_reason = @reason WHERE device_id = @device AND revoked_at IS NULL AND serial IS NOT @keep',
    ),
    revoke: db.prepare(
      'UPDATE issued_certificates SET revoked_at = ?, revoked_reason = ? WHERE serial = ? AND revoked_at IS NULL',
    ),
    forEnrollment: db.prepare<[string], IssuedRow>(
      'SELECT * FROM issued_certificates WHERE enrollment_id = ? ORDER BY created_at',
    ),
    byTransaction: db.prepare<[string], IssuedRow>(
      'SELECT * FROM issued_certificates WHERE transaction_id = ? ORDER BY created_at DESC LIMIT 4',
    ),
    countLive: db.prepare<[string], { n: number }>(
      'SELECT COUNT(*) AS n FROM issued_certificates WHERE revoked_at IS NULL AND not_after > ?',
    ),
  };
  return {
    insert: (row) => {
      s.insert.run({ purpose: 'mdm', configuration_id: null, channel: null, template: null, ...row });
    },
    bySerial: (serial) => s.bySerial.get(serial.toLowerCase()),
    bySha256: (sha) => s.bySha.get(sha),
    bindDevice: (serial, deviceId) => {
      s.bind.run(deviceId, serial);
    },
    revokeOthers: (device, keep, at, reason) => s.revokeOthers.run({ device, keep, at, reason }).changes,
    revoke: (serial, at, reason) => {
      s.revoke.run(at, reason, serial);
    },
    forEnrollment: (id) => s.forEnrollment.all(id),
    byTransaction: (id) => s.byTransaction.all(id),
    countLive: (at) => s.countLive.get(at)?.n ?? 0,
  };
}
