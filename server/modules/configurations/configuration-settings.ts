import type {
  ConfigurationPlatform,
  ConfigurationSettingsDto,
  ConfigurationSettingsInput,
  MacChannel,
} from '../../contract/configurations.js';
import { AppError } from '../../core/errors.js';
import { buildPlist, isDict, parsePlist, type PlistDict, type PlistValue } from '../../core/plist.js';
import {
  checkConfiguration,
  CONFIGURATION_KINDS,
  MAC_CHANNELS,
  type ConfigurationKind,
  type ConfigurationSpec,
} from './configuration-profile.js';
import { invalid } from './payload-values.js';
import type { ApplePlatform } from './restrictions.js';
import { parseUploadedProfile, type OurIdentity, type UploadedProfile } from './uploaded-profile.js';
import { isEnterprise, type WifiSecurity } from './wifi.js';

// Between the console's settings (ConfigurationSettingsInput / ConfigurationSettingsDto) and what the library stores:
// the spec the profile builders take, its secrets apart, and for an uploaded profile the summary the console shows.

/** What an uploaded profile was, for the console (its payloads are in the spec). */
export type UploadSummary = Omit<Extract<ConfigurationSettingsDto, { kind: 'uploaded' }>, 'kind'>;

/** The secrets of one version, sealed apart from the spec. */
export interface ConfigurationSecrets {
  password?: string;
  sharedSecret?: string;
}

/** One version's content: the checked spec with its secrets, and an upload's summary. */
export interface ConfigurationContent {
  spec: ConfigurationSpec;
  upload?: UploadSummary;
}

/** An Enterprise security choice; anything else (Personal, or not a choice at all) is left to checkWifi. */
const enterprise = (security: unknown) => typeof security === 'string' && isEnterprise(security as WifiSecurity);

const PLATFORMS: readonly ConfigurationPlatform[] = ['ios', 'macos', 'android'];

/** The Apple platforms among a configuration's platforms (the builders check restrictions against these). */
export function applePlatforms(platforms: readonly ConfigurationPlatform[]): ApplePlatform[] {
  return platforms.filter((p): p is ApplePlatform => p !== 'android');
}

/**
 * Checks the platforms and Mac channel of a configuration of `kind`: one to three distinct platforms, Android only for
 * a Personal Wi-Fi network (the agent can suggest networks, nothing else), a Mac channel the kind may use. Returns
 * them in canonical order, with the Mac channel defaulted to the kind's first.
 */
export function checkTargets(
  kind: ConfigurationKind,
  platforms: unknown,
  macChannel: MacChannel | undefined,
  settings: ConfigurationSettingsInput,
): { platforms: ConfigurationPlatform[]; macChannel: MacChannel } {
  if (!Array.isArray(platforms) || platforms.length === 0)
    throw invalid('platforms', 'required', 'Choose at least one kind of device: iPhone and iPad, Mac or Android.');
  if (platforms.some((p) => !PLATFORMS.includes(p as ConfigurationPlatform)))
    throw invalid('platforms', 'not-allowed', 'The platforms are ios (iPhone and iPad), macos and android.');
  const chosen = PLATFORMS.filter((p) => platforms.includes(p));
  if (chosen.includes('android')) {
    const personalWifi = settings.kind === 'wifi' && !enterprise(settings.security);
    if (!personalWifi)
      throw invalid(
        'platforms',
        'not-allowed',
        'Android devices can only get Personal Wi-Fi networks: the Tsunagu agent suggests networks but cannot install certificates or profiles. Leave Android out.',
      );
  }
  const allowed = MAC_CHANNELS[kind];
  const channel = macChannel ?? allowed[0]!;
  if (chosen.includes('macos') && !allowed.includes(channel))
    throw invalid(
      'macChannel',
      'not-allowed',
      `On a Mac this kind of configuration can only go to the ${allowed.join(' or ')} channel.`,
    );
  return { platforms: chosen, macChannel: channel };
}

/**
 * Turns the console's settings into a checked spec. A refusal names its field under `settings.` (`settings.ssid`,
 * `settings.name` for a VPN's own name), apart from the configuration's own fields. Secrets left out are taken from `previous` (an edit keeps the
 * stored Wi-Fi password or VPN secret); an uploaded profile left out keeps the previous upload. Throws
 * CONFIGURATION_INVALID, CONFIGURATION_SUPERVISION_REQUIRED or the PROFILE_UPLOAD_* refusals.
 */
