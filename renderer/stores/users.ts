// Users: the paged, searchable list and every change to it; each change reloads the list.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type {
  Locale,
  NewPinResult,
  PasswordResetResult,
  TemporaryPasswordResult,
  UserBatchResult,
  UserBulkAction,
  UserBulkResult,
  UserCreatedDto,
  UserCreateRequest,
  UserDto,
  UserSource,
  UserUpdateRequest,
} from '../../server/contract/index.js';
import { isApiError, useApi } from '../api/index.js';
import { useLatestLoad } from '../composables/use-latest-load.js';
import { appendNew } from './paging.js';

/** How many users one page of the list holds. */
export const USERS_PAGE_SIZE = 50;

/** A user's password as the list shows it. */
export type PasswordState = 'none' | 'set' | 'temporary';

/** The password state of a user: none, set, or temporary (must change at first sign-in). */
export function passwordState(user: Pick<UserDto, 'hasPassword' | 'mustChangePassword'>): PasswordState {
  if (!user.hasPassword) return 'none';
  return user.mustChangePassword ? 'temporary' : 'set';
}

/** What the edit dialog hands back: the fields as edited, and what to do with the password. */
export interface UserEditDraft {
  email: string;
  displayName: string;
  locale: Locale;
  passwordMode: 'keep' | 'set' | 'remove';
  password: string;
  temporaryPassword: boolean;
}

/** The PATCH body for an edit: only the fields that changed (empty when nothing did). */
export function userChanges(before: UserDto, draft: UserEditDraft): UserUpdateRequest {
  const changes: UserUpdateRequest = {};
  const email = draft.email.trim();
  if (email !== before.email) changes.email = email;
  if (draft.displayName.trim() !== before.displayName) changes.displayName = draft.displayName.trim();
  if (draft.locale !== before.locale) changes.locale = draft.locale;
  if (draft.passwordMode === 'set') {
    changes.password = draft.password;
    if (draft.temporaryPassword) changes.temporaryPassword = true;
  } else if (draft.passwordMode === 'remove' && before.hasPassword) {
    changes.password = null;
  }
  return changes;
}

/** The users store: the list as loaded so far, the search, and the actions that change users. */
export const useUsersStore = defineStore('users', () => {
  const api = useApi();
  const items = ref<UserDto[]>([]);
  const total = ref(0);
  const nextCursor = ref<string | null>(null);
  const query = ref('');
  /** Local or directory users only; null: everyone. */
  const source = ref<UserSource | null>(null);
  const loading = ref(false);
  const loaded = ref(false);
  const loads = useLatestLoad(loading);

  const hasMore = computed(() => nextCursor.value !== null);

  /** The search and the source filter as the list endpoint takes them. */
  const filter = () => ({
    ...(query.value.trim() ? { q: query.value.trim() } : {}),
    ...(source.value ? { source: source.value } : {}),
  });

  /** Loads the first page for the current search, replacing the list. */
  async function reload(): Promise<void> {
    await loads.run(
      () => api.users.list({ ...filter(), limit: USERS_PAGE_SIZE }),
      (page) => {
        items.value = page.items;
        total.value = page.total;
        nextCursor.value = page.nextCursor;
        loaded.value = true;
      },
    );
  }

  /** Appends the next page; when the cursor has gone stale the list starts over. */
  async function loadMore(): Promise<void> {
    const cursor = nextCursor.value;
    if (!cursor) return;
    await loads.run(
      () => api.users.list({ ...filter(), cursor, limit: USERS_PAGE_SIZE }),
      (page) => {
        items.value = appendNew(items.value, page.items);
        total.value = page.total;
        nextCursor.value = page.nextCursor;
      },
      async (err) => {
        if (isApiError(err, 'CURSOR_INVALID')) {
          loading.value = false;
          await reload();
        }
      },
    );
  }

  /** Searches by email or name (a blank search lists everyone). */
  async function search(q: string): Promise<void> {
    query.value = q;
    await reload();
  }

  /** Shows local users only, directory users only, or (null) everyone. */
  async function filterBySource(next: UserSource | null): Promise<void> {
    source.value = next;
    await reload();
  }

  /** Adds one user (and invites them when asked); the answer names the invitation that was sent. */
  async function create(request: UserCreateRequest): Promise<UserCreatedDto> {
    const user = await api.users.create(request);
    await reload();
    return user;
  }

  /** Adds several users, all or none; the answer counts the invitations sent to rows that asked for one. */
  async function createMany(users: UserCreateRequest[]): Promise<UserBatchResult> {
    const result = await api.users.createMany(users);
    await reload();
    return result;
  }

  /** Imports a CSV file, all rows or none; with `sendInvitations` each imported user is also invited. */
  async function importCsv(file: Blob, fileName: string, sendInvitations = false): Promise<UserBatchResult> {
    const result = await api.users.importCsv(file, fileName, sendInvitations);
    await reload();
    return result;
  }

  /** Runs an action that changes users; the list is reloaded whether it worked or not (a user may be gone). */
  async function thenReload<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } finally {
      await reload();
    }
  }

  /** Disables, enables or deletes several users at once (all or none). */
  function bulk(action: UserBulkAction, ids: string[]): Promise<UserBulkResult> {
    return thenReload(() => api.users.bulk(action, ids));
  }

  /** A new PIN for the user's open invitation: shown once, emailed too. */
  function newPin(id: string): Promise<NewPinResult> {
    return thenReload(() => api.users.newPin(id));
  }

  /** Voids the user's password and emails a link with a one-time PIN to choose a new one. */
  function resetPassword(id: string): Promise<PasswordResetResult> {
    return thenReload(() => api.users.resetPassword(id));
  }

  /** A temporary password chosen by the server, shown once. */
  function temporaryPassword(id: string): Promise<TemporaryPasswordResult> {
    return thenReload(() => api.users.temporaryPassword(id));
  }

  async function update(id: string, changes: UserUpdateRequest): Promise<UserDto> {
    try {
      const user = await api.users.update(id, changes);
      await reload();
      return user;
    } catch (err) {
      if (isApiError(err, 'USER_NOT_FOUND', 'USER_DELETED')) await reload();
      throw err;
    }
  }

  async function setDisabled(user: UserDto, disabled: boolean): Promise<UserDto> {
    return update(user.id, { disabled });
  }

  async function remove(id: string): Promise<void> {
    try {
      await api.users.remove(id);
    } finally {
      await reload();
    }
  }

  return {
    items,
    total,
    nextCursor,
    query,
    source,
    loading,
    loaded,
    hasMore,
    reload,
    loadMore,
    search,
    filterBySource,
    create,
    createMany,
    importCsv,
    update,
    setDisabled,
    remove,
    bulk,
    newPin,
    resetPassword,
    temporaryPassword,
  };
});
