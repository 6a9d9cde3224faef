// Devices: counts for the widgets, the filtered and sorted list (paged by key: each page starts where the last one
// ended, however long the list), actions on one or many, one device's detail (with its refused claims to settle, and
// its user's pending enrollments), and opening an enrollment for a user.
import { defineStore } from 'pinia';
import { computed, ref, type Ref } from 'vue';
import type {
  CommandQueuedDto,
  DeviceActionRequest,
  DeviceActionResult,
  DeviceDetailDto,
  DeviceDto,
  DevicePage,
  DeviceReenrollDto,
  DeviceSort,
  DeviceStatus,
  DeviceSummaryDto,
  EnrollmentDto,
  Platform,
  PushNowResult,
  UserDto,
} from '../../server/contract/index.js';
import { isApiError, useApi } from '../api/index.js';
import { useLatestLoad } from '../composables/use-latest-load.js';
import type { LiveNotice } from './live.js';
import { appendNew } from './paging.js';

/** How many devices the first page holds: a screenful and some. */
export const DEVICES_PAGE_SIZE = 100;
/** How many devices each further page holds (the server's largest page): fewer round trips down a long list. */
export const DEVICES_MORE_SIZE = 500;
/**
 * The most pages one "load more" fetches (one after the other, by cursor) before the table is drawn again. Each load
 * further down the same list fetches twice as many as the one before, up to this: someone scrolling far down gets
 * 5,000 rows at a time (the table then redraws ten times on the way to row 50,000, not a hundred).
 */
export const DEVICES_MAX_BURST = 10;

/** Last seen: any time, within a day, a week or a month, or not for a month and more. */
export type SeenWindow = '' | 'day' | 'week' | 'month' | 'older';

/** The list's filters as the toolbar edits them; blank means "any". */
export interface DeviceFilters {
  status: DeviceStatus | '';
  platform: Platform | '';
  q: string;
  /** A user's id, or blank. */
  userId?: string;
  seen?: SeenWindow;
}

/** The list's order: the key, and whether newest / Z comes first. */
export interface DeviceOrder {
  sort: DeviceSort;
  desc: boolean;
}

/** Filters that match every device. */
export function emptyDeviceFilters(): DeviceFilters {
  return { status: '', platform: '', q: '', userId: '', seen: '' };
}

const DAY_MS = 86_400_000;
const SEEN_DAYS: Record<Exclude<SeenWindow, ''>, number> = { day: 1, week: 7, month: 30, older: 30 };

