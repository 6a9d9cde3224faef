import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from 'vue';
import type { ClaimConflictDto, DeviceDetailDto, DeviceDto } from '../../server/contract/index.js';
import { API_KEY, ApiError, type Api } from '../api/index.js';
import { useDevicesStore } from './devices.js';
import { sampleDevice, sampleConflict } from '../test-support/sample-dtos.js';
const device = sampleDevice;
const conflict = sampleConflict;

function detailOf(d: DeviceDto, claimConflicts: ClaimConflictDto[] = []): DeviceDetailDto {
  return { device: d, agentActions: [], channels: [], commands: [], claimConflicts };
}

function storeWith(devices: Partial<Api['devices']>) {
  const api = {
    devices: {
      list: vi.fn().mockResolvedValue({ items: [], total: 0 }),
      summary: vi.fn().mockResolvedValue({ total: 0, byStatus: {}, byPlatform: {}, enrollmentsPerDay: [] }),
      detail: vi.fn(),
      act: vi.fn(),
      command: vi.fn(),
      cancelCommand: vi.fn(),
      cancelAgentAction: vi.fn(),
      push: vi.fn(),
      enroll: vi.fn(),
      reenroll: vi.fn(),
      revokeAgentToken: vi.fn(),
      reassign: vi.fn(),
      dismissClaim: vi.fn(),
      enrollments: vi.fn().mockResolvedValue([]),
      ...devices,
    },
  } as unknown as Api;
  const app = createApp({});
  app.provide(API_KEY, api);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return { api, store: useDevicesStore() };
}

