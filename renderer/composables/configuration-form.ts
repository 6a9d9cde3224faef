// The configuration form as plain data: a draft the dialog edits, the draft from a stored configuration, the checks
// the server makes (same limits, so most mistakes show before sending), the input the API takes, and where a server
// error belongs. Secrets are never in a stored configuration: an edit sends one only when the admin typed a new one.
import type {
  ConfigurationDto,
  ConfigurationInput,
  ConfigurationKindName,
  ConfigurationPlatform,
  ConfigurationSettingsInput,
  MacChannel,
  RestrictionOptionDto,
} from '../../server/contract/index.js';

/** The kinds in the order the picker offers them. */
export const CONFIGURATION_KINDS: readonly ConfigurationKindName[] = [
  'wifi',
  'vpn',
  'passcode',
  'restrictions',
  'office-ca',
  'identity',
  'webclip',
  'uploaded',
];

/** Every platform, in the order the form lists them. */
export const CONFIGURATION_PLATFORMS: readonly ConfigurationPlatform[] = ['ios', 'macos', 'android'];

export const WIFI_SECURITIES = ['wpa2-personal', 'wpa3-personal', 'wpa2-enterprise', 'wpa3-enterprise'] as const;
export type WifiSecurity = (typeof WIFI_SECURITIES)[number];

/** The passcode policy's numbers and their ranges (Apple's schema, as the server checks them). */
export const PASSCODE_LIMITS = {
  minLength: [0, 16],
  minComplexChars: [0, 4],
  maxInactivityMinutes: [1, 15],
  maxFailedAttempts: [2, 11],
  maxPasscodeAgeDays: [1, 730],
  passcodeHistory: [1, 50],
} as const;
export type PasscodeNumber = keyof typeof PASSCODE_LIMITS;

/** Largest web clip icon (the server's limit). */
export const ICON_MAX_BYTES = 256 * 1024;
/** Largest uploaded .mobileconfig (the server's limit). */
export const PROFILE_MAX_BYTES = 512 * 1024;

/** What the form edits. Text fields are strings; the trusted server names are one per line. */
export interface ConfigurationDraft {
  name: string;
  description: string;
  kind: ConfigurationKindName;
  platforms: ConfigurationPlatform[];
  macChannel: MacChannel;
  scope: 'everyone' | 'users';
  userIds: string[];
  wifi: {
    ssid: string;
    security: WifiSecurity;
    /** A new password; empty keeps the stored one when editing. */
    password: string;
    hidden: boolean;
    autoJoin: boolean;
    trustedServerNames: string;
    eapUserName: string;
  };
  vpn: {
    name: string;
    remoteAddress: string;
    remoteIdentifier: string;
    localIdentifier: string;
    auth: 'certificate' | 'shared-secret';
    /** A new shared secret; empty keeps the stored one when editing. */
    sharedSecret: string;
    serverCertificateName: string;
  };
  passcode: {
    requirePasscode: boolean;
    allowSimple: boolean;
    requireAlphanumeric: boolean;
  } & Record<PasscodeNumber, number | null>;
  /** The restrictions applied: key to the value sent (the opposite of the device's default). */
  restrictions: Record<string, boolean>;
  webclip: {
    url: string;
    label: string;
    /** The icon to send: the stored one when editing, a new one after an upload, null for none. */
    iconBase64: string | null;
    removable: boolean;
    fullScreen: boolean;
  };
  /** A newly read .mobileconfig as base64; null sends none (editing keeps the stored one). */
  profileBase64: string | null;
}

/** What is stored already, for the write-only fields of an edit. */
export interface StoredSecrets {
  hasPassword: boolean;
  hasSharedSecret: boolean;
  hasProfile: boolean;
}

