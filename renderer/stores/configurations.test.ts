import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from 'vue';
import type { ConfigurationDetailDto, ConfigurationDto } from '../../server/contract/index.js';
import { API_KEY, ApiError, type Api } from '../api/index.js';
import { useConfigurationsStore } from './configurations.js';

function configuration(id: string, extra: Partial<ConfigurationDto> = {}): ConfigurationDto {
  return {
    id,
    name: `Config ${id}`,
    description: null,
    kind: 'office-ca',
    platforms: ['ios'],
    macChannel: 'device',
    assignment: { scope: 'everyone', userIds: [], users: [] },
    version: 1,
    settings: { kind: 'office-ca' },
    counts: { pending: 0, installed: 0, failed: 0, removing: 0 },
    createdAt: '2026-04-01T00:00:00.000Z',
    updatedAt: '2026-04-01T00:00:00.000Z',
    updatedBy: 'admin@example.com',
    ...extra,
  };
}

function storeWith(configurations: Partial<Api['configurations']>) {
  const api = { configurations } as unknown as Api;
  const app = createApp({});
  app.provide(API_KEY, api);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return useConfigurationsStore();
}

describe('the configurations store', () => {
  it('keeps the list in step with adds, edits and deletes, and the open detail with edits', async () => {
    const detail = (c: ConfigurationDto): ConfigurationDetailDto => ({ configuration: c, devices: [] });
    const edited = configuration('a', { version: 2, name: 'Renamed' });
    const store = storeWith({
      list: vi.fn().mockResolvedValue({ items: [configuration('a')] }),
      create: vi.fn().mockResolvedValue(configuration('b')),
      update: vi.fn().mockResolvedValue(edited),
      remove: vi.fn().mockResolvedValue(undefined),
      detail: vi
        .fn()
        .mockResolvedValueOnce(detail(configuration('a')))
        .mockResolvedValueOnce(detail(edited)),
    });
    await store.reload();
    expect(store.loaded).toBe(true);
    await store.create({} as never);
    expect(store.items.map((c) => c.id)).toEqual(['a', 'b']);
    await store.openDetail('a');
    await store.update('a', {} as never);
    expect(store.items[0]?.name).toBe('Renamed');
    expect(store.detail?.configuration.version).toBe(2);
    await store.remove('a');
    expect(store.items.map((c) => c.id)).toEqual(['b']);
    expect(store.detail).toBeNull();
  });

  it('closes the detail of a configuration deleted elsewhere, and reads the catalogue once', async () => {
    const restrictions = vi.fn().mockResolvedValue({ items: [] });
    const store = storeWith({
      detail: vi.fn().mockRejectedValue(new ApiError('CONFIGURATION_NOT_FOUND', 'gone', 404)),
      restrictions,
    });
    store.detail = { configuration: configuration('a'), devices: [] };
    await expect(store.refreshDetail()).rejects.toThrow('gone');
    expect(store.detail).toBeNull();
    await store.loadRestrictions();
    await store.loadRestrictions();
    expect(restrictions).toHaveBeenCalledTimes(1);
  });

  it('a slower earlier read of the list does not overwrite a later one', async () => {
    let first: (v: unknown) => void = () => undefined;
    const list = vi
      .fn()
      .mockReturnValueOnce(new Promise((resolve) => (first = resolve)))
      .mockResolvedValueOnce({ items: [configuration('new')] });
    const store = storeWith({ list });
    const slow = store.reload();
    await store.reload();
    first({ items: [configuration('old')] });
    await slow;
    expect(store.items.map((c) => c.id)).toEqual(['new']);
  });
});
