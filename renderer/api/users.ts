// The users endpoints: list, add one, add several (each optionally invited), CSV import, edit, delete.
import type {
  UserBatchResult,
  UserCreatedDto,
  UserCreateRequest,
  UserDto,
  UserPage,
  UserUpdateRequest,
} from '../../server/contract/index.js';
import type { ApiClient } from './client.js';

/** Query of the users list. */
export interface UserListParams {
  q?: string;
  cursor?: string;
  limit?: number;
}

/** The users endpoints. */
export interface UsersApi {
  list(params?: UserListParams): Promise<UserPage>;
  /** Adds a user; with `sendInvitation` the answer names the invitation that was sent. */
  create(request: UserCreateRequest): Promise<UserCreatedDto>;
  createMany(users: UserCreateRequest[]): Promise<UserBatchResult>;
  /** Uploads the file's bytes unchanged (the server decodes UTF-8 or Shift_JIS). */
  importCsv(file: Blob, fileName: string): Promise<UserBatchResult>;
  update(id: string, changes: UserUpdateRequest): Promise<UserDto>;
  remove(id: string): Promise<void>;
}

/** Builds the users endpoints over a client. */
export function createUsersApi(client: ApiClient): UsersApi {
  const one = (id: string) => `/api/users/${encodeURIComponent(id)}`;
  return {
    list: (params = {}) => client.get('/api/users', { ...params }),
    create: (request) => client.post('/api/users', request),
    createMany: (users) => client.post('/api/users/batch', { users }),
    importCsv: (file, fileName) =>
      client.request('POST', '/api/users/import', { query: { fileName }, body: file, contentType: 'text/csv' }),
    update: (id, changes) => client.patch(one(id), changes),
    remove: (id) => client.delete(one(id)),
  };
}
