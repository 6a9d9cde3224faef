import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The languages device-facing pages are written in. */
export type PageLang = 'ja' | 'en';

import { escapeHtml } from '../core/html.js';
import { PORTAL_JS } from './portal-script.js';

export { escapeHtml };

/** Picks ja or en: an explicit `?lang=` wins, then the Accept-Language header, then Japanese. */
export function pageLang(request: FastifyRequest): PageLang {
  const q = (request.query as Record<string, unknown> | undefined)?.lang;
  if (q === 'ja' || q === 'en') return q;
  const header = request.headers['accept-language'] ?? '';
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const qv = params.find((p) => p.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: qv ? Number(qv.trim().slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
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
*{box-sizing:border-box}a{color:var(--accent)}body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.6 system-ui,-apple-system,"Hiragino Sans","Noto Sans JP","IPAGothic",sans-serif}
main{max-width:44rem;margin:0 auto;padding:1.5rem 1rem 3rem}h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}
section>:first-child{margin-top:0}section>:last-child{margin-bottom:0}
a.button{display:inline-block;background:var(--accent);color:#fff;text-decoration:none;padding:.6rem 1rem;border-radius:6px;margin:.25rem .5rem .25rem 0}
a.button.secondary{background:#fff;color:var(--accent);border:1px solid var(--accent)}
code.fp{display:block;word-break:break-all;font-size:.85rem;background:var(--bg);padding:.5rem;border-radius:4px}
ol{padding-left:1.4rem}li{margin:.25rem 0}.muted{color:var(--muted);font-size:.9rem}nav.lang{text-align:right;font-size:.9rem}
header.bar{display:flex;justify-content:space-between;align-items:center;gap:1rem;background:#fff;border-bottom:1px solid var(--line);padding:.55rem max(1rem,calc((100% - 44rem)/2 + 1rem))}
header.bar .brand{font-weight:600;min-width:0}
header.bar .lang{flex-shrink:0;font-size:.9rem;color:var(--accent);text-decoration:none;border:1px solid var(--line);border-radius:999px;padding:.35rem .85rem;min-height:2.25rem;display:inline-flex;align-items:center}
header.bar .lang:hover,header.bar .lang:focus-visible{border-color:var(--accent)}
.form{display:flex;flex-direction:column;gap:.35rem;max-width:26rem}.form label{font-weight:600;margin-top:.5rem}
.form input{font:inherit;padding:.6rem .7rem;border:1px solid #8a919f;border-radius:6px;background:#fff}
.form input:focus{outline:3px solid #9cc0f5;border-color:var(--accent)}
button.button,a.button{font:inherit;cursor:pointer;border:1px solid var(--accent);display:inline-block;background:var(--accent);color:#fff;text-decoration:none;padding:.65rem 1.1rem;border-radius:6px;margin:.5rem .5rem .25rem 0;min-height:44px;line-height:1.4}
button.button.secondary,a.button.secondary{background:#fff;color:var(--accent);border:1px solid var(--accent)}
button.button:hover,a.button:hover{background:#174c93;border-color:#174c93;color:#fff}
button.button.secondary:hover,a.button.secondary:hover{background:#eef4fd;color:var(--accent)}
button.button:focus-visible,a.button:focus-visible,button.link:focus-visible,a:focus-visible{outline:3px solid #9cc0f5;outline-offset:2px}
.form .button{margin-right:0}
button.link{font:inherit;background:none;border:0;color:var(--accent);text-decoration:underline;cursor:pointer;padding:.25rem 0;min-height:2rem}
.error{background:#fdecec;border:1px solid #e8a3a3;color:#8a1c1c;padding:.6rem .8rem;border-radius:6px}
.original{display:block;margin-top:.3rem;font-size:.8rem;color:var(--muted)}
.hint{background:#eef4fd;border-left:4px solid var(--accent);padding:.5rem .8rem;border-radius:4px}
.who{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem;font-size:.9rem;color:var(--muted)}
.steps li{margin:.4rem 0}
.state{font-weight:600;padding:.6rem .8rem;border-radius:6px;background:#f2f3f5}
.state-valid{background:#eef4fd;color:#173f7a}.state-expired,.state-used{background:#fff4e5;color:#7a4300}.state-enrolled{background:#e8f6ec;color:#1d5b2d}
.countdown{display:flex;flex-direction:column;align-items:flex-start;gap:0;margin:.75rem 0}.countdown-label{color:var(--muted);font-size:.9rem}
.countdown strong{font-size:2.5rem;line-height:1.2;font-variant-numeric:tabular-nums;letter-spacing:.02em}
.steps .choices{list-style:disc;padding-left:1.2rem;margin:.35rem 0}.steps .choices li{margin:.3rem 0}
ul.devices{list-style:none;padding:0;margin:0}li.device{display:grid;grid-template-columns:1fr auto;gap:.1rem .75rem;padding:.6rem 0;border-bottom:1px solid var(--line)}
li.device .meta{grid-column:1/-1;color:var(--muted);font-size:.85rem}li.device form{grid-column:1/-1}
li.device:first-child{padding-top:0}li.device:last-child{border-bottom:0;padding-bottom:0}li.device .name{font-weight:600;overflow-wrap:anywhere}
.status{font-size:.85rem;padding:.1rem .5rem;border-radius:999px;background:#f2f3f5;white-space:nowrap}.status-active{background:#e8f6ec;color:#1d5b2d}.status-pending{background:#eef4fd;color:#173f7a}
.status-wiped{background:#fdecec;color:#8a1c1c}.status-reset{background:#fff4e5;color:#7a4300}.status-inactive{background:#f2f3f5;color:#4e5969}
figure.qr{margin:.75rem 0}figure.qr img{display:block;image-rendering:pixelated;border:8px solid #fff;box-shadow:0 0 0 1px var(--line)}
[hidden]{display:none!important}
`;

/** Serves the stylesheet shared by the server-rendered pages (and the portal script). */
export function registerPageAssets(app: FastifyInstance): void {
  app.get('/assets/page.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(PAGE_CSS),
  );
  app.get('/assets/portal.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(PORTAL_JS),
  );
}

/** The language switch link shown at the top of a page. */
export function langSwitch(lang: PageLang, path: string): string {
  const other = lang === 'ja' ? 'en' : 'ja';
  return `<nav class="lang"><a href="${escapeHtml(path)}?lang=${other}">${other === 'ja' ? '日本語' : 'English'}</a></nav>`;
}
