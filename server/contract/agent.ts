/** How the Android agent proves who enrolls it: the user's password, the invitation PIN, or a portal QR token. */
export type AgentAuth =
  | { method: 'password'; email: string; password: string }
  | { method: 'pin'; email: string; pin: string }
  | { method: 'qr'; token: string };

/** The last API level of Android 9: up to it a re-enrolling device keeps one entry; from Android 10 each enrollment is a new entry. */
export const ANDROID_9_API_LEVEL = 28;

/** Facts the agent reports about its device. */
export interface AgentDeviceFacts {
  /** Settings.Secure.ANDROID_ID (per device, per signing key; changes on factory reset). */
  hardwareId: string;
  manufacturer: string;
  model: string;
  osVersion: string;
  /** Build.VERSION.SDK_INT; 28 is Android 9, 29 is Android 10. */
  apiLevel: number;
  deviceName?: string;
  serialNumber?: string;
  agentVersion?: string;
  /** Whether the agent has its device-admin rights (needed for lock and wipe); enrollment completes when true. */
  adminActive?: boolean;
  batteryLevel?: number;
}

/** POST /agent/v1/enroll */
export interface AgentEnrollRequest {
  auth: AgentAuth;
  device: AgentDeviceFacts;
}

/** The answer to an enrollment: the device's id and its bearer token (keep it secret; rotate it with /token/rotate). */
export interface AgentEnrollResponse {
  deviceId: string;
  token: string;
  status: 'pending' | 'active';
  checkInIntervalSeconds: number;
}

/** The result of an action the agent carried out. */
export interface AgentActionResult {
  actionId: string;
  status: 'done' | 'failed';
  message?: string;
}

/** POST /agent/v1/check-in */
export interface AgentCheckInRequest {
  facts: AgentDeviceFacts;
  results?: AgentActionResult[];
}

/** An action for the agent to carry out. */
export interface AgentAction {
  id: string;
  type: 'lock' | 'wipe' | 'retire';
  params: { message?: string };
}

/** The answer to a check-in. `stop` tells the agent to stop checking in (retired, wiped, deleted). */
export interface AgentCheckInResponse {
  status: 'pending' | 'active' | 'inactive' | 'wiped' | 'reset';
  actions: AgentAction[];
  checkInIntervalSeconds: number;
  /** While enrollment is incomplete: what the user still has to do, in their language. */
  reminder: { title: string; message: string } | null;
  stop: boolean;
}

/** POST /agent/v1/token/rotate */
export interface AgentTokenResponse {
  token: string;
}

/** The most configuration results and user CA certificates one report may carry. */
export const AGENT_REPORT_LIMITS = Object.freeze({ results: 50, certificates: 32 });

/**
 * A Wi-Fi network for the agent to suggest (Android's WifiNetworkSuggestion: a device-admin app may suggest networks,
 * the user keeps the last word). Personal networks only: Enterprise needs a certificate the agent cannot install.
 */
export interface AgentWifiSuggestion {
  configurationId: string;
  /** Report results under this version; a higher one replaces the suggestion. */
  version: number;
  ssid: string;
  security: 'wpa2-personal' | 'wpa3-personal';
  /** The network's passphrase (8-63 characters) or its 64-hex-digit key. Keep it in the suggestion only. */
  passphrase: string;
  hidden: boolean;
  /** Android: setIsInitialAutojoinEnabled. */
  autoJoin: boolean;
}

/**
 * The office CA, which an app cannot install on Android 11 and later: the agent shows these steps and the user
 * installs it in Settings themselves.
 */
export interface AgentOfficeCaGuidance {
  /** The certificate's common name, as Settings shows it. */
  name: string;
  /** Lower-case hex SHA-256 of the DER, no colons (the same as the QR code's caSha256). */
  sha256: string;
  /** Where to download the certificate (PEM) for Settings to install. */
  downloadUrl: string;
  pem: string;
  /** Short steps for Settings > Security > Encryption & credentials, by language. */
  steps: { ja: string[]; en: string[] };
}

/** GET /agent/v1/configurations */
export interface AgentConfigurationsResponse {
  /** Every network the agent should suggest now; a suggestion it holds that is not listed should be removed. */
  wifi: AgentWifiSuggestion[];
  officeCa: AgentOfficeCaGuidance;
}

/** What the agent did with one configuration it was given. */
export interface AgentConfigurationReportResult {
  configurationId: string;
  version: number;
  status: 'applied' | 'failed' | 'removed';
  message?: string;
}

/** A CA certificate the user installed on the device (Settings > Trusted credentials > User). */
export interface AgentUserCaCertificate {
  subject: string;
  issuer: string;
  /** Lower-case hex SHA-256 of the DER, no colons. */
  sha256: string;
  /** ISO 8601. */
  notAfter: string;
}

/** POST /agent/v1/configurations/report */
export interface AgentConfigurationReport {
  results: AgentConfigurationReportResult[];
  /** Every user-installed CA certificate the device has now (the list replaces the previous one). */
  userCaCertificates: AgentUserCaCertificate[];
}

/** The answer to a configuration report. */
export interface AgentConfigurationReportResponse {
  /** Whether the office CA is among the user's CA certificates. */
  officeCaInstalled: boolean;
  /** How many of the user's CA certificates are not the office CA (the console flags them). */
  unknownCaCertificates: number;
}
