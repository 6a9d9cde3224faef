import { html, type SafeHtml } from '../../core/html.js';
import { renderPage, stepList } from '../../http/pages.js';
import { TEXT, type Lang, type TrustPlatform } from '../../i18n/index.js';

/** The systems with steps to trust the office CA, in the order the pages list them. */
export const TRUST_PLATFORMS: readonly TrustPlatform[] = ['ios', 'macos', 'android', 'windows'];

/** What a person checks about the office CA before trusting it: its name and SHA-256 fingerprint. */
export interface CaIdentity {
  name: string;
  fingerprint256: string;
}

// Apple systems install the CA from a profile (iOS cannot trust a bare certificate from Safari); the others take the
// certificate itself. Both are served by the bootstrap listener, where the pages that link them are.
const DOWNLOADS: Record<TrustPlatform, string> = {
  ios: '/trust/ca.mobileconfig',
  macos: '/trust/ca.mobileconfig',
  android: '/trust/ca.cer',
  windows: '/trust/ca.cer',
};

/** The system a User-Agent belongs to, or null when it is none of them (iPadOS Safari says Macintosh: see the script). */
export function trustPlatformOf(userAgent: string | undefined): TrustPlatform | null {
  const ua = userAgent ?? '';
  if (/iPhone|iPad|iPod/.test(ua)) return 'ios';
  if (/Android/.test(ua)) return 'android';
  if (/Macintosh|Mac OS X/.test(ua)) return 'macos';
  if (/Windows/.test(ua)) return 'windows';
  return null;
}

/** True when `value` names one of the systems with trust steps. */
export function isTrustPlatform(value: unknown): value is TrustPlatform {
  return TRUST_PLATFORMS.includes(value as TrustPlatform);
}

/** The office CA's name and fingerprint, as the steps refer to them ("the one on this page"). */
export function caIdentityBlock(lang: Lang, ca: CaIdentity): SafeHtml {
  const t = TEXT[lang].trust;
  return html`<dl class="ca-id">
<dt>${t.caName}</dt><dd id="ca-name">${ca.name}</dd>
<dt>${t.fingerprint}</dt><dd><code class="fp" id="fingerprint">${ca.fingerprint256}</code></dd>
</dl>`;
}

/** One system's way to trust the office CA: its download button and its steps. */
export function trustSection(lang: Lang, platform: TrustPlatform, hidden = false): SafeHtml {
  const t = TEXT[lang].trust;
  return html`<section class="trust-steps" id="trust-${platform}" data-platform="${platform}"${hidden ? html` hidden` : null}>
<h2>${t.platforms[platform]}</h2>
<p><a class="button" href="${DOWNLOADS[platform]}">${t.downloads[platform]}</a></p>
${stepList(t.steps[platform])}
</section>`;
}

/** The /trust page: the office CA's name and fingerprint, each system's download and steps, and the plain files. */
export function trustPage(lang: Lang, langHref: string, ca: CaIdentity): string {
  const t = TEXT[lang].trust;
  return renderPage(
    { lang, title: t.title, langHref },
    html`<p>${t.intro}</p>
<section>${caIdentityBlock(lang, ca)}</section>
${TRUST_PLATFORMS.map((p) => trustSection(lang, p))}
<section>
<h2>${t.files}</h2>
<p><a class="button secondary" href="/trust/ca.cer">.cer (DER)</a><a class="button secondary" href="/trust/ca.pem">.pem</a></p>
</section>
<p><a class="button" href="/go">${t.continue}</a></p>`,
  );
}
