// The users endpoints: list, add one, add several, CSV import (each optionally invited), edit, delete, bulk actions,
// new PIN, password reset by email, temporary password.
import type {
  NewPinResult,
  PasswordResetResult,
  TemporaryPasswordResult,
  UserBatchResult,
  UserBulkAction,
  UserBulkResult,
  UserCreatedDto,
  UserCreateRequest,
  UserDto,
  UserPage,
  UserSource,
  UserUpdateRequest,
} from '../../server/contract/index.js';
import type { ApiClient } from './client.js';

/** Query of the users list. */
export interface UserListParams {
  q?: string;
  cursor?: string;
  limit?: number;
  /** Local or directory users only. */
  source?: UserSource;
}

/** The users endpoints. */
export interface UsersApi {
  list(params?: UserListParams): Promise<UserPage>;
  /** Adds a user; with `sendInvitation` the answer names the invitation that was sent. */
  create(request: UserCreateRequest): Promise<UserCreatedDto>;
  createMany(users: UserCreateRequest[]): Promise<UserBatchResult>;
  /** Uploads the file's bytes unchanged (the server decodes UTF-8 or Shift_JIS). */
  importCsv(file: Blob, fileName: string, sendInvitations?: boolean): Promise<UserBatchResult>;
  update(id: string, changes: UserUpdateRequest): Promise<UserDto>;
  remove(id: string): Promise<void>;
  /** Disables, enables or deletes several users: all of them or none. */
  bulk(action: UserBulkAction, ids: string[]): Promise<UserBulkResult>;
  /** A new PIN for the user's open invitation (shown once, and emailed). */
  newPin(id: string): Promise<NewPinResult>;
  /** Voids the password and emails a link and one-time PIN to choose a new one. */
  resetPassword(id: string): Promise<PasswordResetResult>;
  /** A password the server picks, shown once; the user changes it at the next portal sign-in. */
  temporaryPassword(id: string): Promise<TemporaryPasswordResult>;
}

/** Builds the users endpoints over a client. */
export function createUsersApi(client: ApiClient): UsersApi {
  const one = (id: string) => `/api/users/${encodeURIComponent(id)}`;
  return {
    list: (params = {}) => client.get('/api/users', { ...params }),
    create: (request) => client.post('/api/users', request),
    createMany: (users) => client.post('/api/users/batch', { users }),
    importCsv: (file, fileName, sendInvitations = false) =>
      client.request('POST', '/api/users/import', {
        query: { fileName, ...(sendInvitations ? { sendInvitations: 'true' } : {}) },
        body: file,
        contentType: 'text/csv',
      }),
    update: (id, changes) => client.patch(one(id), changes),
    remove: (id) => client.delete(one(id)),
    bulk: (action, ids) => client.post('/api/users/bulk', { action, ids }),
    newPin: (id) => client.post(`${one(id)}/pin`),
    resetPassword: (id) => client.post(`${one(id)}/reset-password`),
    temporaryPassword: (id) => client.post(`${one(id)}/temporary-password`),
  };
}
