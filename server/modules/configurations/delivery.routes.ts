import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DeliveryService } from './delivery.service.js';

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

/** Registers GET /api/devices/:id/configurations (admin): the device's configurations and where each stands. */
export async function deliveryRoutes(
  app: FastifyInstance,
  opts: { delivery: Pick<DeliveryService, 'ofDevice'> },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/api/devices/:id/configurations', { schema: { params: Id } }, async (request) => ({
    items: opts.delivery.ofDevice(request.params.id),
  }));
}