export function contentFromSettings(
  settings: ConfigurationSettingsInput,
  platforms: readonly ConfigurationPlatform[],
  previous: ConfigurationContent | undefined,
  us: () => OurIdentity,
): ConfigurationContent {
  try {
    return checkedContent(settings, platforms, previous, us);
  } catch (err) {
    const field = err instanceof AppError ? err.details?.field : undefined;
    if (!(err instanceof AppError) || typeof field !== 'string') throw err;
    throw new AppError(err.code, err.message, { ...err.details, field: `settings.${field}` }, { cause: err });
  }
}

function checkedContent(
  settings: ConfigurationSettingsInput,
  platforms: readonly ConfigurationPlatform[],
  previous: ConfigurationContent | undefined,
  us: () => OurIdentity,
): ConfigurationContent {
  if (typeof settings !== 'object' || settings === null || !CONFIGURATION_KINDS.includes(settings.kind))
    throw invalid('kind', 'not-allowed', `The kind must be one of ${CONFIGURATION_KINDS.join(', ')}.`);
  if (previous && previous.spec.kind !== settings.kind)
    throw invalid('kind', 'not-allowed', 'A configuration keeps its kind; create a new one for another kind.');
  const apple = applePlatforms(platforms);
  const check = (spec: ConfigurationSpec) => checkConfiguration(spec, apple);
  switch (settings.kind) {
    case 'wifi': {
      const { kind: _kind, ...wifi } = settings;
      const before = previous?.spec.kind === 'wifi' ? previous.spec.wifi.password : undefined;
      const password =
        wifi.password === undefined || wifi.password === ''
          ? enterprise(wifi.security)
            ? undefined
            : before
          : wifi.password;
      return { spec: check({ kind: 'wifi', wifi: { ...wifi, ...(password === undefined ? {} : { password }) } }) };
    }
    case 'vpn': {
      const { kind: _kind, ...vpn } = settings;
      const before = previous?.spec.kind === 'vpn' ? previous.spec.vpn.sharedSecret : undefined;
      const secret =
        vpn.sharedSecret === undefined || vpn.sharedSecret === ''
          ? vpn.auth === 'shared-secret'
            ? before
            : undefined
          : vpn.sharedSecret;
      return {
        spec: check({ kind: 'vpn', vpn: { ...vpn, ...(secret === undefined ? {} : { sharedSecret: secret }) } }),
      };
    }
    case 'passcode': {
      const { kind: _kind, ...passcode } = settings;
      return { spec: check({ kind: 'passcode', passcode }) };
    }
    case 'restrictions':
      return { spec: check({ kind: 'restrictions', restrictions: { values: settings.values } }) };
    case 'office-ca':
    case 'identity':
      return { spec: check({ kind: settings.kind }) };
    case 'webclip': {
      const { kind: _kind, iconBase64, ...webclip } = settings;
      const icon = iconBase64 === undefined ? undefined : decodeBase64('iconBase64', iconBase64);
      return { spec: check({ kind: 'webclip', webclip: { ...webclip, ...(icon ? { icon } : {}) } }) };
    }
    case 'uploaded': {
      if (settings.profileBase64 === undefined || settings.profileBase64 === '') {
        if (previous?.spec.kind === 'uploaded' && previous.upload) return previous;
        throw invalid('profileBase64', 'required', 'Choose a .mobileconfig file to upload.');
      }
      const parsed = parseUploadedProfile(decodeBase64('profileBase64', settings.profileBase64), us());
      return { spec: check({ kind: 'uploaded', uploaded: { payloads: parsed.payloads } }), upload: summaryOf(parsed) };
    }
  }
}

function summaryOf(parsed: UploadedProfile): UploadSummary {
  return {
    displayName: parsed.displayName,
    identifier: parsed.identifier,
    wasSigned: parsed.wasSigned,
    payloads: parsed.summary,
  };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(field: string, value: unknown): Buffer {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value))
    throw invalid(field, 'format', 'The file did not arrive as base64; choose it again.');
  return Buffer.from(value, 'base64');
}

