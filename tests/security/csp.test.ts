// Every HTML page the server answers with carries the Content-Security-Policy: an injected script or frame would be
// refused by the browser even where a page echoes something. The pages are listed here, listener by listener; a
// source file that starts sending HTML must be added to HTML_SOURCES (and its pages to the tables), or this test fails.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/version.js';
import { send, type TestResponse } from '../helpers/http.js';
import { PortalClient } from '../helpers/portal-client.js';
import { local, startHarness, type Harness } from '../helpers/server-harness.js';

/** The server files that send HTML (sendPage, or a text/html type); each one's pages are in the tables below. */
const HTML_SOURCES = [
  'server/app.ts',
  'server/http/pages.ts',
  'server/modules/ca/ca.routes.ts',
  'server/modules/ca/first-visit.routes.ts',
  'server/modules/enrollment/enrollment.routes.ts',
  'server/modules/enrollment/home.routes.ts',
  'server/modules/portal/portal.routes.ts',
];
const PASSWORD = 'a long password for csp';

let h: Harness;
let caPem: string;
let origin: string;
let key: string;
let phone: PortalClient;
let enrollmentPath: string;

function serverFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? serverFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}
function expectCsp(res: TestResponse, what: string) {
  expect(String(res.headers['content-type']), what).toMatch(/^text\/html/);
  const csp = String(res.headers['content-security-policy'] ?? '');
  expect(csp, `${what}: Content-Security-Policy`).toContain("default-src 'self'");
  expect(csp, `${what}: Content-Security-Policy`).toContain("script-src 'self'");
  expect(csp, `${what}: Content-Security-Policy`).toContain("frame-ancestors 'none'");
  expect(csp, `${what}: Content-Security-Policy`).toContain("object-src 'none'");
}

beforeAll(async () => {
  h = await startHarness();
  caPem = h.server.services.ca.caCertificate().pem;
  origin = local(h.server.enrollmentUrl).replace(/\/$/, '');
  key = h.server.services.urls.current().key;
  const res = await h.admin.call('POST', '/api/users', {
    email: 'csp@example.com',
    displayName: 'CSP User',
    password: PASSWORD,
    locale: 'en',
  });
  expect(res.status).toBe(201);
  phone = new PortalClient(origin, caPem, undefined, 'en');
  expect((await phone.post(`/e/${key}/go/sign-in`, { email: 'csp@example.com', secret: PASSWORD })).status).toBe(303);
  await phone.get(`/e/${key}/go/home`);
  const enroll = await phone.post(`/e/${key}/go/enroll`, { csrf: phone.csrf(), platform: 'ios' });
  expect(enroll.status).toBe(303);
  enrollmentPath = new URL(enroll.headers.location as string, origin).pathname;
});
afterAll(async () => {
  await h?.stop();
});

describe('every HTML response carries the Content-Security-Policy', () => {
  it('lists every server file that sends HTML', () => {
    const senders = serverFiles(join(PROJECT_ROOT, 'server'))
      .filter((f) => !f.endsWith('.test.ts'))
      .filter((f) => /sendPage\(|text\/html/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(PROJECT_ROOT, f))
      .sort();
    expect(senders).toEqual([...HTML_SOURCES].sort());
  });

  it.each([
    ['home page', '/', 200],
    ['portal sign-in', '/e/{key}/go', 200],
    ['invitation link that is not valid', '/e/{key}/i/not-a-token/go', 404],
    ['QR sign-in token that is not valid', '/e/{key}/go/t/not-a-token', 410],
    ['profile link that is not valid', '/profile/not-a-token', 404],
  ] as const)('device listener, anonymous: %s', async (what, path, status) => {
    const res = await send(`${origin}${path.replace('{key}', key)}`, { ca: caPem, headers: { accept: 'text/html' } });
    expect(res.status, what).toBe(status);
    expectCsp(res, what);
  });

  it.each([
    ['portal home', () => `/e/${key}/go/home`],
    ['an enrollment page', () => enrollmentPath],
    ['change password page', () => `/e/${key}/go/password`],
  ] as const)('device listener, signed in: %s', async (what, path) => {
    const res = await phone.get(path());
    expect(res.status, what).toBe(200);
    expectCsp(res, what);
  });

  it('device listener: a refused sign-in answers with the sign-in page, with the policy', async () => {
    const res = await new PortalClient(origin, caPem, undefined, 'en').post(`/e/${key}/go/sign-in`, {
      email: 'csp@example.com',
      secret: 'wrong password',
    });
    expect(res.status).toBe(401);
    expectCsp(res, 'refused sign-in');
  });

  it.each([
    ['/trust', '/trust', 200],
    ['first-visit page', '/e/{key}/go', 200],
    ['first-visit page under an unknown key', '/e/unknownkey/go', 404],
  ] as const)('bootstrap (plain HTTP) listener: %s', async (what, path, status) => {
    const base = new URL(local(h.server.bootstrapUrl)).origin;
    const res = await send(`${base}${path.replace('{key}', key)}`, { headers: { accept: 'text/html' } });
    expect(res.status, what).toBe(status);
    expectCsp(res, what);
  });

  it.each([
    ['console', '/'],
    ['console shell as a file', '/index.html'],
    ['console route (users)', '/users'],
    ['setup page', '/setup'],
    ['unknown page (the console shows its 404)', '/no-such-page'],
  ] as const)('admin listener: %s', async (what, path) => {
    const res = await send(`${h.server.adminUrl.replace(/\/$/, '')}${path}`, { headers: { accept: 'text/html' } });
    expect(res.status, what).toBe(200);
    expectCsp(res, what);
  });
});

describe('the admin console policy is strict', () => {
  it('allows no inline script and no inline style, with each style directive stated', async () => {
    const res = await send(h.server.adminUrl, { headers: { accept: 'text/html' } });
    const csp = String(res.headers['content-security-policy'] ?? '');
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((words) => words[0])
        .map(([name, ...values]) => [name as string, values.join(' ')]),
    );
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('script-src-attr')).toBe("'none'");
    expect(directives.get('style-src')).toBe("'self'");
    expect(directives.get('style-src-elem')).toBe("'self'");
    expect(directives.get('style-src-attr')).toBe("'none'");
    expect(directives.get('connect-src')).toBe("'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|'nonce-|'sha\d+-/);
  });

  it('serves a console shell with no inline script and no inline style', async () => {
    const res = await send(h.server.adminUrl, { headers: { accept: 'text/html' } });
    const html = res.body.toString('utf8');
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [tag, body] of scripts) {
      expect(tag, 'a script of the console shell').toMatch(/\ssrc="\/assets\//);
      expect(body?.trim(), 'a script of the console shell').toBe('');
    }
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });
});
