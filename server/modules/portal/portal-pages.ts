import type { DeviceDto } from '../../contract/devices.js';
import { escapeHtml as e } from '../../core/html.js';
import type { ProfileStatus } from '../enrollment/enrollment.service.js';
import { PORTAL_TEXT, portalErrorText, type PortalError, type PortalLang, type PortalStep } from './portal-text.js';

/** The platforms the portal tells apart. */
export type PortalPlatform = 'ios' | 'macos' | 'android' | 'other';

/** The platform a User-Agent belongs to (iPadOS Safari says Macintosh: the page offers a switch). */
export function platformFromUserAgent(ua: string | undefined): PortalPlatform {
  const s = ua ?? '';
  if (/iPhone|iPad|iPod/.test(s)) return 'ios';
  if (/Android/.test(s)) return 'android';
  if (/Macintosh|Mac OS X/.test(s)) return 'macos';
  return 'other';
}

function doc(lang: PortalLang, title: string, body: string, langHref: string): string {
  const t = PORTAL_TEXT[lang];
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${e(title)} · Tsunagu</title>
<link rel="stylesheet" href="/assets/page.css">
<script src="/assets/portal.js" defer></script>
</head>
<body>
<header class="bar"><span class="brand">${e(t.appName)}</span><a class="lang" href="${e(langHref)}" lang="${lang === 'ja' ? 'en' : 'ja'}">${e(t.lang)}</a></header>
<main>
<h1>${e(title)}</h1>
${body}
</main>
</body>
</html>
`;
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
function errorText(lang: PortalLang, error: PortalError): string {
  const { text, original } = portalErrorText(lang, error);
  return original ? `${e(text)}<span class="original" lang="en">${e(original)}</span>` : e(text);
}

function errorBox(lang: PortalLang, error: PortalError | null): string {
  return error ? `<p class="error" role="alert">${errorText(lang, error)}</p>` : '';
}

function steps(items: readonly PortalStep[]): string {
  const item = (s: PortalStep) =>
    typeof s === 'string'
      ? `<li>${e(s)}</li>`
      : `<li>${e(s.text)}<ul class="choices">${s.sub.map((x) => `<li>${e(x)}</li>`).join('')}</ul></li>`;
  return `<ol class="steps">${items.map(item).join('')}</ol>`;
}

/** Page parts shared by every portal page. */
export interface PageContext {
  lang: PortalLang;
  base: string;
  /** The same page in the other language. */
  langHref: string;
}

/** The sign-in form: email plus password or PIN. */
export function signInPage(
  c: PageContext,
  o: { email?: string; invite?: string | null; pinHint?: boolean; error?: PortalError | null },
): string {
  const t = PORTAL_TEXT[c.lang];
  return doc(
    c.lang,
    t.signInTitle,
    `<section>
<p>${e(t.signInIntro)}</p>
${o.pinHint ? `<p class="hint">${e(t.pinHint)}</p>` : ''}
${errorBox(c.lang, o.error ?? null)}
<form method="post" action="${e(c.base)}/sign-in" class="form">
<label for="email">${e(t.email)}</label>
<input id="email" name="email" type="email" autocomplete="username" inputmode="email" required maxlength="320" value="${e(o.email ?? '')}">
<label for="secret">${e(t.secret)}</label>
<input id="secret" name="secret" type="password" autocomplete="current-password" required maxlength="1024">
${o.invite ? `<input type="hidden" name="invite" value="${e(o.invite)}">` : ''}
<button type="submit" class="button">${e(t.signIn)}</button>
</form>
</section>`,
    langLink(c, o.invite ? c.base.replace(/\/go$/, `/i/${encodeURIComponent(o.invite)}/go`) : c.base),
  );
}

/** Set a password after a PIN sign-in (or replace a temporary one). */
export function passwordPage(c: PageContext, o: { csrf: string; error?: PortalError | null }): string {
  const t = PORTAL_TEXT[c.lang];
  return doc(
    c.lang,
    t.passwordTitle,
    `<section>
<p>${e(t.passwordIntro)}</p>
${errorBox(c.lang, o.error ?? null)}
<form method="post" action="${e(c.base)}/password" class="form">
<input type="hidden" name="csrf" value="${e(o.csrf)}">
<label for="password">${e(t.password)}</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required maxlength="1024">
<label for="confirm">${e(t.confirm)}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="10" required maxlength="1024">
<button type="submit" class="button">${e(t.save)}</button>
</form>
</section>`,
    c.langHref,
  );
}

function fmtTime(iso: string | null, lang: PortalLang): string {
  if (!iso) return '-';
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}

function signOutForm(c: PageContext, csrf: string, name: string): string {
  const t = PORTAL_TEXT[c.lang];
  return `<form method="post" action="${e(c.base)}/sign-out" class="who"><span>${e(t.signedInAs(name))}</span><input type="hidden" name="csrf" value="${e(csrf)}"><button type="submit" class="link">${e(t.signOut)}</button></form>`;
}

/** The self-service home page: enroll this device, my devices, QR codes. */
export function homePage(
  c: PageContext,
  o: {
    csrf: string;
    name: string;
    platform: PortalPlatform;
    devices: DeviceDto[];
    qr: { kind: 'portal' | 'agent'; dataUrl: string; expiresAt: string } | null;
    error?: PortalError | null;
  },
): string {
  const t = PORTAL_TEXT[c.lang];
  const platformLinks = (['ios', 'macos', 'android'] as const)
    .filter((p) => p !== o.platform)
    .map((p) => `<a href="${e(c.base)}/home?platform=${p}">${e(t.platforms[p])}</a>`)
    .join(' · ');
  const enrollForm = (platform: string) =>
    `<form method="post" action="${e(c.base)}/enroll"><input type="hidden" name="csrf" value="${e(o.csrf)}"><input type="hidden" name="platform" value="${platform}"><button type="submit" class="button">${e(t.startEnroll)}</button></form>`;
  // The agent QR code is the Android section's main action; the sign-in QR code is an extra.
  const qrForm = (purpose: 'portal' | 'agent', label: string) =>
    `<form method="post" action="${e(c.base)}/qr"><input type="hidden" name="csrf" value="${e(o.csrf)}"><input type="hidden" name="purpose" value="${purpose}"><input type="hidden" name="platform" value="${o.platform}"><button type="submit" class="button${purpose === 'agent' ? '' : ' secondary'}">${e(label)}</button></form>`;
  const qrBlock = (kind: 'portal' | 'agent') =>
    o.qr && o.qr.kind === kind
      ? `<figure class="qr"><img src="${e(o.qr.dataUrl)}" alt="QR" width="220" height="220" id="qr-${kind}"><figcaption>${e(t.qrExpires(fmtTime(o.qr.expiresAt, c.lang)))}</figcaption></figure>`
      : '';
  const sections: Record<PortalPlatform, () => string> = {
    ios: () => `${steps(t.iosSteps)}<p class="muted">${e(t.iosHint)}</p>${enrollForm('ios')}`,
    macos: () => `${steps(t.macSteps)}<p class="hint">${e(t.macHelper)}</p>${enrollForm('macos')}`,
    android: () => `${steps(t.androidSteps)}${qrForm('agent', t.showAgentQr)}${qrBlock('agent')}`,
    other: () => `<p>${e(t.otherSteps)}</p>`,
  };
  const section = sections[o.platform]();
  const rows = o.devices
    .map(
      (
        d,
      ) => `<li class="device"><span class="name">${e(d.deviceName ?? d.modelName ?? d.productName ?? t.platforms[d.platform])}</span>
<span class="status status-${d.status}">${e(t.status[d.status])}</span>
<span class="meta">${e(t.platforms[d.platform])} · ${e(t.lastSeen)}: ${e(fmtTime(d.lastSeenAt, c.lang))}</span>
${d.status !== 'pending' && d.platform !== 'android' ? `<form method="post" action="${e(c.base)}/enroll"><input type="hidden" name="csrf" value="${e(o.csrf)}"><input type="hidden" name="platform" value="${d.platform}"><input type="hidden" name="device" value="${e(d.id)}"><button type="submit" class="link">${e(t.reenroll)}</button></form>` : ''}</li>`,
    )
    .join('');
  return doc(
    c.lang,
    t.homeTitle,
    `${signOutForm(c, o.csrf, o.name)}
${errorBox(c.lang, o.error ?? null)}
<section id="this-device">
<h2>${e(t.thisDevice)}</h2>
<p class="muted">${e(t.detected(t.platforms[o.platform]))} · ${e(t.notThisPlatform)} ${platformLinks}</p>
${section}
</section>
<section id="my-devices">
<h2>${e(t.myDevices)}</h2>
${o.devices.length ? `<ul class="devices">${rows}</ul>` : `<p class="muted">${e(t.noDevices)}</p>`}
</section>
<section id="other-device">
<h2>${e(t.otherDevice)}</h2>
<p>${e(t.otherDeviceIntro)}</p>
${qrForm('portal', t.showQr)}${qrBlock('portal')}
</section>`,
    langLink(c, `${c.base}/home`, { platform: o.platform }),
  );
}

/** One enrollment: steps, the download, and the countdown of the newest profile. */
export function enrollPage(
  c: PageContext,
  o: { csrf: string; name: string; platform: 'ios' | 'macos'; enrollmentId: string; status: ProfileStatus },
): string {
  const t = PORTAL_TEXT[c.lang];
  const profileUrl = `${c.base}/enroll/${o.enrollmentId}/profile`;
  const message = {
    none: t.stateNone,
    valid: t.stateValid,
    expired: t.stateExpired,
    used: t.stateUsed,
    enrolled: t.stateEnrolled,
  }[o.status.state];
  const downloaded = o.status.state !== 'none';
  return doc(
    c.lang,
    t.homeTitle,
    `${signOutForm(c, o.csrf, o.name)}
<section id="enroll" data-status-url="${e(`${c.base}/enroll/${o.enrollmentId}/status`)}" data-state="${o.status.state}"
 data-text-none="${e(t.stateNone)}" data-text-valid="${e(t.stateValid)}" data-text-expired="${e(t.stateExpired)}" data-text-used="${e(t.stateUsed)}" data-text-enrolled="${e(t.stateEnrolled)}">
<h2>${e(t.platforms[o.platform])}</h2>
${steps(o.platform === 'ios' ? t.iosSteps : t.macSteps)}
${o.platform === 'ios' ? `<p class="muted">${e(t.iosHint)}</p>` : ''}
<p class="state state-${o.status.state}" id="state" role="status">${e(message)}</p>
<div class="countdown" id="countdown-box"${o.status.state === 'valid' ? '' : ' hidden'}>
<span class="countdown-label">${e(t.countdownLabel)}</span>
<strong id="countdown" data-expires-at="${e(o.status.expiresAt ?? '')}" data-seconds-left="${o.status.secondsLeft}">${Math.floor(o.status.secondsLeft / 60)}:${String(o.status.secondsLeft % 60).padStart(2, '0')}</strong>
</div>
<p class="actions" id="actions"${o.status.state === 'enrolled' ? ' hidden' : ''}>
<a class="button${o.status.state === 'valid' || o.status.state === 'used' ? ' secondary' : ''}" id="download" href="${e(profileUrl)}" data-label-new="${e(t.newProfile)}">${e(downloaded ? t.newProfile : t.download)}</a>
</p>
<p class="hint" id="scep-hint"${o.status.state === 'enrolled' ? ' hidden' : ''}>${e(t.scepHint)}</p>
</section>
<p><a href="${e(c.base)}/home">${e(t.back)}</a></p>`,
    c.langHref,
  );
}

/** A page that only says something (errors, outdated links). */
export function messagePage(
  c: PageContext,
  title: string,
  message: PortalError,
  link?: { href: string; label: string },
): string {
  return doc(
    c.lang,
    title,
    `<section><p>${errorText(c.lang, message)}</p>${link ? `<p><a class="button" href="${e(link.href)}">${e(link.label)}</a></p>` : ''}</section>`,
    c.langHref,
  );
}