/** The spec without its secrets, and the secrets (null when it has none). */
export function splitSecrets(spec: ConfigurationSpec): {
  spec: ConfigurationSpec;
  secrets: ConfigurationSecrets | null;
} {
  if (spec.kind === 'wifi' && spec.wifi.password !== undefined) {
    const { password, ...wifi } = spec.wifi;
    return { spec: { kind: 'wifi', wifi }, secrets: { password } };
  }
  if (spec.kind === 'vpn' && spec.vpn.sharedSecret !== undefined) {
    const { sharedSecret, ...vpn } = spec.vpn;
    return { spec: { kind: 'vpn', vpn }, secrets: { sharedSecret } };
  }
  return { spec, secrets: null };
}

/** Puts the secrets back into a stored spec. */
export function joinSecrets(spec: ConfigurationSpec, secrets: ConfigurationSecrets | null): ConfigurationSpec {
  if (!secrets) return spec;
  if (spec.kind === 'wifi' && secrets.password !== undefined)
    return { kind: 'wifi', wifi: { ...spec.wifi, password: secrets.password } };
  if (spec.kind === 'vpn' && secrets.sharedSecret !== undefined)
    return { kind: 'vpn', vpn: { ...spec.vpn, sharedSecret: secrets.sharedSecret } };
  return spec;
}

// Plists have no undefined: optional values left out are dropped before storing.
function defined(value: unknown): PlistValue {
  if (Array.isArray(value)) return value.map(defined);
  if (value && typeof value === 'object' && !Buffer.isBuffer(value) && !(value instanceof Date)) {
    const out: PlistDict = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = defined(v);
    return out;
  }
  return value as PlistValue;
}

/** The stored form of a version's content without secrets: an XML plist (icons and uploaded data stay binary). */
export function storedContent(content: ConfigurationContent): string {
  const { spec } = splitSecrets(content.spec);
  return buildPlist(defined(content.upload ? { spec, upload: content.upload } : { spec }));
}

/** Reads what storedContent wrote. */
export function readStoredContent(stored: string, secrets: ConfigurationSecrets | null): ConfigurationContent {
  const root = parsePlist(stored, { maxBytes: 4 * 1024 * 1024, maxDepth: 64, maxNodes: 200_000 });
  if (!isDict(root) || !isDict(root.spec)) throw new Error('A stored configuration version is not readable.');
  const spec = joinSecrets(root.spec as unknown as ConfigurationSpec, secrets);
  const upload = isDict(root.upload) ? (fromPlistUpload(root.upload) ?? undefined) : undefined;
  return upload ? { spec, upload } : { spec };
}

function fromPlistUpload(p: PlistDict): UploadSummary | null {
  if (!Array.isArray(p.payloads)) return null;
  return {
    displayName: typeof p.displayName === 'string' ? p.displayName : null,
    identifier: typeof p.identifier === 'string' ? p.identifier : null,
    wasSigned: p.wasSigned === true,
    payloads: p.payloads.filter(isDict).map((x) => ({
      type: String(x.type),
      identifier: String(x.identifier),
      displayName: typeof x.displayName === 'string' ? x.displayName : null,
    })),
  };
}

/** The console's view of a version's settings: no secrets, whether one is stored, an upload's summary. */
export function settingsDto(content: ConfigurationContent): ConfigurationSettingsDto {
  const { spec } = content;
  switch (spec.kind) {
    case 'wifi': {
      const { password, ...wifi } = spec.wifi;
      return { kind: 'wifi', ...wifi, hasPassword: password !== undefined };
    }
    case 'vpn': {
      const { sharedSecret, ...vpn } = spec.vpn;
      return { kind: 'vpn', ...vpn, hasSharedSecret: sharedSecret !== undefined };
    }
    case 'passcode':
      return { kind: 'passcode', ...spec.passcode };
    case 'restrictions':
      return { kind: 'restrictions', values: spec.restrictions.values };
    case 'webclip': {
      const { icon, ...webclip } = spec.webclip;
      return { kind: 'webclip', ...webclip, ...(icon ? { iconBase64: icon.toString('base64') } : {}) };
    }
    case 'uploaded':
      return {
        kind: 'uploaded',
        ...(content.upload ?? { displayName: null, identifier: null, wasSigned: false, payloads: [] }),
      };
    default:
      return { kind: spec.kind };
  }
}
