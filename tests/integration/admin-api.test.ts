import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, send } from '../helpers/http.js';
import { HARNESS_ADMIN, startHarness, type Harness } from '../helpers/server-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ signIn: false });
});
afterAll(async () => {
  await h.stop();
});

describe('first-run setup and sign-in over HTTP', () => {
  it('reports setup as required, refuses a wrong token, and signs in the first admin with a strict cookie', async () => {
    const anon = new AdminClient(h.server.adminUrl);
    expect((await anon.call('GET', '/api/setup')).json()).toEqual({ setupRequired: true });
    const wrong = await anon.call('POST', '/api/setup', { setupToken: 'nope', ...HARNESS_ADMIN });
    expect(wrong.status).toBe(403);
    expect(wrong.json()).toMatchObject({ code: 'SETUP_TOKEN_INVALID' });
    const ok = await h.admin.call('POST', '/api/setup', { setupToken: h.server.setupToken, ...HARNESS_ADMIN });
    expect(ok.status).toBe(201);
    const cookie = ok.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/^tsunagu_admin=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect((await anon.call('GET', '/api/setup')).json()).toEqual({ setupRequired: false });
    const again = await anon.call('POST', '/api/setup', {
      setupToken: h.server.setupToken,
      ...HARNESS_ADMIN,
      email: 'x@example.com',
    });
    expect(again.json()).toMatchObject({ code: 'SETUP_ALREADY_DONE' });
  });

  it('requires a session, the CSRF token and a same-site origin', async () => {
    const anon = new AdminClient(h.server.adminUrl);
    const res = await anon.call('GET', '/api/users');
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ code: 'AUTH_REQUIRED' });
    const csrf = h.admin.csrf;
    h.admin.csrf = '';
    const noToken = await h.admin.call('POST', '/api/users', { email: 'a@example.com', displayName: 'A' });
    h.admin.csrf = csrf;
    expect(noToken.status).toBe(403);
    expect(noToken.json()).toMatchObject({ code: 'CSRF_INVALID' });
    const foreign = await h.admin.call(
      'POST',
      '/api/users',
      { email: 'a@example.com', displayName: 'A' },
      { headers: { origin: 'https://evil.example' } },
    );
    expect(foreign.status).toBe(403);
    expect(foreign.json()).toMatchObject({ code: 'ORIGIN_REFUSED' });
    expect((await h.admin.call('GET', '/api/users')).json()).toMatchObject({ total: 0 });
  });

  it('signs in and out, and answers 429 with a retry time once locked', async () => {
    const c = new AdminClient(h.server.adminUrl);
    const bad = await c.call('POST', '/api/auth/login', { email: HARNESS_ADMIN.email, password: 'wrong-password' });
    expect(bad.status).toBe(401);
    expect(bad.json()).toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
    const good = await c.call('POST', '/api/auth/login', {
      email: HARNESS_ADMIN.email,
      password: HARNESS_ADMIN.password,
    });
    expect(good.status).toBe(200);
    expect((await c.call('GET', '/api/auth/session')).json()).toMatchObject({ admin: { email: HARNESS_ADMIN.email } });
    expect((await c.call('POST', '/api/auth/logout')).status).toBe(204);
    expect((await c.call('GET', '/api/auth/session')).status).toBe(401);
    let last = bad;
    for (let i = 0; i < 6; i++)
      last = await c.call('POST', '/api/auth/login', { email: 'nobody@example.com', password: 'whatever-wrong' });
    expect(last.status).toBe(429);
    expect(last.json()).toMatchObject({ code: 'AUTH_LOCKED', details: { retryAfterSeconds: expect.any(Number) } });
  });
});

