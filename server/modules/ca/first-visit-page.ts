import { html } from '../../core/html.js';
import { renderPage } from '../../http/pages.js';
import { TEXT, type Lang, type TrustPlatform } from '../../i18n/index.js';
import { caIdentityBlock, TRUST_PLATFORMS, trustSection, type CaIdentity } from './trust-page.js';

/** Where the first-visit page hands on to: addresses on the HTTPS device listener, all built by the server. */
export interface FirstVisitTargets {
  /** The portal's sign-in page. */
  signIn: string;
  /** An invitation's sign-in page is `invitePrefix + token + inviteSuffix`. */
  invitePrefix: string;
  inviteSuffix: string;
  /** The tiny image whose loading tells whether this browser trusts the listener's certificate. */
  probe: string;
}

/** What the first-visit page shows. */
export interface FirstVisitView {
  lang: Lang;
  langHref: string;
  /** The system whose steps are shown; null when the User-Agent names none of them (then all are shown). */
  platform: TrustPlatform | null;
  /** The platform came from the User-Agent, not from the user's choice (the script may correct an iPad). */
  guessed: boolean;
  /** The office CA to trust, or null when the device listener's certificate is publicly trusted (nothing to do). */
  ca: CaIdentity | null;
  targets: FirstVisitTargets;
}

/**
 * The first-visit page on the plain-HTTP bootstrap listener, where invitation links lead while the office CA is in
 * use. It holds nothing secret and takes nothing in (no form): its script (assets/first-visit.js) checks whether this
 * browser trusts the HTTPS device listener and hands on to the portal there, with the invitation token from the
 * fragment; otherwise it shows how to trust the office CA on this system, and checks again.
 */
export function firstVisitPage(v: FirstVisitView): string {
  const t = TEXT[v.lang].firstVisit;
  const trust = TEXT[v.lang].trust;
  const platformLinks = TRUST_PLATFORMS.map(
    (p, i) =>
      html`${i > 0 ? ' · ' : ''}<a href="?platform=${p}" data-show-platform="${p}"${p === v.platform ? html` aria-current="true"` : null}>${trust.platforms[p]}</a>`,
  );
  const steps = v.ca
    ? html`<div id="fv-steps" hidden>
<p class="hint">${t.untrusted}</p>
<p class="muted" id="fv-platforms">${t.otherPlatform} ${platformLinks}</p>
<section>${caIdentityBlock(v.lang, v.ca)}</section>
${TRUST_PLATFORMS.map((p) => trustSection(v.lang, p, v.platform !== null && p !== v.platform))}
<section id="fv-again">
<button type="button" class="button" id="fv-continue">${t.done}</button>
<p class="error" id="fv-not-yet" role="alert" hidden>${t.notYet}</p>
</section>
<p><a href="/trust">${t.allSteps}</a></p>
</div>`
    : null;
  return renderPage(
    { lang: v.lang, title: t.title, langHref: v.langHref, script: 'first-visit' },
    html`<section id="first-visit" data-state="checking" data-mode="${v.ca ? 'office-ca' : 'public'}" data-platform="${v.platform ?? ''}" data-guessed="${v.guessed ? '1' : '0'}"
 data-sign-in="${v.targets.signIn}" data-invite-prefix="${v.targets.invitePrefix}" data-invite-suffix="${v.targets.inviteSuffix}" data-probe="${v.targets.probe}"
 data-text-checking="${t.checking}" data-text-opening="${t.opening}">
<p class="state" id="fv-status" role="status">${v.ca ? t.checking : t.opening}</p>
<noscript>${v.ca ? html`<p>${t.noScript}</p>` : null}<p>${v.ca ? html`<a class="button secondary" href="/trust">${t.allSteps}</a>` : null}<a class="button" href="${v.targets.signIn}">${t.signIn}</a></p></noscript>
</section>
${steps}`,
  );
}
