import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ConfigurationInput } from '../../contract/configurations.js';
import { adminActor } from '../../http/auth.js';
import type { ConfigurationsService } from './configurations.service.js';
import { ConfigurationIdParams, ConfigurationInputSchema } from './configurations.schemas.js';
import { UPLOAD_MAX_BYTES } from './uploaded-profile.js';

/** Body limit: an uploaded profile (UPLOAD_MAX_BYTES) as base64, with the rest of the configuration around it. */
export const CONFIGURATION_BODY_LIMIT = Math.ceil((UPLOAD_MAX_BYTES * 4) / 3) + 64 * 1024;

/**
 * Registers /api/configurations: the library's list, one configuration with its state on every device, create, edit
 * (a new version when the settings change), delete (removed from the devices), and the restrictions on offer.
 */
export async function configurationsRoutes(
  app: FastifyInstance,
  opts: { configurations: ConfigurationsService },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { configurations } = opts;
  const ctx = (request: Parameters<typeof adminActor>[0]) => ({
    actor: adminActor(request),
    sourceAddress: request.ip,
  });

  r.get('/api/configurations', async () => ({ items: configurations.list() }));
  r.get('/api/configurations/restrictions', async () => ({ items: configurations.restrictions() }));
  r.post(
    '/api/configurations',
    { schema: { body: ConfigurationInputSchema }, bodyLimit: CONFIGURATION_BODY_LIMIT },
    async (request, reply) =>
      reply.status(201).send(configurations.create(request.body as ConfigurationInput, ctx(request))),
  );
  r.get('/api/configurations/:id', { schema: { params: ConfigurationIdParams } }, async (request) =>
    configurations.get(request.params.id),
  );
  r.put(
    '/api/configurations/:id',
    { schema: { params: ConfigurationIdParams, body: ConfigurationInputSchema }, bodyLimit: CONFIGURATION_BODY_LIMIT },
    async (request) => configurations.update(request.params.id, request.body as ConfigurationInput, ctx(request)),
  );
  r.delete('/api/configurations/:id', { schema: { params: ConfigurationIdParams } }, async (request, reply) => {
    configurations.remove(request.params.id, ctx(request));
    return reply.status(204).send();
  });
}
