import type { FastifyInstance } from 'fastify';
import { otherLangHref, pageLang, sendPage } from '../../http/pages.js';
import type { CaService } from '../ca/ca.service.js';
import { deviceHomePage } from './device-pages.js';

/** Registers the device listener's home page, which points people to their invitation link. */
export async function deviceHomeRoutes(app: FastifyInstance, opts: { ca: CaService }): Promise<void> {
  app.get('/', async (request, reply) => {
    const lang = pageLang(request, reply);
    const page = deviceHomePage(lang, otherLangHref(request, lang), opts.ca.caCertificate().fingerprint256);
    return sendPage(reply, 200, page);
  });
}
