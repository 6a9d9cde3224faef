import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { adminActor } from '../../http/auth.js';
import type { PushService } from './push.service.js';

const Upload = Type.Union([
  Type.Object(
    {
      certificatePem: Type.String({ maxLength: 20_000 }),
      privateKeyPem: Type.Optional(Type.String({ maxLength: 20_000 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { pkcs12Base64: Type.String({ maxLength: 60_000 }), password: Type.String({ maxLength: 200 }) },
    { additionalProperties: false },
  ),
]);
const Settings = Type.Object({ apnsBaseUrl: Type.String({ maxLength: 300 }) }, { additionalProperties: false });

/** Registers /api/push: certificate status, upload, CSR, APNs settings. */
export async function pushRoutes(app: FastifyInstance, opts: { push: PushService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/api/push', async () => opts.push.status());
  r.put('/api/push/certificate', { schema: { body: Upload } }, async (request) =>
    opts.push.upload(request.body, adminActor(request), request.ip),
  );
  r.post('/api/push/csr', async (request) => opts.push.createCsr(adminActor(request), request.ip));
  r.get('/api/push/settings', async () => opts.push.settings());
  r.put('/api/push/settings', { schema: { body: Settings } }, async (request) =>
    opts.push.updateSettings(request.body, adminActor(request), request.ip),
  );
}
