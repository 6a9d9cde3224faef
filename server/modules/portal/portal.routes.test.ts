import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testFoundation, TEST_CTX, type TestFoundation } from '../../../tests/helpers/foundation.js';
import { installErrorHandler } from '../../http/error-handler.js';
import { validatorCompiler } from '../../http/validation.js';
import { TEXT } from '../../i18n/index.js';
import type { HelperOffer } from '../helper-builds/helper-build.service.js';
import { PORTAL_COOKIE, portalRoutes } from './portal.routes.js';

const PASSWORD = 'a long password here';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let f: TestFoundation;
let app: FastifyInstance;
let key: string;
let offer: HelperOffer | null = null;

beforeAll(async () => {
  f = testFoundation({ start: new Date().toISOString() });
  await f.services.users.create({ email: 'ann@example.com', displayName: 'Ann', password: PASSWORD }, TEST_CTX);
  app = Fastify();
  app.setValidatorCompiler(validatorCompiler());
  installErrorHandler(app);
  await app.register(cookie);
  await app.register(portalRoutes, { portal: f.services.portal, urls: f.services.urls, helperOffer: () => offer });
  await app.ready();
  key = f.services.urls.current().key;
});
afterAll(async () => {
  await app?.close();
  f?.db.close();
});

const form = (values: Record<string, string>) => new URLSearchParams(values).toString();

async function signIn(): Promise<{ cookie: string; csrf: string }> {
  const res = await app.inject({
    method: 'POST',
    url: `/e/${key}/go/sign-in`,
    payload: form({ email: 'ann@example.com', secret: PASSWORD }),
    headers: FORM,
  });
  expect(res.statusCode).toBe(303);
  const cookie = `${PORTAL_COOKIE}=${res.cookies.find((c) => c.name === PORTAL_COOKIE)?.value}`;
  const home = await app.inject({ url: `/e/${key}/go/home`, headers: { cookie } });
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(home.body)?.[1] as string };
}

