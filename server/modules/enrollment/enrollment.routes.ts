import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { isAppError } from '../../core/errors.js';
import { adminActor } from '../../http/auth.js';
import { otherLangHref, pageLang, sendPage } from '../../http/pages.js';
import { sendProfile } from '../profiles/profile-reply.js';
import { profileErrorPage } from './device-pages.js';
import type { EnrollmentService } from './enrollment.service.js';

/** Registers GET /profile/:token on the device listener: a fresh, signed enrollment profile per download. */
export async function profileRoutes(app: FastifyInstance, opts: { enrollment: EnrollmentService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/profile/:token',
    { schema: { params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) }) } },
    async (request, reply) => {
      try {
        const profile = await opts.enrollment.downloadProfile(
          request.params.token,
          request.headers['user-agent'],
          request.ip,
        );
        return sendProfile(reply, profile);
      } catch (err) {
        if (!isAppError(err)) throw err;
        // A person reads this in Safari, so the refusal is a page, not JSON.
        const lang = pageLang(request, reply);
        return sendPage(reply, err.status, profileErrorPage(lang, otherLangHref(request, lang), err));
      }
    },
  );
}

const Create = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 64 }),
    platform: Type.Union([Type.Literal('ios'), Type.Literal('macos'), Type.Literal('android')]),
  },
  { additionalProperties: false },
);

/** Registers /api/enrollments: open an enrollment for a user (returns the one-time profile URL) and list them. */
export async function enrollmentAdminRoutes(
  app: FastifyInstance,
  opts: { enrollment: EnrollmentService },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post('/api/enrollments', { schema: { body: Create } }, async (request, reply) =>
    reply.status(201).send(opts.enrollment.create(request.body, adminActor(request), request.ip)),
  );
  r.get(
    '/api/enrollments',
    {
      schema: {
        querystring: Type.Object(
          { userId: Type.String({ minLength: 1, maxLength: 64 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => opts.enrollment.forUser(request.query.userId),
  );
}
