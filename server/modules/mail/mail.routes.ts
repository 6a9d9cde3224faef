import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { adminActor } from '../../http/auth.js';
import type { MailService } from './mail.service.js';

const Smtp = Type.Object(
  {
    host: Type.String({ maxLength: 253 }),
    port: Type.Integer(),
    security: Type.Union([Type.Literal('none'), Type.Literal('starttls'), Type.Literal('tls')]),
    username: Type.String({ maxLength: 320 }),
    password: Type.Optional(Type.Union([Type.String({ maxLength: 1024 }), Type.Null()])),
    fromAddress: Type.String({ maxLength: 320 }),
    fromName: Type.String({ maxLength: 200 }),
    allowSelfSigned: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** Registers /api/mail: SMTP settings, test send, and the outbox with retry. */
export async function mailRoutes(app: FastifyInstance, opts: { mail: MailService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { mail } = opts;
  r.get('/api/mail/smtp', async () => mail.smtpSettings());
  r.put('/api/mail/smtp', { schema: { body: Smtp } }, async (request) =>
    mail.updateSmtp(request.body, adminActor(request), request.ip),
  );
  r.post(
    '/api/mail/test',
    { schema: { body: Type.Object({ to: Type.String({ maxLength: 320 }) }, { additionalProperties: false }) } },
    async (request) => mail.testSend(request.body.to, adminActor(request), request.ip),
  );
  r.get(
    '/api/mail/outbox',
    {
      schema: {
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => mail.outbox(request.query.limit),
  );
  r.post(
    '/api/mail/outbox/:id/retry',
    { schema: { params: Type.Object({ id: Type.String({ maxLength: 64 }) }) } },
    async (request, reply) => {
      mail.retry(request.params.id, adminActor(request), request.ip);
      return reply.status(204).send();
    },
  );
}
