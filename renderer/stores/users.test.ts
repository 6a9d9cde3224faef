import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from 'vue';
import type { UserDto, UserPage } from '../../server/contract/index.js';
import { API_KEY, ApiError, type Api } from '../api/index.js';
import { passwordState, userChanges, useUsersStore, type UserEditDraft } from './users.js';

function user(n: number, extra: Partial<UserDto> = {}): UserDto {
  return {
    id: `u${n}`,
    email: `user${n}@example.com`,
    displayName: `User ${n}`,
    locale: 'ja',
    source: 'local',
    hasPassword: false,
    mustChangePassword: false,
    disabled: false,
    createdAt: '2026-04-01T00:00:00.000Z',
    updatedAt: '2026-04-01T00:00:00.000Z',
    ...extra,
  };
}

function page(items: UserDto[], nextCursor: string | null, total: number): UserPage {
  return { items, nextCursor, total };
}

/** A users store over a fake API; only the users endpoints are used. */
function storeWith(users: Partial<Api['users']>) {
  const api = {
    users: {
      list: vi.fn(),
      create: vi.fn(),
      createMany: vi.fn(),
      importCsv: vi.fn(),
      update: vi.fn(),
      remove: vi.fn(),
      ...users,
    },
  } as unknown as Api;
  const app = createApp({});
  app.provide(API_KEY, api);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return { api, store: useUsersStore() };
}

describe('the users store', () => {
  it('loads the first page, then appends the next with the cursor', async () => {
    const list = vi
      .fn()
      .mockResolvedValueOnce(page([user(1), user(2)], 'c2', 3))
      .mockResolvedValueOnce(page([user(3)], null, 3));
    const { store } = storeWith({ list });
    await store.reload();
    expect([store.items.length, store.total, store.hasMore]).toEqual([2, 3, true]);
    await store.loadMore();
    expect(store.items.map((u) => u.id)).toEqual(['u1', 'u2', 'u3']);
    expect(store.hasMore).toBe(false);
    expect(list.mock.calls).toEqual([[{ q: undefined, limit: 50 }], [{ q: undefined, cursor: 'c2', limit: 50 }]]);
  });

  it('searches from the first page with the trimmed query', async () => {
    const list = vi.fn().mockResolvedValue(page([user(7)], null, 1));
    const { store } = storeWith({ list });
    await store.search('  yamada ');
    expect(list).toHaveBeenLastCalledWith({ q: 'yamada', limit: 50 });
    expect(store.total).toBe(1);
  });

  it('lists directory or local users only, with the search, until the filter is cleared', async () => {
    const list = vi.fn().mockResolvedValue(page([user(7)], 'c2', 1));
    const { store } = storeWith({ list });
    await store.filterBySource('ldap');
    expect(list).toHaveBeenLastCalledWith({ source: 'ldap', limit: 50 });
    await store.search('yamada');
    await store.loadMore();
    expect(list).toHaveBeenLastCalledWith({ q: 'yamada', source: 'ldap', cursor: 'c2', limit: 50 });
    await store.filterBySource(null);
    expect(list).toHaveBeenLastCalledWith({ q: 'yamada', limit: 50 });
  });

  it('starts over when the cursor has gone stale', async () => {
    const list = vi
      .fn()
      .mockResolvedValueOnce(page([user(1)], 'old', 2))
      .mockRejectedValueOnce(new ApiError('CURSOR_INVALID', 'The page cursor is not valid.', 400))
      .mockResolvedValueOnce(page([user(1), user(2)], null, 2));
    const { store } = storeWith({ list });
    await store.reload();
    await expect(store.loadMore()).rejects.toMatchObject({ code: 'CURSOR_INVALID' });
    expect(store.items.map((u) => u.id)).toEqual(['u1', 'u2']);
    expect(store.loading).toBe(false);
  });

  it('reloads the list after every change', async () => {
    const list = vi.fn().mockResolvedValue(page([user(1)], null, 1));
    const created = user(9);
    const { store, api } = storeWith({
      list,
      create: vi.fn().mockResolvedValue(created),
      createMany: vi.fn().mockResolvedValue({ created: [created] }),
      importCsv: vi.fn().mockResolvedValue({ created: [created] }),
      update: vi.fn().mockResolvedValue(created),
      remove: vi.fn().mockResolvedValue(undefined),
    });
    await store.create({ email: 'a@example.com', displayName: 'A' });
    await store.createMany([{ email: 'b@example.com', displayName: 'B' }]);
    await store.importCsv(new Blob(['x']), 'staff.csv');
    await store.importCsv(new Blob(['y']), 'invite.csv', true);
    await store.setDisabled(created, true);
    await store.remove(created.id);
    expect(list).toHaveBeenCalledTimes(6);
    expect(api.users.update).toHaveBeenCalledWith('u9', { disabled: true });
    expect(api.users.importCsv).toHaveBeenCalledWith(expect.any(Blob), 'staff.csv', false);
    expect(api.users.importCsv).toHaveBeenCalledWith(expect.any(Blob), 'invite.csv', true);
  });

  it('does not reload after a refused add, so the list stays as it was', async () => {
    const list = vi.fn();
    const refusal = new ApiError('BATCH_INVALID', 'Nothing was added.', 400, {
      errors: [{ row: 2, field: 'email', code: 'EMAIL_TAKEN', message: 'taken' }],
    });
    const { store } = storeWith({ list, createMany: vi.fn().mockRejectedValue(refusal) });
    await expect(store.createMany([{ email: 'a@example.com', displayName: 'A' }])).rejects.toBe(refusal);
    expect(list).not.toHaveBeenCalled();
  });

  it('reloads when the edited user has gone', async () => {
    const list = vi.fn().mockResolvedValue(page([], null, 0));
    const { store } = storeWith({
      list,
      update: vi.fn().mockRejectedValue(new ApiError('USER_DELETED', 'This user was deleted.', 410)),
    });
    await expect(store.update('u1', { displayName: 'X' })).rejects.toMatchObject({ code: 'USER_DELETED' });
    expect(list).toHaveBeenCalledTimes(1);
  });
});

