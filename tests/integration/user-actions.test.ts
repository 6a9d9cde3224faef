// The Users page's actions through the admin API, with a real SMTP server: a CSV import that invites everyone it
// added, a password reset by email (link + one-time PIN, then a new password at the portal), a temporary password
// that must be changed at the first portal sign-in, a new PIN for a user's open invitation, and bulk actions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { handOff, invitationLinkIn } from '../helpers/first-visit.js';
import { send } from '../helpers/http.js';
import { PortalClient } from '../helpers/portal-client.js';
import { addUser, local, startHarness, type Harness } from '../helpers/server-harness.js';
import { sinkSmtpSettings, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const PASSWORD = 'the first long password';
const NEW = 'a brand new long password';

let h: Harness;
let smtp: SmtpSink;
let caPem: string;
let origin: string;
let base: string;

const pinIn = (text: string) => /PIN[^:\n]*: (\d{6,8})/.exec(text)?.[1] ?? null;
const toOf = (mail: ParsedMail) => (mail.to && 'text' in mail.to ? mail.to.text : '');

/** Sends what the outbox holds and returns the messages that arrived since `before`. */
async function delivered(before: number, n: number): Promise<ParsedMail[]> {
  await h.server.services.tick();
  return (await smtp.waitFor(before + n)).slice(before);
}

async function signIn(email: string, secret: string): Promise<{ client: PortalClient; status: number; next: string }> {
  const client = new PortalClient(origin, caPem, undefined, 'en-US');
  const res = await client.post(`${base}/sign-in`, { email, secret });
  return { client, status: res.status, next: String(res.headers.location ?? '') };
}

async function setPassword(client: PortalClient, password: string): Promise<number> {
  const page = await client.get(`${base}/password`);
  expect(page.text).not.toContain('name="current"');
  return (await client.post(`${base}/password`, { csrf: client.csrf(), password, confirm: password })).status;
}

beforeAll(async () => {
  smtp = await startSmtpSink();
  h = await startHarness();
  caPem = h.server.services.ca.caCertificate().pem;
  origin = new URL(local(h.server.enrollmentUrl)).origin;
  base = String((await send(`${origin}/go`, { ca: caPem })).headers.location);
  expect((await h.admin.call('PUT', '/api/mail/smtp', sinkSmtpSettings(smtp))).status).toBe(200);
});
afterAll(async () => {
  await h.stop();
  await smtp.close();
});

describe('CSV import with invitations', () => {
  it('adds every row, then emails each new user an invitation with a PIN, in their language', async () => {
    const before = smtp.messages.length;
    const csv = 'email,displayName,locale\ncsv-1@example.com,佐藤 花子,ja\ncsv-2@example.com,Ann Lee,en\n';
    const res = await h.admin.call('POST', '/api/users/import?fileName=staff.csv&sendInvitations=true', csv, {
      contentType: 'text/csv',
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json()).toMatchObject({
      created: [{ email: 'csv-1@example.com' }, { email: 'csv-2@example.com' }],
      invited: 2,
    });
    const mails = await delivered(before, 2);
    const byTo = new Map(mails.map((m) => [toOf(m), m]));
    expect(byTo.get('csv-1@example.com')?.subject).toBe('Tsunagu デバイス登録のご案内');
    expect(byTo.get('csv-2@example.com')?.subject).toBe('Enroll your device for Tsunagu');
    for (const m of mails) expect(pinIn(m.text ?? '')).toMatch(/^\d{6,8}$/);
    const audit = (await h.admin.call('GET', '/api/audit?action=invitation.created&limit=10')).text;
    expect(audit).toContain('csv-2@example.com');
  });

  it('without the option, imports and sends nothing', async () => {
    const before = h.server.services.mail.outbox(500).items.length;
    const res = await h.admin.call(
      'POST',
      '/api/users/import?fileName=quiet.csv',
      'email,displayName\nquiet@example.com,Q\n',
      {
        contentType: 'text/csv',
      },
    );
    expect(res.status).toBe(201);
    expect(res.json<{ invited?: number }>().invited).toBeUndefined();
    expect(h.server.services.mail.outbox(500).items.length).toBe(before);
  });
});

describe('password reset by email', () => {
  it('voids the old password, emails a link and PIN, and the PIN leads to choosing a new password', async () => {
    const id = await addUser(h, 'reset@example.com', PASSWORD);
    const before = smtp.messages.length;
    const res = await h.admin.call('POST', `/api/users/${id}/reset-password`);
    expect(res.status, res.text).toBe(200);
    expect(res.json()).toMatchObject({ user: { hasPassword: false }, invitationId: expect.any(String) });
    const [mail] = await delivered(before, 1);
    expect(mail?.subject).toBe('Choose a new password for Tsunagu');
    expect(mail?.text).toContain('reset your password; the old one no longer works');
    const pin = pinIn(mail?.text ?? '') as string;
    expect(pin).toMatch(/^\d{6,8}$/);
    expect(handOff(invitationLinkIn(mail?.text ?? ''), origin)).toContain('/i/');
    expect((await signIn('reset@example.com', PASSWORD)).status).not.toBe(303);
    const withPin = await signIn('reset@example.com', pin);
    expect(withPin.status).toBe(303);
    expect(withPin.next).toMatch(/\/password$/);
    expect(await setPassword(withPin.client, NEW)).toBe(303);
    expect((await signIn('reset@example.com', NEW)).status).toBe(303);
  });
});

describe('temporary password', () => {
  it('works once at the portal, which asks for a new one before anything else', async () => {
    const id = await addUser(h, 'temp@example.com', PASSWORD);
    const res = await h.admin.call('POST', `/api/users/${id}/temporary-password`);
    const { password } = res.json<{ password: string }>();
    const first = await signIn('temp@example.com', password);
    expect(first.next).toMatch(/\/password$/);
    // Until it is changed, the home page sends the user back to the password page.
    expect(String((await first.client.get(`${base}/home`)).headers.location ?? '')).toMatch(/\/password$/);
    expect(await setPassword(first.client, NEW)).toBe(303);
    expect((await first.client.get(`${base}/home`)).status).toBe(200);
    expect((await h.admin.call('GET', `/api/users/${id}`)).json()).toMatchObject({ mustChangePassword: false });
    expect((await signIn('temp@example.com', password)).status).not.toBe(303);
  });
});

describe('new PIN from the user', () => {
  it('replaces the PIN of the open invitation and emails it; without an open invitation it says what to do', async () => {
    const id = await addUser(h, 'pin@example.com');
    const none = await h.admin.call('POST', `/api/users/${id}/pin`);
    expect(none.status).toBe(404);
    expect(none.json()).toMatchObject({ code: 'INVITATION_NOT_FOUND' });
    expect(none.json<{ message: string }>().message).toContain('Send an invitation');
    await h.admin.call('POST', '/api/invitations', { userIds: [id] });
    const before = smtp.messages.length;
    const res = await h.admin.call('POST', `/api/users/${id}/pin`);
    expect(res.status).toBe(200);
    const { pin } = res.json<{ pin: string }>();
    const mails = await delivered(before, 1);
    expect(mails.some((m) => m.text?.includes(pin))).toBe(true);
    expect((await signIn('pin@example.com', pin)).status).toBe(303);
  });
});

describe('bulk actions', () => {
  it('disable, enable and delete several users, counting what changed; deleting withdraws invitations', async () => {
    const a = await addUser(h, 'bulk-1@example.com');
    const b = await addUser(h, 'bulk-2@example.com');
    await h.admin.call('POST', '/api/invitations', { userIds: [a] });
    const off = await h.admin.call('POST', '/api/users/bulk', { action: 'disable', ids: [a, b, a] });
    expect(off.json()).toMatchObject({ action: 'disable', changed: 2, unchanged: 0 });
    const again = await h.admin.call('POST', '/api/users/bulk', { action: 'disable', ids: [a, b] });
    expect(again.json()).toMatchObject({ changed: 0, unchanged: 2 });
    const on = await h.admin.call('POST', '/api/users/bulk', { action: 'enable', ids: [a] });
    expect(on.json()).toMatchObject({ changed: 1 });
    const gone = await h.admin.call('POST', '/api/users/bulk', { action: 'delete', ids: [a, b] });
    expect(gone.json()).toMatchObject({ action: 'delete', changed: 2, invitationsRevoked: 1 });
    expect((await h.admin.call('GET', '/api/users?q=bulk-')).json()).toMatchObject({ total: 0 });
    const audit = (await h.admin.call('GET', '/api/audit?action=user.deleted&limit=10')).json<{
      items: { details: Record<string, unknown> }[];
    }>();
    expect(audit.items[0]?.details).toMatchObject({ batch: 2 });
  });
});
