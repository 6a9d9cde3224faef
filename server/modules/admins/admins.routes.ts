import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { SetupStatusDto } from '../../contract/auth.js';
import { checkOrigin, clearSessionCookie, requireAdmin, setSessionCookie } from '../../http/auth.js';
import type { AdminsService } from './admins.service.js';
import { LoginSchema, SetupSchema } from './admins.schemas.js';

/** Registers first-run setup and sign-in: /api/setup, /api/auth/login, /api/auth/logout, /api/auth/session. */
export async function adminsRoutes(
  app: FastifyInstance,
  opts: { admins: AdminsService; secureCookies: boolean },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { admins, secureCookies } = opts;

  r.get('/api/setup', async (): Promise<SetupStatusDto> => ({ setupRequired: admins.setupRequired() }));

  r.post('/api/setup', { schema: { body: SetupSchema } }, async (request, reply) => {
    checkOrigin(request);
    const { session, token } = await admins.completeSetup(request.body, request.ip);
    setSessionCookie(reply, token, secureCookies);
    return reply.status(201).send(session);
  });

  r.post('/api/auth/login', { schema: { body: LoginSchema } }, async (request, reply) => {
    checkOrigin(request);
    const { session, token } = await admins.login(request.body, request.ip);
    setSessionCookie(reply, token, secureCookies);
    return session;
  });

  r.post('/api/auth/logout', { preHandler: requireAdmin(admins) }, async (request, reply) => {
    if (request.admin) admins.logout(request.admin, request.ip);
    clearSessionCookie(reply, secureCookies);
    return reply.status(204).send();
  });

  r.get('/api/auth/session', { preHandler: requireAdmin(admins) }, async (request) =>
    admins.sessionDto(request.admin as NonNullable<typeof request.admin>),
  );
}
