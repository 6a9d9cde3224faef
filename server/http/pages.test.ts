import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANG_COOKIE, negotiateLang, otherLangHref, pageLang } from './pages.js';

describe('negotiateLang', () => {
  it.each([
    // ?lang= wins over everything
    [{ query: 'en', cookie: 'ja', acceptLanguage: 'ja' }, 'en'],
    [{ query: 'ja', cookie: 'en', acceptLanguage: 'en-US' }, 'ja'],
    // then the cookie
    [{ cookie: 'en', acceptLanguage: 'ja-JP' }, 'en'],
    [{ cookie: 'ja', acceptLanguage: 'en-US,en;q=0.9' }, 'ja'],
    // an unknown query or cookie value is ignored
    [{ query: 'fr', cookie: 'de', acceptLanguage: 'en' }, 'en'],
    [{ query: ['en'], acceptLanguage: 'ja' }, 'ja'],
    // then Accept-Language by q-weight, not by position
    [{ acceptLanguage: 'ja-JP,ja;q=0.9' }, 'ja'],
    [{ acceptLanguage: 'en-US,en;q=0.8' }, 'en'],
    [{ acceptLanguage: 'en;q=0.5, ja;q=0.8' }, 'ja'],
    [{ acceptLanguage: 'ja;q=0.2,EN-GB;q=0.7,fr' }, 'en'],
    [{ acceptLanguage: 'fr-FR,fr;q=0.9,en;q=0.3,ja;q=0.1' }, 'en'],
    // equal weights keep the header's order; q=0 means "not this one"
    [{ acceptLanguage: 'en, ja' }, 'en'],
    [{ acceptLanguage: 'en;q=0, ja;q=0.1' }, 'ja'],
    // then Japanese
    [{ acceptLanguage: 'fr-FR,de;q=0.5' }, 'ja'],
    [{ acceptLanguage: 'en;q=0' }, 'ja'],
    [{ acceptLanguage: '' }, 'ja'],
    [{}, 'ja'],
  ] as const)('%j -> %s', (sources, expected) => {
    expect(negotiateLang(sources)).toBe(expected);
  });
});

describe('pageLang on a request', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    // trustProxy lets a test say the request came over HTTPS (x-forwarded-proto), as the device listener's do.
    app = Fastify({ trustProxy: true });
    await app.register(cookie);
    app.get('/page', async (request, reply) => {
      const lang = pageLang(request, reply);
      return { lang, other: otherLangHref(request, lang) };
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('remembers ?lang= in a cookie, Secure only over HTTPS', async () => {
    const plain = await app.inject({ url: '/page?lang=en', headers: { 'accept-language': 'ja' } });
    expect(plain.json()).toEqual({ lang: 'en', other: '/page?lang=ja' });
    const set = String(plain.headers['set-cookie']);
    expect(set).toMatch(new RegExp(`^${LANG_COOKIE}=en;`));
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    expect(set).not.toMatch(/Secure/);
    const tls = await app.inject({ url: '/page?lang=ja', headers: { 'x-forwarded-proto': 'https' } });
    expect(String(tls.headers['set-cookie'])).toMatch(/; Secure/);
  });

  it('then follows the cookie over Accept-Language, and sets nothing without ?lang=', async () => {
    const res = await app.inject({
      url: '/page?platform=ios',
      headers: { cookie: `${LANG_COOKIE}=en`, 'accept-language': 'ja-JP' },
    });
    expect(res.json()).toEqual({ lang: 'en', other: '/page?platform=ios&lang=ja' });
    expect(res.headers['set-cookie']).toBeUndefined();
    const header = await app.inject({ url: '/page', headers: { 'accept-language': 'fr, en;q=0.5' } });
    expect(header.json()).toEqual({ lang: 'en', other: '/page?lang=ja' });
  });
});
