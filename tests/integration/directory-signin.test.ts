import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryRunDto } from '../../server/contract/directory.js';
import { FakeClock } from '../../server/core/clock.js';
import { portalSignIn } from '../helpers/portal-client.js';
import { local, startHarness, type Harness } from '../helpers/server-harness.js';
import { passwordOf, connectorSettings, startSlapd, uidOf, type Slapd } from '../helpers/slapd.js';

// Directory users sign in at /go with their network password, by a bind as themselves against Debian's slapd.
describe('directory sign-in at /go', () => {
  const clock = new FakeClock('2026-04-01T09:00:00.000Z');
  let slapd: Slapd;
  let h: Harness;
  let origin: string;
  let caPem: string;
  let signIn: Awaited<ReturnType<typeof portalSignIn>>;

  beforeAll(async () => {
    [slapd, h] = await Promise.all([
      startSlapd({ users: 20 }),
      startHarness({ clock, env: { TSUNAGU_RATE_REFUSALS: '100000' } }),
    ]);
    caPem = h.server.services.ca.caCertificate().pem;
    origin = new URL(local(h.server.enrollmentUrl)).origin;
    signIn = await portalSignIn(origin, caPem);
    const put = await h.admin.call('PUT', '/api/directory', connectorSettings(slapd, { url: slapd.ldapsUrl }));
    expect(put.status).toBe(200);
    expect((await h.admin.call('POST', '/api/directory/sync', {})).json<DirectoryRunDto>().counts.created).toBe(20);
  });
  afterAll(async () => {
    await h?.stop();
    await slapd?.close();
  });

  it('signs a directory user in with the network password, by email or by login name', async () => {
    expect((await signIn(`${uidOf(1)}@example.test`, passwordOf(1))).status).toBe(303);
    expect((await signIn(uidOf(2), passwordOf(2))).status).toBe(303);
    expect((await signIn(uidOf(2).toUpperCase(), passwordOf(2))).status).toBe(303);
  });

  it('refuses a wrong password, and another user’s password', async () => {
    const wrong = await signIn(`${uidOf(3)}@example.test`, 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('The email address or password is wrong.');
    expect((await signIn(uidOf(3), passwordOf(4))).status).toBe(401);
  });

  it('shares the lockout between login name and email, and locks before the directory is asked again', async () => {
    const email = `${uidOf(5)}@example.test`;
    for (let i = 0; i < 5; i++) expect((await signIn(uidOf(5), `guess-${i}`)).status).toBe(401);
    expect((await signIn(email, passwordOf(5))).status).toBe(429);
    expect((await signIn(uidOf(5), passwordOf(5))).status).toBe(429);
    clock.advance(60 * 60_000);
    expect((await signIn(email, passwordOf(5))).status).toBe(303);
  });

  it('says "try again later", not "wrong password", when the directory is down; an empty password never gets that far', async () => {
    await slapd.stop();
    try {
      const down = await signIn(`${uidOf(6)}@example.test`, passwordOf(6));
      expect(down.status).toBe(502);
      expect(down.text).toContain('try again in a few minutes');
      expect(down.text).not.toContain('password is wrong');
      // No bind at all for an empty password: it is refused as wrong even while the directory is unreachable.
      expect((await signIn(`${uidOf(6)}@example.test`, '')).status).toBe(401);
    } finally {
      await slapd.start();
    }
    expect((await signIn(`${uidOf(6)}@example.test`, passwordOf(6))).status).toBe(303);
  });

  it('runs the scheduled sync once the interval has passed since the last run, and not before', async () => {
    const settings = (await h.admin.call('GET', '/api/directory')).json<Record<string, unknown>>();
    const { configured: _c, hasBindPassword: _p, updatedAt: _u, ...update } = settings;
    expect((await h.admin.call('PUT', '/api/directory', { ...update, syncIntervalMinutes: 30 })).status).toBe(200);
    clock.advance(31 * 60_000);
    const run = await h.server.services.directory.syncIfDue();
    expect(run).toMatchObject({ trigger: 'schedule', status: 'succeeded', kind: 'sync' });
    clock.advance(10 * 60_000);
    expect(await h.server.services.directory.syncIfDue()).toBeNull();
    const runs = (await h.admin.call('GET', '/api/directory/runs')).json<{ items: DirectoryRunDto[] }>();
    expect(runs.items.map((r) => r.trigger)).toEqual(['schedule', 'admin']);
  });

  it('never asks a directory user to set a local password, and refuses one at the portal', async () => {
    const { principal } = await h.server.services.portal.signIn(
      { email: uidOf(7), secret: passwordOf(7), invite: null },
      '127.0.0.1',
    );
    expect(principal.needsPassword).toBe(false);
    await expect(
      h.server.services.portal.setPassword(
        principal,
        { password: 'a new local password 7', current: passwordOf(7) },
        null,
      ),
    ).rejects.toMatchObject({ code: 'PASSWORD_CHANGE_REFUSED', details: { reason: 'directory' } });
  });
});
