import type { FastifyInstance } from 'fastify';
import { otherLangHref, pageLang, sendPage } from '../../http/pages.js';
import type { CaService } from '../ca/ca.service.js';
import { deviceHomePage } from './device-pages.js';

/** Registers the device listener's home page, which points people to their invitation link and to /trust. */
export async function deviceHomeRoutes(
  app: FastifyInstance,
  opts: {
    ca: CaService;
    /** The /trust page on the plain-HTTP bootstrap listener. */
    trustUrl: () => string;
  },
): Promise<void> {
  app.get('/', async (request, reply) => {
    const lang = pageLang(request, reply);
    const fingerprint = opts.ca.caCertificate().fingerprint256;
    const page = deviceHomePage(lang, otherLangHref(request, lang), fingerprint, opts.trustUrl());
    return sendPage(reply, 200, page);
  });
}
