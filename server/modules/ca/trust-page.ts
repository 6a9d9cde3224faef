import { html } from '../../core/html.js';
import { renderPage } from '../../http/pages.js';
import { TEXT, type Lang } from '../../i18n/index.js';

function steps(title: string, items: readonly string[]) {
  return html`<section><h2>${title}</h2><ol>${items.map((s) => html`<li>${s}</li>`)}</ol></section>`;
}

/** The /trust page: the office CA to download (certificate or profile), its fingerprint, and per-OS trust steps. */
export function trustPage(lang: Lang, langHref: string, fingerprint: string, deviceBaseUrl: string): string {
  const t = TEXT[lang].trust;
  return renderPage(
    { lang, title: t.title, langHref },
    html`<p>${t.intro}</p>
<section>
<p><a class="button" href="/trust/ca.mobileconfig">${t.profile}</a><a class="button secondary" href="/trust/ca.cer">${t.download}</a><a class="button secondary" href="${deviceBaseUrl}/">${t.continue}</a></p>
<p class="muted">${t.fingerprint}</p>
<code class="fp" id="fingerprint">${fingerprint}</code>
</section>
${steps(t.ios, t.iosSteps)}${steps(t.mac, t.macSteps)}${steps(t.android, t.androidSteps)}${steps(t.windows, t.windowsSteps)}`,
  );
}
