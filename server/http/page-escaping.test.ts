// Every server-rendered page (portal pages, message pages, /trust, the first-visit page, the device home page, the
// profile error page) and
// the invitation mail, rendered with a hostile value in each field it shows: the value must come out as text, never
// as markup or an attribute breakout. First the page functions directly, then the pages as the routes serve them.
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { Window } from 'happy-dom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { androidFacts } from '../../tests/helpers/android-agent.js';
import { testFoundation, TEST_CTX, type TestFoundation } from '../../tests/helpers/foundation.js';
import type { DeviceDto } from '../contract/devices.js';
import { AppError } from '../core/errors.js';
import { html } from '../core/html.js';
import { portalPaths } from '../core/portal-paths.js';
import { LANGS, type Lang } from '../i18n/index.js';
import { trustRoutes } from '../modules/ca/ca.routes.js';
import { firstVisitPage } from '../modules/ca/first-visit-page.js';
import { firstVisitRoutes } from '../modules/ca/first-visit.routes.js';
import { trustPage } from '../modules/ca/trust-page.js';
import { deviceHomePage, profileErrorPage } from '../modules/enrollment/device-pages.js';
import { profileRoutes } from '../modules/enrollment/enrollment.routes.js';
import { deviceHomeRoutes } from '../modules/enrollment/home.routes.js';
import { buildInvitationMail } from '../modules/invitations/invitation-mail.js';
import {
  enrollPage,
  homePage,
  messagePage,
  passwordPage,
  signInPage,
  type PageContext,
} from '../modules/portal/portal-pages.js';
import { PORTAL_COOKIE, portalRoutes } from '../modules/portal/portal.routes.js';
import { installErrorHandler } from './error-handler.js';
import { registerPageAssets, renderPage } from './pages.js';
import { validatorCompiler } from './validation.js';

const HOSTILE = '"><img src=x onerror=alert(1)>';

/**
 * Asserts that no hostile value became markup: no raw payload, no image from it, no event-handler attribute; and,
 * unless it only went into URLs (where it is percent-encoded), that it is still there as text.
 */
