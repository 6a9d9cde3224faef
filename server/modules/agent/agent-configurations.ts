import type { AgentOfficeCaGuidance, AgentUserCaCertificate, AgentWifiSuggestion } from '../../contract/agent.js';
import type { DeviceCaCertificateDto } from '../../contract/devices.js';
import { AppError } from '../../core/errors.js';
import { agentOfficeCaSteps } from '../../i18n/index.js';
import type { ConfigurationVersion } from '../configurations/ports.js';
import type { AgentUserCaRow } from './agent.store.js';

// What the Android agent can do with configurations. It is a device-admin app, not a device or profile owner:
// it can suggest Wi-Fi networks (WifiNetworkSuggestion), but cannot install a CA certificate (Android 11 and later
// let no app do it) or remove one (that needs a device owner). So the server sends Personal Wi-Fi networks and the
// steps for installing the office CA by hand, and keeps the user CA certificates the agent reports for the console.

/** A SHA-256 fingerprint as the agent API writes it: lower-case hex, no colons. */
export function sha256Hex(fingerprint: string): string {
  return fingerprint.replace(/:/g, '').toLowerCase();
}

/**
 * The Wi-Fi suggestion of one configuration version, or null when the agent cannot apply it (not Wi-Fi, or an
 * Enterprise network, which needs a certificate the agent cannot install).
 */
export function wifiSuggestion(v: ConfigurationVersion): AgentWifiSuggestion | null {
  if (v.spec.kind !== 'wifi') return null;
  const w = v.spec.wifi;
  if ((w.security !== 'wpa2-personal' && w.security !== 'wpa3-personal') || !w.password) return null;
  return {
    configurationId: v.id,
    version: v.version,
    ssid: w.ssid,
    security: w.security,
    passphrase: w.password,
    hidden: w.hidden ?? false,
    autoJoin: w.autoJoin ?? true,
  };
}

/** The office CA and the steps, in both languages, for installing it in Settings. */
export function officeCaGuidance(
  ca: { pem: string; name: string; fingerprint256: string },
  deviceBaseUrl: string,
): AgentOfficeCaGuidance {
  const sha256 = sha256Hex(ca.fingerprint256);
  // Settings shows fingerprints as colon-separated upper-case pairs: the first four are easy to compare.
  const sha256Start = (sha256.slice(0, 8).toUpperCase().match(/../g) ?? []).join(':');
  return {
    name: ca.name,
    sha256,
    downloadUrl: new URL('/agent/v1/ca', deviceBaseUrl).toString(),
    pem: ca.pem,
    steps: {
      ja: agentOfficeCaSteps('ja', { name: ca.name, sha256Start }),
      en: agentOfficeCaSteps('en', { name: ca.name, sha256Start }),
    },
  };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Checks the reported user CA certificates beyond their schema (the schema bounds their sizes) and returns them
 * as rows: `notAfter` must be an ISO 8601 date, stored as the instant it names. Throws VALIDATION_FAILED naming
 * the first wrong field, before anything is written.
 */
export function checkUserCas(
  certificates: AgentUserCaCertificate[],
): Omit<AgentUserCaRow, 'device_id' | 'first_seen_at'>[] {
  return certificates.map((c, i) => {
    const at = ISO_DATE.test(c.notAfter) ? Date.parse(c.notAfter) : Number.NaN;
    if (Number.isNaN(at))
      throw new AppError(
        'VALIDATION_FAILED',
        `body.userCaCertificates.${i}.notAfter must be an ISO 8601 date such as 2030-01-31T00:00:00Z.`,
        { field: `body.userCaCertificates.${i}.notAfter` },
      );
    return {
      sha256: c.sha256,
      subject: c.subject,
      issuer: c.issuer,
      not_after: new Date(at).toISOString(),
    };
  });
}

/** The console's view of a reported CA certificate: the office CA, or an unknown one (flagged). */
export function toCaCertificateDto(row: AgentUserCaRow, officeSha256: string): DeviceCaCertificateDto {
  return {
    subject: row.subject,
    issuer: row.issuer,
    sha256: row.sha256,
    notAfter: row.not_after,
    kind: row.sha256 === officeSha256 ? 'office' : 'unknown',
    firstSeenAt: row.first_seen_at,
  };
}
