import QRCode from 'qrcode';
import { html } from '../../core/html.js';
import { TEXT, type Lang } from '../../i18n/index.js';
import type { OutgoingMail } from '../mail/mail.service.js';

/** What an invitation or reminder email says. */
export interface InvitationMailInput {
  kind: 'invitation' | 'reminder';
  lang: Lang;
  organization: string;
  to: string;
  displayName: string;
  link: string;
  /** The link leads through the first-visit page, which checks that the device trusts the office CA. */
  trustFirst?: boolean;
  pin: string | null;
  pinExpiresAt: string | null;
  expiresAt: string;
  reminderNumber?: number;
  invitationId: string;
  /** An admin reset the password: the email says so, and that the PIN leads to choosing a new one. */
  passwordReset?: boolean;
  /** A directory (LDAP) user: they sign in with their network password (and the PIN, when there is one, first). */
  directory?: boolean;
}

// The server's own time zone, named, since the office and its server share one.
const fmt = (iso: string, lang: Lang) =>
  new Intl.DateTimeFormat(TEXT[lang].page.locale, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(new Date(iso));

/** The PNG QR code of an email's link (the image the email carries inline). */
export function linkQrPng(link: string): Promise<Buffer> {
  return QRCode.toBuffer(link, { type: 'png', margin: 1, width: 240, errorCorrectionLevel: 'M' });
}

/** Builds an invitation or reminder email in the user's language: text and HTML, with the link as an inline QR image. */
export async function buildInvitationMail(input: InvitationMailInput): Promise<OutgoingMail> {
  const t = TEXT[input.lang].invitationMail;
  const reminder = input.kind === 'reminder';
  const reset = input.passwordReset === true && !reminder;
  const subject = reset ? t.resetSubject(input.organization) : t.subject(input.organization, reminder);
  const intro = reminder ? t.reminder : reset ? t.resetIntro(input.organization) : t.intro(input.organization);
  const qr = await linkQrPng(input.link);
  const directory = input.directory === true;
  const withPin = input.pin && input.pinExpiresAt ? t.pin(input.pin, fmt(input.pinExpiresAt, input.lang)) : null;
  const pinLine = withPin ?? (directory ? t.directoryNoPin : t.noPin);
  // A directory user who got a PIN is told what comes after it: the network password, not one chosen here.
  const afterPin = withPin && directory ? t.directoryAfterPin : null;
  const lost = directory ? t.directoryLost : t.lost;
  const lines = [
    t.greeting(input.displayName),
    '',
    intro,
    '',
    `${t.link}: ${input.link}`,
    pinLine,
    ...(afterPin ? [afterPin] : []),
    t.expires(fmt(input.expiresAt, input.lang)),
    '',
    `${t.steps}:`,
    ...(input.trustFirst ? [`- ${t.trustFirst}`] : []),
    `- ${t.iphone}`,
    `- ${t.mac}`,
    `- ${t.android}`,
    '',
    lost,
    '',
    t.footer,
  ];
  const body = html`<!doctype html><html lang="${input.lang}"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:-apple-system,'Hiragino Sans','Noto Sans JP',sans-serif;color:#1d2129;line-height:1.6;max-width:36rem;margin:0 auto;padding:1rem">
<p>${t.greeting(input.displayName)}</p>
<p>${intro}</p>
<p><a href="${input.link}" style="display:inline-block;background:#1f5fbf;color:#fff;padding:.6rem 1rem;border-radius:6px;text-decoration:none">${t.link}</a></p>
<p style="word-break:break-all;font-size:.9rem">${input.link}</p>
<p><strong>${pinLine}</strong></p>
${afterPin ? html`<p>${afterPin}</p>` : ''}
<p>${t.expires(fmt(input.expiresAt, input.lang))}</p>
<p><img src="cid:enroll-qr" alt="QR" width="180" height="180"><br><span style="font-size:.9rem">${t.qr}</span></p>
<h3>${t.steps}</h3>
<ul>${input.trustFirst ? html`<li>${t.trustFirst}</li>` : ''}<li>${t.iphone}</li><li>${t.mac}</li><li>${t.android}</li></ul>
<p style="font-size:.9rem">${lost}</p>
<p style="font-size:.8rem;color:#4e5969">${t.footer}</p>
</body></html>`;
  return {
    kind: input.kind,
    refId: input.invitationId,
    to: input.to,
    subject,
    text: lines.join('\n'),
    html: body.markup,
    attachments: [{ filename: 'enrollment-qr.png', cid: 'enroll-qr', contentType: 'image/png', content: qr }],
  };
}
