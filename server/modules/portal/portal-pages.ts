import type { DeviceDto } from '../../contract/devices.js';
import { html, type SafeHtml } from '../../core/html.js';
import type { PortalPaths } from '../../core/portal-paths.js';
import { renderPage, stepList as steps } from '../../http/pages.js';
import { deviceErrorText, TEXT, type DeviceError, type Lang } from '../../i18n/index.js';
import type { ProfileStatus } from '../enrollment/enrollment.service.js';

/** The platforms the portal tells apart. */
export type PortalPlatform = 'ios' | 'macos' | 'android' | 'other';

/** A refusal to show on a portal page: the server's error, or a sentence of the portal's own. */
export type PortalError = DeviceError;

/** A QR code on the home page: what it is for, its image, and until when it works. */
export interface PortalQr {
  kind: 'portal' | 'agent';
  image: string;
  expiresAt: string;
}

/**
 * The platform a User-Agent belongs to. iPadOS Safari says Macintosh: the page offers a switch, and its script
 * moves a touch device that was guessed to be a Mac to the iPhone / iPad steps.
 */
export function platformFromUserAgent(ua: string | undefined): PortalPlatform {
  const s = ua ?? '';
  if (/iPhone|iPad|iPod/.test(s)) return 'ios';
  if (/Android/.test(s)) return 'android';
  if (/Macintosh|Mac OS X/.test(s)) return 'macos';
  return 'other';
}

/** The Mac section's helper offer: the deep link (with its single-use token) and the helper download, if any. */
export interface PortalHelper {
  /** `tsunagu://enroll?server=…&ca=…&token=…` */
  link: string;
  /** Until when the link's token signs in. */
  expiresAt: string;
  /** The device listener's download of the helper, or null when the server has no build of it. */
  download: { path: string; kind: string; size: number } | null;
}

/** Page parts shared by every portal page. */
export interface PageContext {
  lang: Lang;
  paths: PortalPaths;
  /** The same page in the other language. */
  langHref: string;
}

/**
 * The language link of a page that answers a form (sign-in, QR code): the page's own address only takes POST, so
 * the link leads to the page a GET shows.
 */
function langLink(c: PageContext, path: string, query: Record<string, string> = {}): string {
  const params = new URLSearchParams({ ...query, lang: c.lang === 'ja' ? 'en' : 'ja' });
  return `${path}?${params.toString()}`;
}

/** A refusal in the page's language, with the server's own words in small print when they were translated. */
function errorText(lang: Lang, error: PortalError): SafeHtml {
  const { text, original } = deviceErrorText(lang, error);
  return original ? html`${text}<span class="original" lang="en">${original}</span>` : html`${text}`;
}

function errorBox(lang: Lang, error: PortalError | null): SafeHtml | null {
  return error ? html`<p class="error" role="alert">${errorText(lang, error)}</p>` : null;
}

/**
 * The sign-in form: email plus password or PIN. `directory`: the invitation of a directory user, who signs in with the
 * network password (and the PIN, if their invitation has one). `logins`: a directory is connected, so the field takes a
 * network login name too.
 */
export function signInPage(
  c: PageContext,
  o: {
    email?: string;
    invite?: string | null;
    pinHint?: boolean;
    directory?: boolean;
    logins?: boolean;
    error?: PortalError | null;
  },
): string {
  const t = TEXT[c.lang].portal;
  const directory = o.directory === true;
  const logins = directory || o.logins === true;
  return renderPage(
    {
      lang: c.lang,
      title: t.signInTitle,
      langHref: langLink(c, o.invite ? c.paths.invitation(o.invite) : c.paths.base),
    },
    html`<section>
<p>${directory ? t.directoryIntro : t.signInIntro}</p>
${o.pinHint ? html`<p class="hint">${t.pinHint}</p>` : ''}
${errorBox(c.lang, o.error ?? null)}
<form method="post" action="${c.paths.signIn}" class="form">
<label for="email">${logins ? t.emailOrLogin : t.email}</label>
<input id="email" name="email" type="${logins ? 'text' : 'email'}" autocomplete="username" inputmode="email" autocapitalize="none" spellcheck="false" required maxlength="320" value="${o.email ?? ''}">
<label for="secret">${directory ? (o.pinHint ? t.networkSecretOrPin : t.networkSecret) : t.secret}</label>
<input id="secret" name="secret" type="password" autocomplete="current-password" required maxlength="1024">
${o.invite ? html`<input type="hidden" name="invite" value="${o.invite}">` : ''}
<button type="submit" class="button">${t.signIn}</button>
</form>
</section>`,
  );
}

