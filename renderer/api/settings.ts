// The User Settings endpoints: GET and PUT /api/settings/users.
import type { UserSettingsDto, UserSettingsResponse } from '../../server/contract/index.js';
import type { ApiClient } from './client.js';

/** The settings endpoints. */
export interface SettingsApi {
  userSettings(): Promise<UserSettingsResponse>;
  saveUserSettings(settings: UserSettingsDto): Promise<UserSettingsResponse>;
}

/** Builds the settings endpoints over a client. */
export function createSettingsApi(client: ApiClient): SettingsApi {
  return {
    userSettings: () => client.get('/api/settings/users'),
    saveUserSettings: (settings) => client.put('/api/settings/users', settings),
  };
}