/** An empty draft (a new configuration). */
export function emptyDraft(kind: ConfigurationKindName = 'wifi'): ConfigurationDraft {
  return {
    name: '',
    description: '',
    kind,
    platforms: ['ios', 'macos'],
    macChannel: macChannelsFor(kind)[0] as MacChannel,
    scope: 'everyone',
    userIds: [],
    wifi: {
      ssid: '',
      security: 'wpa2-personal',
      password: '',
      hidden: false,
      autoJoin: true,
      trustedServerNames: '',
      eapUserName: '',
    },
    vpn: {
      name: '',
      remoteAddress: '',
      remoteIdentifier: '',
      localIdentifier: '',
      auth: 'certificate',
      sharedSecret: '',
      serverCertificateName: '',
    },
    passcode: {
      requirePasscode: true,
      allowSimple: true,
      requireAlphanumeric: false,
      minLength: null,
      minComplexChars: null,
      maxInactivityMinutes: null,
      maxFailedAttempts: null,
      maxPasscodeAgeDays: null,
      passcodeHistory: null,
    },
    restrictions: {},
    webclip: { url: '', label: '', iconBase64: null, removable: true, fullScreen: false },
    profileBase64: null,
  };
}

/** The draft of a stored configuration; its secrets are not there (the DTO has none), only whether one is stored. */
export function draftFrom(c: ConfigurationDto): { draft: ConfigurationDraft; stored: StoredSecrets } {
  const d = emptyDraft(c.kind);
  d.name = c.name;
  d.description = c.description ?? '';
  d.platforms = [...c.platforms];
  d.macChannel = c.macChannel;
  d.scope = c.assignment.scope;
  d.userIds = [...c.assignment.userIds];
  const stored: StoredSecrets = { hasPassword: false, hasSharedSecret: false, hasProfile: false };
  const s = c.settings;
  switch (s.kind) {
    case 'wifi':
      Object.assign(d.wifi, {
        ssid: s.ssid,
        security: s.security,
        hidden: s.hidden ?? false,
        autoJoin: s.autoJoin ?? true,
        trustedServerNames: (s.trustedServerNames ?? []).join('\n'),
        eapUserName: s.eapUserName ?? '',
      });
      stored.hasPassword = s.hasPassword;
      break;
    case 'vpn':
      Object.assign(d.vpn, {
        name: s.name,
        remoteAddress: s.remoteAddress,
        remoteIdentifier: s.remoteIdentifier,
        localIdentifier: s.localIdentifier,
        auth: s.auth,
        serverCertificateName: s.serverCertificateName ?? '',
      });
      stored.hasSharedSecret = s.hasSharedSecret;
      break;
    case 'passcode':
      d.passcode.requirePasscode = s.requirePasscode ?? true;
      d.passcode.allowSimple = s.allowSimple ?? true;
      d.passcode.requireAlphanumeric = s.requireAlphanumeric ?? false;
      for (const k of Object.keys(PASSCODE_LIMITS) as PasscodeNumber[]) d.passcode[k] = s[k] ?? null;
      break;
    case 'restrictions':
      d.restrictions = { ...s.values };
      break;
    case 'webclip':
      Object.assign(d.webclip, {
        url: s.url,
        label: s.label,
        iconBase64: s.iconBase64 ?? null,
        removable: s.removable ?? true,
        fullScreen: s.fullScreen ?? false,
      });
      break;
    case 'uploaded':
      stored.hasProfile = true;
      break;
  }
  return { draft: d, stored };
}

/** The Mac channels a kind can use (Apple's schema): a web clip goes to the user's channel only. */
export function macChannelsFor(kind: ConfigurationKindName): MacChannel[] {
  return kind === 'webclip' ? ['user'] : ['device', 'user'];
}

/** True for WPA2/WPA3 Enterprise (EAP-TLS with the device's identity certificate from the office CA). */
export function isEnterprise(security: WifiSecurity): boolean {
  return security.endsWith('-enterprise');
}

/** The platforms a kind can go to: Android takes Personal Wi-Fi only; the rest are for Apple devices. */
export function platformsFor(draft: Pick<ConfigurationDraft, 'kind' | 'wifi'>): ConfigurationPlatform[] {
  return draft.kind === 'wifi' && !isEnterprise(draft.wifi.security) ? ['ios', 'macos', 'android'] : ['ios', 'macos'];
}

/** Whether a restriction can be chosen for `platforms` on unsupervised devices, and if not, why. */
export function restrictionAvailability(
  option: RestrictionOptionDto,
  platforms: readonly ConfigurationPlatform[],
): 'yes' | 'deprecated' | 'supervised' | 'no' {
  const apple = platforms.filter((p): p is 'ios' | 'macos' => p === 'ios' || p === 'macos');
  const support = apple.map((p) => option[p]);
  if (support.includes('supervised')) return 'supervised';
  if (support.includes('deprecated'))
    return support.every((s) => s === 'deprecated' || s === 'no') ? 'deprecated' : 'yes';
  return support.includes('yes') ? 'yes' : 'no';
}

