// The signed-in administrator: first-run setup, sign-in, sign-out, and the CSRF token for the API client.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { LoginRequest, SessionDto, SetupRequest } from '../../server/contract/index.js';
import { isApiError, useApi } from '../api/index.js';

/** The session store: who is signed in, and whether first-run setup is still open. */
export const useSessionStore = defineStore('session', () => {
  const api = useApi();
  const session = ref<SessionDto | null>(null);
  const setupRequired = ref(false);
  /** True once the first check (session, then setup status) has finished. */
  const checked = ref(false);
  let checking: Promise<void> | null = null;

  const admin = computed(() => session.value?.admin ?? null);
  const signedIn = computed(() => session.value !== null);
  const csrfToken = computed(() => session.value?.csrfToken ?? null);

  async function refreshSetupStatus(): Promise<boolean> {
    setupRequired.value = (await api.auth.setupStatus()).setupRequired;
    return setupRequired.value;
  }

  /** Finds out, once, whether a session exists and whether setup is still required. */
  function ensureChecked(): Promise<void> {
    checking ??= (async () => {
      try {
        session.value = await api.auth.session();
        setupRequired.value = false;
      } catch (err) {
        if (!isApiError(err, 'AUTH_REQUIRED')) throw err;
        session.value = null;
        await refreshSetupStatus();
      }
      checked.value = true;
    })().finally(() => {
      if (!checked.value) checking = null;
    });
    return checking;
  }

  async function setup(request: SetupRequest): Promise<void> {
    session.value = await api.auth.setup(request);
    setupRequired.value = false;
  }

  async function login(request: LoginRequest): Promise<void> {
    session.value = await api.auth.login(request);
  }

  async function logout(): Promise<void> {
    try {
      await api.auth.logout();
    } catch (err) {
      // A session that already ended is signed out all the same.
      if (!isApiError(err, 'AUTH_REQUIRED')) throw err;
    }
    session.value = null;
  }

  /** Forgets the session locally (the server said it has ended). */
  function clear(): void {
    session.value = null;
  }

  return {
    session,
    setupRequired,
    checked,
    admin,
    signedIn,
    csrfToken,
    ensureChecked,
    refreshSetupStatus,
    setup,
    login,
    logout,
    clear,
  };
});
