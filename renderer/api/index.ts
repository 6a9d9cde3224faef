// The console's API: every endpoint module over one client, handed to the stores through provide/inject.
import { inject, type InjectionKey } from 'vue';
import { createAdminsApi, type AdminsApi } from './admins.js';
import { createAuditApi, type AuditApi } from './audit.js';
import { createAuthApi, type AuthApi } from './auth.js';
import { createBackupApi, type BackupApi } from './backup.js';
import { createPushApi, createTlsApi, type PushApi, type TlsApi } from './certificates.js';
import type { ApiClient } from './client.js';
import { createConfigurationsApi, type ConfigurationsApi } from './configurations.js';
import { createDevicesApi, type DevicesApi } from './devices.js';
import { createDirectoryApi, type DirectoryApi } from './directory.js';
import { createInvitationsApi, type InvitationsApi } from './invitations.js';
import { createMailApi, type MailApi } from './mail.js';
import { createSettingsApi, type SettingsApi } from './settings.js';
import { createUsersApi, type UsersApi } from './users.js';
import { createDashboardApi, type DashboardApi } from './dashboard.js';
import { createOnboardingApi, type OnboardingApi } from './onboarding.js';
import { createLiveApi, type LiveApi } from './live.js';

/** The client and its typed error, re-exported so callers import the API from one place. */
export { ApiError, createApiClient, isApiError, type ApiClient, type ApiErrorCode } from './client.js';

/** Every endpoint the console calls, grouped by domain. */
export interface Api {
  auth: AuthApi;
  users: UsersApi;
  settings: SettingsApi;
  audit: AuditApi;
  invitations: InvitationsApi;
  devices: DevicesApi;
  mail: MailApi;
  push: PushApi;
  tls: TlsApi;
  backup: BackupApi;
  admins: AdminsApi;
  dashboard: DashboardApi;
  onboarding: OnboardingApi;
  live: LiveApi;
  directory: DirectoryApi;
  configurations: ConfigurationsApi;
}

/** The injection key the app provides the API under. */
export const API_KEY: InjectionKey<Api> = Symbol('tsunagu-api');

/** Builds the endpoint groups over one client. */
export function createApi(client: ApiClient): Api {
  return {
    auth: createAuthApi(client),
    users: createUsersApi(client),
    settings: createSettingsApi(client),
    audit: createAuditApi(client),
    invitations: createInvitationsApi(client),
    devices: createDevicesApi(client),
    mail: createMailApi(client),
    push: createPushApi(client),
    tls: createTlsApi(client),
    backup: createBackupApi(client),
    admins: createAdminsApi(client),
    dashboard: createDashboardApi(client),
    onboarding: createOnboardingApi(client),
    live: createLiveApi(),
    directory: createDirectoryApi(client),
    configurations: createConfigurationsApi(client),
  };
}

/** The API the app provided; for Pinia setup stores, which may inject app-level values. */
export function useApi(): Api {
  const api = inject(API_KEY, null);
  if (!api)
    throw new Error('The API was not provided: call app.provide(API_KEY, createApi(client)) before using a store.');
  return api;
}
