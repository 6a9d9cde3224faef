import { AppError } from '../../core/errors.js';
import { isDict, type PlistDict } from '../../core/plist.js';
import { officeCaPayload, scepPayload } from '../profiles/enrollment-profile.js';
import { signProfile, type ProfileSigner } from '../profiles/sign-profile.js';
import { passcodePayload, checkPasscode, type PasscodeInput } from './passcode.js';
import { derivedUuid, invalid, optionalText, OUR_IDENTIFIER_PREFIX, text, type PayloadIds } from './payload-values.js';
import { checkRestrictions, restrictionsPayload, type ApplePlatform, type RestrictionsInput } from './restrictions.js';
import { checkVpn, vpnPayload, type VpnInput } from './vpn.js';
import { checkWebClip, webClipPayload, type WebClipInput } from './webclip.js';
import { checkWifi, isEnterprise, wifiPayload, type WifiInput } from './wifi.js';

/** The kinds of configuration the library holds. */
export const CONFIGURATION_KINDS = [
  'wifi',
  'vpn',
  'passcode',
  'restrictions',
  'office-ca',
  'identity',
  'webclip',
  'uploaded',
] as const;
export type ConfigurationKind = (typeof CONFIGURATION_KINDS)[number];

/** What one configuration (one version of it) is: its kind and the admin's values. */
export type ConfigurationSpec =
  | { kind: 'wifi'; wifi: WifiInput }
  | { kind: 'vpn'; vpn: VpnInput }
  | { kind: 'passcode'; passcode: PasscodeInput }
  | { kind: 'restrictions'; restrictions: RestrictionsInput }
  /** The office CA as a trusted root. */
  | { kind: 'office-ca' }
  /** A per-user identity certificate from the office CA (SCEP, with its own one-time challenge per delivery). */
  | { kind: 'identity' }
  | { kind: 'webclip'; webclip: WebClipInput }
  /** An uploaded .mobileconfig's payloads, as parseUploadedProfile returned them. */
  | { kind: 'uploaded'; uploaded: { payloads: PlistDict[] } };

/** Where a Mac configuration goes: the device channel (every user of the Mac) or the enrolling user's channel. */
export type ConfigurationChannel = 'device' | 'user';

/**
 * The Mac channels each kind may use, from the `supportedOS.macOS` devicechannel/userchannel fields of its Apple
 * schema (checked by the tests). iPhone and iPad have the device channel only.
 */
export const MAC_CHANNELS: Readonly<Record<ConfigurationKind, readonly ConfigurationChannel[]>> = Object.freeze({
  wifi: ['device', 'user'],
  vpn: ['device', 'user'],
  passcode: ['device', 'user'],
  restrictions: ['device', 'user'],
  'office-ca': ['device', 'user'],
  identity: ['device', 'user'],
  webclip: ['user'],
  uploaded: ['device', 'user'],
});

/** True when delivering `spec` needs an identity from our CA: the caller mints a one-time SCEP challenge for it. */
export function needsIdentity(spec: ConfigurationSpec): boolean {
  return (
    spec.kind === 'identity' ||
    (spec.kind === 'wifi' && spec.wifi?.security !== undefined && isEnterprise(spec.wifi.security)) ||
    (spec.kind === 'vpn' && spec.vpn?.auth === 'certificate')
  );
}

/**
 * Checks a configuration for the platforms it targets and returns it in canonical form: what the library stores.
 * Throws CONFIGURATION_INVALID or CONFIGURATION_SUPERVISION_REQUIRED.
 */
