// The administrators' routes, attacked: two admins removing each other at the same moment must not leave the server
// without one; the change of one's own password is a password check like sign-in, so it locks out the same way; every
// route needs a session and, when it changes something, the CSRF token; a removed or reset admin's sessions end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../helpers/http.js';
import { HARNESS_ADMIN, startHarness, type Harness } from '../helpers/server-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

const PASSWORD = 'another good password';

/** Adds an admin through the API and returns a client signed in as them. */
async function addAdmin(email: string): Promise<{ id: string; client: AdminClient }> {
  const res = await h.admin.call('POST', '/api/admins', { email, displayName: email, password: PASSWORD });
  expect(res.status, res.text).toBe(201);
  const id = res.json<{ admin: { id: string } }>().admin.id;
  const client = new AdminClient(h.server.adminUrl);
  const login = await client.call('POST', '/api/auth/login', { email, password: PASSWORD });
  expect(login.status, login.text).toBe(200);
  return { id, client };
}

const adminCount = () => h.server.services.admins.list().length;
const selfId = async () => (await h.admin.call('GET', '/api/auth/session')).json<{ admin: { id: string } }>().admin.id;

describe('at least one administrator always remains', () => {
  it('two admins removing each other at once: one removal wins, the other is refused', async () => {
    const a = await selfId();
    const b = await addAdmin('second@example.com');
    expect(adminCount()).toBe(2);
    const [byA, byB] = await Promise.all([
      h.admin.call('DELETE', `/api/admins/${b.id}`),
      b.client.call('DELETE', `/api/admins/${a}`),
    ]);
    expect(adminCount()).toBe(1);
    const statuses = [byA.status, byB.status].sort();
    expect(statuses[0]).toBe(204);
    // The loser is refused: as the last admin's remover (409 LAST_ADMIN) or because its own session ended (401).
    expect([401, 409]).toContain(statuses[1]);
    // Whoever lost, the server still has an admin who can sign in.
    const left = h.server.services.admins.list()[0];
    expect(left).toBeDefined();
    // B won: go on as B.
    if (left?.id !== a) h.admin = b.client;
  });

  it('three admins each removing the two others at once leave at least one', async () => {
    const others = [await addAdmin('x1@example.com'), await addAdmin('x2@example.com')];
    const all = [{ id: await selfId(), client: h.admin }, ...others];
    const before = adminCount();
    const calls = all.flatMap((me) =>
      all.filter((o) => o.id !== me.id).map((o) => me.client.call('DELETE', `/api/admins/${o.id}`)),
    );
    const results = await Promise.all(calls);
    expect(adminCount()).toBeGreaterThanOrEqual(1);
    expect(results.filter((r) => r.status === 204).length).toBe(before - adminCount());
    // Put the harness admin back on a surviving account for the tests below.
    const survivor = all.find((x) => h.server.services.admins.list().some((row) => row.id === x.id));
    h.admin = survivor!.client;
  });

  it('the last admin cannot be removed, not even by themselves', async () => {
    for (const row of h.server.services.admins.list()) {
      if (row.id === (await selfId())) continue;
      expect((await h.admin.call('DELETE', `/api/admins/${row.id}`)).status).toBe(204);
    }
    const res = await h.admin.call('DELETE', `/api/admins/${await selfId()}`);
    expect([res.status, res.json().code]).toEqual([409, 'ADMIN_REMOVE_SELF']);
    expect(adminCount()).toBe(1);
  });
});

