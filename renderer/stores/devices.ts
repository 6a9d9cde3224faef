// Devices: counts for the widgets, the filtered list, actions on one or many, one device's detail (with its
// refused claims to settle: reassign the device or dismiss the claim), and opening an enrollment for a user.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type {
  CommandQueuedDto,
  DeviceActionRequest,
  DeviceActionResult,
  DeviceDetailDto,
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

  /** Shows a detail the server answered with, when that device is still the open one (a load under way is dropped). */
  function showDetail(answer: DeviceDetailDto): void {
    if (detail.value?.device.id !== answer.device.id) return;
    detailLoads.cancel();
    detail.value = answer;
  }

  /** Runs a claim change of device `id`; when the claim or the device has gone meanwhile, the open detail is reloaded. */
  async function settleClaim(id: string, call: () => Promise<DeviceDetailDto>): Promise<DeviceDetailDto> {
    try {
      const answer = await call();
      showDetail(answer);
      return answer;
    } catch (err) {
      if (detail.value?.device.id === id && isApiError(err, 'CLAIM_CONFLICT_NOT_FOUND', 'DEVICE_NOT_FOUND'))
        await refreshDetail().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Lets a user enroll the device next: it moves to them when they enroll it (until then it stays with its user),
   * and their refused claims on it are resolved. The open detail shows the server's answer.
   */
  async function reassign(id: string, userId: string): Promise<DeviceDetailDto> {
    return settleClaim(id, () => api.devices.reassign(id, { userId }));
  }

  /** Dismisses a refused claim on the open device, which stays with its user; the detail shows the server's answer. */
  async function dismissClaim(conflictId: string): Promise<DeviceDetailDto | null> {
    const id = detail.value?.device.id;
    if (!id) return null;
    return settleClaim(id, () => api.devices.dismissClaim(id, conflictId));
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
    reassign,
    dismissClaim,
    enroll,
    findUsers,
  };
});
