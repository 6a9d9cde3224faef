import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Actor } from '../../contract/audit.js';
import type { NewPinResult } from '../../contract/invitations.js';
import type { PasswordResetResult } from '../../contract/users.js';
import { AppError } from '../../core/errors.js';
import { adminActor } from '../../http/auth.js';
import { decodeCsvBytes } from './users-csv.js';
import type { UsersService } from './users.service.js';
import {
  UserBatchSchema,
  UserBulkSchema,
  UserCreateSchema,
  UserIdParams,
  UserImportQuery,
  UserListQuery,
  UserUpdateSchema,
} from './users.schemas.js';

/** What the user routes ask of invitations: invite these users (a port, so users never import invitations). */
export type InviteUsers = (
  userIds: string[],
  ctx: { actor: Actor; sourceAddress: string | null },
  opts?: { passwordReset?: boolean },
) => Promise<{ invitations: { id: string }[] }>;

/** What the user routes ask of invitations: a new PIN for the user's open invitation. */
export type NewPinFor = (userId: string, ctx: { actor: Actor; sourceAddress: string | null }) => Promise<NewPinResult>;

/** Body limit of the user routes that take no body or a short list of ids. */
const SMALL_BODY = 64 * 1024;

/** Largest CSV file accepted by the import route. */
export const IMPORT_BODY_LIMIT = 5 * 1024 * 1024;

/**
 * Registers /api/users: list, add one, add several, CSV import (each optionally invited), get, edit (and disable),
 * delete, bulk disable/enable/delete, new PIN, password reset by email, temporary password.
 */
export async function usersRoutes(
  app: FastifyInstance,
  opts: { users: UsersService; invite: InviteUsers; newPin: NewPinFor },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { users } = opts;
  const ctx = (request: Parameters<typeof adminActor>[0]) => ({
    actor: adminActor(request),
    sourceAddress: request.ip,
  });

  r.get('/api/users', { schema: { querystring: UserListQuery } }, async (request) => users.list(request.query));

  r.post('/api/users', { schema: { body: UserCreateSchema } }, async (request, reply) => {
    const created = await users.create(request.body, ctx(request));
    if (!request.body.sendInvitation) return reply.status(201).send(created);
    const { invitations } = await opts.invite([created.id], ctx(request));
    return reply.status(201).send({ ...created, ...(invitations[0] ? { invitationId: invitations[0].id } : {}) });
  });

  r.post('/api/users/batch', { schema: { body: UserBatchSchema } }, async (request, reply) => {
    const result = await users.createMany(request.body.users, ctx(request));
    const toInvite = result.created.filter((_u, i) => request.body.users[i]?.sendInvitation).map((u) => u.id);
    if (toInvite.length === 0) return reply.status(201).send(result);
    const { invitations } = await opts.invite(toInvite, ctx(request));
    return reply.status(201).send({ ...result, invited: invitations.length });
  });

  r.post(
    '/api/users/import',
    { schema: { querystring: UserImportQuery }, bodyLimit: IMPORT_BODY_LIMIT },
    async (request, reply) => {
      const text = decodeCsvBytes(request.body as Buffer);
      const result = await users.importCsv(text, { ...ctx(request), fileName: request.query.fileName ?? 'upload.csv' });
      // Only once every row is in: a refused file has thrown above, so no email goes out for it.
      if (!request.query.sendInvitations || result.created.length === 0) return reply.status(201).send(result);
      const { invitations } = await opts.invite(
        result.created.map((u) => u.id),
        ctx(request),
      );
      return reply.status(201).send({ ...result, invited: invitations.length });
    },
  );

  r.get('/api/users/:id', { schema: { params: UserIdParams } }, async (request) => users.get(request.params.id));

  r.patch('/api/users/:id', { schema: { params: UserIdParams, body: UserUpdateSchema } }, async (request) =>
    users.update(request.params.id, request.body, ctx(request)),
  );

  r.delete('/api/users/:id', { schema: { params: UserIdParams } }, async (request, reply) => {
    users.remove(request.params.id, ctx(request));
    return reply.status(204).send();
  });

  r.post('/api/users/bulk', { schema: { body: UserBulkSchema }, bodyLimit: SMALL_BODY }, async (request) =>
    users.bulk(request.body.action, request.body.ids, ctx(request)),
  );

  r.post('/api/users/:id/pin', { schema: { params: UserIdParams }, bodyLimit: SMALL_BODY }, async (request) => {
    const user = users.get(request.params.id);
    if (user.disabled)
      throw new AppError('VALIDATION_FAILED', `${user.email} is disabled; enable the user before issuing a new PIN.`, {
        field: 'disabled',
      });
    return opts.newPin(request.params.id, ctx(request));
  });

  r.post(
    '/api/users/:id/reset-password',
    { schema: { params: UserIdParams }, bodyLimit: SMALL_BODY },
    async (request): Promise<PasswordResetResult> => {
      const { sessionsEnded } = users.clearPassword(request.params.id, ctx(request));
      const { invitations } = await opts.invite([request.params.id], ctx(request), { passwordReset: true });
      return { user: users.get(request.params.id), invitationId: invitations[0]?.id ?? null, sessionsEnded };
    },
  );

  r.post(
    '/api/users/:id/temporary-password',
    { schema: { params: UserIdParams }, bodyLimit: SMALL_BODY },
    async (request, reply) => {
      const result = await users.temporaryPassword(request.params.id, ctx(request));
      // Shown once: no cache, proxy or browser history keeps it.
      return reply.header('cache-control', 'no-store').send(result);
    },
  );
}
