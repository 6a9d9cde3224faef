import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { INVITATION_STATUSES } from '../../contract/invitations.js';
import { adminActor } from '../../http/auth.js';
import type { InvitationsService } from './invitations.service.js';

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const Status = Type.Union(INVITATION_STATUSES.map((s) => Type.Literal(s)));

/** Registers /api/invitations (list, send to one or many, resend, revoke, new PIN) and /api/enrollment-url. */
export async function invitationsRoutes(
  app: FastifyInstance,
  opts: { invitations: InvitationsService },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { invitations } = opts;
  const ctx = (request: Parameters<typeof adminActor>[0]) => ({
    actor: adminActor(request),
    sourceAddress: request.ip,
  });
  r.get(
    '/api/invitations',
    {
      schema: {
        querystring: Type.Object(
          {
            status: Type.Optional(Status),
            userId: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
            offset: Type.Optional(Type.Integer({ minimum: 0 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => invitations.list(request.query as Parameters<InvitationsService['list']>[0]),
  );
  r.post(
    '/api/invitations',
    {
      schema: {
        body: Type.Object(
          { userIds: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 1000 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => reply.status(201).send(await invitations.invite(request.body.userIds, ctx(request))),
  );
  r.get('/api/invitations/:id', { schema: { params: Id } }, async (request) => invitations.get(request.params.id));
  r.post('/api/invitations/:id/resend', { schema: { params: Id } }, async (request) =>
    invitations.resend(request.params.id, ctx(request)),
  );
  r.post('/api/invitations/:id/revoke', { schema: { params: Id } }, async (request) =>
    invitations.revoke(request.params.id, ctx(request)),
  );
  r.post('/api/invitations/:id/pin', { schema: { params: Id } }, async (request) =>
    invitations.newPin(request.params.id, ctx(request)),
  );
  r.get('/api/enrollment-url', async () => invitations.enrollmentUrl());
  r.post('/api/enrollment-url/regenerate', async (request) => invitations.regenerateUrl(ctx(request)));
}
