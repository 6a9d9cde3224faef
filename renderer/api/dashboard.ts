// The dashboard endpoint: the console's home page in one read.
import type { DashboardDto } from '../../server/contract/index.js';
import type { ApiClient } from './client.js';

/** The dashboard endpoint. */
export interface DashboardApi {
  get(): Promise<DashboardDto>;
}

/** Builds the dashboard endpoint over a client. */
export function createDashboardApi(client: ApiClient): DashboardApi {
  return { get: () => client.get('/api/dashboard') };
}