export function checkConfiguration(spec: ConfigurationSpec, platforms: readonly ApplePlatform[]): ConfigurationSpec {
  if (typeof spec !== 'object' || spec === null || !CONFIGURATION_KINDS.includes(spec.kind))
    throw invalid('kind', 'not-allowed', `The kind must be one of ${CONFIGURATION_KINDS.join(', ')}.`);
  switch (spec.kind) {
    case 'wifi':
      return { kind: 'wifi', wifi: checkWifi(spec.wifi ?? ({} as WifiInput)) };
    case 'vpn':
      return { kind: 'vpn', vpn: checkVpn(spec.vpn ?? ({} as VpnInput)) };
    case 'passcode':
      return { kind: 'passcode', passcode: checkPasscode(spec.passcode ?? {}) };
    case 'restrictions':
      return { kind: 'restrictions', restrictions: checkRestrictions(spec.restrictions, platforms) };
    case 'webclip':
      return { kind: 'webclip', webclip: checkWebClip(spec.webclip ?? ({} as WebClipInput)) };
    case 'uploaded': {
      const payloads = spec.uploaded?.payloads;
      if (!Array.isArray(payloads) || payloads.length === 0)
        throw invalid('uploaded', 'required', 'Upload a .mobileconfig first.');
      // parseUploadedProfile refused these already; a stored configuration is checked again before it is built.
      for (const p of payloads) {
        if (!isDict(p) || typeof p.PayloadType !== 'string' || typeof p.PayloadIdentifier !== 'string')
          throw invalid('uploaded', 'format', 'Upload the .mobileconfig again.');
        if (
          p.PayloadType.toLowerCase() === 'com.apple.mdm' ||
          p.PayloadIdentifier.toLowerCase().startsWith(OUR_IDENTIFIER_PREFIX)
        )
          throw invalid('uploaded', 'not-allowed', 'The uploaded profile carries an MDM payload or our identifiers.');
      }
      return spec;
    }
    default:
      return { kind: spec.kind };
  }
}

/** The same configuration without its secrets (Wi-Fi password, VPN shared secret), for answers to the console. */
export function withoutSecrets(spec: ConfigurationSpec): ConfigurationSpec {
  if (spec.kind === 'wifi') {
    const { password: _password, ...wifi } = spec.wifi;
    return { kind: 'wifi', wifi: wifi as WifiInput };
  }
  if (spec.kind === 'vpn') {
    const { sharedSecret: _secret, ...vpn } = spec.vpn;
    return { kind: 'vpn', vpn: vpn as VpnInput };
  }
  return spec;
}

/** The stable top-level PayloadIdentifier of a configuration: every version replaces the one before on the device. */
export function configurationProfileIdentifier(serverId: string, configurationId: string): string {
  return `${OUR_IDENTIFIER_PREFIX}config.${serverId}.${configurationId}`;
}

/** The top-level PayloadUUID of one version of a configuration: what a device's ProfileList reports back. */
export function configurationProfileUuid(serverId: string, configurationId: string, version: number): string {
  return derivedUuid('tsunagu-configuration', serverId, configurationId, String(version));
}

/** What an identity payload needs at delivery: the SCEP endpoint, a fresh one-time challenge and the subject. */
export interface IdentityRequest {
  scepUrl: string;
  challenge: string;
  subject: { organization: string; commonName: string };
  /** The user's email address, asked for as the certificate's rfc822Name (the SCEP service decides). */
  email?: string;
}

/** Everything one configuration profile (one version, one device or user) is made of. */
export interface ConfigurationProfileInput {
  serverId: string;
  /** Letters, digits and hyphens, at most 64. */
  configurationId: string;
  /** 1, 2, ...: each edit is a new version. */
  version: number;
  /** The configuration's name as the device shows it. */
  name: string;
  description?: string;
  organization: string;
  lang: 'ja' | 'en';
  /** The device the profile is for. */
  target: ApplePlatform;
  /** `user` only for a Mac's enrolling user. */
  channel: ConfigurationChannel;
  /** The platforms the configuration targets (restrictions are checked against each). */
  platforms: readonly ApplePlatform[];
  spec: ConfigurationSpec;
  /** The office CA: its certificate and common name (CaService.caCertificate()). */
  office: { der: Buffer; name: string };
  /** Required when needsIdentity(spec). */
  identity?: IdentityRequest;
}

const TEXT = {
  ja: { ca: (org: string) => `${org} オフィス証明書`, identity: 'ユーザー ID 証明書' },
  en: { ca: (org: string) => `${org} Office Certificate`, identity: 'User Identity Certificate' },
} as const;

const CONFIGURATION_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Builds the Configuration profile of one configuration version for one device (and, on a Mac, one channel):
 * a stable PayloadIdentifier under our prefix, PayloadUUIDs derived from the version (a new version replaces the old
 * profile; the same version always has the same UUIDs), PayloadScope System or User, removable by the user.
 * Enterprise Wi-Fi and certificate VPN carry the office CA (the anchor) and a SCEP identity payload beside them.
 */
