import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryRunDto } from '../../server/contract/directory.js';
import type { UserPage } from '../../server/contract/users.js';
import { androidFacts } from '../helpers/android-agent.js';
import { send } from '../helpers/http.js';
import { local, startHarness, type Harness } from '../helpers/server-harness.js';
import { connectorSettings, passwordOf, SLAPD_BASE, startSlapd, uidOf, type Slapd } from '../helpers/slapd.js';
import { sinkSmtpSettings, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

// Attacks on the directory scope check at sign-in (/go, /helper/v1/sessions, /agent/v1/enroll), against Debian's
// slapd: who may learn that an account is out of scope, what a DN full of filter syntax does to the group check, and
// whether a directory user's PIN can leave a local password behind.
describe('directory sign-in scope: attacks', () => {
  let slapd: Slapd;
  let smtp: SmtpSink;
  let h: Harness;
  let origin: string;
  let caPem: string;
  let signInPath: string;
  let hardware = 0;
  // A person whose uid is filter syntax: put unescaped into (member=<dn>) it breaks the group filter.
  const oddUid = 'odd*)(objectClass';
  const oddDn = `uid=${oddUid},ou=people,${SLAPD_BASE}`;
  const oddEmail = 'odd@example.test';
  const oddPassword = 'pw-odd-person';

  const json = async (path: string, body: unknown) => {
    const res = await send(`${origin}${path}`, {
      method: 'POST',
      ca: caPem,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    const parsed = res.text ? res.json<Record<string, unknown>>() : {};
    return { status: res.status, code: parsed.code, text: res.text, body: parsed };
  };
  const portal = async (email: string, secret: string) => {
    const res = await send(`${origin}${signInPath}`, {
      method: 'POST',
      ca: caPem,
      body: new URLSearchParams({ email, secret }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin, 'accept-language': 'en' },
    });
    return { status: res.status, text: res.text, cookie: res.headers['set-cookie'] };
  };
  const userId = async (email: string) =>
    (await h.admin.call('GET', `/api/users?q=${encodeURIComponent(email)}`)).json<UserPage>().items[0]?.id as string;

  beforeAll(async () => {
    [slapd, smtp, h] = await Promise.all([
      startSlapd({ users: 20 }),
      startSmtpSink(),
      startHarness({ env: { TSUNAGU_RATE_REFUSALS: '100000' } }),
    ]);
    caPem = h.server.services.ca.caCertificate().pem;
    origin = new URL(local(h.server.enrollmentUrl)).origin;
    const go = await send(`${origin}/go`, { ca: caPem });
    signInPath = `${String(go.headers.location)}/sign-in`;
    await slapd.asAdmin((c) =>
      c.add(oddDn, {
        objectClass: 'inetOrgPerson',
        uid: oddUid,
        cn: 'Odd Person',
        sn: 'Person',
        displayName: 'Odd Person',
        mail: oddEmail,
        userPassword: oddPassword,
      }),
    );
    await slapd.membership('staff', 'add', oddDn);
    expect((await h.admin.call('PUT', '/api/mail/smtp', sinkSmtpSettings(smtp))).status).toBe(200);
    const put = await h.admin.call('PUT', '/api/directory', connectorSettings(slapd, { groupFilter: '(cn=staff)' }));
    expect(put.status).toBe(200);
    const run = (await h.admin.call('POST', '/api/directory/sync', {})).json<DirectoryRunDto>();
    expect(run.counts.created).toBe(19);
  });
  afterAll(async () => {
    await h?.stop();
    await slapd?.close();
    await smtp?.close();
  });

  it('escapes the DN in the group membership filter: a member whose uid is filter syntax signs in, and is refused once out', async () => {
    expect((await portal(oddEmail, oddPassword)).status).toBe(303);
    await slapd.membership('staff', 'delete', oddDn);
    const out = await portal(oddEmail, oddPassword);
    expect(out.status).toBe(403);
    expect(out.text).toContain('no longer in a group that may enroll devices');
  });

  it('tells that an account is out of scope only to someone who knows its password', async () => {
    await slapd.membership('staff', 'delete', slapd.dnOf(3));
    const guesses = [
      await portal(`${uidOf(3)}@example.test`, 'a guess'),
      await json('/helper/v1/sessions', { method: 'password', email: uidOf(3), password: 'a guess' }),
      await json('/agent/v1/enroll', {
        auth: { method: 'password', email: uidOf(3), password: 'a guess' },
        device: androidFacts(34, `scope-${++hardware}`),
      }),
    ];
    for (const g of guesses) {
      expect(g.status).toBe(401);
      expect(g.text).not.toMatch(/group|scope|no longer|DIRECTORY_ACCESS_REVOKED/);
    }
  });

  it('opens no session, helper token or agent enrollment for an account out of scope, however it signs in', async () => {
    await slapd.membership('staff', 'delete', slapd.dnOf(4));
    const before = (await h.admin.call('GET', '/api/devices')).json<{ total: number }>().total;
    const page = await portal(uidOf(4), passwordOf(4));
    expect(page.status).toBe(403);
    expect(page.cookie).toBeUndefined();
    const helper = await json('/helper/v1/sessions', { method: 'password', email: uidOf(4), password: passwordOf(4) });
    expect([helper.status, helper.code, helper.body.token]).toEqual([403, 'DIRECTORY_ACCESS_REVOKED', undefined]);
    const agent = await json('/agent/v1/enroll', {
      auth: { method: 'password', email: `${uidOf(4)}@example.test`, password: passwordOf(4) },
      device: androidFacts(34, `scope-${++hardware}`),
    });
    expect([agent.status, agent.code, agent.body.token]).toEqual([403, 'DIRECTORY_ACCESS_REVOKED', undefined]);
    expect((await h.admin.call('GET', '/api/devices')).json<{ total: number }>().total).toBe(before);
  });

  it('does not let a directory user’s PIN in the helper leave a local password behind', async () => {
    const settings = (await h.admin.call('GET', '/api/settings/users')).json<{ settings: Record<string, unknown> }>();
    expect(
      (await h.admin.call('PUT', '/api/settings/users', { ...settings.settings, requirePinForDirectory: true })).status,
    ).toBe(200);
    const email = `${uidOf(5)}@example.test`;
    const before = smtp.messages.length;
    expect((await h.admin.call('POST', '/api/invitations', { userIds: [await userId(email)] })).status).toBe(201);
    await h.server.services.tick();
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    const pin = /PIN[^:\n]*: (\d{6,8})/.exec(mail?.text ?? '')?.[1] as string;
    expect(pin).toMatch(/^\d{6,8}$/);
    const planted = 'a local password of my choosing';
    const session = await json('/helper/v1/sessions', { method: 'pin', email, pin, newPassword: planted });
    expect(session.status).toBe(201);
    // The chosen password was kept nowhere: it signs in nowhere, and the user still has no local password.
    expect((await portal(email, planted)).status).toBe(401);
    expect((await h.server.services.users.get(await userId(email))).hasPassword).toBe(false);
    // With the directory down, neither the planted password nor the spent PIN opens anything.
    await slapd.stop();
    try {
      expect((await portal(email, planted)).status).toBe(502);
      const again = await json('/helper/v1/sessions', { method: 'pin', email, pin, newPassword: planted });
      expect([again.status, again.code]).toEqual([410, 'PIN_USED']);
    } finally {
      await slapd.start();
    }
  });
});
