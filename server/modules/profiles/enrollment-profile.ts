import type { PlistDict } from '../../core/plist.js';

/** Content type of configuration profiles (apple-protocols §1.1). */
export const PROFILE_TYPE = 'application/x-apple-aspen-config';

/** AccessRights with all 13 bits set (apple-protocols §1.3): the rights MicroMDM and NanoMDM request. */
export const ACCESS_RIGHTS_ALL = 8191;

/** Everything an enrollment profile is made of. */
export interface EnrollmentProfileInput {
  /** Stable per server: the top-level PayloadIdentifier must never change (the device replaces by it). */
  serverId: string;
  organization: string;
  lang: 'ja' | 'en';
  target: 'ios' | 'macos';
  caDer: Buffer;
  scepUrl: string;
  challenge: string;
  subject: { organization: string; commonName: string };
  topic: string;
  serverUrl: string;
  checkInUrl: string;
  /** Fresh UUIDs for the payloads of this download. */
  uuid: () => string;
  /** Include the office root CA (needed while the TLS certificate comes from it). */
  includeRoot?: boolean;
}

/** The stable top-level identifier of this server's enrollment profile. */
export function enrollmentProfileIdentifier(serverId: string): string {
  return `app.tsunagu.enroll.${serverId}`;
}

const TEXT = {
  ja: {
    name: (org: string) => `${org} デバイス登録`,
    description: (org: string) =>
      `${org} がこのデバイスを管理できるようにします。オフィスの証明書、デバイス ID 証明書、デバイス管理の設定が含まれています。`,
    ca: (org: string) => `${org} オフィス証明書`,
    scep: 'デバイス ID 証明書',
    mdm: 'デバイス管理',
  },
  en: {
    name: (org: string) => `${org} Device Enrollment`,
    description: (org: string) =>
      `Lets ${org} manage this device. Contains the office certificate, a device identity certificate and the device management settings.`,
    ca: (org: string) => `${org} Office Certificate`,
    scep: 'Device Identity Certificate',
    mdm: 'Device Management',
  },
} as const;

/**
 * Builds the enrollment profile (apple-protocols §1.2-1.5): the office root CA, a SCEP payload carrying the
 * one-time challenge, and the MDM payload that uses the SCEP identity, key for key as Apple's schema spells them.
 */
export function buildEnrollmentProfile(input: EnrollmentProfileInput): PlistDict {
  const t = TEXT[input.lang];
  const base = enrollmentProfileIdentifier(input.serverId);
  const caUuid = input.uuid();
  const scepUuid = input.uuid();
  const mdmUuid = input.uuid();
  const root: PlistDict = {
    PayloadType: 'com.apple.security.root',
    PayloadIdentifier: `${base}.ca`,
    PayloadUUID: caUuid,
    PayloadVersion: 1,
    PayloadDisplayName: t.ca(input.organization),
    PayloadCertificateFileName: 'office-ca.cer',
    PayloadContent: input.caDer,
  };
  const scep: PlistDict = {
    PayloadType: 'com.apple.security.scep',
    PayloadIdentifier: `${base}.scep`,
    PayloadUUID: scepUuid,
    PayloadVersion: 1,
    PayloadDisplayName: t.scep,
    PayloadContent: {
      URL: input.scepUrl,
      Name: 'Tsunagu',
      // Triple-nested RDN list: iOS rejects other shapes (micromdm/micromdm PR #40).
      Subject: [[['O', input.subject.organization]], [['CN', input.subject.commonName]]],
      Challenge: input.challenge,
      Keysize: 2048,
      'Key Type': 'RSA',
      'Key Usage': 5,
    },
  };
  const mdm: PlistDict = {
    PayloadType: 'com.apple.mdm',
    PayloadIdentifier: `${base}.mdm`,
    PayloadUUID: mdmUuid,
    PayloadVersion: 1,
    PayloadDisplayName: t.mdm,
    IdentityCertificateUUID: scepUuid,
    Topic: input.topic,
    ServerURL: input.serverUrl,
    CheckInURL: input.checkInUrl,
    SignMessage: true,
    CheckOutWhenRemoved: true,
    AccessRights: ACCESS_RIGHTS_ALL,
  };
  // Per-user connections must be present for macOS and cannot be added later; bootstrap token escrow is macOS 11+.
  if (input.target === 'macos')
    mdm.ServerCapabilities = ['com.apple.mdm.per-user-connections', 'com.apple.mdm.bootstraptoken'];
  return {
    PayloadContent: input.includeRoot === false ? [scep, mdm] : [root, scep, mdm],
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: base,
    PayloadUUID: input.uuid(),
    PayloadDisplayName: t.name(input.organization),
    PayloadDescription: t.description(input.organization),
    PayloadOrganization: input.organization,
    PayloadScope: 'System',
    PayloadRemovalDisallowed: false,
    TargetDeviceType: input.target === 'macos' ? 5 : 1,
  };
}

/** A profile holding only the office CA, for the /trust page (iOS then needs Certificate Trust Settings). */
export function buildCaProfile(input: {
  serverId: string;
  organization: string;
  lang: 'ja' | 'en';
  caDer: Buffer;
  uuid: () => string;
}): PlistDict {
  const t = TEXT[input.lang];
  const base = `app.tsunagu.trust.${input.serverId}`;
  return {
    PayloadContent: [
      {
        PayloadType: 'com.apple.security.root',
        PayloadIdentifier: `${base}.ca`,
        PayloadUUID: input.uuid(),
        PayloadVersion: 1,
        PayloadDisplayName: t.ca(input.organization),
        PayloadCertificateFileName: 'office-ca.cer',
        PayloadContent: input.caDer,
      },
    ],
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: base,
    PayloadUUID: input.uuid(),
    PayloadDisplayName: t.ca(input.organization),
    PayloadOrganization: input.organization,
  };
}