describe('bad input loses nothing', () => {
  const users = async () => (await h.admin.call('GET', '/api/users')).json<{ total: number }>().total;

  it.each([
    [
      'oversized body',
      () => h.admin.call('POST', '/api/users', 'x'.repeat(2 * 1024 * 1024), { contentType: 'application/json' }),
      413,
      'BODY_TOO_LARGE',
    ],
    [
      'malformed JSON',
      () => h.admin.call('POST', '/api/users', '{"email":', { contentType: 'application/json' }),
      400,
      'MALFORMED_JSON',
    ],
    [
      'unknown field',
      () => h.admin.call('POST', '/api/users', { email: 'u@example.com', displayName: 'U', role: 'root' }),
      400,
      'UNKNOWN_FIELD',
    ],
    [
      'wrong type',
      () => h.admin.call('POST', '/api/users', { email: 'u@example.com', displayName: 42 }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'wrong content type',
      () => h.admin.call('POST', '/api/users', '<x/>', { contentType: 'application/xml' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'CSV with one bad row',
      () =>
        h.admin.call(
          'POST',
          '/api/users/import?fileName=staff.csv',
          'email,display_name\nok@example.com,OK\nbroken,Bad\n',
          { contentType: 'text/csv' },
        ),
      400,
      'CSV_INVALID',
    ],
    [
      'batch with one bad row',
      () =>
        h.admin.call('POST', '/api/users/batch', {
          users: [
            { email: 'ok@example.com', displayName: 'OK' },
            { email: 'x', displayName: 'X' },
          ],
        }),
      400,
      'BATCH_INVALID',
    ],
    [
      'unknown user',
      () => h.admin.call('PATCH', '/api/users/does-not-exist', { disabled: true }),
      404,
      'USER_NOT_FOUND',
    ],
    ['empty patch', () => h.admin.call('PATCH', '/api/users/x', {}), 400, 'VALIDATION_FAILED'],
    ['bad audit filter', () => h.admin.call('GET', '/api/audit?actorType=robot'), 400, 'VALIDATION_FAILED'],
  ])('%s -> %s %s, nothing written', async (_name, call, status, code) => {
    const before = await users();
    const res = await call();
    expect(res.status).toBe(status);
    expect(res.json()).toMatchObject({ code, message: expect.any(String) });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{16}$/);
    expect(await users()).toBe(before);
  });

  it('names the field on a duplicate email with 409', async () => {
    expect((await h.admin.call('POST', '/api/users', { email: 'dup@example.com', displayName: 'D' })).status).toBe(201);
    const res = await h.admin.call('POST', '/api/users', { email: 'DUP@example.com', displayName: 'D2' });
    expect(res.status).toBe(409);
    expect(res.json()).toMatchObject({ code: 'EMAIL_TAKEN', details: { field: 'email' } });
  });

  it('stores and returns SQL- and HTML-looking strings literally', async () => {
    const name = `<img src=x onerror=alert(1)> '; DROP TABLE users; --`;
    const res = await h.admin.call('POST', '/api/users', { email: 'lit@example.com', displayName: name });
    expect(res.json()).toMatchObject({ displayName: name });
    const found = (await h.admin.call('GET', `/api/users?q=${encodeURIComponent('DROP TABLE')}`)).json<{
      items: { displayName: string }[];
    }>();
    expect(found.items.map((u) => u.displayName)).toEqual([name]);
  });

  it('imports a Shift_JIS CSV as Excel writes it', async () => {
    const csv = Buffer.from(
      new Uint8Array([
        ...Buffer.from('email,display_name\r\nsjis@example.com,'),
        0x8e,
        0x52,
        0x93,
        0x63,
        0x20,
        0x91,
        0xbe,
        0x98,
        0x59, // 山田 太郎 in Shift_JIS
        ...Buffer.from('\r\n'),
      ]),
    );
    const res = await h.admin.call('POST', '/api/users/import?fileName=sjis.csv', csv, { contentType: 'text/csv' });
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({ created: [{ email: 'sjis@example.com', displayName: '山田 太郎' }] });
  });
});

describe('settings and audit over HTTP', () => {
  it('saves user settings and refuses out-of-range values with the field', async () => {
    const { settings, limits } = (await h.admin.call('GET', '/api/settings/users')).json<{
      settings: Record<string, unknown>;
      limits: Record<string, number[]>;
    }>();
    expect(limits.profileValidityMinutes).toEqual([5, 60]);
    const bad = await h.admin.call('PUT', '/api/settings/users', { ...settings, profileValidityMinutes: 90 });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'body.profileValidityMinutes' } });
    const order = await h.admin.call('PUT', '/api/settings/users', { ...settings, reminderDays: [5, 2] });
    expect(order.json()).toMatchObject({ code: 'SETTINGS_INVALID', details: { field: 'reminderDays' } });
    const ok = await h.admin.call('PUT', '/api/settings/users', { ...settings, profileValidityMinutes: 30 });
    expect(ok.json()).toMatchObject({ settings: { profileValidityMinutes: 30 } });
  });

  it('filters, exports JSON Lines and CSV, and verifies the chain', async () => {
    const page = (await h.admin.call('GET', '/api/audit?action=user.&limit=2')).json<{
      items: { action: string }[];
      nextCursor: string;
    }>();
    expect(page.items).toHaveLength(2);
    expect(page.items.every((e) => e.action.startsWith('user.'))).toBe(true);
    const next = (await h.admin.call('GET', `/api/audit?action=user.&limit=2&cursor=${page.nextCursor}`)).json<{
      items: unknown[];
    }>();
    expect(next.items.length).toBeGreaterThan(0);
    const jsonl = await h.admin.call('GET', '/api/audit/export?format=jsonl');
    expect(jsonl.headers['content-type']).toMatch(/ndjson/);
    expect(jsonl.headers['content-disposition']).toMatch(
      /attachment; filename="tsunagu-audit-\d{4}-\d{2}-\d{2}\.jsonl"/,
    );
    const lines = jsonl.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; seq: number });
    expect(lines.map((l) => l.action)).toEqual(
      expect.arrayContaining([
        'tls.created',
        'admin.setup',
        'admin.login',
        'admin.login_failed',
        'admin.login_locked',
        'user.created',
        'user.import_rejected',
        'user.imported',
        'settings.updated',
        'audit.exported',
      ]),
    );
    expect(lines.map((l) => l.seq)).toEqual([...lines.map((l) => l.seq)].sort((a, b) => a - b));
    const csv = await h.admin.call('GET', '/api/audit/export?format=csv&actorType=admin');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe(
      'seq,id,at,actorType,actorId,actorLabel,action,subjectType,subjectId,subjectLabel,details,sourceAddress,prevHash,hash',
    );
    expect((await h.admin.call('GET', '/api/audit/verify')).json()).toMatchObject({ ok: true, firstBroken: null });
  });
});

describe('the console shell', () => {
  it('serves HTML pages with a strict content security policy', async () => {
    const res = await send(new URL('/users', h.server.adminUrl).href);
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const missing = await send(new URL('/api/nothing-here', h.server.adminUrl).href);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toMatchObject({ code: 'NOT_FOUND' });
  });
});
