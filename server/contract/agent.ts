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