describe('removing or resetting an admin ends their sessions', () => {
  it('a removed admin is signed out at once', async () => {
    const b = await addAdmin('removed@example.com');
    expect((await b.client.call('GET', '/api/admins')).status).toBe(200);
    expect((await h.admin.call('DELETE', `/api/admins/${b.id}`)).status).toBe(204);
    expect((await b.client.call('GET', '/api/admins')).status).toBe(401);
  });

  it('a reset admin is signed out and must change the temporary password first', async () => {
    const b = await addAdmin('reset@example.com');
    const res = await h.admin.call('POST', `/api/admins/${b.id}/reset-password`);
    expect(res.status, res.text).toBe(200);
    const temporary = res.json<{ temporaryPassword: string }>().temporaryPassword;
    expect((await b.client.call('GET', '/api/admins')).status).toBe(401);
    const fresh = new AdminClient(h.server.adminUrl);
    await fresh.call('POST', '/api/auth/login', { email: 'reset@example.com', password: temporary });
    const refused = await fresh.call('GET', '/api/admins');
    expect([refused.status, refused.json().code]).toEqual([403, 'AUTH_PASSWORD_CHANGE_REQUIRED']);
    const changed = await fresh.call('POST', '/api/auth/password', {
      currentPassword: temporary,
      newPassword: 'a brand new password',
    });
    expect(changed.status, changed.text).toBe(200);
    expect((await fresh.call('GET', '/api/admins')).status).toBe(200);
  });
});

describe('changing my own password', () => {
  it('locks out after repeated wrong current passwords, even for the right one', async () => {
    const b = await addAdmin('guesser@example.com');
    const wrong = () =>
      b.client.call('POST', '/api/auth/password', {
        currentPassword: 'not my password',
        newPassword: 'whatever long 1',
      });
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) codes.push((await wrong()).json<{ code: string }>().code);
    expect(codes.slice(0, 4)).toEqual(Array(4).fill('AUTH_INVALID_CREDENTIALS'));
    expect(codes.at(-1)).toBe('AUTH_LOCKED');
    const right = await b.client.call('POST', '/api/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new password',
    });
    expect([right.status, right.json().code]).toEqual([429, 'AUTH_LOCKED']);
  });
});

describe('every administrators route needs a session and the CSRF token', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', '/api/admins'],
    ['POST', '/api/admins', { email: 'c@example.com', displayName: 'C', password: PASSWORD }],
    ['DELETE', '/api/admins/00000000-0000-0000-0000-000000000000'],
    ['POST', '/api/admins/00000000-0000-0000-0000-000000000000/reset-password'],
    ['POST', '/api/auth/password', { currentPassword: HARNESS_ADMIN.password, newPassword: 'x'.repeat(20) }],
    ['GET', '/api/console-access'],
    ['PUT', '/api/console-access', { lanAdmin: true }],
  ];
  it.each(routes)('%s %s without a session: 401', async (method, path, body) => {
    const res = await new AdminClient(h.server.adminUrl).call(method, path, body);
    expect([res.status, res.json().code]).toEqual([401, 'AUTH_REQUIRED']);
  });
  it.each(routes.filter(([m]) => m !== 'GET'))('%s %s without the CSRF token: 403', async (method, path, body) => {
    const csrf = h.admin.csrf;
    h.admin.csrf = '';
    try {
      const res = await h.admin.call(method, path, body);
      expect([res.status, res.json().code]).toEqual([403, 'CSRF_INVALID']);
    } finally {
      h.admin.csrf = csrf;
    }
  });
});

describe("the console's LAN setting", () => {
  it('is saved for the next start, audited, and says a restart is needed', async () => {
    const before = await h.admin.call('GET', '/api/console-access');
    expect(before.json()).toEqual({ lanAdminNow: false, lanAdminSaved: false, fromEnv: false, restartNeeded: false });
    const on = await h.admin.call('PUT', '/api/console-access', { lanAdmin: true });
    expect(on.json()).toEqual({ lanAdminNow: false, lanAdminSaved: true, fromEnv: false, restartNeeded: true });
    const event = h.server.services.audit.list({ action: 'settings.updated' }).items[0];
    expect(event?.details).toEqual({ lanAdmin: true, appliesAtNextStart: true });
    const off = await h.admin.call('PUT', '/api/console-access', { lanAdmin: false });
    expect(off.json()).toMatchObject({ lanAdminSaved: false, restartNeeded: false });
    const bad = await h.admin.call('PUT', '/api/console-access', { lanAdmin: 'yes' });
    expect(bad.status).toBe(400);
  });
});
