import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { adminActor } from '../../http/auth.js';
import type { DirectoryService } from './directory.service.js';
import { DirectoryRunsQuery, DirectorySettingsSchema, DirectorySyncSchema } from './directory.schemas.js';

/** Body limit of the directory routes: settings with a CA bundle, or a list of users to link. */
const BODY_LIMIT = 256 * 1024;

/**
 * Registers /api/directory: the connector settings (GET, PUT; the bind password is never sent back), test connection
 * (`{}` for the saved settings, `{settings}` for unsaved ones), preview, import or sync now, and the recorded runs.
 */
export async function directoryRoutes(app: FastifyInstance, opts: { directory: DirectoryService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { directory } = opts;
  const ctx = (request: Parameters<typeof adminActor>[0]) => ({
    actor: adminActor(request),
    sourceAddress: request.ip,
  });

  r.get('/api/directory', async () => directory.settings());
  r.put('/api/directory', { schema: { body: DirectorySettingsSchema }, bodyLimit: BODY_LIMIT }, async (request) =>
    directory.updateSettings(request.body, ctx(request)),
  );
  r.post(
    '/api/directory/test',
    {
      schema: {
        body: Type.Object({ settings: Type.Optional(DirectorySettingsSchema) }, { additionalProperties: false }),
      },
      bodyLimit: BODY_LIMIT,
    },
    async (request) => directory.test(request.body.settings),
  );
  r.post('/api/directory/preview', { schema: { body: DirectorySyncSchema }, bodyLimit: BODY_LIMIT }, async (request) =>
    directory.preview(request.body),
  );
  r.post('/api/directory/sync', { schema: { body: DirectorySyncSchema }, bodyLimit: BODY_LIMIT }, async (request) =>
    directory.sync(request.body, ctx(request)),
  );
  r.get('/api/directory/runs', { schema: { querystring: DirectoryRunsQuery } }, async (request) => ({
    items: directory.runs(request.query.limit),
  }));
}
