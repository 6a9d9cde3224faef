// Administrators (/api/admins), one's own password (/api/auth/password), where the console listens
// (/api/console-access), and the restore (/api/restore).
import type {
  AdminCreatedDto,
  AdminCreateRequest,
  AdminDto,
  AdminPasswordResetDto,
  ConsoleAccessDto,
  PasswordChangeRequest,
  RestoreUploadDto,
  SessionDto,
} from '../../server/contract/index.js';
import type { ApiClient } from './client.js';

/** The administration endpoints. */
export interface AdminsApi {
  list(): Promise<AdminDto[]>;
  add(request: AdminCreateRequest): Promise<AdminCreatedDto>;
  remove(id: string): Promise<void>;
  resetPassword(id: string): Promise<AdminPasswordResetDto>;
  changeOwnPassword(request: PasswordChangeRequest): Promise<SessionDto>;
  consoleAccess(): Promise<ConsoleAccessDto>;
  setLanAdmin(lanAdmin: boolean): Promise<ConsoleAccessDto>;
  /** Sends the backup file as it is (the browser streams it); answers what its header says. */
  uploadBackup(file: Blob): Promise<RestoreUploadDto>;
  /** Restores the upload: the server answers, then restarts on the restored data. */
  restore(uploadId: string, passphrase: string): Promise<{ restarting: boolean }>;
}

/** Builds the administration endpoints over a client. */
export function createAdminsApi(client: ApiClient): AdminsApi {
  return {
    list: () => client.get('/api/admins'),
    add: (request) => client.post('/api/admins', request),
    remove: (id) => client.delete(`/api/admins/${encodeURIComponent(id)}`),
    resetPassword: (id) => client.post(`/api/admins/${encodeURIComponent(id)}/reset-password`),
    changeOwnPassword: (request) => client.post('/api/auth/password', request),
    consoleAccess: () => client.get('/api/console-access'),
    setLanAdmin: (lanAdmin) => client.put('/api/console-access', { lanAdmin }),
    uploadBackup: (file) =>
      client.request('PUT', '/api/restore/upload', { body: file, contentType: 'application/octet-stream' }),
    restore: (uploadId, passphrase) => client.post('/api/restore', { uploadId, passphrase }),
  };
}
