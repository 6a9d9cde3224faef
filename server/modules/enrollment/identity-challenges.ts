import type { DeviceStatus } from '../../contract/devices.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { hashToken, newToken } from '../../core/ids.js';
import type { Random } from '../../core/random.js';
import { isTemplateEmail } from '../scep/client-certificate.js';
import type { ConfigurationIdentity, IdentityTemplate } from '../scep/scep.ports.js';
import type { ChallengeRow, EnrollmentStore } from './enrollment.store.js';

// One-time SCEP challenges for the identities configurations carry (Enterprise Wi-Fi, certificate VPN, a per-user
// identity): minted by delivery each time it renders the configuration's profile for a device channel, bound to that
// device, channel and configuration and to the subject the CA will write. Like an enrollment's challenge it is stored
// hashed, used once, and voided by the next one minted for the same target; it is linked to the device's enrollment,
// so closing that enrollment voids it. The SCEP CA gives it a configuration identity, never an MDM identity.

/** How long a configuration's challenge lives: the device runs SCEP right after it fetches the profile. */
export const CONFIGURATION_CHALLENGE_TTL_MINUTES = 60;

/** Longest subject attribute value (RFC 5280 ub-common-name and ub-organization-name). */
const MAX_NAME_CHARS = 64;

/** What the enrollment module needs to know of a device: its status and the enrollment it is bound to. */
export type DeviceBinding = (
  deviceId: string,
) => { status: DeviceStatus; enrollmentId: string | null; deleted: boolean } | undefined;

/** The subject and names of a configuration's identity certificate, decided by the server. */
export interface ConfigurationIdentitySubject {
  organization: string;
  commonName: string;
  email?: string;
}

/**
 * One-time SCEP challenges for the identity certificates configurations carry (the enrollment module owns challenges; delivery
 * calls this): bound to the device, channel and configuration, with the subject the CA will write. The
 * certificate issued with one is an identity for Wi-Fi or VPN only, never accepted as an MDM identity.
 */
export interface IdentityChallenges {
  /** Mints a fresh challenge for this delivery, voiding the previous one minted for the same device, channel and configuration. */
  mint(
    target: { deviceId: string; channel: string; configurationId: string },
    subject: ConfigurationIdentitySubject,
  ): string;
}

/** Dependencies of the configuration challenges. */
export interface IdentityChallengesDeps {
  store: Pick<EnrollmentStore, 'insertChallenge' | 'voidConfigurationChallenges' | 'byId'>;
  devices: DeviceBinding;
  clock: Clock;
  random: Random;
  transaction: <T>(fn: () => T) => T;
}

const invalidSubject = (message: string, field: string) =>
  new AppError('CONFIGURATION_INVALID', message, { field: `identity.${field}` });

/** The template of a configuration's identity: O, then CN (the SCEP payload's Subject order), and the mailbox. */
export function configurationTemplate(subject: ConfigurationIdentitySubject): IdentityTemplate {
  const name = (value: string, field: string): string => {
    const v = value.trim();
    // No control characters: they would reach the certificate and every screen that shows its subject.
    if (!v || v.length > MAX_NAME_CHARS || /\p{Cc}/u.test(v))
      throw invalidSubject(
        `The identity's ${field} must be 1 to ${MAX_NAME_CHARS} characters without control characters.`,
        field,
      );
    return v;
  };
  const template: IdentityTemplate = {
    subject: [
      { shortName: 'O', value: name(subject.organization, 'organization') },
      { shortName: 'CN', value: name(subject.commonName, 'commonName') },
    ],
  };
  if (subject.email === undefined || subject.email === '') return template;
  if (!isTemplateEmail(subject.email))
    throw invalidSubject("The identity's email must be an ASCII mailbox (name@domain).", 'email');
  return { ...template, email: subject.email };
}

