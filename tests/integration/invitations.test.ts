import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../server/core/clock.js';
import { EmulatedAppleDevice, iphoneSpec } from '../helpers/apple-device.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { PortalClient } from '../helpers/portal-client.js';
import { handOff, invitationLinkIn } from '../helpers/first-visit.js';
import { send } from '../helpers/http.js';
import { HARNESS_ADMIN, local, startHarness, type Harness } from '../helpers/server-harness.js';
import { sinkSmtpSettings, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const clock = new FakeClock(new Date());
let h: Harness;
let smtp: SmtpSink;
let caPem: string;
let origin: string;

const tick = () => h.server.services.tick();
/** Moves the fake clock; the admin session idles out on long jumps, so sign in again. */
async function advance(ms: number) {
  clock.advance(ms);
  const res = await h.admin.call('POST', '/api/auth/login', {
    email: HARNESS_ADMIN.email,
    password: HARNESS_ADMIN.password,
  });
  if (res.status !== 200) throw new Error(`re-login failed: ${res.status} ${res.text}`);
}
/** The HTTPS portal page an email's link leads to: the first-visit page hands on there (tests/helpers/first-visit.ts). */
const linkIn = (text: string) => handOff(invitationLinkIn(text), origin);
const pinIn = (text: string) => /PIN[^:\n]*: (\d{6,8})/.exec(text)?.[1] ?? null;
const invitationOf = async (userId: string) =>
  (await h.admin.call('GET', `/api/invitations?userId=${userId}`)).json<{
    items: { id: string; status: string; remindersSent: number; mailStatus: string }[];
  }>().items[0];

beforeAll(async () => {
  smtp = await startSmtpSink();
  h = await startHarness({ clock });
  caPem = h.server.services.ca.caCertificate().pem;
  origin = local(h.server.enrollmentUrl).replace(/\/$/, '');
  const push = fakePushCertificate({ now: clock.now() });
  await h.admin.call('PUT', '/api/push/certificate', { certificatePem: push.certPem, privateKeyPem: push.keyPem });
  const smtpRes = await h.admin.call('PUT', '/api/mail/smtp', sinkSmtpSettings(smtp));
  expect(smtpRes.status).toBe(200);
});
afterAll(async () => {
  await h.stop();
  await smtp.close();
});

describe('mail', () => {
  it('test-sends through the configured SMTP server', async () => {
    const res = await h.admin.call('POST', '/api/mail/test', { to: 'admin@office.example' });
    expect(res.json()).toMatchObject({ ok: true });
    const [mail] = await smtp.waitFor(1);
    expect(mail?.subject).toContain('Tsunagu');
    expect(mail?.from?.text).toContain('mdm@office.example');
  });
});

describe('an invitation, from email to an enrolled iPhone', () => {
  let userId: string;
  let link: string;
  let firstMail = '';
  const phone = new PortalClient('', '');

  it('sends the invitation email with the /go link, a PIN, a QR image and the steps, in the user’s language', async () => {
    const before = smtp.messages.length;
    const res = await h.admin.call('POST', '/api/users', {
      email: 'yamada@example.com',
      displayName: '山田 太郎',
      locale: 'ja',
      sendInvitation: true,
    });
    expect(res.status).toBe(201);
    userId = res.json<{ id: string }>().id;
    await tick();
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail?.subject).toBe('Tsunagu デバイス登録のご案内');
    expect(mail?.to && 'text' in mail.to ? mail.to.text : '').toBe('yamada@example.com');
    firstMail = mail?.text ?? '';
    link = linkIn(mail?.text ?? '');
    expect(link).toMatch(/\/e\/[A-Za-z0-9_-]+\/i\/[A-Za-z0-9_-]+\/go$/);
    expect(pinIn(mail?.text ?? '')).toMatch(/^\d{6}$/);
    expect(mail?.text).toContain('設定 > プロファイルがダウンロードされました');
    expect(mail?.html).toMatch(/<img src="(cid:enroll-qr|data:image\/png;base64,)/);
    expect(mail?.attachments.find((a) => a.cid === 'enroll-qr')?.contentType).toBe('image/png');
    expect((await invitationOf(userId))?.status).toBe('sent');
  });

  it('links to the first-visit page on plain HTTP, the token only in the fragment, which the page never receives', async () => {
    const entry = invitationLinkIn(firstMail);
    expect(entry).toMatch(/^http:\/\/tsunagu\.test:\d+\/e\/[A-Za-z0-9_-]+\/go#invite=[A-Za-z0-9_-]{43}$/);
    expect(entry.startsWith(h.server.bootstrapUrl.replace('/trust', '/e/'))).toBe(true);
    const token = entry.split('#invite=')[1] as string;
    expect(link).toBe(`${origin}${new URL(entry).pathname.replace(/\/go$/, `/i/${token}/go`)}`);
    // A browser sends no fragment; Node's client neither: the page is the same for every invitation.
    const page = await send(local(entry), { headers: { 'accept-language': 'ja' } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="first-visit"');
    expect(page.text).not.toContain(token);
    // Opening the plain-HTTP page opens nothing: the invitation moves on only at the HTTPS portal.
    expect((await invitationOf(userId))?.status).toBe('sent');
  });

  it('opens the link, signs in with the PIN, sets a password, downloads a profile with a live countdown, and enrolls', async () => {
    const client = new PortalClient(origin, caPem);
    Object.assign(phone, client);
    const page = await client.get(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="yamada@example.com"');
    expect(page.text).toContain('PIN');
    expect((await invitationOf(userId))?.status).toBe('opened');
    const pin = pinIn(smtp.messages.at(-1)?.text ?? '') as string;
    const signIn = await client.post(new URL(link).pathname.replace(/\/i\/[^/]+\/go$/, '/go/sign-in'), {
      email: 'yamada@example.com',
      secret: pin,
      invite: link.split('/i/')[1]?.replace(/\/go$/, '') ?? '',
    });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.location).toMatch(/\/go\/password$/);
    expect((await invitationOf(userId))?.status).toBe('pin_verified');
    await client.get(signIn.headers.location as string);
    const weak = await client.post(signIn.headers.location as string, {
      csrf: client.csrf(),
      password: 'short',
      confirm: 'short',
    });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('at least 10 characters');
    const set = await client.post(signIn.headers.location as string, {
      csrf: client.csrf(),
      password: 'a good long password',
      confirm: 'a good long password',
    });
    expect(set.status).toBe(303);
    const home = await client.get(set.headers.location as string);
    expect(home.text).toContain('この端末を登録する');
    const enroll = await client.post(String(set.headers.location).replace('/home', '/enroll'), {
      csrf: client.csrf(),
      platform: 'ios',
    });
    expect(enroll.status).toBe(303);
    const enrollPath = enroll.headers.location as string;
    const before = await client.get(enrollPath);
    expect(before.text).toContain('data-state="none"');
    const device = new EmulatedAppleDevice(iphoneSpec(7), { caPem });
    try {
      const dl = await device.downloadProfile(`${origin}${enrollPath}/profile`, { cookie: client.cookieHeader() });
      expect(dl.status).toBe(200);
      expect(dl.headers['content-type']).toBe('application/x-apple-aspen-config');
      expect(dl.profile?.scep.challenge).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const status = (await client.get(`${enrollPath}/status`)).json<{ state: string; secondsLeft: number }>();
      expect(status.state).toBe('valid');
      expect(status.secondsLeft).toBeGreaterThan(14 * 60);
      expect((await client.get(enrollPath)).text).toMatch(/id="countdown"[^>]*data-seconds-left="\d+"/);
      expect((await invitationOf(userId))?.status).toBe('profile_downloaded');
      expect(await device.scep()).toEqual({ status: 'SUCCESS' });
      expect((await client.get(`${enrollPath}/status`)).json()).toMatchObject({ state: 'used' });
      await device.enrollMdm();
      expect((await client.get(`${enrollPath}/status`)).json()).toMatchObject({ state: 'enrolled' });
      expect((await invitationOf(userId))?.status).toBe('enrolled');
      const again = await client.get(set.headers.location as string);
      expect(again.text).toContain('status-active');
    } finally {
      device.close();
    }
  });

  it('lets a user who lost the invitation sign in at /go with the password', async () => {
    const client = new PortalClient(origin, caPem, undefined, 'en-US');
    const start = await client.get('/go');
    expect(start.status).toBe(302);
    const form = await client.get(start.headers.location as string);
    expect(form.text).toContain('Sign in');
    const res = await client.post(`${start.headers.location}/sign-in`, {
      email: 'YAMADA@example.com',
      secret: 'a good long password',
    });
    expect(res.headers.location).toMatch(/\/go\/home$/);
  });
});

describe('an invitation link at sign-in counts only for its own user', () => {
  it("does not attach another user's invitation to a session, nor open or advance it", async () => {
    const before = smtp.messages.length;
    const invited = (
      await h.admin.call('POST', '/api/users', {
        email: 'sato-invited@example.com',
        displayName: 'Sato',
        locale: 'en',
        sendInvitation: true,
      })
    ).json<{ id: string }>().id;
    await tick();
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    const theirLink = linkIn(mail?.text ?? '');
    await h.admin.call('POST', '/api/users', {
      email: 'kato-other@example.com',
      displayName: 'Kato',
      locale: 'en',
      password: 'kato has a long password',
    });
    const client = new PortalClient(origin, caPem, undefined, 'en-US');
    const signIn = await client.post(new URL(theirLink).pathname.replace(/\/i\/[^/]+\/go$/, '/go/sign-in'), {
      email: 'kato-other@example.com',
      secret: 'kato has a long password',
      invite: theirLink.split('/i/')[1]?.replace(/\/go$/, '') ?? '',
    });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.location).toMatch(/\/go\/home$/);
    expect((await invitationOf(invited))?.status).toBe('sent');
    // An enrollment started in that session is Kato's own: downloading its profile does not move Sato's invitation.
    await client.get(signIn.headers.location as string);
    const enroll = await client.post(String(signIn.headers.location).replace('/home', '/enroll'), {
      csrf: client.csrf(),
      platform: 'ios',
    });
    expect(enroll.status).toBe(303);
    const device = new EmulatedAppleDevice(iphoneSpec(8), { caPem });
    try {
      const dl = await device.downloadProfile(`${origin}${enroll.headers.location as string}/profile`, {
        cookie: client.cookieHeader(),
      });
      expect(dl.status).toBe(200);
    } finally {
      device.close();
    }
    expect((await invitationOf(invited))?.status).toBe('sent');
    const opened = (await h.admin.call('GET', `/api/audit?action=invitation.opened&limit=200`)).json<{
      items: { subjectId: string | null }[];
    }>().items;
    const invitationId = (await invitationOf(invited))?.id;
    expect(opened.some((e) => e.subjectId === invitationId)).toBe(false);
  });
});

describe('abuse limits', () => {
  it('locks a PIN after five wrong tries, audits it, and a new PIN from the admin is the way out (or time)', async () => {
    const user = (
      await h.admin.call('POST', '/api/users', {
        email: 'sato@example.com',
        displayName: 'Sato',
        locale: 'en',
        sendInvitation: true,
      })
    ).json<{ id: string }>();
    await tick();
    const mail = smtp.messages.at(-1);
    const link = linkIn(mail?.text ?? '');
    const pin = pinIn(mail?.text ?? '') as string;
    const client = new PortalClient(origin, caPem, undefined, 'en');
    await client.get(link);
    const signInPath = new URL(link).pathname.replace(/\/i\/[^/]+\/go$/, '/go/sign-in');
    const wrong = pin === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const r = await client.post(signInPath, { email: 'sato@example.com', secret: wrong });
      expect(r.status, r.text.slice(0, 2000)).toBe(401);
    }
    // Locked: even the right PIN waits (tests/security/lockout-burst.test.ts shows the lock ends by time).
    const right = await client.post(signInPath, { email: 'sato@example.com', secret: pin });
    expect(right.status, /class="error"[^<]*/.exec(right.text)?.[0]).toBe(429);
    expect(right.text).toContain('Too many failed sign-ins');
    const inv = await invitationOf(user.id);
    const locked = await h.admin.call('GET', `/api/invitations/${inv?.id}`);
    expect(locked.json<{ pinLocked: boolean }>().pinLocked).toBe(true);
    const audit = (await h.admin.call('GET', '/api/audit?action=invitation.pin_locked')).json<{
      items: { subjectLabel: string }[];
    }>();
    expect(audit.items[0]?.subjectLabel).toBe('sato@example.com');
    const fresh = (await h.admin.call('POST', `/api/invitations/${inv?.id}/pin`)).json<{
      pin: string;
      invitation: { pinLocked: boolean };
    }>();
    expect(fresh.invitation.pinLocked).toBe(false);
    const ok = await client.post(signInPath, { email: 'sato@example.com', secret: fresh.pin });
    expect(ok.status).toBe(303);
  });
});

describe('dead links say so plainly', () => {
  it('refuses an expired invitation with a clear page', async () => {
    const user = (
      await h.admin.call('POST', '/api/users', {
        email: 'late@example.com',
        displayName: 'Late',
        locale: 'en',
        sendInvitation: true,
      })
    ).json<{ id: string }>();
    await tick();
    const link = linkIn(smtp.messages.at(-1)?.text ?? '');
    await advance(15 * 86_400_000);
    await tick();
    expect((await invitationOf(user.id))?.status).toBe('expired');
    const page = await new PortalClient(origin, caPem, undefined, 'en').get(link);
    expect(page.status).toBe(409);
    expect(page.text).toContain('This invitation has expired. Ask your administrator to send a new one.');
  });

  it('refuses links of an older enrollment URL version with a page that says what to do', async () => {
    const user = (
      await h.admin.call('POST', '/api/users', {
        email: 'old@example.com',
        displayName: 'Old',
        locale: 'ja',
        sendInvitation: true,
      })
    ).json<{ id: string }>();
    void user;
    await tick();
    const link = linkIn(smtp.messages.at(-1)?.text ?? '');
    const before = (await h.admin.call('GET', '/api/enrollment-url')).json<{ version: number }>();
    const after = (await h.admin.call('POST', '/api/enrollment-url/regenerate')).json<{
      version: number;
      url: string;
    }>();
    expect(after.version).toBe(before.version + 1);
    const page = await new PortalClient(origin, caPem).get(link);
    expect(page.status).toBe(410);
    expect(page.text).toContain('このリンクは古くなっています');
    expect(page.text).toContain('最新の招待メール');
    expect((await new PortalClient(origin, caPem).get(handOff(after.url, origin))).status).toBe(200);
  });
});

describe('reliable mail and reminders', () => {
  it('keeps an invitation in the outbox while SMTP is down and sends it once SMTP is back', async () => {
    await smtp.down();
    const user = (
      await h.admin.call('POST', '/api/users', {
        email: 'queued@example.com',
        displayName: 'Queued',
        locale: 'en',
        sendInvitation: true,
      })
    ).json<{ id: string }>();
    await tick();
    const outbox = (await h.admin.call('GET', '/api/mail/outbox')).json<{
      items: { to: string; status: string; attempts: number; lastError: string }[];
    }>();
    const queued = outbox.items.find((m) => m.to === 'queued@example.com');
    expect(queued).toMatchObject({ status: 'queued', attempts: 1 });
    expect(queued?.lastError).toBeTruthy();
    expect((await invitationOf(user.id))?.status).toBe('created');
    await smtp.up();
    const count = smtp.messages.length;
    await advance(61_000);
    await tick();
    const [mail] = (await smtp.waitFor(count + 1)).slice(count);
    expect(mail?.to && 'text' in mail.to ? mail.to.text : '').toBe('queued@example.com');
    expect((await invitationOf(user.id))?.status).toBe('sent');
  });

  it('sends reminders on schedule until enrollment, once each, across restarts', async () => {
    const user = (
      await h.admin.call('POST', '/api/users', {
        email: 'remind@example.com',
        displayName: 'Remind',
        locale: 'en',
        sendInvitation: true,
      })
    ).json<{ id: string }>();
    await tick();
    const sent = () => smtp.messages.filter((m) => m.to && 'text' in m.to && m.to.text === 'remind@example.com');
    expect(sent()).toHaveLength(1);
    await advance(2 * 86_400_000 + 1000);
    await Promise.all([tick(), tick()]);
    await tick();
    expect(sent()).toHaveLength(2);
    expect(sent()[1]?.subject).toMatch(/^Reminder: /);
    expect(linkIn(sent()[1]?.text ?? '')).toBe(linkIn(sent()[0]?.text ?? ''));
    await h.restart();
    await h.server.services.tick();
    expect(sent()).toHaveLength(2);
    await advance(3 * 86_400_000);
    await h.server.services.tick();
    expect(sent()).toHaveLength(3);
    expect((await invitationOf(user.id))?.remindersSent).toBe(2);
    await advance(5 * 86_400_000);
    await h.server.services.tick();
    expect(sent()).toHaveLength(3);
  });

  it('stops reminding once the invitation is revoked', async () => {
    const user = (
      await h.admin.call('POST', '/api/users', {
        email: 'revoked@example.com',
        displayName: 'Revoked',
        locale: 'en',
        sendInvitation: true,
      })
    ).json<{ id: string }>();
    await h.server.services.tick();
    const inv = await invitationOf(user.id);
    expect((await h.admin.call('POST', `/api/invitations/${inv?.id}/revoke`)).json()).toMatchObject({
      status: 'revoked',
    });
    await advance(3 * 86_400_000);
    await h.server.services.tick();
    expect(smtp.messages.filter((m) => m.to && 'text' in m.to && m.to.text === 'revoked@example.com')).toHaveLength(1);
  });
});

describe('the portal in a browser’s shoes', () => {
  it('sends Referrer-Policy same-origin, answers a foreign form post with a page, and words errors in the page language', async () => {
    // The server restarted above (new ports).
    origin = local(h.server.enrollmentUrl).replace(/\/$/, '');
    const page = await new PortalClient(origin, caPem).get('/go');
    const signIn = await new PortalClient(origin, caPem).get(page.headers.location as string);
    expect(signIn.headers['referrer-policy']).toBe('same-origin');
    const path = `${page.headers.location}/sign-in`;
    const foreign = await send(`${origin}${path}`, {
      method: 'POST',
      ca: caPem,
      body: 'email=a%40b.c&secret=x',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
        'accept-language': 'ja',
      },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['content-type']).toMatch(/text\/html/);
    expect(foreign.text).toContain('別のサイトから送信された');
    const wrong = await new PortalClient(origin, caPem).post(path, { email: 'nobody@example.com', secret: '123456' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('メールアドレスまたは PIN が正しくありません。');
    expect(wrong.text).toContain('The email address or PIN is wrong.');
  });
});
