// Changing the portal password: whoever holds a signed-in session (a phone left unlocked, a session opened from a
// QR code shown on someone's screen) must not be able to take the account over by setting a new password. The
// current password is asked for, except for the first password chosen right after signing in with the PIN; a
// session opened from a QR code cannot change it at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRow } from '../../server/modules/users/users.store.js';
import { send } from '../helpers/http.js';
import { PortalClient } from '../helpers/portal-client.js';
import { addUser, local, startHarness, type Harness } from '../helpers/server-harness.js';

const PASSWORD = 'the first long password';
const NEW = 'a brand new long password';

let h: Harness;
let caPem: string;
let origin: string;
let base: string;

beforeAll(async () => {
  h = await startHarness();
  caPem = h.server.services.ca.caCertificate().pem;
  origin = new URL(local(h.server.enrollmentUrl)).origin;
  const go = await send(`${origin}/go`, { ca: caPem });
  base = String(go.headers.location);
});
afterAll(async () => {
  await h.stop();
});

const user = (email: string, password?: string): Promise<string> => addUser(h, email, password);

/** A portal client signed in with a password or PIN (the answer is the redirect onward). */
async function signedIn(email: string, secret: string): Promise<{ client: PortalClient; next: string }> {
  const client = new PortalClient(origin, caPem, undefined, 'en-US');
  const res = await client.post(`${base}/sign-in`, { email, secret });
  expect(res.status, res.text).toBe(303);
  return { client, next: String(res.headers.location) };
}

/** Posts the password form from the password page; the status of the answer. */
async function change(client: PortalClient, form: Record<string, string>): Promise<number> {
  const page = await client.get(`${base}/password`);
  expect(page.status).toBe(200);
  const res = await client.post(`${base}/password`, { csrf: client.csrf(), ...form });
  return res.status;
}

/** Whether a password signs the user in. */
async function works(email: string, password: string): Promise<boolean> {
  const res = await new PortalClient(origin, caPem).post(`${base}/sign-in`, { email, secret: password });
  return res.status === 303;
}

describe('changing the portal password', () => {
  it('needs the current password: without it, or with a wrong one, nothing changes', async () => {
    await user('change@example.com', PASSWORD);
    const { client } = await signedIn('change@example.com', PASSWORD);
    expect(await change(client, { password: NEW, confirm: NEW })).toBe(400);
    expect(client.last?.text).toContain('current password');
    expect(await change(client, { current: 'not the current one', password: NEW, confirm: NEW })).toBe(401);
    expect(await works('change@example.com', PASSWORD)).toBe(true);
    expect(await works('change@example.com', NEW)).toBe(false);
    expect(await change(client, { current: PASSWORD, password: NEW, confirm: NEW })).toBe(303);
    expect(await works('change@example.com', NEW)).toBe(true);
  });

  it('shows the current-password field to a password session, not to the first password after a PIN', async () => {
    await user('fields@example.com', PASSWORD);
    const { client } = await signedIn('fields@example.com', PASSWORD);
    const changing = (await client.get(`${base}/password`)).text;
    expect(changing).toContain('name="current"');
    expect(changing).toContain('<h1>Change your password</h1>');

    const id = await user('first@example.com');
    const invited = await h.admin.call('POST', '/api/invitations', { userIds: [id] });
    const invitation = invited.json<{ invitations: { id: string }[] }>().invitations[0]?.id as string;
    const { pin } = (await h.admin.call('POST', `/api/invitations/${invitation}/pin`)).json<{ pin: string }>();
    const withPin = await signedIn('first@example.com', pin);
    expect(withPin.next).toMatch(/\/go\/password$/);
    const first = (await withPin.client.get(`${base}/password`)).text;
    expect(first).not.toContain('name="current"');
    expect(first).toContain('<h1>Set your password</h1>');
    expect(await change(withPin.client, { password: PASSWORD, confirm: PASSWORD })).toBe(303);
    expect(await works('first@example.com', PASSWORD)).toBe(true);
    // Once set, the next change asks for it.
    expect(await change(withPin.client, { password: NEW, confirm: NEW })).toBe(400);
    expect(await works('first@example.com', NEW)).toBe(false);
  });

  it('is refused in a session opened from a QR code, even with the current password', async () => {
    const id = await user('qr@example.com', PASSWORD);
    const row = { id, email: 'qr@example.com' } as UserRow;
    const { token } = h.server.services.portal.createSignInToken({ user: row }, 'portal', null);
    const phone = new PortalClient(origin, caPem, undefined, 'en-US');
    const opened = await phone.get(`${base}/t/${token}`);
    expect(opened.status).toBe(303);
    // The password page explains instead of showing a form; a forged post (the home page's CSRF token) is refused.
    const page = await phone.get(`${base}/password`);
    expect(page.text).toContain('QR code');
    expect(page.text).not.toContain('name="password"');
    expect((await phone.get(`${base}/home`)).status).toBe(200);
    const csrf = phone.csrf();
    const forged = await phone.post(`${base}/password`, { csrf, current: PASSWORD, password: NEW, confirm: NEW });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('QR code');
    expect(await works('qr@example.com', NEW)).toBe(false);
    expect(await works('qr@example.com', PASSWORD)).toBe(true);
  });
});
