/** Where a device runs. */
export type Platform = 'ios' | 'macos' | 'android';

/** Device statuses (seed wording): Pending before the first TokenUpdate or agent check-in. */
export type DeviceStatus = 'pending' | 'active' | 'inactive' | 'wiped' | 'reset';

/** A device record as the console sees it. */
export interface DeviceDto {
  id: string;
  platform: Platform;
  status: DeviceStatus;
  userId: string | null;
  userEmail: string | null;
  userDisplayName: string | null;
  udid: string | null;
  serialNumber: string | null;
  hardwareId: string | null;
  deviceName: string | null;
  model: string | null;
  modelName: string | null;
  productName: string | null;
  osVersion: string | null;
  buildVersion: string | null;
  enrolledAt: string | null;
  lastSeenAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** An MDM command as the console sees it; `result` is the device's answer as JSON (data as base64). */
export interface CommandDto {
  uuid: string;
  deviceId: string;
  channel: string;
  requestType: string;
  status: 'queued' | 'sent' | 'notnow' | 'acknowledged' | 'error' | 'format_error' | 'cancelled';
  result: Record<string, unknown> | null;
  errorChain: Record<string, unknown>[] | null;
  createdBy: string;
  createdAt: string;
  sentAt: string | null;
  completedAt: string | null;
}

/** A command an admin asks for. */
export type CommandRequest =
  | { type: 'DeviceInformation'; queries?: string[] }
  | { type: 'ProfileList'; managedOnly?: boolean }
  | { type: 'InstallProfile'; payloadBase64: string }
  | { type: 'RemoveProfile'; identifier: string }
  | { type: 'DeviceLock'; message?: string; phoneNumber?: string; pin?: string }
  | { type: 'EraseDevice'; pin?: string; preserveDataPlan?: boolean };

/** A device with its MDM channels and recent commands. */
export interface DeviceDetailDto {
  device: DeviceDto;
  channels: { channel: string; enabled: boolean; hasPushToken: boolean; pushDisabledReason: string | null; tokenUpdatedAt: string | null; lastSeenAt: string | null; userShortName: string | null }[];
  commands: CommandDto[];
}

/** One page of devices. */
export interface DevicePage {
  items: DeviceDto[];
  total: number;
}
