/** Where a device runs. */
export type Platform = 'ios' | 'macos' | 'android';

/** Device statuses (seed wording): Pending before the first TokenUpdate or agent check-in. */
export type DeviceStatus = 'pending' | 'active' | 'inactive' | 'wiped' | 'reset';

/** Why a device has its status; the console words each code in the admin's language. */
export type DeviceStatusReason =
  | 'awaiting_token_update' // Apple: SCEP and Authenticate done, waiting for TokenUpdate
  | 'reenrolling' // Apple: a known device enrolls again, waiting for TokenUpdate
  | 'awaiting_check_in' // Android: enrolled, waiting for a check-in with device-admin rights
  | 'retired'
  | 'checked_out' // the user removed the profile and the device said so
  | 'wiped'
  | 'superseded' // Android 10+: a newer enrollment of the same device
  | 'install_cancelled' // the profile install stopped after SCEP
  | 'push_token_gone' // APNs no longer knows the device: reset or unenrolled without CheckOut
  | 'agent_silent' // Android: another user enrolls the device after its old agent was silent for the set window
  | 'deleted';

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
  /** Why the device has its status, when it is not plain Active. */
  statusReason: DeviceStatusReason | null;
  /** Android API level (28 = Android 9). */
  apiLevel: number | null;
  manufacturer: string | null;
  /** Refused enrollments of this device by other users that wait for the admin (reassign or dismiss). */
  openClaims: number;
  /** The user the admin reassigned the device to: it moves to them when they enroll it. */
  reassignedTo: { userId: string; email: string | null; displayName: string | null } | null;
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
export type CommandRequest = (
  | { type: 'DeviceInformation'; queries?: string[] }
  | { type: 'ProfileList'; managedOnly?: boolean }
  | { type: 'InstallProfile'; payloadBase64: string }
  | { type: 'RemoveProfile'; identifier: string }
  | { type: 'DeviceLock'; message?: string; phoneNumber?: string; pin?: string }
  | { type: 'EraseDevice'; pin?: string; preserveDataPlan?: boolean }
) & {
  /** The channel: 'device' (the default) or a Mac user's 'user:<UserID>' (not for lock or erase); it must be enabled. */
  channel?: string;
};

/** A device with its MDM channels, recent commands (Apple) or agent actions (Android). */
export interface DeviceDetailDto {
  device: DeviceDto;
  agentActions: AgentActionDto[];
  /** pushDisabledReason: APNs' reason (e.g. Unregistered) or a DeviceStatusReason code (retired, wiped, deleted ...). */
  channels: {
    channel: string;
    enabled: boolean;
    hasPushToken: boolean;
    pushDisabledReason: string | null;
    tokenUpdatedAt: string | null;
    lastSeenAt: string | null;
    userShortName: string | null;
  }[];
  commands: CommandDto[];
  /** Enrollments of this device by another user that were refused and wait for the admin (reassign or dismiss). */
  claimConflicts: ClaimConflictDto[];
  /** Status changes and lifecycle events, newest first (the latest 100). */
  statusHistory?: DeviceHistoryEntryDto[];
  /** Identity certificates issued to the device, newest first. */
  certificates?: DeviceCertificateDto[];
  /** Android: the user-installed CA certificates the agent last reported; null before its first report. */
  caReport?: DeviceCaReportDto | null;
}

/** A CA certificate the user installed on an Android device, as its agent reported it. */
export interface DeviceCaCertificateDto {
  subject: string;
  issuer: string;
  /** Lower-case hex SHA-256 of the DER. */
  sha256: string;
  notAfter: string;
  /** 'office': the office CA (the fingerprint matches); 'unknown': any other CA, flagged for the admin. */
  kind: 'office' | 'unknown';
  /** When the agent first reported it. */
  firstSeenAt: string;
}

/** The agent's latest report of the device's user-installed CA certificates. */
export interface DeviceCaReportDto {
  reportedAt: string;
  officeCaInstalled: boolean;
  certificates: DeviceCaCertificateDto[];
}

/** A refused claim on a device: another user's identity tried to enroll it while it belonged to its user. */
export interface ClaimConflictDto {
  id: string;
  deviceId: string;
  ownerUserId: string | null;
  ownerEmail: string | null;
  claimantUserId: string;
  claimantEmail: string | null;
  claimantDisplayName: string | null;
  attempts: number;
  createdAt: string;
  lastAttemptAt: string;
}

/** POST /api/devices/:id/reassign: let this user enroll the device next (it moves to them when they do). */
export interface DeviceReassignRequest {
  userId: string;
}