function expectInert(markup: string, label: string, shown = true): void {
  expect(markup, label).not.toContain(HOSTILE);
  expect(markup, label).not.toContain('<img src=x');
  const window = new Window({
    settings: { disableJavaScriptEvaluation: true, disableJavaScriptFileLoading: true, disableCSSFileLoading: true },
  });
  try {
    const doc = new window.DOMParser().parseFromString(markup, 'text/html');
    const elements = [...doc.querySelectorAll('*')];
    const handlers = elements.flatMap((el) =>
      [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${el.tagName} ${a.name}`),
    );
    expect(handlers, label).toEqual([]);
    expect(doc.querySelectorAll('img[src="x"]').length, label).toBe(0);
    // The payload is still there, as text or as an attribute value: escaped, not dropped.
    const texts = [
      doc.body?.textContent ?? '',
      ...elements.flatMap((el) => [...el.attributes].map((a) => a.value ?? '')),
    ];
    if (shown)
      expect(
        texts.some((t) => t.includes(HOSTILE)),
        label,
      ).toBe(true);
  } finally {
    void window.happyDOM.close();
  }
}

const hostileError = new AppError('DEVICE_LIMIT', HOSTILE, { limit: HOSTILE, count: 9 });
const hostileErrors = [
  hostileError,
  new AppError('PIN_LOCKED', HOSTILE),
  new AppError('SIGN_IN_LOCKED', HOSTILE, { retryAfterSeconds: HOSTILE }),
  HOSTILE,
];

const hostileDevice: DeviceDto = {
  id: HOSTILE,
  platform: 'ios',
  status: 'active',
  deviceName: HOSTILE,
  modelName: HOSTILE,
  productName: HOSTILE,
  lastSeenAt: HOSTILE,
} as unknown as DeviceDto;

describe.each(LANGS)('the page functions in %s', (lang: Lang) => {
  const c: PageContext = { lang, paths: portalPaths(HOSTILE), langHref: `/x?${HOSTILE}` };

  it('escape the page frame: title, language link, body', () => {
    expectInert(renderPage({ lang, title: HOSTILE, langHref: HOSTILE }, html`<p>${HOSTILE}</p>`), 'frame');
  });

  it('escape the sign-in page: email, invite token, errors, the URL key', () => {
    for (const error of [...hostileErrors, null])
      expectInert(signInPage(c, { email: HOSTILE, invite: HOSTILE, pinHint: true, error }), `sign-in ${String(error)}`);
  });

  it('escape the password page: CSRF token, errors, the language link', () => {
    for (const error of hostileErrors)
      expectInert(passwordPage(c, { csrf: HOSTILE, mode: 'current', error }), 'password');
  });

  it('escape the home page: name, devices, QR code, its expiry, errors, the helper link and download', () => {
    const helpers = [
      { link: HOSTILE, expiresAt: HOSTILE, download: { path: HOSTILE, kind: HOSTILE, size: 5_000_000 } },
      { link: HOSTILE, expiresAt: HOSTILE, download: null },
    ];
    for (const platform of ['ios', 'macos', 'android', 'other'] as const)
      for (const kind of ['portal', 'agent'] as const)
        for (const helper of helpers)
          expectInert(
            homePage(c, {
              csrf: HOSTILE,
              name: HOSTILE,
              platform,
              devices: [hostileDevice, { ...hostileDevice, deviceName: null, modelName: null, status: 'pending' }],
              qr: { kind, image: HOSTILE, expiresAt: HOSTILE },
              helper,
              error: hostileError,
            }),
            `home ${platform} ${kind} ${helper.download ? 'with' : 'without'} download`,
          );
  });

  it('escape the enrollment page: name, enrollment id, expiry', () => {
    for (const state of ['none', 'valid', 'expired', 'used', 'enrolled'] as const)
      expectInert(
        enrollPage(c, {
          csrf: HOSTILE,
          name: HOSTILE,
          platform: 'ios',
          enrollmentId: HOSTILE,
          status: { state, expiresAt: HOSTILE, secondsLeft: 61 },
        }),
        `enroll ${state}`,
      );
  });

  it('escape message pages: title, message, link', () => {
    for (const error of hostileErrors)
      expectInert(messagePage(c, HOSTILE, error, { href: HOSTILE, label: HOSTILE }), 'message');
  });

  it('escape the device pages and the trust page', () => {
    expectInert(deviceHomePage(lang, HOSTILE, HOSTILE, HOSTILE), 'device home');
    for (const error of hostileErrors) expectInert(profileErrorPage(lang, HOSTILE, error), 'profile error');
    expectInert(trustPage(lang, HOSTILE, { name: HOSTILE, fingerprint256: HOSTILE }), 'trust');
  });

  it('escape the first-visit page: language link, the CA, every address it hands on to', () => {
    const targets = { signIn: HOSTILE, invitePrefix: HOSTILE, inviteSuffix: HOSTILE, probe: HOSTILE };
    for (const platform of ['ios', 'macos', 'android', 'windows', null] as const)
      for (const ca of [{ name: HOSTILE, fingerprint256: HOSTILE }, null])
        expectInert(
          firstVisitPage({ lang, langHref: HOSTILE, platform, guessed: platform === null, ca, targets }),
          `first visit ${String(platform)} ${ca ? 'office CA' : 'public'}`,
        );
  });

  it('escape the invitation mail: name, organization, link, PIN', async () => {
    for (const kind of ['invitation', 'reminder'] as const) {
      const mail = await buildInvitationMail({
        kind,
        lang,
        organization: HOSTILE,
        to: 'user@example.com',
        displayName: HOSTILE,
        link: `https://example.com/${HOSTILE}`,
        pin: HOSTILE,
        pinExpiresAt: '2026-04-02T09:00:00.000Z',
        expiresAt: '2026-04-15T09:00:00.000Z',
        invitationId: 'inv-1',
      });
      expectInert(mail.html as string, `mail ${kind}`);
    }
  });
});

