import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The languages device-facing pages are written in. */
export type PageLang = 'ja' | 'en';

import { escapeHtml } from '../core/html.js';

export { escapeHtml };

/** Picks ja or en: an explicit `?lang=` wins, then the Accept-Language header, then Japanese. */
export function pageLang(request: FastifyRequest): PageLang {
  const q = (request.query as Record<string, unknown> | undefined)?.lang;
  if (q === 'ja' || q === 'en') return q;
  const header = request.headers['accept-language'] ?? '';
  const ranked = header.split(',').map((part) => {
    const [tag = '', ...params] = part.trim().split(';');
    const qv = params.find((p) => p.trim().startsWith('q='));
    return { tag: tag.toLowerCase(), q: qv ? Number(qv.trim().slice(2)) || 0 : 1 };
  }).sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('ja')) return 'ja';
    if (tag.startsWith('en')) return 'en';
  }
  return 'ja';
}

/** A complete HTML document; `bodyHtml` must already be escaped. */
export function renderPage(lang: PageLang, title: string, bodyHtml: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Tsunagu</title>
<link rel="stylesheet" href="/assets/page.css">
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${bodyHtml}
</main>
</body>
</html>
`;
}

const PAGE_CSS = `:root{color-scheme:light;--fg:#1d2129;--muted:#4e5969;--line:#dcdfe6;--accent:#1f5fbf;--bg:#f5f7fa}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.6 system-ui,-apple-system,"Hiragino Sans","Noto Sans JP","IPAGothic",sans-serif}
main{max-width:44rem;margin:0 auto;padding:1.5rem 1rem 3rem}h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}
a.button{display:inline-block;background:var(--accent);color:#fff;text-decoration:none;padding:.6rem 1rem;border-radius:6px;margin:.25rem .5rem .25rem 0}
a.button.secondary{background:#fff;color:var(--accent);border:1px solid var(--accent)}
code.fp{display:block;word-break:break-all;font-size:.85rem;background:var(--bg);padding:.5rem;border-radius:4px}
ol{padding-left:1.4rem}li{margin:.25rem 0}.muted{color:var(--muted);font-size:.9rem}nav.lang{text-align:right;font-size:.9rem}
`;

/** Serves the stylesheet shared by the server-rendered pages. */
export function registerPageAssets(app: FastifyInstance): void {
  app.get('/assets/page.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(PAGE_CSS));
}

/** The language switch link shown at the top of a page. */
export function langSwitch(lang: PageLang, path: string): string {
  const other = lang === 'ja' ? 'en' : 'ja';
  return `<nav class="lang"><a href="${escapeHtml(path)}?lang=${other}">${other === 'ja' ? '日本語' : 'English'}</a></nav>`;
}
