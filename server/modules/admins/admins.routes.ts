import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  AdminCreatedDto,
  AdminDto,
  AdminPasswordResetDto,
  ConsoleAccessDto,
  SetupStatusDto,
} from '../../contract/auth.js';
import {
  checkOrigin,
  clearSessionCookie,
  requireAdmin,
  SESSION_COOKIE,
  setSessionCookie,
  type AdminPrincipal,
} from '../../http/auth.js';
import type { AdminsService } from './admins.service.js';
import {
  AdminCreateSchema,
  AdminIdParams,
  ConsoleAccessSchema,
  LoginSchema,
  PasswordChangeSchema,
  SetupSchema,
} from './admins.schemas.js';

/**
 * Registers first-run setup and sign-in (/api/setup, /api/auth/login, /api/auth/logout, /api/auth/session), the change
 * of one's own password (/api/auth/password), the administrators (/api/admins) and where the console listens
 * (/api/console-access).
 */
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

  // Open to an admin with a temporary password: it is how they leave that state.
  const signedIn = requireAdmin(admins, { passwordChangeOk: true });
  const admin = requireAdmin(admins);
  const principal = (request: { admin?: AdminPrincipal }) => request.admin as AdminPrincipal;

  r.post('/api/auth/logout', { preHandler: signedIn }, async (request, reply) => {
    if (request.admin) admins.logout(request.admin, request.ip);
    clearSessionCookie(reply, secureCookies);
    return reply.status(204).send();
  });

  r.get('/api/auth/session', { preHandler: signedIn }, async (request) =>
    admins.sessionDto(request.admin as NonNullable<typeof request.admin>),
  );

  r.post('/api/auth/password', { preHandler: signedIn, schema: { body: PasswordChangeSchema } }, async (request) => {
    await admins.changeOwnPassword(principal(request), request.body, request.ip);
    // The session again, now without the temporary password's mark.
    const after = admins.authenticate(request.cookies[SESSION_COOKIE]);
    return admins.sessionDto(after ?? principal(request));
  });

  r.get('/api/admins', { preHandler: admin }, async (): Promise<AdminDto[]> => admins.list());

  r.post(
    '/api/admins',
    { preHandler: admin, schema: { body: AdminCreateSchema } },
    async (request, reply): Promise<AdminCreatedDto> => {
      const created = await admins.add(request.body, principal(request), request.ip);
      return reply.status(201).send(created);
    },
  );

  r.delete('/api/admins/:id', { preHandler: admin, schema: { params: AdminIdParams } }, async (request, reply) => {
    admins.remove(request.params.id, principal(request), request.ip);
    return reply.status(204).send();
  });

  r.post(
    '/api/admins/:id/reset-password',
    { preHandler: admin, schema: { params: AdminIdParams } },
    async (request): Promise<AdminPasswordResetDto> =>
      admins.resetPassword(request.params.id, principal(request), request.ip),
  );

  r.get('/api/console-access', { preHandler: admin }, async (): Promise<ConsoleAccessDto> => admins.consoleAccess());

  r.put(
    '/api/console-access',
    { preHandler: admin, schema: { body: ConsoleAccessSchema } },
    async (request): Promise<ConsoleAccessDto> =>
      admins.setLanAdmin(request.body.lanAdmin, principal(request), request.ip),
  );
}
