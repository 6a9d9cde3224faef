import QRCode from 'qrcode';
import { escapeHtml } from '../../core/html.js';
import type { OutgoingMail } from '../mail/mail.service.js';

/** What an invitation or reminder email says. */
export interface InvitationMailInput {
  kind: 'invitation' | 'reminder';
  lang: 'ja' | 'en';
  organization: string;
  to: string;
  displayName: string;
  link: string;
  pin: string | null;
  pinExpiresAt: string | null;
  expiresAt: string;
  reminderNumber?: number;
  invitationId: string;
}

// The server's own time zone, named, since the office and its server share one.
const fmt = (iso: string, lang: 'ja' | 'en') =>
  new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(new Date(iso));

const TEXT = {
  ja: {
    subject: (org: string, reminder: boolean) =>
      reminder ? `【リマインダー】${org} デバイス登録のお願い` : `${org} デバイス登録のご案内`,
    greeting: (name: string) => `${name} 様`,
    intro: (org: string) =>
      `${org} の業務用デバイス登録にご招待します。お使いの iPhone・iPad・Mac・Android 端末から、下のリンクを開いて登録してください。`,
    reminder: '登録がまだ完了していません。お手数ですが、下のリンクから登録を完了してください。',
    link: '登録ページ',
    pin: (pin: string, until: string) => `初回サインイン用 PIN: ${pin} (${until} まで、1 回だけ使えます)`,
    noPin: 'サインインには、お使いのメールアドレスとパスワードを使います。',
    expires: (when: string) => `この招待の有効期限: ${when}`,
    qr: '別の端末のカメラでこの QR コードを読み取っても登録ページを開けます。',
    steps: '手順',
    iphone:
      'iPhone / iPad: Safari でリンクを開き、サインイン後「プロファイルをダウンロード」をタップ。8 分以内に 設定 > プロファイルがダウンロードされました を開いてインストールします。',
    mac: 'Mac: Safari でリンクを開き、サインイン後にプロファイルをダウンロード。システム設定の「プライバシーとセキュリティ > プロファイル」(macOS 13-14) または「一般 > デバイス管理」(macOS 15 以降) でインストールします。',
    android:
      'Android: リンクを開いてサインインし、表示される手順に従って Tsunagu エージェントを入れ、QR コードを読み取ります。',
    lost: 'このメールをなくした場合も、同じ登録ページでメールアドレスとパスワードを入力すれば登録できます。',
    footer: 'このメールに心当たりがない場合は、管理者にお問い合わせください。',
  },
  en: {
    subject: (org: string, reminder: boolean) =>
      reminder ? `Reminder: enroll your device for ${org}` : `Enroll your device for ${org}`,
    greeting: (name: string) => `Hello ${name},`,
    intro: (org: string) =>
      `You are invited to enroll your work device with ${org}. Open the link below on the iPhone, iPad, Mac or Android device you want to enroll.`,
    reminder: 'Your enrollment is not finished yet. Please complete it with the link below.',
    link: 'Enrollment page',
    pin: (pin: string, until: string) => `PIN for your first sign-in: ${pin} (valid until ${until}, works once)`,
    noPin: 'Sign in with your email address and password.',
    expires: (when: string) => `This invitation expires: ${when}`,
    qr: "You can also open the enrollment page by scanning this QR code with another device's camera.",
    steps: 'Next steps',
    iphone:
      'iPhone / iPad: open the link in Safari, sign in and tap "Download profile". Within 8 minutes, open Settings > Profile Downloaded and install it.',
    mac: 'Mac: open the link in Safari, sign in and download the profile. Install it in System Settings > Privacy & Security > Profiles (macOS 13-14) or General > Device Management (macOS 15 and later).',
    android: 'Android: open the link, sign in, install the Tsunagu agent as shown, and scan the QR code.',
    lost: 'If you lose this email, the same enrollment page works with your email address and password.',
    footer: 'If you did not expect this email, please contact your administrator.',
  },
} as const;

/** Builds an invitation or reminder email in the user's language: text and HTML, with the link as an inline QR image. */
export async function buildInvitationMail(input: InvitationMailInput): Promise<OutgoingMail> {
  const t = TEXT[input.lang];
  const reminder = input.kind === 'reminder';
  const qr = await QRCode.toBuffer(input.link, { type: 'png', margin: 1, width: 240, errorCorrectionLevel: 'M' });
  const pinLine = input.pin && input.pinExpiresAt ? t.pin(input.pin, fmt(input.pinExpiresAt, input.lang)) : t.noPin;
  const lines = [
    t.greeting(input.displayName),
    '',
    reminder ? t.reminder : t.intro(input.organization),
    '',
    `${t.link}: ${input.link}`,
    pinLine,
    t.expires(fmt(input.expiresAt, input.lang)),
    '',
    `${t.steps}:`,
    `- ${t.iphone}`,
    `- ${t.mac}`,
    `- ${t.android}`,
    '',
    t.lost,
    '',
    t.footer,
  ];
  const e = escapeHtml;
  const html = `<!doctype html><html lang="${input.lang}"><head><meta charset="utf-8"><title>${e(t.subject(input.organization, reminder))}</title></head>
<body style="font-family:-apple-system,'Hiragino Sans','Noto Sans JP',sans-serif;color:#1d2129;line-height:1.6;max-width:36rem;margin:0 auto;padding:1rem">
<p>${e(t.greeting(input.displayName))}</p>
<p>${e(reminder ? t.reminder : t.intro(input.organization))}</p>
<p><a href="${e(input.link)}" style="display:inline-block;background:#1f5fbf;color:#fff;padding:.6rem 1rem;border-radius:6px;text-decoration:none">${e(t.link)}</a></p>
<p style="word-break:break-all;font-size:.9rem">${e(input.link)}</p>
<p><strong>${e(pinLine)}</strong></p>
<p>${e(t.expires(fmt(input.expiresAt, input.lang)))}</p>
<p><img src="cid:enroll-qr" alt="QR" width="180" height="180"><br><span style="font-size:.9rem">${e(t.qr)}</span></p>
<h3>${e(t.steps)}</h3>
<ul><li>${e(t.iphone)}</li><li>${e(t.mac)}</li><li>${e(t.android)}</li></ul>
<p style="font-size:.9rem">${e(t.lost)}</p>
<p style="font-size:.8rem;color:#4e5969">${e(t.footer)}</p>
</body></html>`;
  return {
    kind: input.kind,
    refId: input.invitationId,
    to: input.to,
    subject: t.subject(input.organization, reminder),
    text: lines.join('\n'),
    html,
    attachments: [{ filename: 'enrollment-qr.png', cid: 'enroll-qr', contentType: 'image/png', content: qr }],
  };
}
