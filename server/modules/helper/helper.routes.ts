import type { FastifyInstance } from 'fastify';
import { bearerToken } from '../../http/auth.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HelperSignInRequest } from '../../contract/helper-api.js';
import {
  HELPER_BODY_LIMIT,
  HelperEnrollmentParams,
  HelperEnrollmentSchema,
  HelperEnrollmentStatusSchema,
  HelperProfileSchema,
  HelperServerInfoSchema,
  HelperSessionSchema,
  HelperSignInSchema,
} from './helper.schemas.js';
import type { HelperService } from './helper.service.js';

/**
 * Registers the helper API, /helper/v1 (JSON over the HTTPS device listener; docs/helper-api.md). Sessions travel
 * only in the Authorization header, never in cookies, so a web page cannot make a signed-in helper's requests.
 * Answers are written with the published schemas and never cached.
 */
export async function helperRoutes(app: FastifyInstance, opts: { helper: HelperService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { helper } = opts;
  r.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  r.get('/helper/v1/server', { schema: { response: { 200: HelperServerInfoSchema } } }, async () => helper.info());
  r.post(
    '/helper/v1/sessions',
    { schema: { body: HelperSignInSchema, response: { 201: HelperSessionSchema } }, bodyLimit: HELPER_BODY_LIMIT },
    async (request, reply) =>
      reply.status(201).send(await helper.signIn(request.body as HelperSignInRequest, request.ip)),
  );
  r.delete('/helper/v1/session', { bodyLimit: HELPER_BODY_LIMIT }, async (request, reply) => {
    helper.signOut(bearerToken(request), request.ip);
    return reply.status(204).send();
  });
  r.post(
    '/helper/v1/enrollments',
    { schema: { response: { 201: HelperEnrollmentSchema } }, bodyLimit: HELPER_BODY_LIMIT },
    async (request, reply) => reply.status(201).send(helper.openEnrollment(bearerToken(request), request.ip)),
  );
  r.post(
    '/helper/v1/enrollments/:id/profile',
    {
      schema: { params: HelperEnrollmentParams, response: { 200: HelperProfileSchema } },
      bodyLimit: HELPER_BODY_LIMIT,
    },
    async (request) =>
      helper.profile(bearerToken(request), request.params.id, request.headers['user-agent'], request.ip),
  );
  r.get(
    '/helper/v1/enrollments/:id',
    { schema: { params: HelperEnrollmentParams, response: { 200: HelperEnrollmentStatusSchema } } },
    async (request) => helper.status(bearerToken(request), request.params.id),
  );
}
