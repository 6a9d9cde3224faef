/** The platforms a configuration can target: iPhone and iPad ('ios'), Mac, and Android (Wi-Fi only). */
export type ConfigurationPlatform = 'ios' | 'macos' | 'android';

/** The kinds of configuration in the library. */
export type ConfigurationKindName =
  'wifi' | 'vpn' | 'passcode' | 'restrictions' | 'office-ca' | 'identity' | 'webclip' | 'uploaded';

/** Where a Mac configuration goes: the device channel (every user of the Mac) or the enrolling user's channel. */
export type MacChannel = 'device' | 'user';

/** Who a configuration goes to: everyone, or chosen users (always narrowed by its platforms). */
export interface ConfigurationAssignment {
  scope: 'everyone' | 'users';
  /** With scope 'users': the users' ids (at most 1,000). */
  userIds: string[];
}

/**
 * A configuration's settings as the console sends them. Secrets (`password`, `sharedSecret`) may be left out when
 * editing: the stored one is kept. An uploaded profile is sent once as base64; leaving it out keeps the stored one.
 */
export type ConfigurationSettingsInput =
  | {
      kind: 'wifi';
      ssid: string;
      security: 'wpa2-personal' | 'wpa3-personal' | 'wpa2-enterprise' | 'wpa3-enterprise';
      password?: string;
      hidden?: boolean;
      autoJoin?: boolean;
      trustedServerNames?: string[];
      eapUserName?: string;
    }
  | {
      kind: 'vpn';
      name: string;
      remoteAddress: string;
      remoteIdentifier: string;
      localIdentifier: string;
      auth: 'certificate' | 'shared-secret';
      sharedSecret?: string;
      serverCertificateName?: string;
    }
  | {
      kind: 'passcode';
      requirePasscode?: boolean;
      allowSimple?: boolean;
      requireAlphanumeric?: boolean;
      minLength?: number;
      minComplexChars?: number;
      maxInactivityMinutes?: number;
      maxFailedAttempts?: number;
      maxPasscodeAgeDays?: number;
      passcodeHistory?: number;
    }
  | { kind: 'restrictions'; values: Record<string, boolean> }
  | { kind: 'office-ca' }
  | { kind: 'identity' }
  | { kind: 'webclip'; url: string; label: string; iconBase64?: string; removable?: boolean; fullScreen?: boolean }
  | { kind: 'uploaded'; profileBase64?: string };

/** POST /api/configurations and PUT /api/configurations/:id. */
export interface ConfigurationInput {
  /** 1 to 100 characters: the name the device shows. */
  name: string;
  description?: string;
  platforms: ConfigurationPlatform[];
  /** Ignored unless platforms include 'macos'; default 'device'. */
  macChannel?: MacChannel;
  assignment: ConfigurationAssignment;
  settings: ConfigurationSettingsInput;
}

/**
 * A configuration's settings as the console sees them: what was sent, without secrets (`hasPassword`,
 * `hasSharedSecret` say one is stored) and, for an uploaded profile, a summary of its payloads.
 */
export type ConfigurationSettingsDto =
  | (Omit<Extract<ConfigurationSettingsInput, { kind: 'wifi' }>, 'password'> & { hasPassword: boolean })
  | (Omit<Extract<ConfigurationSettingsInput, { kind: 'vpn' }>, 'sharedSecret'> & { hasSharedSecret: boolean })
  | Exclude<ConfigurationSettingsInput, { kind: 'wifi' | 'vpn' | 'uploaded' }>
  | {
      kind: 'uploaded';
      /** The uploaded profile's own name and identifier. */
      displayName: string | null;
      identifier: string | null;
      /** Whether the upload was signed (we sign it again when delivering). */
      wasSigned: boolean;
      payloads: { type: string; identifier: string; displayName: string | null }[];
    };

/** Where delivery of one configuration version stands on one device channel. */
export type DeliveryState = 'pending' | 'installed' | 'failed' | 'removing' | 'removed';

/** A configuration in the library. */
export interface ConfigurationDto {
  id: string;
  name: string;
  description: string | null;
  kind: ConfigurationKindName;
  platforms: ConfigurationPlatform[];
  macChannel: MacChannel;
  assignment: ConfigurationAssignment & {
    /** The assigned users (scope 'users'), for display. */
    users: { id: string; email: string; displayName: string }[];
  };
  /** The current version: 1 at creation, one more for every edit of the settings. */
  version: number;
  settings: ConfigurationSettingsDto;
  /** Device channels by delivery state, removed ones left out. */
  counts: Record<Exclude<DeliveryState, 'removed'>, number>;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

/** GET /api/configurations */
export interface ConfigurationListDto {
  items: ConfigurationDto[];
}

/** One configuration on one device channel. */
export interface DeviceConfigurationDto {
  deviceId: string;
  /** 'device', 'user:<UserID>' (a Mac's enrolling user) or 'agent' (Android). */
  channel: string;
  configurationId: string;
  configurationName: string;
  kind: ConfigurationKindName;
  /** The version that should be installed; null when it is being removed. */
  desiredVersion: number | null;
  installedVersion: number | null;
  state: DeliveryState;
  /** The device's ErrorChain (or the agent's message) of the last failure, in words. */
  error: string | null;
  updatedAt: string;
}

/** GET /api/configurations/:id: the configuration and its state on every device. */
export interface ConfigurationDetailDto {
  configuration: ConfigurationDto;
  devices: (DeviceConfigurationDto & {
    deviceName: string | null;
    platform: ConfigurationPlatform;
    userEmail: string | null;
  })[];
}

/** A restriction the console offers, with its support per platform on unsupervised devices. */
export interface RestrictionOptionDto {
  key: string;
  /** The value Apple's devices use when the key is absent. */
  default: boolean;
  ios: 'yes' | 'deprecated' | 'supervised' | 'no';
  macos: 'yes' | 'deprecated' | 'supervised' | 'no';
}
