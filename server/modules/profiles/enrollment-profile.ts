import { createHash } from 'node:crypto';
import type { PlistDict } from '../../core/plist.js';

/** Content type of configuration profiles (apple-protocols §1.1). */
export const PROFILE_TYPE = 'application/x-apple-aspen-config';

/** AccessRights with all 13 bits set (apple-protocols §1.3): the rights MicroMDM and NanoMDM request. */
export const ACCESS_RIGHTS_ALL = 8191;

/**
 * How a device comes to trust the server's TLS certificate: `office-ca` when it was issued by the office CA,
 * which no device trusts before enrollment; `public` when the admin imported a publicly trusted certificate.
 */
export type TlsTrust = 'office-ca' | 'public';

/** Everything an enrollment profile is made of. */
export interface EnrollmentProfileInput {
  /** Stable per server: the top-level PayloadIdentifier must never change (the device replaces by it). */
  serverId: string;
  organization: string;
  lang: 'ja' | 'en';
  target: 'ios' | 'macos';
  /** The office CA: the SCEP CA in both modes, and the profile's root (the pinned anchor) in office-CA mode. */
  caDer: Buffer;
  scepUrl: string;
  challenge: string;
  subject: { organization: string; commonName: string };
  topic: string;
  serverUrl: string;
  checkInUrl: string;
  /** Fresh UUIDs for the payloads of this download. */
  uuid: () => string;
  /**
   * `office-ca`: the profile carries the office root and pins the MDM connections to it; `public`: neither, since
   * the device already trusts the server and public CAs rotate roots and intermediates.
   */
  tlsTrust: TlsTrust;
}

/**
 * The SCEP payload's `CAFingerprint`: SHA-1 of the CA certificate's DER. Apple's SCEP client tells the digest by
 * its length and knows only MD5 (16 bytes) and SHA-1 (20 bytes) (SecSCEPValidateCACertMessage in Security).
 */
export function scepCaFingerprint(caDer: Buffer): Buffer {
  return createHash('sha1').update(caDer).digest();
}

/** The stable top-level identifier of this server's enrollment profile. */
export function enrollmentProfileIdentifier(serverId: string): string {
  return `app.tsunagu.enroll.${serverId}`;
}

/** The office CA as a trusted root (`com.apple.security.root`), as every profile of ours carries it. */
export function officeCaPayload(input: {
  identifier: string;
  uuid: string;
  displayName: string;
  caDer: Buffer;
}): PlistDict {
  return {
    PayloadType: 'com.apple.security.root',
    PayloadIdentifier: input.identifier,
    PayloadUUID: input.uuid,
    PayloadVersion: 1,
    PayloadDisplayName: input.displayName,
    PayloadCertificateFileName: 'office-ca.cer',
    PayloadContent: input.caDer,
  };
}

/** What an identity certificate from the office CA over SCEP is made of (`com.apple.security.scep`). */
export interface ScepPayloadInput {
  identifier: string;
  uuid: string;
  displayName: string;
  scepUrl: string;
  /** The one-time challenge the SCEP service will consume. */
  challenge: string;
  subject: { organization: string; commonName: string };
  /** The office CA: the device checks the CA SCEP answers with by its fingerprint. */
  caDer: Buffer;
  /** Optional subject alternative names for the CSR (the SCEP service decides what it issues). */
  subjectAltName?: { rfc822Name?: string };
  /** False keeps the private key in the keychain for good (`KeyIsExtractable`); left out when undefined. */
  keyIsExtractable?: boolean;
}

/**
 * An identity certificate from the office CA requested over SCEP with a one-time challenge, key for key as Apple's
 * schema spells it; the CA is named by `CAFingerprint` (see scepCaFingerprint).
 */
export function scepPayload(input: ScepPayloadInput): PlistDict {
  const content: PlistDict = {
    URL: input.scepUrl,
    Name: 'Tsunagu',
    // Triple-nested RDN list: iOS rejects other shapes (micromdm/micromdm PR #40).
    Subject: [[['O', input.subject.organization]], [['CN', input.subject.commonName]]],
    Challenge: input.challenge,
    Keysize: 2048,
    'Key Type': 'RSA',
    'Key Usage': 5,
    CAFingerprint: scepCaFingerprint(input.caDer),
  };
  if (input.subjectAltName?.rfc822Name) content.SubjectAltName = { rfc822Name: input.subjectAltName.rfc822Name };
  if (input.keyIsExtractable !== undefined) content.KeyIsExtractable = input.keyIsExtractable;
  return {
    PayloadType: 'com.apple.security.scep',
    PayloadIdentifier: input.identifier,
    PayloadUUID: input.uuid,
    PayloadVersion: 1,
    PayloadDisplayName: input.displayName,
    PayloadContent: content,
  };
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
 *
 * The SCEP payload names the CA by `CAFingerprint`, so SCEP may run over plain HTTP (RFC 8894 §4.1: SCEP protects
 * its own messages) and the device can refuse a substituted CA certificate. In office-CA mode the MDM connections are pinned
 * to the profile's root (`ServerURLPinningCertificateUUIDs`, `CheckInURLPinningCertificateUUIDs`; iOS 13.4 and
 * macOS 10.13 and later): a re-issued TLS certificate (the LAN addresses changed, or it neared expiry) keeps
 * devices connected, because the root it chains to does not change. Renewing the office CA itself is a planned
 * operation: every device pinned to the old root must enroll again, since an installed MDM payload cannot change
 * without a new profile. So is moving between office-CA and public mode, in either direction.
 */
export function buildEnrollmentProfile(input: EnrollmentProfileInput): PlistDict {
  const t = TEXT[input.lang];
  const base = enrollmentProfileIdentifier(input.serverId);
  const caUuid = input.uuid();
  const scepUuid = input.uuid();
  const mdmUuid = input.uuid();
  const root = officeCaPayload({
    identifier: `${base}.ca`,
    uuid: caUuid,
    displayName: t.ca(input.organization),
    caDer: input.caDer,
  });
  const scep = scepPayload({
    identifier: `${base}.scep`,
    uuid: scepUuid,
    displayName: t.scep,
    scepUrl: input.scepUrl,
    challenge: input.challenge,
    subject: input.subject,
    caDer: input.caDer,
  });
  const office = input.tlsTrust === 'office-ca';
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
  if (office) {
    // The device evaluates the server's TLS chain against the pinned root only, so it needs no trust in the office
    // CA beyond this profile. Our certificates name no CRL or OCSP responder, so revocation is best effort.
    mdm.ServerURLPinningCertificateUUIDs = [caUuid];
    mdm.CheckInURLPinningCertificateUUIDs = [caUuid];
    mdm.PinningRevocationCheckRequired = false;
  }
  // Per-user connections must be present for macOS and cannot be added later; bootstrap token escrow is macOS 11+.
  if (input.target === 'macos')
    mdm.ServerCapabilities = ['com.apple.mdm.per-user-connections', 'com.apple.mdm.bootstraptoken'];
  return {
    PayloadContent: office ? [root, scep, mdm] : [scep, mdm],
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
      officeCaPayload({
        identifier: `${base}.ca`,
        uuid: input.uuid(),
        displayName: t.ca(input.organization),
        caDer: input.caDer,
      }),
    ],
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: base,
    PayloadUUID: input.uuid(),
    PayloadDisplayName: t.ca(input.organization),
    PayloadOrganization: input.organization,
  };
}
