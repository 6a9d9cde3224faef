// Sign-in, sign-out and first-run setup: /api/setup and /api/auth/*.
import type { LoginRequest, SessionDto, SetupRequest, SetupStatusDto } from '../../server/contract/index.js';
import type { ApiClient } from './client.js';

/** The admin sign-in endpoints. */
export interface AuthApi {
  setupStatus(): Promise<SetupStatusDto>;
  setup(request: SetupRequest): Promise<SessionDto>;
  login(request: LoginRequest): Promise<SessionDto>;
  logout(): Promise<void>;
  session(): Promise<SessionDto>;
}

/** Builds the sign-in endpoints over a client. */
export function createAuthApi(client: ApiClient): AuthApi {
  return {
    setupStatus: () => client.get('/api/setup'),
    setup: (request) => client.post('/api/setup', request),
    login: (request) => client.post('/api/auth/login', request),
    logout: () => client.post('/api/auth/logout'),
    session: () => client.get('/api/auth/session'),
  };
}
