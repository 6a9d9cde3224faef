import type { FastifyInstance } from 'fastify';
import { html } from '../../core/html.js';
import { portalPaths } from '../../core/portal-paths.js';
import { otherLangHref, pageLang, renderPage, sendPage } from '../../http/pages.js';
import { TEXT } from '../../i18n/index.js';
import type { CaService } from './ca.service.js';
import { firstVisitPage, type FirstVisitTargets } from './first-visit-page.js';
import { isTrustPlatform, trustPlatformOf } from './trust-page.js';

/** Where the device listener serves the image the first-visit page loads to learn whether the browser trusts it. */
export const TLS_PROBE_PATH = '/tls-probe.gif';

// The smallest GIF: one transparent pixel. An image is what a cross-origin no-cors fetch may always read (a JSON or
// HTML answer could be blocked as opaque data, which would look like a TLS failure).
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** What the first-visit page needs: the office CA and the current enrollment URL key (ports, wired in app.ts). */
export interface FirstVisitDeps {
  ca: Pick<CaService, 'caCertificate' | 'tlsMode'>;
  urls: {
    current(): { key: string };
    resolve(key: string): { state: 'current' | 'old' | 'unknown' };
  };
  deviceBaseUrl: () => string;
}

/** The HTTPS addresses the page hands on to, for the enrollment URL key `key`. */
function targetsOf(deviceBaseUrl: string, key: string): FirstVisitTargets {
  const paths = portalPaths(key);
  // `*` is never in a token and encodeURIComponent keeps it: the one place to split the invitation path around.
  const sample = paths.invitation('*');
  const at = sample.lastIndexOf('*');
  return {
    signIn: `${deviceBaseUrl}${paths.base}`,
    invitePrefix: `${deviceBaseUrl}${sample.slice(0, at)}`,
    inviteSuffix: sample.slice(at + 1),
    probe: `${deviceBaseUrl}${TLS_PROBE_PATH}`,
  };
}

/**
 * Registers the first-visit page on the plain-HTTP bootstrap listener: `/e/<key>/go` (the same path as the HTTPS
 * sign-in page; an invitation token comes in the fragment, never to the server) and `/go`, which leads to the current
 * key's page. An old or unknown key is said so at once, before any trust steps.
 */
export async function firstVisitRoutes(app: FastifyInstance, deps: FirstVisitDeps): Promise<void> {
  app.get('/go', async (request, reply) => {
    // Relative, so it stays on this listener; the browser keeps the fragment across the redirect.
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    return reply.redirect(`${portalPaths(deps.urls.current().key).base}${query}`, 302);
  });

  app.get<{ Params: { key: string }; Querystring: { platform?: unknown } }>('/e/:key/go', async (request, reply) => {
    const lang = pageLang(request, reply);
    const langHref = otherLangHref(request, lang);
    const state = deps.urls.resolve(request.params.key).state;
    if (state !== 'current') {
      const t = TEXT[lang].portal;
      const page = renderPage(
        { lang, title: state === 'old' ? t.outdatedTitle : t.errorTitle, langHref, script: 'first-visit' },
        state === 'old'
          ? html`<section><p>${t.outdated}</p></section>`
          : html`<section><p>${t.unknownLink}</p><p><a class="button" href="/go">${t.signIn}</a></p></section>`,
      );
      return sendPage(reply, state === 'old' ? 410 : 404, page);
    }
    const chosen = request.query.platform;
    const page = firstVisitPage({
      lang,
      langHref,
      platform: isTrustPlatform(chosen) ? chosen : trustPlatformOf(request.headers['user-agent']),
      guessed: !isTrustPlatform(chosen),
      ca: deps.ca.tlsMode() === 'office' ? deps.ca.caCertificate() : null,
      targets: targetsOf(deps.deviceBaseUrl(), request.params.key),
    });
    return sendPage(reply, 200, page);
  });
}

/** Registers the trust probe on the HTTPS device listener: a pixel any origin may load, never cached. */
export async function tlsProbeRoutes(app: FastifyInstance): Promise<void> {
  app.get(TLS_PROBE_PATH, async (_request, reply) =>
    reply
      .type('image/gif')
      .header('cache-control', 'no-store')
      // The first-visit page is another origin (plain HTTP, another port): Helmet's same-origin default would refuse it.
      .header('cross-origin-resource-policy', 'cross-origin')
      .send(PIXEL),
  );
}
