// Devices: counts for the widgets, the filtered list, actions on one or many, one device's detail, and
// opening an enrollment for a user.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type {
  CommandDto,
  CommandQueuedDto,
  DeviceActionRequest,
  DeviceActionResult,
  DeviceDetailDto,
  DeviceDto,
  DeviceReenrollDto,
  DeviceStatus,
  DeviceSummaryDto,
  EnrollmentDto,
  Platform,
  PushNowResult,
  UserDto,
} from '../../server/contract/index.js';
import { isApiError, useApi } from '../api/index.js';
import { useLatestLoad } from '../composables/use-latest-load.js';
import { useOffsetList } from './paging.js';

/** How many devices one page of the list holds. */
export const DEVICES_PAGE_SIZE = 50;

/** The device statuses in the order the console lists them. */
export const DEVICE_STATUSES: readonly DeviceStatus[] = ['active', 'pending', 'inactive', 'wiped', 'reset'];

/** The platforms in the order the console lists them. */
export const PLATFORMS: readonly Platform[] = ['ios', 'macos', 'android'];

/** An admin action on devices. */
export type DeviceAction = DeviceActionRequest['action'];

/** The actions, in the order the console offers them (destructive last). */
export const DEVICE_ACTIONS: readonly DeviceAction[] = ['lock', 'retire', 'wipe', 'delete'];

/** The list's filters as the toolbar edits them; blank means "any". */
export interface DeviceFilters {
  status: DeviceStatus | '';
  platform: Platform | '';
  q: string;
}

/** Filters that match every device. */
export function emptyDeviceFilters(): DeviceFilters {
  return { status: '', platform: '', q: '' };
}

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

/** The highest Android API level (Android 9) whose devices keep one entry when they enroll again. */
export const ANDROID_9_API_LEVEL = 28;

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

/** The devices store: widgets, the list under the applied filters, actions, and the open device's detail. */
export const useDevicesStore = defineStore('devices', () => {
  const api = useApi();
  const filters = ref<DeviceFilters>(emptyDeviceFilters());
  const summary = ref<DeviceSummaryDto | null>(null);
  const summaryError = ref<unknown>(null);
  const detail = ref<DeviceDetailDto | null>(null);
  const detailLoading = ref(false);
  const detailLoads = useLatestLoad(detailLoading);

  function query(limit: number, offset: number) {
    const f = filters.value;
    return {
      status: f.status || undefined,
      platform: f.platform || undefined,
      q: f.q.trim() || undefined,
      limit,
      offset,
    };
  }

  // The list under the applied filters, paged by offset.
  const { items, total, loading, loaded, hasMore, reload, loadMore } = useOffsetList(
    (limit, offset) => api.devices.list(query(limit, offset)),
    DEVICES_PAGE_SIZE,
  );

  /** Applies new filters and loads from the first page. */
  async function applyFilters(next: DeviceFilters): Promise<void> {
    filters.value = { ...next };
    items.value = [];
    await reload();
  }

  /** Loads the counts for the widgets; a failure is kept for the widgets to show, not thrown. */
  async function loadSummary(): Promise<void> {
    try {
      summary.value = await api.devices.summary();
      summaryError.value = null;
    } catch (err) {
      summaryError.value = err;
    }
  }

  /** Sends an action to devices; afterwards the list, the widgets and the open detail are reloaded. */
  async function act(request: DeviceActionRequest): Promise<DeviceActionResult> {
    const result = await api.devices.act(request);
    await Promise.all([
      reload(),
      loadSummary(),
      detail.value && request.deviceIds.includes(detail.value.device.id) ? refreshDetail() : Promise.resolve(),
    ]);
    return result;
  }

  /** Opens one device's detail. */
  async function openDetail(id: string): Promise<DeviceDetailDto> {
    return detailLoads.run(
      () => api.devices.detail(id),
      (loadedDetail) => {
        detail.value = loadedDetail;
      },
    );
  }

  /** Reloads the open detail (after a command, a cancel or a push). */
  async function refreshDetail(): Promise<void> {
    const id = detail.value?.device.id;
    if (!id) return;
    try {
      await openDetail(id);
    } catch (err) {
      // The device was deleted meanwhile: close the detail rather than show stale facts.
      if (isApiError(err, 'DEVICE_NOT_FOUND', 'NOT_FOUND')) detail.value = null;
      throw err;
    }
  }

  /** Closes the detail. */
  function closeDetail(): void {
    detailLoads.cancel();
    detail.value = null;
  }

  /** Cancels a command that is still waiting for the open device. */
  async function cancelCommand(uuid: string): Promise<void> {
    const id = detail.value?.device.id;
    if (!id) return;
    await api.devices.cancelCommand(id, uuid);
    await refreshDetail();
  }

  /** Cancels an Android agent action that has not been delivered yet. */
  async function cancelAgentAction(actionId: string): Promise<void> {
    const id = detail.value?.device.id;
    if (!id) return;
    await api.devices.cancelAgentAction(id, actionId);
    await refreshDetail();
  }

  /** Asks Apple to wake the open device now, so it fetches its waiting commands. */
  async function pushNow(): Promise<PushNowResult> {
    const id = detail.value?.device.id;
    if (!id) return { outcomes: [] };
    const result = await api.devices.push(id);
    await refreshDetail();
    return result;
  }

  /** Queues a DeviceInformation command for the open device (its answer refreshes the facts). */
  async function askInformation(): Promise<CommandQueuedDto | null> {
    const id = detail.value?.device.id;
    if (!id) return null;
    const command = await api.devices.command(id, { type: 'DeviceInformation' });
    await refreshDetail();
    return command;
  }

  /** Starts enrolling a device again: a one-time profile link (Apple) or agent QR code (Android). */
  async function reenroll(id: string): Promise<DeviceReenrollDto> {
    return api.devices.reenroll(id);
  }

  /** Revokes an Android device's agent tokens (its agent stops working); returns how many were still working. */
  async function revokeAgentToken(id: string): Promise<number> {
    const { revoked } = await api.devices.revokeAgentToken(id);
    if (detail.value?.device.id === id) await refreshDetail();
    return revoked;
  }

  /** Opens an enrollment for a user; the answer holds the one-time profile URL. */
  async function enroll(userId: string, platform: Platform): Promise<EnrollmentDto> {
    return api.devices.enroll({ userId, platform });
  }

  /** Users whose email or name matches `q`, for picking whom to enroll a device for. */
  async function findUsers(q: string): Promise<UserDto[]> {
    return (await api.users.list({ q: q.trim() || undefined, limit: 20 })).items;
  }

  return {
    items,
    total,
    filters,
    loading,
    loaded,
    hasMore,
    summary,
    summaryError,
    detail,
    detailLoading,
    reload,
    loadMore,
    applyFilters,
    loadSummary,
    act,
    openDetail,
    refreshDetail,
    closeDetail,
    cancelCommand,
    cancelAgentAction,
    pushNow,
    askInformation,
    reenroll,
    revokeAgentToken,
    enroll,
    findUsers,
  };
});
