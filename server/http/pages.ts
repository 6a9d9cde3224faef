import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../core/html.js';
import { isLang, TEXT, type Lang, type Step } from '../i18n/index.js';

/** Name of the cookie that remembers a language picked with `?lang=`. */
export const LANG_COOKIE = 'tsunagu_lang';

/** The parts of a request the page language is read from. */
export interface LangSources {
  query?: unknown;
  cookie?: unknown;
  acceptLanguage?: string | undefined;
}

/** Picks ja or en: an explicit `?lang=` wins, then the language cookie, then Accept-Language by q-weight, then Japanese. */
export function negotiateLang(sources: LangSources): Lang {
  if (isLang(sources.query)) return sources.query;
  if (isLang(sources.cookie)) return sources.cookie;
  const ranked = (sources.acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const qv = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const q = qv === undefined ? 1 : Number(qv.slice(2));
      return { tag: tag.trim().toLowerCase(), q: Number.isFinite(q) ? q : 0 };
    })
    // q=0 means "not acceptable"; the sort is stable, so equal weights keep the header's order.
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag === 'ja' || tag.startsWith('ja-')) return 'ja';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'ja';
}

/**
 * The page language of a request (see `negotiateLang`); an explicit `?lang=` is remembered in a cookie. The cookie is
 * Secure only over HTTPS: the plain-HTTP bootstrap listener (/trust) could not set it otherwise.
 */
export function pageLang(request: FastifyRequest, reply: FastifyReply): Lang {
  const query = (request.query as Record<string, unknown> | undefined)?.lang;
  const lang = negotiateLang({
    query,
    cookie: request.cookies?.[LANG_COOKIE],
    acceptLanguage: request.headers['accept-language'],
  });
  if (isLang(query))
    void reply.setCookie(LANG_COOKIE, query, {
      path: '/',
      sameSite: 'lax',
      secure: request.protocol === 'https',
      httpOnly: true,
      maxAge: 365 * 86_400,
    });
  return lang;
}

/** The same page in the other language: the request's path and query with `lang` switched. */
export function otherLangHref(request: FastifyRequest, lang: Lang): string {
  const url = new URL(request.url, 'https://page.invalid');
  url.searchParams.set('lang', lang === 'ja' ? 'en' : 'ja');
  return `${url.pathname}${url.search}`;
}

/** The pages' scripts in server/http/assets/: the portal's, and the first-visit page's (plain HTTP, no portal state). */
export type PageScript = 'portal' | 'first-visit';

/** What every page's frame shows: its language, title, the link to it in the other language, and its script. */
export interface PageFrame {
  lang: Lang;
  title: string;
  langHref: string;
  /** The page's script; the portal's by default. */
  script?: PageScript;
}

/** A complete HTML document: the one shell of every server-rendered page (header, language link, CSS, script). */
export function renderPage(frame: PageFrame, body: SafeHtml): string {
  const t = TEXT[frame.lang].page;
  return html`<!doctype html>
<html lang="${frame.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${frame.title} · Tsunagu</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/page.css">
<script src="/assets/${frame.script ?? 'portal'}.js" defer></script>
</head>
<body>
<header class="bar"><span class="brand">${t.appName}</span><a class="lang" href="${frame.langHref}" lang="${frame.lang === 'ja' ? 'en' : 'ja'}">${t.otherLanguage}</a></header>
<main>
<h1>${frame.title}</h1>
${body}
</main>
</body>
</html>
`.markup;
}

/** Numbered steps; a step with choices (by OS version) lists them under it. */
export function stepList(items: readonly Step[]): SafeHtml {
  const item = (s: Step) =>
    typeof s === 'string'
      ? html`<li>${s}</li>`
      : html`<li>${s.text}<ul class="choices">${s.sub.map((x) => html`<li>${x}</li>`)}</ul></li>`;
  return html`<ol class="steps">${items.map(item)}</ol>`;
}

/** Sends a rendered page; pages carry per-visitor state, so they are never cached. */
export function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
}

// Read once, at the first registration; the build copies them next to the compiled server (scripts/copy-assets.mjs).
let assets: { css: Buffer; js: Record<PageScript, Buffer> } | null = null;
function pageAssets(): { css: Buffer; js: Record<PageScript, Buffer> } {
  const read = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url));
  assets ??= { css: read('page.css'), js: { portal: read('portal.js'), 'first-visit': read('first-visit.js') } };
  return assets;
}

/** Serves the stylesheet shared by the server-rendered pages, and their scripts (the portal's, the first-visit page's). */
export function registerPageAssets(app: FastifyInstance): void {
  const { css, js } = pageAssets();
  app.get('/assets/page.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(css),
  );
  for (const [name, body] of Object.entries(js))
    app.get(`/assets/${name}.js`, async (_request, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(body),
    );
}