/** The fields a message can stand beside. */
export type ConfigurationField =
  | 'name'
  | 'description'
  | 'platforms'
  | 'assignment'
  | 'ssid'
  | 'security'
  | 'password'
  | 'trustedServerNames'
  | 'eapUserName'
  | 'vpnName'
  | 'remoteAddress'
  | 'remoteIdentifier'
  | 'localIdentifier'
  | 'sharedSecret'
  | 'serverCertificateName'
  | PasscodeNumber
  | 'restrictions'
  | 'url'
  | 'label'
  | 'icon'
  | 'profile';

/** A problem found before sending: the field and the i18n key (with its parameters) of what to do. */
export interface DraftProblem {
  field: ConfigurationField;
  key: string;
  params?: Record<string, unknown>;
}

// The server's checks (server/modules/configurations/*.ts), repeated so the admin hears of a mistake at once.
const PASSPHRASE = /^[\x20-\x7e]{8,63}$/;
const PSK_HEX = /^[0-9A-Fa-f]{64}$/;
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const WILDCARD_LABEL = /^(\*|[A-Za-z0-9*]([A-Za-z0-9*-]{0,61}[A-Za-z0-9*])?)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** A host name as the server accepts it (wildcards only before the last two labels), or with `ip` an address. */
export function hostNameOk(value: string, options: { wildcards?: boolean; ip?: boolean } = {}): boolean {
  if (value.length < 1 || value.length > 253) return false;
  if (options.ip && (IPV4.test(value) || (value.includes(':') && /^[0-9A-Fa-f:.]+$/.test(value)))) return true;
  const labels = value.split('.');
  if (!labels.every((l) => (options.wildcards ? WILDCARD_LABEL : LABEL).test(l))) return false;
  return !value.includes('*') || (labels.length >= 3 && !labels.slice(-2).some((l) => l.includes('*')));
}