/** Set a password after a PIN sign-in (or replace a temporary one). */
export function passwordPage(
  c: PageContext,
  o: { csrf: string; mode: 'refused' | 'first' | 'current'; error?: PortalError | null },
): string {
  const t = TEXT[c.lang].portal;
  const title = o.mode === 'first' ? t.passwordTitle : t.passwordChangeTitle;
  if (o.mode === 'refused')
    return renderPage(
      { lang: c.lang, title, langHref: c.langHref },
      html`<section>
${errorBox(c.lang, o.error ?? null)}
<p>${t.passwordQrSession}</p>
<p><a class="button" href="${c.paths.home}">${t.back}</a></p>
</section>`,
    );
  return renderPage(
    { lang: c.lang, title, langHref: c.langHref },
    html`<section>
<p>${t.passwordIntro}</p>
${errorBox(c.lang, o.error ?? null)}
<form method="post" action="${c.paths.password}" class="form">
<input type="hidden" name="csrf" value="${o.csrf}">
${
  o.mode === 'current'
    ? html`<label for="current">${t.currentPassword}</label>
<input id="current" name="current" type="password" autocomplete="current-password" required maxlength="1024">`
    : ''
}
<label for="password">${t.password}</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required maxlength="1024">
<label for="confirm">${t.confirm}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="10" required maxlength="1024">
<button type="submit" class="button">${t.save}</button>
</form>
</section>`,
  );
}