describe('the pages as the routes serve them', () => {
  const PASSWORD = 'a long password here';
  let f: TestFoundation;
  let app: FastifyInstance;
  // The bootstrap listener's pages (/trust, the first-visit page), on their own app as in app.ts.
  let bootstrap: FastifyInstance;
  let key: string;
  let session: string;

  beforeAll(async () => {
    f = testFoundation({ start: new Date().toISOString() });
    const s = f.services;
    s.ca.ensureOfficeCa();
    await s.users.create({ email: 'evil@example.com', displayName: HOSTILE, password: PASSWORD }, TEST_CTX);
    await s.agent.enroll(
      {
        auth: { method: 'password', email: 'evil@example.com', password: PASSWORD },
        device: { ...androidFacts(33, 'hw-evil'), deviceName: HOSTILE, model: HOSTILE, manufacturer: HOSTILE },
      },
      null,
    );
    app = Fastify();
    app.setValidatorCompiler(validatorCompiler());
    installErrorHandler(app);
    await app.register(cookie);
    registerPageAssets(app);
    await app.register(deviceHomeRoutes, { ca: s.ca, trustUrl: () => `http://example.com/${HOSTILE}` });
    await app.register(profileRoutes, { enrollment: s.enrollment });
    await app.register(portalRoutes, {
      portal: s.portal,
      urls: s.urls,
      helperOffer: () => ({ kind: 'dmg', size: 1, path: `/downloads/${HOSTILE}` }),
    });
    await app.ready();
    bootstrap = Fastify();
    installErrorHandler(bootstrap);
    await bootstrap.register(cookie);
    registerPageAssets(bootstrap);
    await bootstrap.register(trustRoutes, { ca: s.ca, caProfile: (lang) => s.enrollment.caProfile(lang) });
    await bootstrap.register(firstVisitRoutes, {
      ca: s.ca,
      urls: s.urls,
      deviceBaseUrl: () => `https://example.com/${HOSTILE}`,
    });
    await bootstrap.ready();
    key = s.urls.current().key;
    const signedIn = await app.inject({
      method: 'POST',
      url: `/e/${key}/go/sign-in`,
      payload: new URLSearchParams({ email: 'evil@example.com', secret: PASSWORD }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(signedIn.statusCode).toBe(303);
    session = signedIn.cookies.find((c) => c.name === PORTAL_COOKIE)?.value as string;
  });
  afterAll(async () => {
    await app?.close();
    await bootstrap?.close();
    f?.db.close();
  });

  const q = encodeURIComponent(HOSTILE);
  const get = (url: string, lang: Lang, signedIn = false, on: FastifyInstance = app) =>
    on.inject({
      url,
      headers: { 'accept-language': lang, ...(signedIn ? { cookie: `${PORTAL_COOKIE}=${session}` } : {}) },
    });
  const post = (url: string, form: Record<string, string>, lang: Lang) =>
    app.inject({
      method: 'POST',
      url,
      payload: new URLSearchParams(form).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'accept-language': lang,
        cookie: `${PORTAL_COOKIE}=${session}`,
      },
    });
  const csrf = async () => /name="csrf" value="([^"]+)"/.exec((await get(`/e/${key}/go/home`, 'en', true)).body)?.[1];

  it.each(LANGS)('in %s: pages reached by hostile addresses and query strings', async (lang) => {
    // [address, status, whether the hostile value is shown as text (else it only went into URLs)]
    const pages = [
      [`/?x=${q}`, 200, true],
      [`/profile/${q}?x=${q}`, 404, false],
      [`/e/${q}/go`, 404, false],
      [`/e/${key}/go?ended=1&x=${q}`, 200, false],
      [`/e/${key}/i/${q}/go?x=${q}`, 404, false],
      [`/e/${key}/go/t/${q}`, 410, false],
      [`/e/${key}/go/home?platform=${q}&x=${q}`, 200, true],
      [`/e/${key}/go/home?platform=macos&x=${q}`, 200, true],
      [`/e/${key}/go/enroll/${q}?x=${q}`, 404, false],
    ] as const;
    for (const [url, status, shown] of pages) {
      const res = await get(url, lang, url.includes('/go/'));
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      expectInert(res.body, url, shown);
    }
    // The bootstrap listener's pages: /trust (which no longer shows a base URL, so the hostile query only reaches its
    // language link), and the first-visit page (its addresses come from a hostile base URL).
    const bootstrapPages = [
      [`/trust?x=${q}`, 200, false],
      [`/e/${key}/go?platform=${q}&x=${q}`, 200, true],
      [`/e/${key}/go?platform=android&lang=${lang}&x=${q}`, 200, true],
      [`/e/${q}/go?x=${q}`, 404, false],
    ] as const;
    for (const [url, status, shown] of bootstrapPages) {
      const res = await get(url, lang, false, bootstrap);
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      expectInert(res.body, url, shown);
    }
  });

  it.each(LANGS)('in %s: forms answered with hostile fields, and forms that do not validate', async (lang) => {
    const signIn = await post(
      `/e/${key}/go/sign-in?x=${q}`,
      { email: HOSTILE, secret: HOSTILE, invite: HOSTILE },
      lang,
    );
    expect(signIn.statusCode).toBe(401);
    expectInert(signIn.body, 'sign-in');
    const unreadable = await post(
      `/e/${key}/go/sign-in`,
      { email: HOSTILE, secret: 'x', invite: HOSTILE, [HOSTILE]: HOSTILE },
      lang,
    );
    expect(unreadable.statusCode).toBe(400);
    expectInert(unreadable.body, 'sign-in, unknown field');
    const token = (await csrf()) as string;
    const enroll = await post(`/e/${key}/go/enroll`, { csrf: token, platform: HOSTILE, device: HOSTILE }, lang);
    expect(enroll.statusCode).toBe(400);
    expectInert(enroll.body, 'enroll');
    const stale = await post(`/e/${key}/go/enroll?x=${q}`, { csrf: HOSTILE, platform: 'ios' }, lang);
    expect(stale.statusCode).toBe(403);
    expectInert(stale.body, 'stale form', false);
    const qr = await post(`/e/${key}/go/qr`, { csrf: token, purpose: 'agent', platform: 'android' }, lang);
    expect(qr.statusCode).toBe(200);
    expect(qr.body).toContain('id="qr-agent"');
    expectInert(qr.body, 'agent QR');
  });
});
