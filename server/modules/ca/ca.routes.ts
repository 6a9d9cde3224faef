import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { escapeHtml, langSwitch, pageLang, renderPage, type PageLang } from '../../http/pages.js';
import type { EnrollmentService } from '../enrollment/enrollment.service.js';
import type { CaService } from './ca.service.js';

const TEXT = {
  ja: {
    title: 'オフィス証明書を信頼する',
    intro:
      'この端末が登録サーバーに安全に接続できるよう、オフィスの証明書 (CA) を信頼させます。デバイス登録プロファイルにはこの証明書が含まれているため、iPhone・iPad・Mac では通常この手順は不要です。ブラウザで登録ページを開けない場合にだけ行ってください。',
    fingerprint: 'SHA-256 フィンガープリント (端末に表示される値と一致することを確認してください)',
    download: '証明書をダウンロード (.cer)',
    profile: 'iPhone・iPad・Mac 用プロファイル',
    continue: '登録ページへ進む (HTTPS)',
    ios: 'iPhone / iPad',
    iosSteps: [
      '上の「iPhone・iPad・Mac 用プロファイル」をタップし、「許可」をタップします。',
      '設定 > 一般 > VPN とデバイス管理 で、ダウンロードしたプロファイルをインストールします。',
      '設定 > 一般 > 情報 > 証明書信頼設定 で、この証明書の「ルート証明書を全面的に信頼する」をオンにします (iOS はこの操作が必要です)。',
    ],
    mac: 'Mac',
    macSteps: [
      '証明書をダウンロードしてダブルクリックし、キーチェーンアクセスの「システム」に追加します。',
      '追加された証明書をダブルクリックし、「信頼」で「常に信頼」を選びます。',
    ],
    android: 'Android',
    androidSteps: [
      '証明書をダウンロードします。',
      '設定 > セキュリティ > 暗号化と認証情報 > 証明書のインストール > CA 証明書 を選び、ダウンロードしたファイルを選択します。',
    ],
    windows: 'Windows',
    windowsSteps: [
      '証明書を開き、「証明書のインストール」>「ローカル コンピューター」を選びます。',
      '「信頼されたルート証明機関」ストアに配置します。',
    ],
  },
  en: {
    title: 'Trust the office certificate',
    intro:
      'Make this device trust the office certificate authority (CA) so it can connect securely to the enrollment server. The enrollment profile already contains this certificate, so iPhone, iPad and Mac users usually do not need these steps. Use them only when the browser cannot open the enrollment page.',
    fingerprint: 'SHA-256 fingerprint (check that your device shows the same value)',
    download: 'Download the certificate (.cer)',
    profile: 'Profile for iPhone, iPad and Mac',
    continue: 'Continue to the enrollment page (HTTPS)',
    ios: 'iPhone / iPad',
    iosSteps: [
      'Tap "Profile for iPhone, iPad and Mac" above, then tap Allow.',
      'In Settings > General > VPN & Device Management, install the downloaded profile.',
      'In Settings > General > About > Certificate Trust Settings, turn on full trust for this certificate (iOS requires this step).',
    ],
    mac: 'Mac',
    macSteps: [
      'Download the certificate and double-click it to add it to the System keychain in Keychain Access.',
      'Double-click the added certificate, open Trust, and choose Always Trust.',
    ],
    android: 'Android',
    androidSteps: [
      'Download the certificate.',
      'Open Settings > Security > Encryption & credentials > Install a certificate > CA certificate, and pick the downloaded file.',
    ],
    windows: 'Windows',
    windowsSteps: [
      'Open the certificate and choose Install Certificate > Local Machine.',
      'Place it in the Trusted Root Certification Authorities store.',
    ],
  },
} as const;

function steps(title: string, items: readonly string[]): string {
  return `<section><h2>${escapeHtml(title)}</h2><ol>${items.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol></section>`;
}

function trustPage(lang: PageLang, fingerprint: string, deviceBaseUrl: string): string {
  const t = TEXT[lang];
  return renderPage(
    lang,
    t.title,
    `${langSwitch(lang, '/trust')}
<p>${escapeHtml(t.intro)}</p>
<section>
<p><a class="button" href="/trust/ca.mobileconfig">${escapeHtml(t.profile)}</a><a class="button secondary" href="/trust/ca.cer">${escapeHtml(t.download)}</a><a class="button secondary" href="${escapeHtml(deviceBaseUrl)}/">${escapeHtml(t.continue)}</a></p>
<p class="muted">${escapeHtml(t.fingerprint)}</p>
<code class="fp" id="fingerprint">${escapeHtml(fingerprint)}</code>
</section>
${steps(t.ios, t.iosSteps)}${steps(t.mac, t.macSteps)}${steps(t.android, t.androidSteps)}${steps(t.windows, t.windowsSteps)}`,
  );
}

/** Registers /trust (the page), /trust/ca.cer (DER), /trust/ca.mobileconfig (a CA-only profile) and /trust/ca.pem on the bootstrap listener. */
export async function trustRoutes(
  app: FastifyInstance,
  opts: { ca: CaService; enrollment: EnrollmentService; deviceBaseUrl: () => string },
): Promise<void> {
  app.get('/trust', async (request, reply) => {
    const { fingerprint256 } = opts.ca.caCertificate();
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(trustPage(pageLang(request), fingerprint256, opts.deviceBaseUrl()));
  });
  app.get('/trust/ca.cer', async (_request, reply) =>
    reply
      .type('application/x-x509-ca-cert')
      .header('content-disposition', 'attachment; filename="tsunagu-office-ca.cer"')
      .send(opts.ca.caCertificate().der),
  );
  app.get('/trust/ca.mobileconfig', async (request, reply) => {
    return reply
      .type('application/x-apple-aspen-config')
      .header('content-disposition', 'attachment; filename="tsunagu-office-ca.mobileconfig"')
      .send(await opts.enrollment.caProfile(pageLang(request)));
  });
  app.get('/trust/ca.pem', async (_request, reply) =>
    reply
      .type('application/x-pem-file')
      .header('content-disposition', 'attachment; filename="tsunagu-office-ca.pem"')
      .send(opts.ca.caCertificate().pem),
  );
}

/** A not-found handler that sends everything else to the same path on the HTTPS device listener. */
export function redirectToHttps(deviceBaseUrl: () => string) {
  return function redirect(request: FastifyRequest, reply: FastifyReply): void {
    const path = request.url.startsWith('/') ? request.url : '/';
    void reply.redirect(`${deviceBaseUrl()}${path}`, request.method === 'GET' || request.method === 'HEAD' ? 301 : 308);
  };
}
