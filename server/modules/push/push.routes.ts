import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { adminActor } from '../../http/auth.js';
import { PUSH_REQUEST_LIMITS } from './push-request.js';
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
const ServiceRequest = Type.Object(
  {
    serviceUrl: Type.String({ minLength: 1, maxLength: 300 }),
    email: Type.String({ minLength: 1, maxLength: 254 }),
    apiKey: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
// base64 of the bounded files (push-request.ts PUSH_REQUEST_LIMITS), with room for line breaks.
const ENCRYPTED_B64_MAX = Math.ceil((PUSH_REQUEST_LIMITS.encryptedFileBytes * 4) / 3) + 1024;
const SIGNED_B64_MAX = Math.ceil((PUSH_REQUEST_LIMITS.signedRequestBytes * 4) / 3) + 1024;
const fileBody = (max: number) =>
  Type.Object({ fileBase64: Type.String({ minLength: 1, maxLength: max }) }, { additionalProperties: false });
const Settings = Type.Object({ apnsBaseUrl: Type.String({ maxLength: 300 }) }, { additionalProperties: false });

/**
 * Registers /api/push: certificate status, upload, CSR, APNs settings, and the two paths to a vendor-signed request
 * (/api/push/request/...).
 */
export async function pushRoutes(app: FastifyInstance, opts: { push: PushService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/api/push', async () => opts.push.status());
  r.put('/api/push/certificate', { schema: { body: Upload } }, async (request) =>
    opts.push.upload(request.body, adminActor(request), request.ip),
  );
  r.post('/api/push/csr', async (request) => opts.push.createCsr(adminActor(request), request.ip));
  r.get('/api/push/csr', async () => opts.push.paths.csr());
  r.post('/api/push/request/service', { schema: { body: ServiceRequest }, bodyLimit: 4096 }, async (request) => {
    await opts.push.paths.sendToService(request.body, adminActor(request), request.ip);
    return opts.push.status();
  });
  r.post(
    '/api/push/request/encrypted',
    { schema: { body: fileBody(ENCRYPTED_B64_MAX) }, bodyLimit: ENCRYPTED_B64_MAX + 1024 },
    async (request) => {
      opts.push.paths.uploadEncrypted(request.body, adminActor(request), request.ip);
      return opts.push.status();
    },
  );
  r.post(
    '/api/push/request/signed',
    { schema: { body: fileBody(SIGNED_B64_MAX) }, bodyLimit: SIGNED_B64_MAX + 1024 },
    async (request) => {
      opts.push.paths.uploadSigned(request.body, adminActor(request), request.ip);
      return opts.push.status();
    },
  );
  r.get('/api/push/request/signed', async () => opts.push.paths.signedRequest());
  r.get('/api/push/settings', async () => opts.push.settings());
  r.put('/api/push/settings', { schema: { body: Settings } }, async (request) =>
    opts.push.updateSettings(request.body, adminActor(request), request.ip),
  );
}