describe('the devices store', () => {
  it('sends the filters and the order, then pages by the cursor the server gave', async () => {
    const list = vi
      .fn()
      .mockResolvedValueOnce({ items: [device(1)], total: 80, nextCursor: 'c1' })
      .mockResolvedValueOnce({ items: [device(2)], total: 80, nextCursor: null });
    const { store } = storeWith({ list });
    await store.applyFilters({ status: 'active', platform: '', q: ' sn1 ', userId: 'u1', seen: '' });
    expect(list).toHaveBeenLastCalledWith({
      status: 'active',
      platform: undefined,
      userId: 'u1',
      q: 'sn1',
      sort: 'lastSeen',
      order: 'desc',
      limit: 100,
    });
    expect(store.hasMore).toBe(true);
    await store.loadMore();
    expect(list).toHaveBeenLastCalledWith(expect.objectContaining({ cursor: 'c1', limit: 500 }));
    expect(store.items.map((d) => d.id)).toEqual([device(1).id, device(2).id]);
    expect(store.hasMore).toBe(false);
  });

  it('further down the same list, each load fetches twice as many pages, up to ten, and draws them once', async () => {
    let n = 0;
    const list = vi.fn(async () => {
      n++;
      return { items: [device(n)], total: 100, nextCursor: `c${n}` };
    });
    const { store } = storeWith({ list });
    await store.applyFilters({ status: '', platform: '', q: '', userId: '', seen: '' });
    const calls: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = list.mock.calls.length;
      await store.loadMore();
      calls.push(list.mock.calls.length - before);
    }
    expect(calls).toEqual([1, 2, 4, 8, 10, 10]);
    // Each page of a burst starts where the one before it ended.
    expect(list).toHaveBeenLastCalledWith(expect.objectContaining({ cursor: `c${n - 1}`, limit: 500 }));
    expect(store.items).toHaveLength(n);
    // A new list starts again with one page.
    await store.applyFilters({ status: 'active', platform: '', q: '', userId: '', seen: '' });
    const before = list.mock.calls.length;
    await store.loadMore();
    expect(list.mock.calls.length - before).toBe(1);
  });

  it('reverses the order from the first page, and starts again when the server refuses the cursor', async () => {
    const list = vi
      .fn()
      .mockResolvedValueOnce({ items: [device(1)], total: 2, nextCursor: 'c1' })
      .mockRejectedValueOnce(new ApiError('CURSOR_INVALID', 'The page cursor is not valid.', 400))
      .mockResolvedValueOnce({ items: [device(2)], total: 2, nextCursor: null });
    const { store } = storeWith({ list });
    await store.applyOrder({ sort: 'name', desc: false });
    expect(list).toHaveBeenLastCalledWith(expect.objectContaining({ sort: 'name', order: 'asc' }));
    await store.loadMore();
    expect(list).toHaveBeenCalledTimes(3);
    expect(list.mock.calls[2]?.[0]).not.toHaveProperty('cursor');
    expect(store.items.map((d) => d.id)).toEqual([device(2).id]);
  });

  it("opens a detail with its user's pending enrollments", async () => {
    const enrollments = vi.fn().mockResolvedValue([
      { id: 'e1', userId: 'u1', platform: 'ios', status: 'pending', expiresAt: 'x', deviceId: null, createdAt: 'y' },
      { id: 'e2', userId: 'u1', platform: 'ios', status: 'enrolled', expiresAt: 'x', deviceId: 'd1', createdAt: 'y' },
    ]);
    const { store } = storeWith({
      detail: vi.fn().mockResolvedValue(detailOf({ ...device(1), userId: 'u1' })),
      enrollments,
    });
    await store.openDetail('d1');
    expect(enrollments).toHaveBeenCalledWith('u1');
    expect(store.pendingEnrollments.map((e) => e.id)).toEqual(['e1']);
  });

  it('reloads the list, the widgets and the open detail after an action', async () => {
    const detail = detailOf(device(1));
    const { api, store } = storeWith({
      detail: vi.fn().mockResolvedValue(detail),
      act: vi.fn().mockResolvedValue({ results: [{ deviceId: 'd1', ok: true }] }),
    });
    await store.openDetail('d1');
    await store.act({ action: 'lock', deviceIds: ['d1'] });
    expect(api.devices.list).toHaveBeenCalledTimes(1);
    expect(api.devices.summary).toHaveBeenCalledTimes(1);
    expect(api.devices.detail).toHaveBeenCalledTimes(2);
  });

  it('closes the detail when the device has gone', async () => {
    const detailFn = vi
      .fn()
      .mockResolvedValueOnce(detailOf(device(1)))
      .mockRejectedValueOnce(new ApiError('DEVICE_NOT_FOUND', 'No device has this id.', 404));
    const { store } = storeWith({ detail: detailFn });
    await store.openDetail('d1');
    await expect(store.refreshDetail()).rejects.toMatchObject({ code: 'DEVICE_NOT_FOUND' });
    expect(store.detail).toBeNull();
  });

  it('re-enrolls the device it is given, and changes nothing in the store', async () => {
    const answer = {
      profileUrl: 'https://mdm.example/profile/x',
      agentQr: null,
      agentQrImage: null,
      expiresAt: '2026-04-02T00:00:00.000Z',
    };
    const { api, store } = storeWith({ reenroll: vi.fn().mockResolvedValue(answer) });
    await expect(store.reenroll('d1')).resolves.toEqual(answer);
    expect(api.devices.reenroll).toHaveBeenCalledWith('d1');
    expect(api.devices.detail).not.toHaveBeenCalled();
  });

  it.each([
    ['the open device', 'd1', 2],
    ['another device', 'd2', 1],
  ] as const)(
    'revokes the agent token of %s, returns the count, and refreshes the detail only when it is open',
    async (_what, id, detailCalls) => {
      const { api, store } = storeWith({
        detail: vi.fn().mockResolvedValue(detailOf(device(1, { platform: 'android' }))),
        revokeAgentToken: vi.fn().mockResolvedValue({ revoked: 1 }),
      });
      await store.openDetail('d1');
      await expect(store.revokeAgentToken(id)).resolves.toBe(1);
      expect(api.devices.revokeAgentToken).toHaveBeenCalledWith(id);
      expect(api.devices.detail).toHaveBeenCalledTimes(detailCalls);
    },
  );

  it('reassigns a device and shows the answer in the open detail, without loading it again', async () => {
    const answer = detailOf(device(1, { updatedAt: '2026-04-03T00:00:00.000Z' }));
    const { api, store } = storeWith({
      detail: vi.fn().mockResolvedValue(detailOf(device(1), [conflict(1)])),
      reassign: vi.fn().mockResolvedValue(answer),
    });
    await store.openDetail('d1');
    await expect(store.reassign('d1', 'u2')).resolves.toEqual(answer);
    expect(api.devices.reassign).toHaveBeenCalledWith('d1', { userId: 'u2' });
    expect(store.detail).toEqual(answer);
    expect(api.devices.detail).toHaveBeenCalledTimes(1);
  });

  it('leaves the open detail alone when another device is reassigned', async () => {
    const open = detailOf(device(1), [conflict(1)]);
    const { store } = storeWith({
      detail: vi.fn().mockResolvedValue(open),
      reassign: vi.fn().mockResolvedValue(detailOf(device(2))),
    });
    await store.openDetail('d1');
    await store.reassign('d2', 'u2');
    expect(store.detail).toEqual(open);
  });

  it('drops a refresh still under way once a claim change has answered (its facts are older)', async () => {
    let answerRefresh: (d: DeviceDetailDto) => void = () => undefined;
    const detailFn = vi
      .fn()
      .mockResolvedValueOnce(detailOf(device(1), [conflict(1)]))
      .mockReturnValueOnce(new Promise<DeviceDetailDto>((resolve) => (answerRefresh = resolve)));
    const settled = detailOf(device(1));
    const { store } = storeWith({ detail: detailFn, dismissClaim: vi.fn().mockResolvedValue(settled) });
    await store.openDetail('d1');
    const refreshing = store.refreshDetail();
    await store.dismissClaim('c1');
    answerRefresh(detailOf(device(1), [conflict(1)]));
    await refreshing;
    expect(store.detail).toEqual(settled);
    expect(store.detailLoading).toBe(false);
  });

  it('dismisses a refused claim of the open device and shows the answer', async () => {
    const answer = detailOf(device(1), [conflict(2)]);
    const { api, store } = storeWith({
      detail: vi.fn().mockResolvedValue(detailOf(device(1), [conflict(1), conflict(2)])),
      dismissClaim: vi.fn().mockResolvedValue(answer),
    });
    await store.openDetail('d1');
    await expect(store.dismissClaim('c1')).resolves.toEqual(answer);
    expect(api.devices.dismissClaim).toHaveBeenCalledWith('d1', 'c1');
    expect(store.detail?.claimConflicts.map((c) => c.id)).toEqual(['c2']);
  });

  it('does nothing when no device is open', async () => {
    const { api, store } = storeWith({});
    await expect(store.dismissClaim('c1')).resolves.toBeNull();
    expect(api.devices.dismissClaim).not.toHaveBeenCalled();
  });

  it('reloads the open detail when the claim was already dealt with, and still reports the failure', async () => {
    const detailFn = vi
      .fn()
      .mockResolvedValueOnce(detailOf(device(1), [conflict(1)]))
      .mockResolvedValueOnce(detailOf(device(1)));
    const { store } = storeWith({
      detail: detailFn,
      dismissClaim: vi.fn().mockRejectedValue(new ApiError('CLAIM_CONFLICT_NOT_FOUND', 'No such open claim.', 404)),
    });
    await store.openDetail('d1');
    await expect(store.dismissClaim('c1')).rejects.toMatchObject({ code: 'CLAIM_CONFLICT_NOT_FOUND' });
    expect(detailFn).toHaveBeenCalledTimes(2);
    expect(store.detail?.claimConflicts).toEqual([]);
  });

  it('keeps a failed reassignment to a missing user as an error, with the detail as it was', async () => {
    const open = detailOf(device(1), [conflict(1)]);
    const { api, store } = storeWith({
      detail: vi.fn().mockResolvedValue(open),
      reassign: vi.fn().mockRejectedValue(new ApiError('USER_NOT_FOUND', 'Choose an active user.', 404)),
    });
    await store.openDetail('d1');
    await expect(store.reassign('d1', 'u9')).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(store.detail).toEqual(open);
    expect(api.devices.detail).toHaveBeenCalledTimes(1);
  });

  it('keeps a failed summary as an error for the widgets instead of throwing', async () => {
    const { store } = storeWith({ summary: vi.fn().mockRejectedValue(new ApiError('NOT_FOUND', 'Not found.', 404)) });
    await store.loadSummary();
    expect(store.summaryError).toBeInstanceOf(ApiError);
  });
});
