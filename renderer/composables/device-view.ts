// What the device screens show, worked out from the DTOs: names, which actions and offers apply, the wipe
// confirmation, action outcomes and chart bars. Pure functions outside the store, so dialogs use them without one.
import {
  ANDROID_9_API_LEVEL,
  type ClaimConflictDto,
  type CommandDto,
  type DeviceActionRequest,
  type DeviceActionResult,
  type DeviceDto,
  type DeviceStatus,
  type DeviceSummaryDto,
  type Platform,
  type UserDto,
} from '../../server/contract/index.js';

/** The device statuses in the order the console lists them. */
export const DEVICE_STATUSES: readonly DeviceStatus[] = ['active', 'pending', 'inactive', 'wiped', 'reset'];

/** The platforms in the order the console lists them. */
export const PLATFORMS: readonly Platform[] = ['ios', 'macos', 'android'];

/** An admin action on devices. */
export type DeviceAction = DeviceActionRequest['action'];

/** The actions, in the order the console offers them (destructive last). */
export const DEVICE_ACTIONS: readonly DeviceAction[] = ['lock', 'retire', 'wipe', 'delete'];

/** The name a person knows a device by: its name, else its model, serial number or id. */
export function deviceLabel(
  device: Pick<DeviceDto, 'deviceName' | 'modelName' | 'productName' | 'serialNumber' | 'udid' | 'id'>,
): string {
  return device.deviceName ?? device.modelName ?? device.productName ?? device.serialNumber ?? device.udid ?? device.id;
}

/**
 * Whether an action makes sense for a device in its status: lock and wipe need a device that is managed now;
 * retire needs one that is still enrolled (or enrolling); delete removes any entry.
 */
export function actionApplies(device: Pick<DeviceDto, 'status'>, action: DeviceAction): boolean {
  switch (action) {
    case 'lock':
    case 'wipe':
      return device.status === 'active';
    case 'retire':
      return device.status === 'active' || device.status === 'pending' || device.status === 'reset';
    case 'delete':
      return true;
  }
}

/** The selected devices an action will be sent to, and those left out because it does not apply to them. */
export function splitByAction<D extends Pick<DeviceDto, 'status'>>(
  devices: D[],
  action: DeviceAction,
): { targets: D[]; skipped: D[] } {
  return {
    targets: devices.filter((d) => actionApplies(d, action)),
    skipped: devices.filter((d) => !actionApplies(d, action)),
  };
}

/** The fixed word typed to confirm a wipe of several devices (or of one without a name). */
export const WIPE_WORD = 'WIPE';

/** What the admin must type to confirm a wipe: the device's name when there is one device with a name, else WIPE. */
export function wipeConfirmationWord(devices: Pick<DeviceDto, 'deviceName'>[]): string {
  const only = devices.length === 1 ? devices[0]?.deviceName?.trim() : '';
  return only || WIPE_WORD;
}

/** Whether the typed text matches the confirmation word (ignoring case, width and surrounding spaces). */
export function confirmationMatches(typed: string, word: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
  return word.trim() !== '' && norm(typed) === norm(word);
}

/** One device's outcome of an action, ready to show. */
export interface ActionOutcome {
  deviceId: string;
  label: string;
  platform: Platform | null;
  ok: boolean;
  error: { code: string; message: string } | null;
  /** The 6-digit PIN a Mac needs to unlock after a lock or wipe. */
  pin: string | null;
}

/** The per-device outcomes of an action, named from the devices it was sent to. */
export function actionOutcomes(result: DeviceActionResult, devices: DeviceDto[]): ActionOutcome[] {
  const byId = new Map(devices.map((d) => [d.id, d]));
  return result.results.map((r) => {
    const device = byId.get(r.deviceId);
    return {
      deviceId: r.deviceId,
      label: device ? deviceLabel(device) : r.deviceId,
      platform: device?.platform ?? null,
      ok: r.ok,
      error: r.ok ? null : (r.error ?? { code: 'INTERNAL', message: '' }),
      pin: r.pin ?? null,
    };
  });
}

/** One bar of the enrollments chart. */
export interface ChartBar {
  day: string;
  count: number;
  /** Height as a share of the tallest bar, 0-100. */
  percent: number;
}

/** The enrollments-per-day bars, scaled to the busiest day (an all-zero month has flat bars). */
export function chartBars(days: DeviceSummaryDto['enrollmentsPerDay']): {
  bars: ChartBar[];
  max: number;
  total: number;
} {
  const max = days.reduce((m, d) => Math.max(m, d.count), 0);
  const total = days.reduce((sum, d) => sum + d.count, 0);
  return {
    bars: days.map((d) => ({ day: d.day, count: d.count, percent: max === 0 ? 0 : Math.round((d.count / max) * 100) })),
    max,
    total,
  };
}

/**
 * Whether enrolling the device again keeps its entry: Apple devices and Android 9 or older do; Android 10 and
 * newer get a new entry, and this one turns Inactive (superseded) with its history.
 */
export function reenrollKeepsEntry(device: Pick<DeviceDto, 'platform' | 'apiLevel'>): boolean {
  return device.platform !== 'android' || (device.apiLevel !== null && device.apiLevel <= ANDROID_9_API_LEVEL);
}

/** Whether the console offers to re-enroll a device: it needs a user to enroll it for. */
export function canReenroll(device: Pick<DeviceDto, 'userId'>): boolean {
  return device.userId !== null;
}

/** Whether the console offers to revoke a device's agent token: Android devices whose agent may still be working. */
export function canRevokeAgentToken(device: Pick<DeviceDto, 'platform' | 'status'>): boolean {
  return device.platform === 'android' && device.status !== 'inactive' && device.status !== 'wiped';
}

/** Commands that are still waiting for the device, so they can be cancelled. */
export function isPendingCommand(command: Pick<CommandDto, 'status'>): boolean {
  return command.status === 'queued' || command.status === 'notnow';
}

/**
 * Whether the console offers to reassign a device to another user: it belongs to a user and is still theirs to
 * keep (Active or Pending). A released device (Inactive, Wiped, Reset) may be enrolled by anyone already.
 */
export function canReassign(device: Pick<DeviceDto, 'userId' | 'status'>): boolean {
  return device.userId !== null && (device.status === 'active' || device.status === 'pending');
}

/** The person a device is reassigned to: a user picked in the console, or the one behind a refused claim. */
export interface ReassignTarget {
  userId: string;
  /** The name shown: the display name, else the email, else the id. */
  name: string;
  email: string | null;
}

/** The person behind a refused claim, as a reassignment target. */
export function claimantTarget(
  conflict: Pick<ClaimConflictDto, 'claimantUserId' | 'claimantDisplayName' | 'claimantEmail'>,
): ReassignTarget {
  return {
    userId: conflict.claimantUserId,
    name: conflict.claimantDisplayName ?? conflict.claimantEmail ?? conflict.claimantUserId,
    email: conflict.claimantEmail,
  };
}

/** A picked user, as a reassignment target. */
export function userTarget(user: Pick<UserDto, 'id' | 'displayName' | 'email'>): ReassignTarget {
  return { userId: user.id, name: user.displayName || user.email, email: user.email };
}

/** The name of the user a device belongs to now, or null when it has none. */
export function ownerName(device: Pick<DeviceDto, 'userDisplayName' | 'userEmail'>): string | null {
  return device.userDisplayName ?? device.userEmail ?? null;
}
