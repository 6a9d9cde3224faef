import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { isAppError } from '../../core/errors.js';
import { adminActor } from '../../http/auth.js';
import { escapeHtml, pageLang, renderPage } from '../../http/pages.js';
import { portalErrorText } from '../portal/portal-text.js';
import type { EnrollmentService } from './enrollment.service.js';

/** Content type of configuration profiles (apple-protocols §1.1). */
export const PROFILE_TYPE = 'application/x-apple-aspen-config';

const TEXT = {
  ja: { title: 'プロファイルをダウンロードできません', again: '招待メールのリンクからもう一度始めてください。' },
  en: { title: 'The profile cannot be downloaded', again: 'Start again from the link in your invitation email.' },
} as const;

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
        return reply
          .type(PROFILE_TYPE)
          .header('content-disposition', 'attachment; filename="tsunagu-enrollment.mobileconfig"')
          .header('cache-control', 'no-store')
          .header('x-profile-expires-at', profile.expiresAt)
          .send(profile.body);
      } catch (err) {
        if (!isAppError(err)) throw err;
        const lang = pageLang(request);
        const t = TEXT[lang];
        // A person reads this in Safari, so the refusal is a page, not JSON.
        const { text } = portalErrorText(lang, err);
        return reply
          .status(err.status)
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(
            renderPage(lang, t.title, `<section><p>${escapeHtml(text)}</p><p>${escapeHtml(t.again)}</p></section>`),
          );
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
