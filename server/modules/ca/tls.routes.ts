import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { adminActor } from '../../http/auth.js';
import type { CaService, TlsNames } from './ca.service.js';

const Import = Type.Union([
  Type.Object(
    {
      certificatePem: Type.String({ maxLength: 40_000 }),
      privateKeyPem: Type.String({ maxLength: 20_000 }),
      chainPem: Type.Optional(Type.String({ maxLength: 40_000 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { pkcs12Base64: Type.String({ maxLength: 100_000 }), password: Type.String({ maxLength: 200 }) },
    { additionalProperties: false },
  ),
]);

/** Registers /api/tls: the device listener's certificate, importing one, and going back to the office CA's. */
export async function tlsRoutes(
  app: FastifyInstance,
  opts: { ca: CaService; tlsNames: () => TlsNames },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/api/tls', async () => opts.ca.tlsStatus());
  r.put('/api/tls/certificate', { schema: { body: Import } }, async (request) =>
    opts.ca.importTls(request.body, adminActor(request), request.ip),
  );
  r.post('/api/tls/generated', async (request) =>
    opts.ca.useGeneratedTls(opts.tlsNames(), adminActor(request), request.ip),
  );
}
