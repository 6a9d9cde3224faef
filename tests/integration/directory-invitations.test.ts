import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryRunDto } from '../../server/contract/directory.js';
import type { UserPage } from '../../server/contract/users.js';
import { FakeClock } from '../../server/core/clock.js';
import { handOff, invitationLinkIn } from '../helpers/first-visit.js';
import { PortalClient } from '../helpers/portal-client.js';
import { HARNESS_ADMIN, local, startHarness, type Harness } from '../helpers/server-harness.js';
import { connectorSettings, passwordOf, startSlapd, uidOf, type Slapd } from '../helpers/slapd.js';
import { sinkSmtpSettings, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

// Invitations of directory users, delivered to a real SMTP server: they say to sign in with the network password and
// carry no PIN unless the settings ask for one; the /go page of the link asks for the network password.
describe('invitations of directory users', () => {
  let slapd: Slapd;
  let smtp: SmtpSink;
  let h: Harness;
  let origin: string;
  let caPem: string;
  const clock = new FakeClock(new Date());

  const emailOf = (n: number) => `${uidOf(n)}@example.test`;
  const pinIn = (text: string) => /PIN[^:\n]*: (\d{6,8})/.exec(text)?.[1] ?? null;
  const userId = async (n: number) =>
    (await h.admin.call('GET', `/api/users?q=${encodeURIComponent(emailOf(n))}`)).json<UserPage>().items[0]
      ?.id as string;
  /** Invites user n and returns the email the SMTP server received. */
  const invite = async (n: number) => {
    const before = smtp.messages.length;
    const res = await h.admin.call('POST', '/api/invitations', { userIds: [await userId(n)] });
    expect(res.status).toBe(201);
    await h.server.services.tick();
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    return { text: mail?.text ?? '', html: String(mail?.html ?? ''), subject: mail?.subject ?? '' };
  };
  const userSettings = async (changes: Record<string, unknown>) => {
    const now = (await h.admin.call('GET', '/api/settings/users')).json<{ settings: Record<string, unknown> }>();
    const res = await h.admin.call('PUT', '/api/settings/users', { ...now.settings, ...changes });
    expect(res.status).toBe(200);
    return res.json<{ settings: Record<string, unknown> }>().settings;
  };

  beforeAll(async () => {
    [slapd, smtp, h] = await Promise.all([startSlapd({ users: 20 }), startSmtpSink(), startHarness({ clock })]);
    caPem = h.server.services.ca.caCertificate().pem;
    origin = local(h.server.enrollmentUrl).replace(/\/$/, '');
    expect((await h.admin.call('PUT', '/api/mail/smtp', sinkSmtpSettings(smtp))).status).toBe(200);
    expect((await h.admin.call('PUT', '/api/directory', connectorSettings(slapd))).status).toBe(200);
    expect((await h.admin.call('POST', '/api/directory/sync', {})).json<DirectoryRunDto>().counts.created).toBe(20);
    expect((await h.admin.call('PATCH', `/api/users/${await userId(1)}`, { locale: 'en' })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.stop();
    await slapd?.close();
    await smtp?.close();
  });

  it('sends no PIN by default and says to use the network password, in English and in Japanese', async () => {
    expect((await h.admin.call('GET', '/api/settings/users')).json<{ settings: unknown }>().settings).toMatchObject({
      requirePin: false,
      requirePinForDirectory: false,
    });
    const en = await invite(1);
    expect(en.subject).toBe('Enroll your device for Tsunagu');
    expect(en.text).toContain('your network password: the one you use to sign in to your work computer');
    expect(en.text).toContain('works with your email address and network password');
    expect(en.html).toContain('your network password');
    expect(en.text).not.toContain('PIN');
    expect(en.html).not.toContain('PIN');
    expect(en.text).not.toContain('Sign in with your email address and password.');
    const ja = await invite(2);
    expect(ja.subject).toBe('Tsunagu デバイス登録のご案内');
    expect(ja.text).toContain('ネットワークパスワード（会社のパソコンにサインインするときのパスワード）');
    expect(ja.text).toContain('メールアドレスとネットワークパスワードを入力すれば');
    expect(ja.text).not.toContain('PIN');
    const audit = (await h.admin.call('GET', '/api/audit?action=invitation.created')).json<{
      items: { details: { pin: boolean } }[];
    }>();
    expect(audit.items.map((i) => i.details.pin)).toEqual([false, false]);
  });

  it('asks for the network password on the link’s /go page, and signs in with it (no password to set)', async () => {
    const mail = await invite(3);
    const link = handOff(invitationLinkIn(mail.text), origin);
    for (const [lang, label, intro] of [
      ['en', '>Network password<', 'your network password: the one you use to sign in to your work computer'],
      ['ja', '>ネットワークパスワード<', 'ネットワークパスワード（会社のパソコンにサインインするときのパスワード）'],
    ] as const) {
      const page = await new PortalClient(origin, caPem).get(`${link}?lang=${lang}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(label);
      expect(page.text).toContain(intro);
      // A network login name is no email address: the field must not make the browser refuse one.
      expect(page.text).toContain('name="email" type="text"');
      expect(page.text).not.toContain('class="hint"');
    }
    const phone = new PortalClient(origin, caPem, undefined, 'en');
    await phone.get(link);
    const token = link.split('/i/')[1]?.replace(/\/go$/, '') ?? '';
    const signInPath = new URL(link).pathname.replace(/\/i\/[^/]+\/go$/, '/go/sign-in');
    const wrong = await phone.post(signInPath, { email: emailOf(3), secret: 'not it', invite: token });
    expect(wrong.status).toBe(401);
    // The refusal keeps the invitation's wording.
    expect(wrong.text).toContain('>Network password<');
    const signedIn = await phone.post(signInPath, { email: uidOf(3), secret: passwordOf(3), invite: token });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toMatch(/\/go\/home$/);
  });

  it('with the setting on, sends directory users a PIN too, which signs them in without asking for a password', async () => {
    expect(await userSettings({ requirePinForDirectory: true })).toMatchObject({ requirePinForDirectory: true });
    const en = await invite(1);
    const pin = pinIn(en.text);
    expect(pin).toMatch(/^\d{6}$/);
    expect(en.text).toContain('After that, sign in with your network password');
    expect(en.html).toContain(pin as string);
    const ja = await invite(2);
    expect(pinIn(ja.text)).toMatch(/^\d{6}$/);
    expect(ja.text).toContain('2 回目以降は、ネットワークパスワード');

    const link = handOff(invitationLinkIn(en.text), origin);
    const phone = new PortalClient(origin, caPem, undefined, 'en');
    const page = await phone.get(link);
    expect(page.text).toContain('>Network password or PIN<');
    expect(page.text).toContain('class="hint"');
    const token = link.split('/i/')[1]?.replace(/\/go$/, '') ?? '';
    const signIn = await phone.post(new URL(link).pathname.replace(/\/i\/[^/]+\/go$/, '/go/sign-in'), {
      email: emailOf(1),
      secret: pin as string,
      invite: token,
    });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.location).toMatch(/\/go\/home$/);
    // A setting saved without the field (a console form older than it) keeps it.
    const { requirePinForDirectory: _kept, ...older } = await userSettings({});
    const res = await h.admin.call('PUT', '/api/settings/users', older);
    expect(res.json<{ settings: unknown }>().settings).toMatchObject({ requirePinForDirectory: true });
    await userSettings({ requirePinForDirectory: false });
  });
  it('reminds a directory user with the network-password wording and no fresh PIN', async () => {
    await userSettings({ requirePinForDirectory: true });
    const first = await invite(4);
    const pin = pinIn(first.text);
    expect(pin).toMatch(/^\d{6}$/);
    const to = emailOf(4);
    const sent = () => smtp.messages.filter((m) => m.to && 'text' in m.to && m.to.text === to);
    clock.advance(2 * 86_400_000 + 1000);
    // The admin session idles out on a long jump of the clock.
    await h.admin.call('POST', '/api/auth/login', { email: HARNESS_ADMIN.email, password: HARNESS_ADMIN.password });
    await h.server.services.tick();
    for (let i = 0; i < 100 && sent().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    const reminder = sent()[1];
    expect(reminder?.subject).toMatch(/リマインダー/);
    expect(reminder?.text).toContain('ネットワークパスワード（会社のパソコンにサインインするときのパスワード）');
    // The network password works: no fresh PIN, even with the setting on (the first one still works).
    expect(pinIn(reminder?.text ?? '')).toBeNull();
    await userSettings({ requirePinForDirectory: false });
  });
});
