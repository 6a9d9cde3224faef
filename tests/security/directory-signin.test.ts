import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryRunDto } from '../../server/contract/directory.js';
import type { UserPage } from '../../server/contract/users.js';
import { send } from '../helpers/http.js';
import { local, startHarness, type Harness } from '../helpers/server-harness.js';
import {
  passwordOf,
  connectorSettings,
  SLAPD_READER_PASSWORD,
  startSlapd,
  uidOf,
  type Slapd,
} from '../helpers/slapd.js';

// Attacks on directory sign-in, against Debian's slapd: what someone types as a login name must never become filter
// syntax (RFC 4515), and an empty password (an unauthenticated bind, which "succeeds") must never reach a bind.
describe('directory sign-in: attacks', () => {
  let slapd: Slapd;
  let h: Harness;
  let user1: { external_id: string };

  beforeAll(async () => {
    [slapd, h] = await Promise.all([
      startSlapd({ users: 20 }),
      startHarness({ env: { TSUNAGU_RATE_REFUSALS: '100000' } }),
    ]);
    expect((await h.admin.call('PUT', '/api/directory', connectorSettings(slapd))).status).toBe(200);
    expect((await h.admin.call('POST', '/api/directory/sync', {})).json<DirectoryRunDto>().status).toBe('succeeded');
    const page = (await h.admin.call('GET', `/api/users?q=${uidOf(1)}@`)).json<UserPage>();
    expect(page.items.map((u) => u.source)).toEqual(['ldap']);
    user1 = { external_id: await entryUuidOf(1) };
  });
  afterAll(async () => {
    await h?.stop();
    await slapd?.close();
  });

  /** The unique id the sync stored for user n: its entryUUID, read from the directory. */
  async function entryUuidOf(n: number): Promise<string> {
    const c = new Client({ url: slapd.ldapsUrl, tlsOptions: { ca: slapd.caPem } });
    await c.bind(slapd.readerDn, SLAPD_READER_PASSWORD);
    const { searchEntries } = await c.search(`uid=${uidOf(n)},ou=people,${slapd.baseDn}`, {
      scope: 'base',
      attributes: ['entryUUID'],
    });
    await c.unbind();
    return String(searchEntries[0]?.entryUUID).toLowerCase();
  }

  it.each([
    ['*'],
    [`${uidOf(1)}*`],
    ['*)(uid=*'],
    [`${uidOf(9)})(|(uid=*`],
    [`*)(mail=${uidOf(1)}@example.test`],
    ['\\2a'],
    ['\0'],
  ])('does not let the login name %j widen the search to user 1 (right password, still refused)', async (typed) => {
    expect(await h.server.services.directory.authenticate(user1, typed, passwordOf(1))).toBe('wrong');
  });

  it('still signs user 1 in with their own login name and password (the escaping keeps what is legitimate)', async () => {
    expect(await h.server.services.directory.authenticate(user1, uidOf(1), passwordOf(1))).toBe('ok');
  });

  it('refuses an empty password without a bind, even one slapd would accept as unauthenticated', async () => {
    expect(await h.server.services.directory.authenticate(user1, uidOf(1), '')).toBe('wrong');
    const caPem = h.server.services.ca.caCertificate().pem;
    const origin = new URL(local(h.server.enrollmentUrl)).origin;
    const go = await send(`${origin}/go`, { ca: caPem });
    const res = await send(`${origin}${String(go.headers.location)}/sign-in`, {
      method: 'POST',
      ca: caPem,
      body: new URLSearchParams({ email: uidOf(1), secret: '' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin, 'accept-language': 'en' },
    });
    expect(res.status).toBe(401);
    const star = await send(`${origin}${String(go.headers.location)}/sign-in`, {
      method: 'POST',
      ca: caPem,
      body: new URLSearchParams({ email: '*', secret: passwordOf(1) }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin, 'accept-language': 'en' },
    });
    expect(star.status).toBe(401);
  });
});