/** The last-seen window as the API's range, counted back from `now`. */
export function seenRange(seen: SeenWindow | undefined, now: number): { seenFrom?: string; seenBefore?: string } {
  if (!seen) return {};
  const edge = new Date(now - SEEN_DAYS[seen] * DAY_MS).toISOString();
  return seen === 'older' ? { seenBefore: edge } : { seenFrom: edge };
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

  const order = ref<DeviceOrder>({ sort: 'lastSeen', desc: true });
  const items = ref([]) as Ref<DeviceDto[]>;
  const total = ref(0);
  const loading = ref(false);
  const loaded = ref(false);
  const nextCursor = ref<string | null>(null);
  const hasMore = computed(() => nextCursor.value !== null);
  const loads = useLatestLoad(loading);
  // The filters' last-seen window is fixed when they are applied, so every page of a list asks the same.
  let seenAt = Date.now();

  function query(limit: number, cursor: string | null) {
    const f = filters.value;
    return {
      status: f.status || undefined,
      platform: f.platform || undefined,
      userId: f.userId || undefined,
      q: f.q.trim() || undefined,
      ...seenRange(f.seen, seenAt),
      sort: order.value.sort,
      order: order.value.desc ? ('desc' as const) : ('asc' as const),
      limit,
      ...(cursor ? { cursor } : {}),
    };
  }

  function show(page: DevicePage, append: boolean): void {
    items.value = append ? appendNew(items.value, page.items) : page.items;
    total.value = page.total;
    nextCursor.value = page.nextCursor ?? null;
    loaded.value = true;
  }

  // Loads further down the list since it was last loaded from its first row: each one fetches more pages.
  let burst = 1;

  /** Loads the list from its first row, replacing it. */
  async function reload(): Promise<void> {
    burst = 1;
    await loads.run(
      () => api.devices.list(query(DEVICES_PAGE_SIZE, null)),
      (page) => show(page, false),
    );
  }

  /** Fetches up to `pages` pages from `cursor` on, one after the other, as one page. */
  async function fetchPages(cursor: string, pages: number): Promise<DevicePage> {
    let page = await api.devices.list(query(DEVICES_MORE_SIZE, cursor));
    const items = [...page.items];
    for (let i = 1; i < pages && page.nextCursor; i++) {
      page = await api.devices.list(query(DEVICES_MORE_SIZE, page.nextCursor));
      items.push(...page.items);
    }
    return { ...page, items };
  }

  /**
   * Appends the next page (or pages: see DEVICES_MAX_BURST); a cursor the server no longer takes (it restarted)
   * starts the list again.
   */
  async function loadMore(): Promise<void> {
    const cursor = nextCursor.value;
    if (!cursor || loading.value) return;
    const pages = burst;
    burst = Math.min(burst * 2, DEVICES_MAX_BURST);
    try {
      await loads.run(
        () => fetchPages(cursor, pages),
        (page) => show(page, true),
      );
    } catch (err) {
      if (!isApiError(err, 'CURSOR_INVALID')) throw err;
      await reload();
    }
  }

  /** Applies new filters and loads from the first page. */
  async function applyFilters(next: DeviceFilters): Promise<void> {
    filters.value = { ...next };
    seenAt = Date.now();
    items.value = [];
    nextCursor.value = null;
    await reload();
  }

  /** Sorts the list anew (reversing it reaches its last row at once) and loads from the first page. */
  async function applyOrder(next: DeviceOrder): Promise<void> {
    order.value = { ...next };
    items.value = [];
    nextCursor.value = null;
    await reload();
  }

  /** The enrollments of the open device's user that still wait for a device. */
  const pendingEnrollments = ref<EnrollmentDto[]>([]);

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

  let liveGeneration = 0;
  /**
   * Follows live changes: the widgets, the list (read again from its first row, as many rows as are shown, without
   * the loading marks; a list scrolled further than a large page keeps its rows and gets the changed ones read again)
   * and the open detail when it is one of the changed devices.
   */
  async function applyLive(notices: LiveNotice[]): Promise<void> {
    const reset = notices.some((n) => n.type === 'reset');
    const changed = new Set(
      notices.flatMap((n) => (n.type !== 'reset' && n.subjectType === 'device' && n.subjectId ? [n.subjectId] : [])),
    );
    if (!reset && changed.size === 0) return;
    const tasks: Promise<unknown>[] = [loadSummary()];
    const openId = detail.value?.device.id;
    if (openId && (reset || changed.has(openId))) tasks.push(refreshDetail().catch(() => undefined));
    if (loaded.value && !loading.value) {
      if (items.value.length <= DEVICES_MORE_SIZE) {
        const mine = ++liveGeneration;
        const asked = query(Math.max(items.value.length, DEVICES_PAGE_SIZE), null);
        tasks.push(
          api.devices.list(asked).then((page) => {
            // A load the admin started meanwhile (filters, sort, more rows) wins.
            const same = JSON.stringify(query(asked.limit, null)) === JSON.stringify(asked);
            if (mine === liveGeneration && !loading.value && same && items.value.length <= asked.limit)
              show(page, false);
          }),
        );
      } else {
        for (const id of [...changed].slice(0, 20)) {
          if (!items.value.some((d) => d.id === id)) continue;
          tasks.push(
            api.devices.detail(id).then((answer) => {
              items.value = items.value.map((d) => (d.id === id ? answer.device : d));
            }),
          );
        }
      }
    }
    await Promise.allSettled(tasks);
  }

  /** Opens one device's detail. */
  async function openDetail(id: string): Promise<DeviceDetailDto> {
    return detailLoads
      .run(
        async () => {
          const loadedDetail = await api.devices.detail(id);
          const userId = loadedDetail.device.userId;
          // The user's enrollments are a side note of the detail: without them the detail still opens.
          const enrollments = userId ? await api.devices.enrollments(userId).catch((): EnrollmentDto[] => []) : [];
          return { loadedDetail, enrollments };
        },
        ({ loadedDetail, enrollments }) => {
          detail.value = loadedDetail;
          pendingEnrollments.value = enrollments.filter((e) => e.status === 'pending');
        },
      )
      .then((r) => r.loadedDetail);
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
    order,
    pendingEnrollments,
    applyOrder,
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
    applyLive,
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