/** Reads a stored template back; undefined when the JSON is not one (it is then not used for anything). */
export function parseIdentityTemplate(json: string): IdentityTemplate | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { subject, email } = value as { subject?: unknown; email?: unknown };
  if (!Array.isArray(subject) || subject.length === 0) return undefined;
  const names = ['CN', 'O', 'OU', 'C', 'L', 'ST'];
  const attrs = subject.map((a: unknown) => {
    const { shortName, value: text } = (a ?? {}) as { shortName?: unknown; value?: unknown };
    return typeof shortName === 'string' && names.includes(shortName) && typeof text === 'string'
      ? { shortName: shortName as IdentityTemplate['subject'][number]['shortName'], value: text }
      : undefined;
  });
  if (attrs.some((a) => !a)) return undefined;
  const subjectAttrs = attrs as IdentityTemplate['subject'][number][];
  if (email === undefined) return { subject: subjectAttrs };
  return typeof email === 'string' && isTemplateEmail(email) ? { subject: subjectAttrs, email } : undefined;
}

/** What a configuration challenge row grants; undefined for an enrollment's (or an incomplete row). */
export function configurationIdentityOf(row: ChallengeRow): ConfigurationIdentity | undefined {
  if (row.purpose !== 'configuration') return undefined;
  const template = row.template === null ? undefined : parseIdentityTemplate(row.template);
  if (!row.device_id || !row.channel || !row.configuration_id || !template) return undefined;
  return { deviceId: row.device_id, channel: row.channel, configurationId: row.configuration_id, template };
}

/**
 * Whether a configuration challenge may still be used: its device is live, Active, and still bound to the enrollment
 * the challenge was linked to (a device retired or enrolled again since gets nothing).
 */
export function deviceStillHolds(devices: DeviceBinding, row: ChallengeRow): boolean {
  if (!row.device_id) return false;
  const device = devices(row.device_id);
  return !!device && !device.deleted && device.status === 'active' && device.enrollmentId === row.enrollment_id;
}

/** Builds the configuration challenges that delivery mints when it renders a profile with an identity. */
export function createIdentityChallenges(deps: IdentityChallengesDeps): IdentityChallenges {
  const { store, clock, random, transaction } = deps;
  return {
    mint(target, subject) {
      const template = configurationTemplate(subject);
      if (!target.channel || !target.configurationId)
        throw new AppError('VALIDATION_FAILED', 'A configuration challenge names its channel and configuration.');
      return transaction(() => {
        const device = deps.devices(target.deviceId);
        if (!device || device.deleted)
          throw new AppError('DEVICE_NOT_FOUND', 'No device has this id.', { id: target.deviceId });
        if (device.status !== 'active')
          throw new AppError(
            'DEVICE_STATE_INVALID',
            `The device is ${device.status}; identity certificates are issued to active devices only.`,
            { status: device.status },
          );
        const enrollment = device.enrollmentId ? store.byId(device.enrollmentId) : undefined;
        if (!enrollment || enrollment.status === 'closed')
          throw new AppError(
            'DEVICE_STATE_INVALID',
            'The device has no open enrollment, so no identity certificate can be issued to it. Enroll it again.',
            { reason: 'no_enrollment' },
          );
        const now = clock.now();
        const at = now.toISOString();
        const challenge = newToken(random, 16);
        store.voidConfigurationChallenges(target, at);
        store.insertChallenge({
          id: random.uuid(),
          enrollment_id: enrollment.id,
          challenge_hash: hashToken(challenge),
          device_hint: `configuration:${target.configurationId}`.slice(0, 200),
          created_at: at,
          expires_at: new Date(now.getTime() + CONFIGURATION_CHALLENGE_TTL_MINUTES * 60_000).toISOString(),
          consumed_at: null,
          voided_at: null,
          purpose: 'configuration',
          device_id: target.deviceId,
          channel: target.channel,
          configuration_id: target.configurationId,
          template: JSON.stringify(template),
        });
        return challenge;
      });
    },
  };
}
