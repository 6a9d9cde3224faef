// The directory (LDAP) endpoints: the connector settings, test connection, preview, import or sync now, and the runs.
import type {
  DirectoryPreviewDto,
  DirectoryRunDto,
  DirectorySettingsDto,
  DirectorySettingsUpdate,
  DirectorySyncRequest,
  DirectoryTestResult,
} from '../../server/contract/index.js';
import type { ApiClient } from './client.js';

/** The directory endpoints. */
export interface DirectoryApi {
  settings(): Promise<DirectorySettingsDto>;
  save(update: DirectorySettingsUpdate): Promise<DirectorySettingsDto>;
  /** Tests `settings` as typed (unsaved; an absent password is the saved one), or the saved settings without it. */
  test(settings?: DirectorySettingsUpdate): Promise<DirectoryTestResult>;
  preview(request?: DirectorySyncRequest): Promise<DirectoryPreviewDto>;
  sync(request: DirectorySyncRequest): Promise<DirectoryRunDto>;
  runs(limit?: number): Promise<{ items: DirectoryRunDto[] }>;
}

/** Builds the directory endpoints over a client. */
export function createDirectoryApi(client: ApiClient): DirectoryApi {
  return {
    settings: () => client.get('/api/directory'),
    save: (update) => client.put('/api/directory', update),
    test: (settings) => client.post('/api/directory/test', settings ? { settings } : {}),
    preview: (request = {}) => client.post('/api/directory/preview', request),
    sync: (request) => client.post('/api/directory/sync', request),
    runs: (limit) => client.get('/api/directory/runs', { limit }),
  };
}
