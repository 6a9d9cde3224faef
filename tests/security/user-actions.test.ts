// The admin's actions on users, attacked: a password an admin replaces because it leaked must take the sessions and
// sign-in QR codes opened with it along; a deleted user's invitation link and PIN must die with the account; the new
// routes answer only a signed-in admin, act on live users only, and keep their limits (bulk size, CSV size and rows),
// changing nothing when they refuse. A temporary password is shown once and never written to the audit trail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRow } from '../../server/modules/users/users.store.js';
import { MAX_BATCH, MAX_BULK } from '../../server/modules/users/users.limits.js';
import { send } from '../helpers/http.js';
import { PortalClient } from '../helpers/portal-client.js';
import { addUser, local, startHarness, type Harness } from '../helpers/server-harness.js';

const PASSWORD = 'the first long password';

let h: Harness;
let caPem: string;
let origin: string;
let base: string;
let adminBase: string;

beforeAll(async () => {
  h = await startHarness();
  caPem = h.server.services.ca.caCertificate().pem;
  origin = new URL(local(h.server.enrollmentUrl)).origin;
  const go = await send(`${origin}/go`, { ca: caPem });
  base = String(go.headers.location);
  adminBase = h.admin.baseUrl;
});
afterAll(async () => {
  await h.stop();
});

/** A portal client signed in with a password or PIN. */
async function signedIn(email: string, secret: string): Promise<PortalClient> {
  const client = new PortalClient(origin, caPem, undefined, 'en-US');
  const res = await client.post(`${base}/sign-in`, { email, secret });
  expect(res.status, res.text).toBe(303);
  return client;
}

/** Whether a portal client's session still opens the home page. */
async function stillSignedIn(client: PortalClient): Promise<boolean> {
  return (await client.get(`${base}/home`)).status === 200;
}

/** A sign-in QR code minted by the user's session, not yet scanned. */
function qrToken(id: string, email: string): string {
  return h.server.services.portal.createSignInToken({ user: { id, email } as UserRow }, 'portal', null).token;
}

async function redeems(token: string): Promise<boolean> {
  const phone = new PortalClient(origin, caPem, undefined, 'en-US');
  return (await phone.get(`${base}/t/${token}`)).status === 303 && (await stillSignedIn(phone));
}

const userOf = async (id: string) => (await h.admin.call('GET', `/api/users/${id}`)).json<Record<string, unknown>>();
const outboxTo = (email: string) => h.server.services.mail.outbox(500).items.filter((m) => m.to === email);

describe('a password an admin replaces or removes', () => {
  it.each([
    [
      'set by the admin (PATCH)',
      (id: string) => h.admin.call('PATCH', `/api/users/${id}`, { password: 'a new one, long enough' }),
    ],
    ['replaced by a temporary one', (id: string) => h.admin.call('POST', `/api/users/${id}/temporary-password`)],
    ['reset by email', (id: string) => h.admin.call('POST', `/api/users/${id}/reset-password`)],
    ['removed (PATCH null)', (id: string) => h.admin.call('PATCH', `/api/users/${id}`, { password: null })],
  ])('%s ends the sessions and unscanned QR codes opened with the old one', async (label, change) => {
    const email = `leaked-${label.replace(/\W+/g, '-')}@example.com`;
    const id = await addUser(h, email, PASSWORD);
    const thief = await signedIn(email, PASSWORD);
    const token = qrToken(id, email);
    expect(await stillSignedIn(thief)).toBe(true);
    const res = await change(id);
    expect(res.status, res.text).toBe(200);
    expect(await stillSignedIn(thief)).toBe(false);
    expect(await redeems(token)).toBe(false);
  });

  it('disabling ends the sessions too, and enabling does not bring them back', async () => {
    const id = await addUser(h, 'paused@example.com', PASSWORD);
    const client = await signedIn('paused@example.com', PASSWORD);
    const token = qrToken(id, 'paused@example.com');
    expect((await h.admin.call('POST', '/api/users/bulk', { action: 'disable', ids: [id] })).status).toBe(200);
    expect((await h.admin.call('POST', '/api/users/bulk', { action: 'enable', ids: [id] })).status).toBe(200);
    expect(await stillSignedIn(client)).toBe(false);
    expect(await redeems(token)).toBe(false);
  });
});

