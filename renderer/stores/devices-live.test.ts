import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from 'vue';
import type { DeviceDto, LiveEventDto } from '../../server/contract/index.js';
import { API_KEY, type Api } from '../api/index.js';
import { sampleDevice as device } from '../test-support/sample-dtos.js';
import { useDevicesStore } from './devices.js';

const detailOf = (d: DeviceDto) => ({ device: d, agentActions: [], channels: [], commands: [], claimConflicts: [] });

function storeWith(list: Api['devices']['list'], detail: Api['devices']['detail'] = vi.fn()) {
  const api = {
    devices: {
      list: vi.fn(list),
      summary: vi.fn().mockResolvedValue({ total: 0, byStatus: {}, byPlatform: {}, enrollmentsPerDay: [] }),
      detail: vi.fn(detail),
      enrollments: vi.fn().mockResolvedValue([]),
    },
  } as unknown as Api;
  const app = createApp({});
  app.provide(API_KEY, api);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return { api, store: useDevicesStore() };
}

const changed = (id: string, type: LiveEventDto['type'] = 'device.status'): LiveEventDto => ({
  seq: 9,
  type,
  action: 'device.retired',
  at: '2026-06-01T00:00:00.000Z',
  subjectType: 'device',
  subjectId: id,
});

describe('the devices store following live changes', () => {
  it('reads the shown list again under the same filters, the widgets, and the open detail when it changed', async () => {
    let items = [device(1)];
    const { api, store } = storeWith(
      async () => ({ items, total: items.length, nextCursor: null }),
      async (id) => detailOf(device(Number(id.slice(1)), { status: 'inactive' })),
    );
    await store.applyFilters({ status: '', platform: 'ios', q: '', userId: '', seen: '' });
    await store.openDetail('d1');
    items = [device(2), device(1, { status: 'inactive' })];
    await store.applyLive([changed('d2', 'device.enrolled'), changed('d1')]);
    expect(api.devices.list).toHaveBeenLastCalledWith(expect.objectContaining({ platform: 'ios', limit: 100 }));
    expect(store.items.map((d) => [d.id, d.status])).toEqual([
      ['d2', 'active'],
      ['d1', 'inactive'],
    ]);
    expect(api.devices.summary).toHaveBeenCalledTimes(1);
    expect(store.detail?.device.status).toBe('inactive');
  });

  it('leaves everything alone for changes that are not about devices', async () => {
    const { api, store } = storeWith(async () => ({ items: [device(1)], total: 1, nextCursor: null }));
    await store.reload();
    await store.applyLive([{ ...changed('u1'), subjectType: 'user', type: 'audit.appended' }]);
    expect(api.devices.list).toHaveBeenCalledTimes(1);
    expect(api.devices.summary).not.toHaveBeenCalled();
  });

  it('in a list scrolled past a large page, reads only the changed rows again', async () => {
    const many = Array.from({ length: 600 }, (_, i) => device(i));
    const { api, store } = storeWith(
      async (q) =>
        q?.cursor
          ? { items: many.slice(100), total: 600, nextCursor: null }
          : { items: many.slice(0, 100), total: 600, nextCursor: 'c' },
      async () => detailOf(device(7, { status: 'wiped' })),
    );
    await store.reload();
    await store.loadMore();
    expect(store.items).toHaveLength(600);
    await store.applyLive([changed('d7'), changed('d9999')]);
    expect(api.devices.list).toHaveBeenCalledTimes(2);
    expect(api.devices.detail).toHaveBeenCalledTimes(1);
    expect(store.items[7]?.status).toBe('wiped');
    expect(store.items).toHaveLength(600);
  });
});
