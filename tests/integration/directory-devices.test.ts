import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryRunDto } from '../../server/contract/directory.js';
import { FakeClock } from '../../server/core/clock.js';
import { androidFacts } from '../helpers/android-agent.js';
import { send } from '../helpers/http.js';
import { portalSignIn } from '../helpers/portal-client.js';
import { local, startHarness, type Harness } from '../helpers/server-harness.js';
import { connectorSettings, passwordOf, startSlapd, uidOf, type Slapd } from '../helpers/slapd.js';

// Directory users sign in from the Mac helper (/helper/v1/sessions) and the Android agent (/agent/v1/enroll) with
// their network password, by a bind as themselves against Debian's slapd; the lockout is the portal's, and a user who
// left the allowed group is refused at sign-in before any sync notices.
describe('directory sign-in from the Mac helper and the Android agent', () => {
  const clock = new FakeClock('2026-04-01T09:00:00.000Z');
  let slapd: Slapd;
  let h: Harness;
  let origin: string;
  let caPem: string;
  let portal: Awaited<ReturnType<typeof portalSignIn>>;
  let hardware = 0;

  const json = async (path: string, body: unknown) => {
    const res = await send(`${origin}${path}`, {
      method: 'POST',
      ca: caPem,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', 'accept-language': 'en' },
    });
    const parsed = res.text ? res.json<Record<string, unknown>>() : {};
    return { status: res.status, code: parsed.code, message: String(parsed.message ?? ''), body: parsed };
  };
  const helper = (email: string, password: string) =>
    json('/helper/v1/sessions', { method: 'password', email, password });
  const agent = (email: string, password: string) =>
    json('/agent/v1/enroll', {
      auth: { method: 'password', email, password },
      device: androidFacts(34, `dir-${++hardware}`),
    });
  const emailOf = (n: number) => `${uidOf(n)}@example.test`;

  beforeAll(async () => {
    [slapd, h] = await Promise.all([
      startSlapd({ users: 20 }),
      startHarness({ clock, env: { TSUNAGU_RATE_REFUSALS: '100000' } }),
    ]);
    caPem = h.server.services.ca.caCertificate().pem;
    origin = new URL(local(h.server.enrollmentUrl)).origin;
    portal = await portalSignIn(origin, caPem);
    // Members of the staff group only: users 1-9 and 11-19 (every tenth is a contractor).
    const put = await h.admin.call('PUT', '/api/directory', connectorSettings(slapd, { groupFilter: '(cn=staff)' }));
    expect(put.status).toBe(200);
    expect((await h.admin.call('POST', '/api/directory/sync', {})).json<DirectoryRunDto>().counts.created).toBe(18);
  });
  afterAll(async () => {
    await h?.stop();
    await slapd?.close();
  });

  it('signs a directory user in to the helper and enrolls the agent with the network password, by email or login name', async () => {
    const session = await helper(emailOf(1), passwordOf(1));
    expect(session.status).toBe(201);
    expect(session.body).toMatchObject({ user: { email: emailOf(1), displayName: 'User 1' } });
    expect((await helper(uidOf(2), passwordOf(2))).status).toBe(201);
    const enrolled = await agent(emailOf(3), passwordOf(3));
    expect(enrolled.status).toBe(201);
    expect(enrolled.body).toMatchObject({ status: 'pending' });
    expect((await agent(uidOf(4), passwordOf(4))).status).toBe(201);
    const audit = (await h.admin.call('GET', '/api/audit?action=portal.signed_in')).json<{
      items: { details: { via?: string; with?: string } }[];
    }>();
    expect(audit.items.map((i) => i.details.via)).toEqual(expect.arrayContaining(['helper']));
  });

  it('refuses a wrong password, and another user’s password, as wrong', async () => {
    for (const answer of [
      await helper(emailOf(5), 'not-the-password'),
      await helper(uidOf(5), passwordOf(6)),
      await agent(emailOf(6), 'not-the-password'),
      await agent(uidOf(6), passwordOf(5)),
    ]) {
      expect([answer.status, answer.code]).toEqual([401, 'SIGN_IN_FAILED']);
      expect(answer.message).toBe('The email address or password is wrong.');
    }
  });

  it('shares one lockout between the portal, the helper and the agent', async () => {
    const n = 7;
    expect((await helper(emailOf(n), 'guess-1')).status).toBe(401);
    expect((await helper(uidOf(n), 'guess-2')).status).toBe(401);
    expect((await agent(emailOf(n), 'guess-3')).status).toBe(401);
    expect((await agent(uidOf(n), 'guess-4')).status).toBe(401);
    expect((await portal(emailOf(n), 'guess-5')).status).toBe(401);
    // Locked now: the right password is refused everywhere without asking the directory.
    expect((await helper(emailOf(n), passwordOf(n))).code).toBe('SIGN_IN_LOCKED');
    expect((await agent(uidOf(n), passwordOf(n))).code).toBe('SIGN_IN_LOCKED');
    expect((await portal(emailOf(n), passwordOf(n))).status).toBe(429);
    clock.advance(60 * 60_000);
    expect((await agent(emailOf(n), passwordOf(n))).status).toBe(201);
  });

  it('refuses an empty password without a bind, and says "try again later" when the directory is down', async () => {
    await slapd.stop();
    try {
      for (const down of [await helper(emailOf(8), passwordOf(8)), await agent(emailOf(8), passwordOf(8))]) {
        expect([down.status, down.code]).toEqual([502, 'DIRECTORY_UNAVAILABLE']);
        expect(down.message).toContain('Try again in a few minutes');
        expect(down.message).not.toContain('wrong');
      }
      // No bind for an empty password: refused even while the directory cannot be reached. The helper's schema
      // wants a password; the agent's takes an empty one, which the sign-in refuses as wrong.
      expect((await helper(emailOf(8), '')).status).toBe(400);
      expect(await agent(emailOf(8), '')).toMatchObject({ status: 401, code: 'SIGN_IN_FAILED' });
    } finally {
      await slapd.start();
    }
    // The unreachable directory's attempts were given back: the right password works at once.
    expect((await helper(emailOf(8), passwordOf(8))).status).toBe(201);
  });

  it('refuses a user removed from the allowed group at sign-in, before the next sync, with a clear message', async () => {
    const n = 9;
    expect((await portal(emailOf(n), passwordOf(n))).status).toBe(303);
    await slapd.membership('staff', 'delete', slapd.dnOf(n));
    const page = await portal(emailOf(n), passwordOf(n));
    expect(page.status).toBe(403);
    expect(page.text).toContain('no longer in a group that may enroll devices');
    expect(page.headers['set-cookie']).toBeUndefined();
    for (const refused of [await helper(emailOf(n), passwordOf(n)), await agent(uidOf(n), passwordOf(n))]) {
      expect(refused).toMatchObject({
        status: 403,
        code: 'DIRECTORY_ACCESS_REVOKED',
        body: { details: { reason: 'not_in_group' } },
      });
      expect(refused.message).toContain('Ask your administrator');
    }
    const audit = (await h.admin.call('GET', '/api/audit?action=portal.sign_in_failed')).json<{
      items: { details: Record<string, unknown> }[];
    }>();
    expect(
      audit.items
        .filter((i) => i.details.scope === 'not_in_group')
        .map((i) => i.details.via)
        .sort(),
    ).toEqual(['agent', 'helper', 'portal']);
    expect(audit.items[0]?.details).toMatchObject({ reason: 'out of directory scope' });
    // Back in the group: signs in again (the refusals were not counted as guesses).
    await slapd.membership('staff', 'add', slapd.dnOf(n));
    expect((await portal(emailOf(n), passwordOf(n))).status).toBe(303);
  });

  it('refuses a user whose entry left the user filter, and one whose entry was deleted', async () => {
    const settings = connectorSettings(slapd, {
      groupFilter: '(cn=staff)',
      userFilter: '(&(objectClass=inetOrgPerson)(!(description=left)))',
    });
    expect((await h.admin.call('PUT', '/api/directory', settings)).status).toBe(200);
    await slapd.asAdmin((c) =>
      c.modify(slapd.dnOf(11), [
        new Change({ operation: 'add', modification: new Attribute({ type: 'description', values: ['left'] }) }),
      ]),
    );
    const left = await helper(emailOf(11), passwordOf(11));
    expect(left).toMatchObject({
      status: 403,
      code: 'DIRECTORY_ACCESS_REVOKED',
      body: { details: { reason: 'left' } },
    });
    expect((await portal(emailOf(11), passwordOf(11))).text).toContain(
      'no longer among the directory accounts this service accepts',
    );
    // A deleted entry has no password to check: refused as a wrong one (no bind can prove who is asking).
    await slapd.asAdmin((c) => c.del(slapd.dnOf(12)));
    expect(await agent(emailOf(12), passwordOf(12))).toMatchObject({ status: 401, code: 'SIGN_IN_FAILED' });
  });
  it('follows groups in groups (OpenLDAP): the sync imports and keeps members of a nested group, and sign-in agrees', async () => {
    const team = `cn=team,ou=groups,${slapd.baseDn}`;
    await slapd.asAdmin((c) =>
      c.add(team, { objectClass: 'groupOfNames', cn: 'team', member: [slapd.dnOf(13), slapd.dnOf(10)] }),
    );
    await slapd.membership('staff', 'delete', slapd.dnOf(13));
    await slapd.membership('staff', 'add', team);
    const run = (await h.admin.call('POST', '/api/directory/sync', {})).json<DirectoryRunDto>();
    // User 10 (a contractor) comes in through the team; 13 stays; 11 left the filter and 12 was deleted.
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(run.counts).toMatchObject({ created: 1, disabled: 2 });
    expect((await portal(emailOf(13), passwordOf(13))).status).toBe(303);
    expect((await helper(uidOf(10), passwordOf(10))).status).toBe(201);
    await slapd.membership('staff', 'delete', team);
    expect(await agent(emailOf(13), passwordOf(13))).toMatchObject({
      status: 403,
      code: 'DIRECTORY_ACCESS_REVOKED',
      body: { details: { reason: 'not_in_group' } },
    });
  });
});