describe('a deleted user', () => {
  it('takes the open invitation along: link and PIN withdrawn, queued email cancelled, sessions ended', async () => {
    const id = await addUser(h, 'leaver@example.com', PASSWORD);
    const client = await signedIn('leaver@example.com', PASSWORD);
    const invited = await h.admin.call('POST', '/api/invitations', { userIds: [id] });
    const invitationId = invited.json<{ invitations: { id: string }[] }>().invitations[0]?.id as string;
    expect((await h.admin.call('DELETE', `/api/users/${id}`)).status).toBe(204);
    expect(h.server.services.invitations.get(invitationId).status).toBe('revoked');
    expect(outboxTo('leaver@example.com').map((m) => m.status)).toEqual(['cancelled']);
    expect(await stillSignedIn(client)).toBe(false);
  });

  it.each(['pin', 'reset-password', 'temporary-password'])('cannot be acted on: POST %s is refused', async (action) => {
    const id = await addUser(h, `gone-${action}@example.com`);
    expect((await h.admin.call('DELETE', `/api/users/${id}`)).status).toBe(204);
    const res = await h.admin.call('POST', `/api/users/${id}/${action}`);
    expect(res.json<{ code: string }>().code).toBe('USER_DELETED');
    expect(outboxTo(`gone-${action}@example.com`)).toEqual([]);
  });

  it('an unknown id is refused the same way, never a crash', async () => {
    for (const action of ['pin', 'reset-password', 'temporary-password']) {
      const res = await h.admin.call('POST', `/api/users/no-such-user/${action}`);
      expect(res.status).toBe(404);
      expect(res.json<{ code: string }>().code).toBe('USER_NOT_FOUND');
    }
  });
});

describe('who may act', () => {
  const routes: [string, string, unknown][] = [
    ['POST', '/api/users/bulk', { action: 'delete', ids: ['x'] }],
    ['POST', '/api/users/x/pin', undefined],
    ['POST', '/api/users/x/reset-password', undefined],
    ['POST', '/api/users/x/temporary-password', undefined],
    ['POST', '/api/users/import?sendInvitations=true', 'email,displayName\nx@example.com,X\n'],
  ];

  it.each(routes)('%s %s without an admin session: 401, nothing changes', async (method, path, body) => {
    const id = await addUser(h, `victim-${path.replace(/\W+/g, '-')}@example.com`, PASSWORD);
    const res = await send(new URL(path.replace('/x/', `/${id}/`), adminBase).href, {
      method,
      headers: { 'content-type': typeof body === 'string' ? 'text/csv' : 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body ?? {}),
    });
    expect(res.status).toBe(401);
    expect(await userOf(id)).toMatchObject({ hasPassword: true, mustChangePassword: false, disabled: false });
  });

  it('a signed-in portal user is not an admin: the portal cookie opens no admin route', async () => {
    const id = await addUser(h, 'curious@example.com', PASSWORD);
    const client = await signedIn('curious@example.com', PASSWORD);
    const cookie = client.cookieHeader();
    const res = await send(new URL(`/api/users/${id}/temporary-password`, adminBase).href, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
  });
});

describe('limits', () => {
  it(`a bulk action takes at most ${MAX_BULK} users; more is refused and nothing changes`, async () => {
    const id = await addUser(h, 'bulk-limit@example.com');
    const ids = [id, ...Array.from({ length: MAX_BULK }, (_, i) => `id-${i}`)];
    const res = await h.admin.call('POST', '/api/users/bulk', { action: 'disable', ids });
    expect(res.status).toBe(400);
    expect(await userOf(id)).toMatchObject({ disabled: false });
  });

  it('a bulk action with one unknown user changes none of the others', async () => {
    const a = await addUser(h, 'bulk-a@example.com');
    const b = await addUser(h, 'bulk-b@example.com');
    const res = await h.admin.call('POST', '/api/users/bulk', { action: 'delete', ids: [a, 'not-a-user', b] });
    expect(res.status).toBe(404);
    expect(res.json<{ code: string }>().code).toBe('USER_NOT_FOUND');
    expect((await h.admin.call('GET', `/api/users/${a}`)).status).toBe(200);
    expect((await h.admin.call('GET', `/api/users/${b}`)).status).toBe(200);
  });

  it('an unknown bulk action or a body of the wrong shape is a 400', async () => {
    for (const body of [{ action: 'promote', ids: ['x'] }, { action: 'delete', ids: [] }, { action: 'delete' }]) {
      expect((await h.admin.call('POST', '/api/users/bulk', body)).status).toBe(400);
    }
  });

  it('a CSV file over 5 MB is refused before it is read', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 'a');
    const res = await h.admin.call('POST', '/api/users/import?sendInvitations=true', big, { contentType: 'text/csv' });
    expect(res.status).toBe(413);
  });

  it(`a CSV file of more than ${MAX_BATCH} users is refused: no user, no email`, async () => {
    const rows = Array.from({ length: MAX_BATCH + 1 }, (_, i) => `many-${i}@example.com,Many ${i}`);
    const before = (await h.admin.call('GET', '/api/users?limit=1')).json<{ total: number }>().total;
    const res = await h.admin.call(
      'POST',
      '/api/users/import?sendInvitations=true&fileName=many.csv',
      `email,displayName\n${rows.join('\n')}\n`,
      { contentType: 'text/csv' },
    );
    expect(res.status).toBe(400);
    expect((await h.admin.call('GET', '/api/users?limit=1')).json<{ total: number }>().total).toBe(before);
    expect(outboxTo('many-0@example.com')).toEqual([]);
  });

  it('a CSV file with one bad row imports nobody and queues no invitation', async () => {
    const csv = 'email,displayName\nfine-1@example.com,Fine One\nnot-an-email,Broken\nfine-2@example.com,Fine Two\n';
    const res = await h.admin.call('POST', '/api/users/import?sendInvitations=true&fileName=bad.csv', csv, {
      contentType: 'text/csv',
    });
    expect(res.status).toBe(400);
    expect(res.json<{ code: string }>().code).toBe('CSV_INVALID');
    expect((await h.admin.call('GET', '/api/users?q=fine-')).json<{ total: number }>().total).toBe(0);
    expect([...outboxTo('fine-1@example.com'), ...outboxTo('fine-2@example.com')]).toEqual([]);
  });
});