/** The trusted server names typed one per line (or separated by commas), without blanks. */
export function serverNames(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** The problems of a draft, in form order; none means it can be sent. */
export function checkDraft(d: ConfigurationDraft, stored: StoredSecrets | null): DraftProblem[] {
  const out: DraftProblem[] = [];
  const need = (field: ConfigurationField, value: string, max: number, min = 1) => {
    const v = value.trim();
    if (v.length < min) out.push({ field, key: 'errors.required' });
    else if (v.length > max) out.push({ field, key: 'configurations.problems.tooLong', params: { max } });
  };
  need('name', d.name, 100);
  if (d.description.trim().length > 500)
    out.push({ field: 'description', key: 'configurations.problems.tooLong', params: { max: 500 } });
  const allowed = platformsFor(d);
  if (!d.platforms.some((p) => allowed.includes(p)))
    out.push({ field: 'platforms', key: 'configurations.problems.platforms' });
  if (d.scope === 'users' && d.userIds.length === 0)
    out.push({ field: 'assignment', key: 'configurations.problems.users' });
  if (d.scope === 'users' && d.userIds.length > 1000)
    out.push({ field: 'assignment', key: 'configurations.problems.tooManyUsers' });

  switch (d.kind) {
    case 'wifi': {
      const w = d.wifi;
      if (!w.ssid) out.push({ field: 'ssid', key: 'errors.required' });
      else if (utf8Length(w.ssid) > 32) out.push({ field: 'ssid', key: 'configurations.problems.ssid' });
      if (isEnterprise(w.security)) {
        const names = serverNames(w.trustedServerNames);
        if (names.length === 0) out.push({ field: 'trustedServerNames', key: 'configurations.problems.serverNames' });
        else if (names.length > 16)
          out.push({ field: 'trustedServerNames', key: 'configurations.problems.tooMany', params: { max: 16 } });
        else if (names.some((n) => !hostNameOk(n, { wildcards: true })))
          out.push({ field: 'trustedServerNames', key: 'configurations.problems.hostWildcard' });
        else if (new Set(names).size !== names.length)
          out.push({ field: 'trustedServerNames', key: 'configurations.problems.duplicate' });
        if (w.eapUserName.trim().length > 253)
          out.push({ field: 'eapUserName', key: 'configurations.problems.tooLong', params: { max: 253 } });
      } else if (w.password === '' && stored?.hasPassword) {
        // Kept as stored.
      } else if (!(PASSPHRASE.test(w.password) || PSK_HEX.test(w.password))) {
        out.push({ field: 'password', key: w.password ? 'configurations.problems.wifiPassword' : 'errors.required' });
      }
      break;
    }
    case 'vpn': {
      const v = d.vpn;
      need('vpnName', v.name, 100);
      if (!v.remoteAddress.trim()) out.push({ field: 'remoteAddress', key: 'errors.required' });
      else if (!hostNameOk(v.remoteAddress.trim(), { ip: true }))
        out.push({ field: 'remoteAddress', key: 'configurations.problems.hostOrIp' });
      need('remoteIdentifier', v.remoteIdentifier, 255);
      need('localIdentifier', v.localIdentifier, 255);
      if (v.auth === 'shared-secret') {
        if (
          !(v.sharedSecret === '' && stored?.hasSharedSecret) &&
          (v.sharedSecret.length < 8 || v.sharedSecret.length > 255)
        )
          out.push({
            field: 'sharedSecret',
            key: v.sharedSecret ? 'configurations.problems.sharedSecret' : 'errors.required',
          });
      } else if (v.serverCertificateName.trim() && !hostNameOk(v.serverCertificateName.trim(), { wildcards: true })) {
        out.push({ field: 'serverCertificateName', key: 'configurations.problems.hostWildcard' });
      }
      break;
    }
    case 'passcode':
      for (const [k, [min, max]] of Object.entries(PASSCODE_LIMITS) as [PasscodeNumber, readonly [number, number]][]) {
        const n = d.passcode[k];
        if (n !== null && (!Number.isInteger(n) || n < min || n > max))
          out.push({ field: k, key: 'configurations.problems.range', params: { min, max } });
      }
      break;
    case 'restrictions':
      if (Object.keys(d.restrictions).length === 0)
        out.push({ field: 'restrictions', key: 'configurations.problems.restrictions' });
      break;
    case 'webclip': {
      const w = d.webclip;
      if (!w.url.trim()) out.push({ field: 'url', key: 'errors.required' });
      else if (!webClipUrlOk(w.url.trim())) out.push({ field: 'url', key: 'configurations.problems.https' });
      need('label', w.label, 64);
      break;
    }
    case 'uploaded':
      if (d.profileBase64 === null && !stored?.hasProfile)
        out.push({ field: 'profile', key: 'configurations.problems.profile' });
      break;
  }
  return out;
}

/** An https:// address without user name or password, at most 2048 characters. */
export function webClipUrlOk(value: string): boolean {
  if (value.length > 2048) return false;
  try {
    const u = new URL(value);
    return u.protocol === 'https:' && !u.username && !u.password && u.hostname !== '';
  } catch {
    return false;
  }
}

function settingsOf(d: ConfigurationDraft): ConfigurationSettingsInput {
  switch (d.kind) {
    case 'wifi': {
      const w = d.wifi;
      const s: Extract<ConfigurationSettingsInput, { kind: 'wifi' }> = {
        kind: 'wifi',
        ssid: w.ssid,
        security: w.security,
        hidden: w.hidden,
        autoJoin: w.autoJoin,
      };
      if (isEnterprise(w.security)) {
        s.trustedServerNames = serverNames(w.trustedServerNames);
        if (w.eapUserName.trim()) s.eapUserName = w.eapUserName.trim();
      } else if (w.password) {
        s.password = w.password;
      }
      return s;
    }
    case 'vpn': {
      const v = d.vpn;
      const s: Extract<ConfigurationSettingsInput, { kind: 'vpn' }> = {
        kind: 'vpn',
        name: v.name.trim(),
        remoteAddress: v.remoteAddress.trim(),
        remoteIdentifier: v.remoteIdentifier.trim(),
        localIdentifier: v.localIdentifier.trim(),
        auth: v.auth,
      };
      if (v.auth === 'shared-secret') {
        if (v.sharedSecret) s.sharedSecret = v.sharedSecret;
      } else if (v.serverCertificateName.trim()) {
        s.serverCertificateName = v.serverCertificateName.trim();
      }
      return s;
    }
    case 'passcode': {
      const p = d.passcode;
      const s: Extract<ConfigurationSettingsInput, { kind: 'passcode' }> = {
        kind: 'passcode',
        requirePasscode: p.requirePasscode,
        allowSimple: p.allowSimple,
        requireAlphanumeric: p.requireAlphanumeric,
      };
      for (const k of Object.keys(PASSCODE_LIMITS) as PasscodeNumber[]) {
        const n = p[k];
        if (n !== null) s[k] = n;
      }
      return s;
    }
    case 'restrictions':
      return { kind: 'restrictions', values: { ...d.restrictions } };
    case 'webclip': {
      const w = d.webclip;
      const s: Extract<ConfigurationSettingsInput, { kind: 'webclip' }> = {
        kind: 'webclip',
        url: w.url.trim(),
        label: w.label.trim(),
        removable: w.removable,
        fullScreen: w.fullScreen,
      };
      if (w.iconBase64) s.iconBase64 = w.iconBase64;
      return s;
    }
    case 'uploaded':
      return d.profileBase64 ? { kind: 'uploaded', profileBase64: d.profileBase64 } : { kind: 'uploaded' };
    case 'office-ca':
      return { kind: 'office-ca' };
    case 'identity':
      return { kind: 'identity' };
  }
}

/** The API input of a checked draft: platforms the kind cannot use and the Mac channel without a Mac are left out. */
export function inputOf(d: ConfigurationDraft): ConfigurationInput {
  const allowed = platformsFor(d);
  const platforms = CONFIGURATION_PLATFORMS.filter((p) => d.platforms.includes(p) && allowed.includes(p));
  const input: ConfigurationInput = {
    name: d.name.trim(),
    platforms,
    assignment: { scope: d.scope, userIds: d.scope === 'users' ? [...d.userIds] : [] },
    settings: settingsOf(d),
  };
  if (d.description.trim()) input.description = d.description.trim();
  if (platforms.includes('macos'))
    input.macChannel = macChannelsFor(d.kind).includes(d.macChannel) ? d.macChannel : macChannelsFor(d.kind)[0];
  return input;
}

const SERVER_FIELDS: Record<string, ConfigurationField> = {
  name: 'name',
  description: 'description',
  platforms: 'platforms',
  macChannel: 'platforms',
  assignment: 'assignment',
  userIds: 'assignment',
  ssid: 'ssid',
  security: 'security',
  password: 'password',
  trustedServerNames: 'trustedServerNames',
  eapUserName: 'eapUserName',
  remoteAddress: 'remoteAddress',
  remoteIdentifier: 'remoteIdentifier',
  localIdentifier: 'localIdentifier',
  auth: 'sharedSecret',
  sharedSecret: 'sharedSecret',
  serverCertificateName: 'serverCertificateName',
  values: 'restrictions',
  url: 'url',
  label: 'label',
  icon: 'icon',
  iconBase64: 'icon',
  profile: 'profile',
  profileBase64: 'profile',
  ...Object.fromEntries(Object.keys(PASSCODE_LIMITS).map((k) => [k, k as PasscodeNumber])),
};

/**
 * The form field a server error names (details.field, e.g. "ssid", "settings.password", "values.allowCamera",
 * "assignment.userIds"); null when it names none the form has. A VPN's own `name` is only told apart from the
 * configuration's name when the server says "settings.name".
 */
export function fieldOfServerError(field: string | undefined, code: string): ConfigurationField | null {
  if (code === 'CONFIGURATION_SUPERVISION_REQUIRED') return 'restrictions';
  if (code.startsWith('PROFILE_UPLOAD_')) return 'profile';
  if (!field) return null;
  const inSettings = field.startsWith('settings.');
  const rest = inSettings ? field.slice('settings.'.length) : field;
  if (inSettings && rest === 'name') return 'vpnName';
  const head = rest.split(/[.[]/)[0] ?? '';
  return SERVER_FIELDS[head] ?? null;
}

/** The bytes of a PNG image (its signature), checked before an icon is sent. */
export function looksLikePng(bytes: Uint8Array): boolean {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return bytes.length >= 33 && sig.every((b, i) => bytes[i] === b);
}
