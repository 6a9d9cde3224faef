import { html } from '../../core/html.js';
import { renderPage } from '../../http/pages.js';
import { deviceErrorText, TEXT, type DeviceError, type Lang } from '../../i18n/index.js';

/** The device listener's home page: where to find the invitation link, how to trust the office CA, and its fingerprint. */
export function deviceHomePage(lang: Lang, langHref: string, fingerprint: string, trustUrl: string): string {
  const t = TEXT[lang].deviceHome;
  return renderPage(
    { lang, title: t.title, langHref },
    html`<section><p>${t.body}</p><p class="muted">${t.trust} <a href="${trustUrl}">${t.trustLink}</a></p><p class="muted">${t.fingerprint}</p><code class="fp">${fingerprint}</code></section>`,
  );
}

/** The page a refused profile download shows (a person reads it in Safari, so it is a page, not JSON). */
export function profileErrorPage(lang: Lang, langHref: string, error: DeviceError): string {
  const t = TEXT[lang].profileError;
  const { text } = deviceErrorText(lang, error);
  return renderPage({ lang, title: t.title, langHref }, html`<section><p>${text}</p><p>${t.again}</p></section>`);
}