describe('passwordState', () => {
  it.each([
    [false, false, 'none'],
    [true, false, 'set'],
    [true, true, 'temporary'],
  ] as const)('hasPassword %s, mustChange %s -> %s', (hasPassword, mustChangePassword, expected) => {
    expect(passwordState({ hasPassword, mustChangePassword })).toBe(expected);
  });
});

describe('userChanges', () => {
  const before = user(1, { email: 'taro@example.com', displayName: 'Taro', locale: 'ja', hasPassword: true });
  const draft = (extra: Partial<UserEditDraft>): UserEditDraft => ({
    email: 'taro@example.com',
    displayName: 'Taro',
    locale: 'ja',
    passwordMode: 'keep',
    password: '',
    temporaryPassword: false,
    ...extra,
  });

  it.each([
    ['nothing', draft({}), {}],
    ['only whitespace around the name', draft({ displayName: '  Taro ' }), {}],
    ['the email', draft({ email: ' taro.y@example.com ' }), { email: 'taro.y@example.com' }],
    ['name and language', draft({ displayName: 'Taro Y', locale: 'en' }), { displayName: 'Taro Y', locale: 'en' }],
    ['a new password', draft({ passwordMode: 'set', password: 'New-Pass-12345' }), { password: 'New-Pass-12345' }],
    [
      'a temporary password',
      draft({ passwordMode: 'set', password: 'New-Pass-12345', temporaryPassword: true }),
      { password: 'New-Pass-12345', temporaryPassword: true },
    ],
    ['removing the password', draft({ passwordMode: 'remove' }), { password: null }],
    ['a typed password while keeping the current one', draft({ passwordMode: 'keep', password: 'ignored-123456' }), {}],
  ] as const)('%s', (_what, edited, expected) => {
    expect(userChanges(before, edited)).toEqual(expected);
  });

  it('does not remove a password the user does not have', () => {
    expect(userChanges({ ...before, hasPassword: false }, draft({ passwordMode: 'remove' }))).toEqual({});
  });
});
