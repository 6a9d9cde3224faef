import { Client, Change, Attribute } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  DirectoryPreviewDto,
  DirectoryRunDto,
  DirectorySettingsDto,
  DirectorySettingsUpdate,
} from '../../server/contract/directory.js';
import type { UserDto, UserPage } from '../../server/contract/users.js';
import { HARNESS_ADMIN, startHarness, type Harness } from '../helpers/server-harness.js';
import {
  SLAPD_ADMIN_PASSWORD,
  connectorSettings,
  SLAPD_READER_PASSWORD,
  startSlapd,
  uidOf,
  type Slapd,
} from '../helpers/slapd.js';

// Import and sync against Debian's slapd with 1,000 users (900 staff, 100 contractors): one slapd and one server for
// the whole file, each test building on the state the one before left.
describe('directory import and sync', () => {
  let slapd: Slapd;
  let h: Harness;
  let settings: DirectorySettingsUpdate;

  const ldapAdmin = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    const c = new Client({ url: slapd.ldapsUrl, tlsOptions: { ca: slapd.caPem }, timeout: 10_000 });
    await c.bind(slapd.adminDn, SLAPD_ADMIN_PASSWORD);
    try {
      return await fn(c);
    } finally {
      await c.unbind();
    }
  };
  const dnOf = (n: number) => `uid=${uidOf(n)},ou=people,${slapd.baseDn}`;
  const userByEmail = async (email: string): Promise<UserDto> => {
    const page = (await h.admin.call('GET', `/api/users?q=${encodeURIComponent(email)}`)).json<UserPage>();
    const u = page.items.find((i) => i.email === email);
    if (!u) throw new Error(`no user ${email}`);
    return u;
  };
  const sync = (body: Record<string, unknown> = {}) => h.admin.call('POST', '/api/directory/sync', body);
  const put = (changes: Partial<DirectorySettingsUpdate>) => {
    settings = { ...settings, ...changes };
    return h.admin.call('PUT', '/api/directory', settings);
  };
  const enabledDirectoryUsers = async () => {
    let n = 0;
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page: UserPage = (
        await h.admin.call('GET', `/api/users?limit=500${cursor ? `&cursor=${cursor}` : ''}`)
      ).json<UserPage>();
      n += page.items.filter((u) => u.source === 'ldap' && !u.disabled).length;
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    return n;
  };

  beforeAll(async () => {
    [slapd, h] = await Promise.all([startSlapd({ users: 1000 }), startHarness()]);
    settings = connectorSettings(slapd);
  });
  afterAll(async () => {
    await h?.stop();
    await slapd?.close();
  });

  it('saves the connector with the password sealed, never sent back, and the connection tests clean', async () => {
    const saved = await put({});
    expect(saved.status).toBe(200);
    const dto = (await h.admin.call('GET', '/api/directory')).json<DirectorySettingsDto>();
    expect(dto).toMatchObject({ configured: true, hasBindPassword: true, url: slapd.ldapUrl });
    expect(JSON.stringify(dto)).not.toContain(SLAPD_READER_PASSWORD);
    const tested = await h.admin.call('POST', '/api/directory/test', {});
    const test = tested.json<{ ok: boolean; steps: { step: string }[] }>();
    expect(tested.text).toContain('"ok":true');
    expect(test.ok).toBe(true);
    expect(test.steps.map((s) => s.step)).toEqual(['connect', 'tls', 'bind', 'base_dn', 'users']);
  });

  it('previews 1,000 entries with the local user of the same email as linkable, changing nothing', async () => {
    const local = (
      await h.admin.call('POST', '/api/users', {
        email: `${uidOf(5)}@example.test`,
        displayName: 'Local Five',
        password: 'a long local password 5',
      })
    ).json<UserDto>();
    const res = await h.admin.call('POST', '/api/directory/preview', {});
    expect(res.status).toBe(200);
    const preview = res.json<DirectoryPreviewDto>();
    expect(preview.count).toBe(1000);
    expect(preview.first.length).toBe(20);
    expect(preview.first[0]).toMatchObject({ email: expect.stringMatching(/@example\.test$/), disabled: false });
    expect(preview.linkable).toEqual([expect.objectContaining({ userId: local.id, email: local.email })]);
    expect(preview.plan).toMatchObject({ entries: 1000, created: 999, linked: 0, skipped: 1, disabled: 0 });
    expect((await h.admin.call('GET', '/api/users')).json<UserPage>().total).toBe(1);
  });

  it('imports with paged results, linking the local user (same id, no local password)', async () => {
    const local = await userByEmail(`${uidOf(5)}@example.test`);
    const res = await sync({ link: [local.id] });
    expect(res.status).toBe(200);
    const run = res.json<DirectoryRunDto>();
    expect(run).toMatchObject({
      kind: 'import',
      status: 'succeeded',
      trigger: 'admin',
      startedBy: HARNESS_ADMIN.email,
    });
    expect(run.counts).toMatchObject({ entries: 1000, created: 999, linked: 1, skipped: 0, disabled: 0 });
    const linked = await userByEmail(`${uidOf(5)}@example.test`);
    expect(linked).toMatchObject({ id: local.id, source: 'ldap', hasPassword: false, displayName: 'User 5' });
    expect((await h.admin.call('GET', '/api/users')).json<UserPage>().total).toBe(1000);
    // The users list filters by source (with a search too); a value that is no source is refused.
    expect((await h.admin.call('GET', '/api/users?source=ldap&limit=1')).json<UserPage>().total).toBe(1000);
    expect((await h.admin.call('GET', '/api/users?source=local')).json<UserPage>().total).toBe(0);
    const searched = (await h.admin.call('GET', '/api/users?source=ldap&q=user0000')).json<UserPage>();
    expect([searched.total, searched.items.every((u) => u.source === 'ldap')]).toEqual([9, true]);
    expect((await h.admin.call('GET', '/api/users?source=other')).status).toBe(400);
    const audit = (await h.admin.call('GET', '/api/audit?action=user.imported')).json<{
      items: { details: Record<string, unknown> }[];
    }>();
    expect(audit.items[0]?.details).toMatchObject({ source: 'directory', counts: run.counts });
  });

  it('refuses a local password for a directory user, and edits of its email', async () => {
    const u = await userByEmail(`${uidOf(6)}@example.test`);
    for (const [method, path, body] of [
      ['POST', `/api/users/${u.id}/temporary-password`, undefined],
      ['POST', `/api/users/${u.id}/reset-password`, undefined],
      ['PATCH', `/api/users/${u.id}`, { password: 'another long password' }],
      ['PATCH', `/api/users/${u.id}`, { email: 'other@example.test' }],
    ] as const) {
      const res = await h.admin.call(method, path, body);
      expect([res.status, res.json<{ code: string }>().code]).toEqual([409, 'DIRECTORY_MANAGED']);
    }
    expect((await h.admin.call('PATCH', `/api/users/${u.id}`, { locale: 'en' })).status).toBe(200);
  });

  it('syncs a changed email as an update of the same user, a changed name, and a deleted entry as disabled', async () => {
    const one = await userByEmail(`${uidOf(1)}@example.test`);
    const three = await userByEmail(`${uidOf(3)}@example.test`);
    const inv = await h.admin.call('POST', '/api/invitations', { userIds: [three.id] });
    expect(inv.status).toBe(201);
    await ldapAdmin(async (c) => {
      await c.modify(dnOf(1), [
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'mail', values: ['renamed1@example.test'] }),
        }),
      ]);
      await c.modify(dnOf(2), [
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'displayName', values: ['Renamed Two'] }),
        }),
      ]);
      await c.del(dnOf(3));
    });
    const run = (await sync()).json<DirectoryRunDto>();
    expect(run).toMatchObject({ kind: 'sync', status: 'succeeded' });
    expect(run.counts).toMatchObject({ created: 0, updated: 2, disabled: 1, enabled: 0, entries: 999 });
    expect(await userByEmail('renamed1@example.test')).toMatchObject({ id: one.id, source: 'ldap' });
    expect((await userByEmail(`${uidOf(2)}@example.test`)).displayName).toBe('Renamed Two');
    expect(await userByEmail(`${uidOf(3)}@example.test`)).toMatchObject({ id: three.id, disabled: true });
    const invitations = (await h.admin.call('GET', `/api/invitations?userId=${three.id}`)).json<{
      items: { userId: string; status: string }[];
    }>();
    expect(invitations.items.filter((i) => i.userId === three.id).map((i) => i.status)).toEqual(['revoked']);
  });

  it('disables a user removed from the allowed group', async () => {
    // Contractors (every tenth user) are outside the staff group: 100 of 999, under the 20% share.
    expect((await put({ groupFilter: '(cn=staff)' })).status).toBe(200);
    const first = (await sync()).json<DirectoryRunDto>();
    expect(first.counts).toMatchObject({ disabled: 100, entries: 899 });
    await ldapAdmin((c) =>
      c.modify(`cn=staff,ou=groups,${slapd.baseDn}`, [
        new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [dnOf(4)] }) }),
      ]),
    );
    const run = (await sync()).json<DirectoryRunDto>();
    expect(run.counts).toMatchObject({ disabled: 1, created: 0, updated: 0 });
    expect((await userByEmail(`${uidOf(4)}@example.test`)).disabled).toBe(true);
  });

  it('stops a run that would disable most users and asks, changing nothing until confirmed with that number', async () => {
    const before = await enabledDirectoryUsers();
    expect((await put({ groupFilter: '(cn=contractors)' })).status).toBe(200);
    const asked = await sync();
    expect(asked.status).toBe(409);
    const body = asked.json<{ code: string; message: string; details: { confirmDisable: number; of: number } }>();
    expect(body.code).toBe('DIRECTORY_CONFIRM_REQUIRED');
    expect(body.details).toMatchObject({ confirmDisable: before, of: before });
    expect(body.message).toContain(`disable ${before} of ${before}`);
    expect(await enabledDirectoryUsers()).toBe(before);
    const runs = (await h.admin.call('GET', '/api/directory/runs?limit=1')).json<{ items: DirectoryRunDto[] }>();
    expect(runs.items[0]).toMatchObject({
      status: 'needs_confirmation',
      errorCode: 'DIRECTORY_CONFIRM_REQUIRED',
      startedBy: HARNESS_ADMIN.email,
    });
    expect((await sync({ confirmDisable: before - 1 })).status).toBe(409);
    // Put back the filter instead of confirming: the next run re-enables the users the sync had disabled.
    expect((await put({ groupFilter: '' })).status).toBe(200);
  });

  it('syncs again: users back in scope are enabled, and a second run finds nothing to do', async () => {
    const run = (await sync()).json<DirectoryRunDto>();
    // The 100 contractors and user 4 come back; user 3 stays gone.
    expect(run.counts).toMatchObject({ enabled: 101, disabled: 0, created: 0 });
    expect((await userByEmail(`${uidOf(4)}@example.test`)).disabled).toBe(false);
    expect((await userByEmail(`${uidOf(3)}@example.test`)).disabled).toBe(true);
    const again = (await sync()).json<DirectoryRunDto>();
    expect(again.counts).toMatchObject({ created: 0, updated: 0, disabled: 0, enabled: 0, linked: 0, unchanged: 999 });
  });

  it('records a failed run and changes nothing when the directory is down', async () => {
    await slapd.stop();
    try {
      const res = await sync();
      expect(res.status).toBe(502);
      const body = res.json<{ code: string; message: string; details: { problem: { code: string } } }>();
      expect(body.code).toBe('DIRECTORY_UNAVAILABLE');
      expect(body.details.problem.code).toBe('unreachable');
      const runs = (await h.admin.call('GET', '/api/directory/runs?limit=1')).json<{ items: DirectoryRunDto[] }>();
      expect(runs.items[0]).toMatchObject({ status: 'failed', errorCode: 'unreachable' });
      expect(runs.items[0]?.error).toContain('unreachable');
      expect(await enabledDirectoryUsers()).toBe(999);
    } finally {
      await slapd.start();
    }
  });
});
