// The User Settings endpoints (GET and PUT /api/settings/users) and the macOS helper build (/api/settings/helper-build).
import type { HelperBuildResponse, UserSettingsDto, UserSettingsResponse } from '../../server/contract/index.js';
import type { ApiClient } from './client.js';

/** The settings endpoints. */
export interface SettingsApi {
  userSettings(): Promise<UserSettingsResponse>;
  saveUserSettings(settings: UserSettingsDto): Promise<UserSettingsResponse>;
  /** The helper build the portal offers, and the upload rules. */
  helperBuild(): Promise<HelperBuildResponse>;
  /** Uploads a helper build: the file itself as the body (streamed by the browser), its name in the query. */
  uploadHelperBuild(file: Blob, fileName: string): Promise<HelperBuildResponse>;
  /** Removes the uploaded helper build. */
  removeHelperBuild(): Promise<HelperBuildResponse>;
}

/** Builds the settings endpoints over a client. */
export function createSettingsApi(client: ApiClient): SettingsApi {
  return {
    userSettings: () => client.get('/api/settings/users'),
    saveUserSettings: (settings) => client.put('/api/settings/users', settings),
    helperBuild: () => client.get('/api/settings/helper-build'),
    uploadHelperBuild: (file, fileName) =>
      client.request('PUT', '/api/settings/helper-build', {
        query: { fileName },
        body: file,
        contentType: 'application/octet-stream',
      }),
    removeHelperBuild: () => client.delete('/api/settings/helper-build'),
  };
}
