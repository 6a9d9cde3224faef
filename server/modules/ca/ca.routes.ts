import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { otherLangHref, pageLang, sendPage } from '../../http/pages.js';
import type { Lang } from '../../i18n/index.js';
import { PROFILE_TYPE } from '../profiles/enrollment-profile.js';
import type { CaService } from './ca.service.js';
import { trustPage } from './trust-page.js';

/** Registers /trust (the page), /trust/ca.cer (DER), /trust/ca.mobileconfig (a CA-only profile) and /trust/ca.pem on the bootstrap listener. */
export async function trustRoutes(
  app: FastifyInstance,
  opts: {
    ca: Pick<CaService, 'caCertificate'>;
    /** Port: a signed profile holding only the office CA, with its texts in `lang`. */
    caProfile: (lang: Lang) => Promise<Buffer>;
  },
): Promise<void> {
  app.get('/trust', async (request, reply) => {
    const lang = pageLang(request, reply);
    return sendPage(reply, 200, trustPage(lang, otherLangHref(request, lang), opts.ca.caCertificate()));
  });
  app.get('/trust/ca.cer', async (_request, reply) =>
    reply
      .type('application/x-x509-ca-cert')
      .header('content-disposition', 'attachment; filename="tsunagu-office-ca.cer"')
      .send(opts.ca.caCertificate().der),
  );
  app.get('/trust/ca.mobileconfig', async (request, reply) => {
    return reply
      .type(PROFILE_TYPE)
      .header('content-disposition', 'attachment; filename="tsunagu-office-ca.mobileconfig"')
      .send(await opts.caProfile(pageLang(request, reply)));
  });
  app.get('/trust/ca.pem', async (_request, reply) =>
    reply
      .type('application/x-pem-file')
      .header('content-disposition', 'attachment; filename="tsunagu-office-ca.pem"')
      .send(opts.ca.caCertificate().pem),
  );
}

/** A not-found handler that sends everything else to the same path on the HTTPS device listener. */
export function redirectToHttps(deviceBaseUrl: () => string) {
  return function redirect(request: FastifyRequest, reply: FastifyReply): void {
    const path = request.url.startsWith('/') ? request.url : '/';
    void reply.redirect(`${deviceBaseUrl()}${path}`, request.method === 'GET' || request.method === 'HEAD' ? 301 : 308);
  };
}