export function buildConfigurationProfile(input: ConfigurationProfileInput): PlistDict {
  if (!CONFIGURATION_ID.test(input.configurationId))
    throw invalid('configurationId', 'format', 'A configuration id is letters, digits and hyphens.');
  if (!Number.isSafeInteger(input.version) || input.version < 1)
    throw invalid('version', 'range', 'A configuration version is a whole number from 1.');
  if (input.channel === 'user' && input.target !== 'macos')
    throw invalid(
      'channel',
      'not-allowed',
      'Only a Mac has a user channel; iPhone and iPad configurations go to the device.',
    );
  if (!input.platforms.includes(input.target))
    throw invalid('target', 'not-allowed', 'This configuration does not target this kind of device.');
  const spec = checkConfiguration(input.spec, input.platforms);
  if (input.target === 'macos' && !MAC_CHANNELS[spec.kind].includes(input.channel))
    throw invalid(
      'channel',
      'not-allowed',
      `On a Mac, this kind of configuration can only go to the ${MAC_CHANNELS[spec.kind].join(' or ')} channel.`,
    );
  const name = text('name', input.name, 1, 100);
  const description = optionalText('description', input.description, 500);
  const t = TEXT[input.lang];
  const base = configurationProfileIdentifier(input.serverId, input.configurationId);
  const ids = (role: string, displayName: string): PayloadIds => ({
    identifier: `${base}.${role}`,
    uuid: derivedUuid('tsunagu-configuration', input.serverId, input.configurationId, String(input.version), role),
    displayName,
  });
  const caIds = ids('ca', t.ca(input.organization));
  const ca = () => officeCaPayload({ ...caIds, caDer: input.office.der });
  const identityIds = ids('identity', t.identity);
  const identity = () => {
    const r = input.identity;
    if (!r)
      throw new AppError(
        'INTERNAL',
        'This configuration needs an identity request (a one-time SCEP challenge) to be built.',
      );
    return scepPayload({
      ...identityIds,
      scepUrl: r.scepUrl,
      challenge: r.challenge,
      subject: r.subject,
      caDer: input.office.der,
      keyIsExtractable: false,
      ...(r.email ? { subjectAltName: { rfc822Name: r.email } } : {}),
    });
  };
  let payloads: PlistDict[];
  switch (spec.kind) {
    case 'wifi': {
      const wifi = wifiPayload(spec.wifi, ids('wifi', name), {
        identityUuid: identityIds.uuid,
        anchorUuid: caIds.uuid,
      });
      payloads = isEnterprise(spec.wifi.security) ? [ca(), identity(), wifi] : [wifi];
      break;
    }
    case 'vpn': {
      const vpn = vpnPayload(spec.vpn, ids('vpn', name), {
        identityUuid: identityIds.uuid,
        officeCaName: input.office.name,
      });
      payloads = spec.vpn.auth === 'certificate' ? [ca(), identity(), vpn] : [vpn];
      break;
    }
    case 'passcode':
      payloads = [passcodePayload(spec.passcode, ids('passcode', name))];
      break;
    case 'restrictions':
      payloads = [restrictionsPayload(spec.restrictions, ids('restrictions', name), input.platforms)];
      break;
    case 'office-ca':
      payloads = [ca()];
      break;
    case 'identity':
      payloads = [identity()];
      break;
    case 'webclip':
      payloads = [webClipPayload(spec.webclip, ids('webclip', name), input.target)];
      break;
    case 'uploaded':
      payloads = spec.uploaded.payloads;
      break;
  }
  const profile: PlistDict = {
    PayloadContent: payloads,
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: base,
    PayloadUUID: configurationProfileUuid(input.serverId, input.configurationId, input.version),
    PayloadDisplayName: name,
    PayloadOrganization: input.organization,
    PayloadScope: input.channel === 'user' ? 'User' : 'System',
    PayloadRemovalDisallowed: false,
    TargetDeviceType: input.target === 'macos' ? 5 : 1,
  };
  if (description) profile.PayloadDescription = description;
  return profile;
}

/** buildConfigurationProfile, signed as enrollment profiles are (DER CMS SignedData by the server's TLS identity). */
export function signedConfigurationProfile(
  input: ConfigurationProfileInput,
  signer: ProfileSigner,
  now: Date,
): Promise<Buffer> {
  return signProfile(buildConfigurationProfile(input), signer, now);
}