function fmtTime(iso: string | null, lang: Lang): string {
  if (!iso) return '-';
  const at = new Date(iso);
  // A time that does not parse is shown as it came (Intl would throw).
  if (Number.isNaN(at.getTime())) return iso;
  return new Intl.DateTimeFormat(TEXT[lang].page.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/** A file size in megabytes (kilobytes below one), as the download link shows it. */
export function fmtSize(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** The helper offer: open the helper with the link, or download it first; both say what to do when nothing happens. */
function helperOffer(c: PageContext, helper: PortalHelper): SafeHtml {
  const t = TEXT[c.lang].portal;
  const d = helper.download;
  return html`<div class="helper-offer" id="helper-offer">
<h3>${t.helperTitle}</h3>
<p>${t.macHelper}</p>
<p class="actions"><a class="button" id="helper-link" href="${helper.link}">${t.openInHelper}</a></p>
<p class="hint" id="helper-missing">${d ? t.helperMissing : t.helperMissingNoDownload}</p>
${d ? html`<p class="actions"><a class="button secondary" id="helper-download" href="${d.path}" download>${t.downloadHelper(d.kind, fmtSize(d.size))}</a></p>` : null}
<p class="muted" id="helper-expires">${t.helperLinkOnce(fmtTime(helper.expiresAt, c.lang))}</p>
</div>`;
}

function signOutForm(c: PageContext, csrf: string, name: string): SafeHtml {
  const t = TEXT[c.lang].portal;
  return html`<form method="post" action="${c.paths.signOut}" class="who"><span>${t.signedInAs(name)}</span><input type="hidden" name="csrf" value="${csrf}"><button type="submit" class="link">${t.signOut}</button></form>`;
}

/** The self-service home page: enroll this device, my devices, QR codes. */
export function homePage(
  c: PageContext,
  o: {
    csrf: string;
    name: string;
    platform: PortalPlatform;
    /** The platform came from the User-Agent, not from the user's choice (the page script may correct it). */
    guessed?: boolean;
    devices: DeviceDto[];
    /** The user's enrollments of a device that wait for the admin. */
    claimsWaiting?: number;
    qr: PortalQr | null;
    /** The Mac section's helper offer (shown when the platform is macOS). */
    helper?: PortalHelper | null;
    error?: PortalError | null;
  },
): string {
  const t = TEXT[c.lang].portal;
  const platformLinks = (['ios', 'macos', 'android'] as const)
    .filter((p) => p !== o.platform)
    .map((p, i) => html`${i > 0 ? ' · ' : ''}<a href="${c.paths.homeFor(p)}">${t.platforms[p]}</a>`);
  const enrollForm = (platform: string) =>
    html`<form method="post" action="${c.paths.enroll}"><input type="hidden" name="csrf" value="${o.csrf}"><input type="hidden" name="platform" value="${platform}"><button type="submit" class="button">${t.startEnroll}</button></form>`;
  // The agent QR code is the Android section's main action; the sign-in QR code is an extra.
  const qrForm = (purpose: 'portal' | 'agent', label: string) =>
    html`<form method="post" action="${c.paths.qr}"><input type="hidden" name="csrf" value="${o.csrf}"><input type="hidden" name="purpose" value="${purpose}"><input type="hidden" name="platform" value="${o.platform}"><button type="submit" class="button${purpose === 'agent' ? '' : ' secondary'}">${label}</button></form>`;
  const qrBlock = (kind: 'portal' | 'agent') =>
    o.qr && o.qr.kind === kind
      ? html`<figure class="qr"><img src="${o.qr.image}" alt="QR" width="220" height="220" id="qr-${kind}"><figcaption>${t.qrExpires(fmtTime(o.qr.expiresAt, c.lang))}</figcaption></figure>`
      : null;
  const sections: Record<PortalPlatform, () => SafeHtml> = {
    ios: () => html`${steps(t.iosSteps)}<p class="muted">${t.iosHint}</p>${enrollForm('ios')}`,
    // Safari's User-Agent does not tell macOS versions apart: both ways are offered, the helper first.
    macos: () =>
      html`${o.helper ? helperOffer(c, o.helper) : null}
<div id="mac-manual">
${o.helper ? html`<h3>${t.macManualTitle}</h3>` : null}
${steps(t.macSteps)}${enrollForm('macos')}
</div>`,
    android: () => html`${steps(t.androidSteps)}${qrForm('agent', t.showAgentQr)}${qrBlock('agent')}`,
    other: () => html`<p>${t.otherSteps}</p>`,
  };
  const rows = o.devices.map(
    (
      d,
    ) => html`<li class="device"><span class="name">${d.deviceName ?? d.modelName ?? d.productName ?? t.platforms[d.platform]}</span>
<span class="status status-${d.status}">${t.status[d.status]}</span>
<span class="meta">${t.platforms[d.platform]} · ${t.lastSeen}: ${fmtTime(d.lastSeenAt, c.lang)}</span>
${d.status !== 'pending' && d.platform !== 'android' ? html`<form method="post" action="${c.paths.enroll}"><input type="hidden" name="csrf" value="${o.csrf}"><input type="hidden" name="platform" value="${d.platform}"><input type="hidden" name="device" value="${d.id}"><button type="submit" class="link">${t.reenroll}</button></form>` : ''}</li>`,
  );
  return renderPage(
    { lang: c.lang, title: t.homeTitle, langHref: langLink(c, c.paths.home, { platform: o.platform }) },
    html`${signOutForm(c, o.csrf, o.name)}
${errorBox(c.lang, o.error ?? null)}
${o.claimsWaiting ? html`<p class="hint" id="claim-waiting" role="status">${t.claimWaiting}</p>` : null}
<section id="this-device"${o.guessed && o.platform === 'macos' ? html` data-touch-platform="${c.paths.homeFor('ios')}"` : null}>
<h2>${t.thisDevice}</h2>
<p class="muted">${t.detected(t.platforms[o.platform])} · ${t.notThisPlatform} ${platformLinks}</p>
${sections[o.platform]()}
</section>
<section id="my-devices">
<h2>${t.myDevices}</h2>
${o.devices.length ? html`<ul class="devices">${rows}</ul>` : html`<p class="muted">${t.noDevices}</p>`}
</section>
<section id="other-device">
<h2>${t.otherDevice}</h2>
<p>${t.otherDeviceIntro}</p>
${qrForm('portal', t.showQr)}${qrBlock('portal')}
</section>`,
  );
}

/** One enrollment: steps, the download, and the countdown of the newest profile. */
export function enrollPage(
  c: PageContext,
  o: { csrf: string; name: string; platform: 'ios' | 'macos'; enrollmentId: string; status: ProfileStatus },
): string {
  const t = TEXT[c.lang].portal;
  const message = {
    none: t.stateNone,
    valid: t.stateValid,
    expired: t.stateExpired,
    used: t.stateUsed,
    enrolled: t.stateEnrolled,
  }[o.status.state];
  const downloaded = o.status.state !== 'none';
  const left = o.status.secondsLeft;
  return renderPage(
    { lang: c.lang, title: t.homeTitle, langHref: c.langHref },
    html`${signOutForm(c, o.csrf, o.name)}
<section id="enroll" data-status-url="${c.paths.enrollmentStatus(o.enrollmentId)}" data-state="${o.status.state}"
 data-text-none="${t.stateNone}" data-text-valid="${t.stateValid}" data-text-expired="${t.stateExpired}" data-text-used="${t.stateUsed}" data-text-enrolled="${t.stateEnrolled}">
<h2>${t.platforms[o.platform]}</h2>
${steps(o.platform === 'ios' ? t.iosSteps : t.macSteps)}
${o.platform === 'ios' ? html`<p class="muted">${t.iosHint}</p>` : ''}
<p class="state state-${o.status.state}" id="state" role="status">${message}</p>
<div class="countdown" id="countdown-box"${o.status.state === 'valid' ? '' : html` hidden`}>
<span class="countdown-label">${t.countdownLabel}</span>
<strong id="countdown" data-expires-at="${o.status.expiresAt ?? ''}" data-seconds-left="${left}">${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}</strong>
</div>
<p class="actions" id="actions"${o.status.state === 'enrolled' ? html` hidden` : ''}>
<a class="button${o.status.state === 'valid' || o.status.state === 'used' ? ' secondary' : ''}" id="download" href="${c.paths.enrollmentProfile(o.enrollmentId)}" data-label-new="${t.newProfile}">${downloaded ? t.newProfile : t.download}</a>
</p>
<p class="hint" id="scep-hint"${o.status.state === 'enrolled' ? html` hidden` : ''}>${t.scepHint}</p>
</section>
<p><a href="${c.paths.home}">${t.back}</a></p>`,
  );
}

/** A page that only says something (errors, outdated links). */
export function messagePage(
  c: PageContext,
  title: string,
  message: PortalError,
  link?: { href: string; label: string },
): string {
  return renderPage(
    { lang: c.lang, title, langHref: c.langHref },
    html`<section><p>${errorText(c.lang, message)}</p>${link ? html`<p><a class="button" href="${link.href}">${link.label}</a></p>` : ''}</section>`,
  );
}