describe('portal forms that do not validate', () => {
  it.each(['ja', 'en'] as const)('get the portal page in %s, never JSON', async (lang) => {
    const long = await app.inject({
      method: 'POST',
      url: `/e/${key}/go/sign-in`,
      payload: form({ email: `${'a'.repeat(321)}@example.com`, secret: 'x' }),
      headers: { ...FORM, 'accept-language': lang },
    });
    expect(long.statusCode).toBe(400);
    expect(long.headers['content-type']).toMatch(/^text\/html/);
    expect(long.body).toContain(`<html lang="${lang}">`);
    expect(long.body).toContain(TEXT[lang].portal.formInvalid);
    // The sign-in form comes back, with what was typed.
    expect(long.body).toContain('id="secret"');

    const { cookie, csrf } = await signIn();
    const enroll = await app.inject({
      method: 'POST',
      url: `/e/${key}/go/enroll`,
      payload: form({ csrf, platform: 'windows' }),
      headers: { ...FORM, cookie, 'accept-language': lang },
    });
    expect(enroll.statusCode).toBe(400);
    expect(enroll.body).toContain(`<html lang="${lang}">`);
    expect(enroll.body).toContain(TEXT[lang].portal.formInvalid);
    expect(enroll.body).toContain('id="my-devices"');

    const qr = await app.inject({
      method: 'POST',
      url: `/e/${key}/go/qr`,
      payload: form({ csrf, purpose: 'portal', extra: 'x' }),
      headers: { ...FORM, cookie, 'accept-language': lang },
    });
    expect(qr.statusCode).toBe(400);
    expect(qr.body).toContain(TEXT[lang].portal.formInvalid);
    expect(qr.body).toContain(`href="/e/${key}/go/home"`);
  });

  it('are checked only after the gates: a stale form still gets the session page, an old link the outdated page', async () => {
    const { cookie } = await signIn();
    const stale = await app.inject({
      method: 'POST',
      url: `/e/${key}/go/enroll`,
      payload: form({ platform: 'windows' }),
      headers: { ...FORM, cookie, 'accept-language': 'en' },
    });
    expect(stale.statusCode).toBe(403);
    expect(stale.body).toContain(TEXT.en.portal.sessionEnded);
    const foreign = await app.inject({
      method: 'POST',
      url: `/e/${key}/go/sign-in`,
      payload: form({ nonsense: 'x' }),
      headers: { ...FORM, origin: 'https://evil.example', 'accept-language': 'en' },
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.body).toContain('This form was sent from another web site');
  });
});

describe('refusals the portal does not turn into pages', () => {
  it('the status route, polled by the page script, answers JSON', async () => {
    const { cookie } = await signIn();
    const res = await app.inject({ url: `/e/${key}/go/enroll/nope/status`, headers: { cookie } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'ENROLLMENT_NOT_FOUND' });
  });

  it('an unexpected failure goes to the app’s error handler, which does not leak its message', async () => {
    const spy = vi.spyOn(f.services.portal, 'devices').mockImplementation(() => {
      throw new Error('disk on fire');
    });
    try {
      const { cookie } = await signIn();
      const res = await app.inject({ url: `/e/${key}/go/home`, headers: { cookie } });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toMatchObject({ code: 'INTERNAL' });
      expect(res.body).not.toContain('disk on fire');
    } finally {
      spy.mockRestore();
    }
  });
});

describe('signing in from an invitation link', () => {
  const post = (invite: string) =>
    app.inject({
      method: 'POST',
      url: `/e/${key}/go/sign-in`,
      payload: form({ email: 'ann@example.com', secret: PASSWORD, invite }),
      headers: FORM,
    });

  it('ignores an invitation that no longer opens', async () => {
    expect((await post('no-such-invitation')).statusCode).toBe(303);
  });

  it('does not swallow other failures of opening it', async () => {
    const spy = vi.spyOn(f.services.invitations, 'open').mockImplementation(() => {
      throw new Error('database is locked');
    });
    try {
      const res = await post('some-invitation');
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain('database is locked');
    } finally {
      spy.mockRestore();
    }
  });
});

describe('the Mac section offers the helper', () => {
  const linkOf = (body: string) => /id="helper-link" href="([^"]+)"/.exec(body)?.[1]?.replace(/&amp;/g, '&') ?? null;
  const home = (cookie: string, platform: string, lang = 'en') =>
    app.inject({ url: `/e/${key}/go/home?platform=${platform}`, headers: { cookie, 'accept-language': lang } });

  it.each([
    ['with a helper build', { kind: 'dmg', size: 12_500_000, path: '/downloads/tsunagu-helper.dmg' } as const],
    ['without one', null],
  ])('%s: a fresh link each time, both ways, and what to do when nothing happens', async (_name, available) => {
    offer = available;
    try {
      const { cookie } = await signIn();
      const first = await home(cookie, 'macos');
      const second = await home(cookie, 'macos');
      const a = linkOf(first.body);
      const b = linkOf(second.body);
      expect(a).toMatch(/^tsunagu:\/\/enroll\?server=https%3A%2F%2F[^&]+&ca=[0-9a-f]{64}&token=[\w-]{22,}$/);
      expect(b).not.toBe(a);
      expect(first.body).toContain(TEXT.en.portal.openInHelper);
      // The steps without the helper are still there, with their own start button.
      expect(first.body).toContain(TEXT.en.portal.macManualTitle);
      expect(first.body).toMatch(/id="mac-manual"[\s\S]*name="platform" value="macos"/);
      if (available) {
        expect(first.body).toContain('id="helper-download" href="/downloads/tsunagu-helper.dmg" download');
        expect(first.body).toContain(TEXT.en.portal.downloadHelper('dmg', '11.9 MB'));
        expect(first.body).toContain(TEXT.en.portal.helperMissing);
      } else {
        expect(first.body).not.toContain('id="helper-download"');
        expect(first.body).toContain(TEXT.en.portal.helperMissingNoDownload);
      }
    } finally {
      offer = null;
    }
  });

  it('the link’s token signs in once, and minting it is audited', async () => {
    const { cookie } = await signIn();
    const link = linkOf((await home(cookie, 'macos', 'ja')).body) as string;
    const token = new URL(link).searchParams.get('token') as string;
    const events = f.services.audit.list({ action: 'portal.helper_link_created', limit: 100 }).items;
    expect(events[0]).toMatchObject({ actorLabel: 'ann@example.com', details: { purpose: 'portal' } });
    const first = await app.inject({ url: `/e/${key}/go/t/${token}` });
    expect(first.statusCode).toBe(303);
    expect(first.cookies.some((c) => c.name === PORTAL_COOKIE)).toBe(true);
    const again = await app.inject({ url: `/e/${key}/go/t/${token}` });
    expect(again.statusCode).toBe(410);
  });

  it.each(['ios', 'android'])('is not on the %s section, which mints no link', async (platform) => {
    const { cookie } = await signIn();
    const before = f.services.audit.list({ action: 'portal.helper_link_created', limit: 500 }).items.length;
    const res = await home(cookie, platform);
    expect(res.body).not.toContain('tsunagu://');
    expect(f.services.audit.list({ action: 'portal.helper_link_created', limit: 500 }).items.length).toBe(before);
  });
});