describe('a temporary password', () => {
  it('is shown once, not cached, never in the audit trail, and must be changed at the next sign-in', async () => {
    const id = await addUser(h, 'temp@example.com', PASSWORD);
    const res = await h.admin.call('POST', `/api/users/${id}/temporary-password`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { password, user } = res.json<{ password: string; user: { mustChangePassword: boolean } }>();
    expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(user.mustChangePassword).toBe(true);
    const audit = await h.admin.call('GET', '/api/audit?limit=500');
    expect(audit.text).toContain('user.temporary_password_set');
    expect(audit.text).not.toContain(password);
    expect(audit.text).not.toContain(password.replace(/-/g, ''));
    const client = new PortalClient(origin, caPem, undefined, 'en-US');
    const signIn = await client.post(`${base}/sign-in`, { email: 'temp@example.com', secret: password });
    expect(signIn.status).toBe(303);
    expect(String(signIn.headers.location)).toMatch(/\/password$/);
    const old = await new PortalClient(origin, caPem).post(`${base}/sign-in`, {
      email: 'temp@example.com',
      secret: PASSWORD,
    });
    expect(old.status).not.toBe(303);
  });

  it('a password reset or new PIN for a disabled user is refused and the password stays', async () => {
    const id = await addUser(h, 'off@example.com', PASSWORD);
    await h.admin.call('POST', '/api/invitations', { userIds: [id] });
    const before = outboxTo('off@example.com').length;
    await h.admin.call('PATCH', `/api/users/${id}`, { disabled: true });
    const res = await h.admin.call('POST', `/api/users/${id}/reset-password`);
    expect(res.status).toBe(400);
    expect(res.json<{ message: string }>().message).toContain('enable the user');
    const pin = await h.admin.call('POST', `/api/users/${id}/pin`);
    expect(pin.status).toBe(400);
    expect(pin.json<{ message: string }>().message).toContain('enable the user');
    expect(await userOf(id)).toMatchObject({ hasPassword: true });
    expect(outboxTo('off@example.com')).toHaveLength(before);
  });
});
