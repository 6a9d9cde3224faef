import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { UserSettingsResponse } from '../../contract/settings.js';
import { adminActor } from '../../http/auth.js';
import { USER_SETTING_LIMITS, UserSettingsSchema } from './settings.schemas.js';
import type { SettingsService } from './settings.service.js';

/** Registers GET and PUT /api/settings/users. */
export async function settingsRoutes(app: FastifyInstance, opts: { settings: SettingsService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { settings } = opts;
  r.get('/api/settings/users', async (): Promise<UserSettingsResponse> => ({
    settings: settings.userSettings(),
    limits: USER_SETTING_LIMITS,
  }));
  r.put(
    '/api/settings/users',
    { schema: { body: UserSettingsSchema } },
    async (request): Promise<UserSettingsResponse> => ({
      settings: settings.updateUserSettings(request.body, adminActor(request), request.ip),
      limits: USER_SETTING_LIMITS,
    }),
  );
}
