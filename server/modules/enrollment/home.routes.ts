import type { FastifyInstance } from 'fastify';
import { escapeHtml, langSwitch, pageLang, renderPage } from '../../http/pages.js';
import type { CaService } from '../ca/ca.service.js';

const TEXT = {
  ja: {
    title: 'デバイス登録',
    body: '会社から届いた招待メールのリンク (末尾が /go のもの) を、この端末で開いてください。',
    trust: 'このページに証明書の警告が出た場合は、オフィス証明書の手順を確認してください。',
    fp: 'オフィス証明書の SHA-256 フィンガープリント',
  },
  en: {
    title: 'Device enrollment',
    body: 'Open the link in the invitation email from your office (the one ending in /go) on this device.',
    trust: 'If this page showed a certificate warning, follow the office certificate steps.',
    fp: 'SHA-256 fingerprint of the office certificate',
  },
} as const;

/** Registers the device listener's home page, which points people to their invitation link. */
export async function deviceHomeRoutes(app: FastifyInstance, opts: { ca: CaService }): Promise<void> {
  app.get('/', async (request, reply) => {
    const lang = pageLang(request);
    const t = TEXT[lang];
    const body = `${langSwitch(lang, '/')}<section><p>${escapeHtml(t.body)}</p><p class="muted">${escapeHtml(t.trust)}</p><p class="muted">${escapeHtml(t.fp)}</p><code class="fp">${escapeHtml(opts.ca.caCertificate().fingerprint256)}</code></section>`;
    return reply.type('text/html; charset=utf-8').send(renderPage(lang, t.title, body));
  });
}