/** What the devices list is sorted by: last seen (or created, when never seen), name, or enrollment time. */
export type DeviceSort = 'lastSeen' | 'name' | 'enrolled';

/**
 * GET /api/devices: filters, sort and a page. Keyset paging: pass the `nextCursor` of a page to get the next one
 * (with the same filters and sort). `offset` is the older way, kept for scripts: it gets slower the deeper it goes.
 */
export interface DeviceListQuery {
  status?: DeviceStatus;
  platform?: Platform;
  userId?: string;
  q?: string;
  /** Last seen (or created, when never seen) at or after this ISO time. */
  seenFrom?: string;
  /** Last seen (or created, when never seen) before this ISO time. */
  seenBefore?: string;
  sort?: DeviceSort;
  /** Newest / Z first when `desc` (the default for last seen and enrolled), oldest / A first when `asc`. */
  order?: 'asc' | 'desc';
  cursor?: string;
  limit?: number;
  offset?: number;
}

/** One page of devices. */
export interface DevicePage {
  items: DeviceDto[];
  /**
   * How many devices match the filters: counted with the first page (and with every offset page); a page reached by
   * a cursor repeats the count its first page made, so walking a long list does not count it again on every page.
   */
  total: number;
  /** Opaque: where the next page starts; null on the last page. */
  nextCursor?: string | null;
  /**
   * How many matching devices came before this page's first row, in this order, when the list was walked to here
   * (row N of total is position + N); devices added or removed above it since then are not counted.
   */
  position?: number;
}

/** A status change or other lifecycle event of a device, from the audit trail. */
export interface DeviceHistoryEntryDto {
  at: string;
  /** The audit action, e.g. device.enrolled, device.retired. */
  action: string;
  actorType: string;
  actorLabel: string | null;
  /** The status before and after, when the event changed it. */
  from: DeviceStatus | null;
  to: DeviceStatus | null;
}

/** An identity certificate issued to a device by the office SCEP CA. */
export interface DeviceCertificateDto {
  serial: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  kind: string;
  /** 'mdm': the device's MDM identity; 'configuration': an identity a configuration carries (Wi-Fi, VPN, user). */
  purpose: 'mdm' | 'configuration';
  revokedAt: string | null;
  revokedReason: string | null;
}

/** An admin action on one or many devices; each is confirmed in the console and audited. */
export interface DeviceActionRequest {
  action: 'retire' | 'wipe' | 'lock' | 'delete';
  deviceIds: string[];
  /** Lock screen message (lock). */
  message?: string;
  /** 6-digit PIN for Macs (wipe, lock); generated when absent. */
  pin?: string;
}

/** What happened to each device of an action. */
export interface DeviceActionResult {
  results: {
    deviceId: string;
    ok: boolean;
    error?: { code: string; message: string };
    commandUuid?: string;
    agentActionId?: string;
    pin?: string | null;
  }[];
}

/** Counts for the console's widgets. */
export interface DeviceSummaryDto {
  total: number;
  byStatus: Record<DeviceStatus, number>;
  byPlatform: Record<Platform, number>;
  /** Enrollments per day for the last 30 days (UTC dates), oldest first. */
  enrollmentsPerDay: { day: string; count: number }[];
}

/** An action queued for the Android agent. */
export interface AgentActionDto {
  id: string;
  deviceId: string;
  type: 'lock' | 'wipe' | 'retire';
  status: 'queued' | 'delivered' | 'done' | 'failed' | 'cancelled';
  result: string | null;
  createdBy: string;
  createdAt: string;
  deliveredAt: string | null;
  completedAt: string | null;
}

/** POST /api/devices/:id/reenroll: how to enroll the device again without clearing its entry first. */
export interface DeviceReenrollDto {
  /** Apple: the one-time profile URL to open on the device. */
  profileUrl: string | null;
  /** Android: the content of the agent enrollment QR code, and that code as a PNG data URL to show. */
  agentQr: string | null;
  agentQrImage: string | null;
  expiresAt: string;
}

/** A command just queued; a Mac lock or erase carries the 6-digit PIN it will need. */
export type CommandQueuedDto = CommandDto & { pin: string | null };

/** POST /api/devices/:id/push: what APNs answered for each MDM channel (or why it was skipped). */
export interface PushNowResult {
  outcomes: {
    channel: string;
    result: { status: number; apnsId: string | null; reason: string | null } | null;
    /** 'no_token': no TokenUpdate yet; 'push_disabled': APNs refused the token before, or the device left management. */
    skipped: 'no_token' | 'push_disabled' | null;
  }[];
}

/** POST /api/devices/:id/agent-token/revoke: how many working agent tokens were revoked. */
export interface AgentTokenRevokeResult {
  revoked: number;
}
