// The administrators, one's own password, where the console listens, and the restore: the Administration page's data.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type {
  AdminCreatedDto,
  AdminCreateRequest,
  AdminDto,
  ConsoleAccessDto,
  PasswordChangeRequest,
  RestoreUploadDto,
} from '../../server/contract/index.js';
import { isApiError, useApi } from '../api/index.js';
import { useSessionStore } from './session.js';

/** How long the console waits for the server to come back after a restore: 60 tries a second apart. */
const RESTART_POLLS = 60;

/** The administration store. */
export const useAdminsStore = defineStore('admins', () => {
  const api = useApi();
  const session = useSessionStore();
  const admins = ref<AdminDto[]>([]);
  const loading = ref(false);
  const access = ref<ConsoleAccessDto | null>(null);
  const upload = ref<RestoreUploadDto | null>(null);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      admins.value = await api.admins.list();
    } finally {
      loading.value = false;
    }
  }

  async function add(request: AdminCreateRequest): Promise<AdminCreatedDto> {
    const created = await api.admins.add(request);
    await load();
    return created;
  }

  async function remove(id: string): Promise<void> {
    await api.admins.remove(id);
    await load();
  }

  async function resetPassword(id: string): Promise<string> {
    const { temporaryPassword } = await api.admins.resetPassword(id);
    await load();
    return temporaryPassword;
  }

  /** Changes the signed-in admin's password; the session comes back without the temporary password's mark. */
  async function changeOwnPassword(request: PasswordChangeRequest): Promise<void> {
    session.session = await api.admins.changeOwnPassword(request);
  }

  async function loadAccess(): Promise<void> {
    access.value = await api.admins.consoleAccess();
  }

  async function setLanAdmin(on: boolean): Promise<void> {
    access.value = await api.admins.setLanAdmin(on);
  }

  async function uploadBackup(file: Blob): Promise<RestoreUploadDto> {
    upload.value = null;
    upload.value = await api.admins.uploadBackup(file);
    return upload.value;
  }

  /**
   * Restores the uploaded backup, then waits until the restarted server answers again; every session has ended, so
   * the caller sends the admin to sign in. Resolves false when the server did not come back in time.
   */
  async function restore(passphrase: string, wait: (ms: number) => Promise<void>): Promise<boolean> {
    if (!upload.value) return false;
    await api.admins.restore(upload.value.uploadId, passphrase);
    upload.value = null;
    // Signed out here already: the restarted server's refusal is then expected, not a "session ended" surprise.
    session.clear();
    for (let i = 0; i < RESTART_POLLS; i++) {
      await wait(1000);
      try {
        // The old server still knows this session; the restarted one does not (every session ended).
        await api.auth.session();
      } catch (err) {
        if (isApiError(err, 'AUTH_REQUIRED')) {
          session.clear();
          return true;
        }
      }
    }
    session.clear();
    return false;
  }

  return {
    admins,
    loading,
    access,
    upload,
    load,
    add,
    remove,
    resetPassword,
    changeOwnPassword,
    loadAccess,
    setLanAdmin,
    uploadBackup,
    restore,
  };
});
