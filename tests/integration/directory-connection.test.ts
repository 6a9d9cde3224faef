import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectorySettingsUpdate, DirectoryTestResult } from '../../server/contract/directory.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import { freePort, connectorSettings, startSlapd, type Slapd } from '../helpers/slapd.js';

// "Test connection" against Debian's slapd: each failure said exactly, over StartTLS and LDAPS. One small slapd and one
// server for the file; each case tests unsaved settings (`{settings}`), so nothing is stored between them.
describe('directory test connection', () => {
  let slapd: Slapd;
  let h: Harness;
  let good: DirectorySettingsUpdate;
  const test = async (changes: Partial<DirectorySettingsUpdate>) => {
    const res = await h.admin.call('POST', '/api/directory/test', { settings: { ...good, ...changes } });
    expect(res.status).toBe(200);
    return res.json<DirectoryTestResult>();
  };

  beforeAll(async () => {
    [slapd, h] = await Promise.all([startSlapd({ users: 20 }), startHarness()]);
    good = connectorSettings(slapd, { groupFilter: '(cn=staff)', maxDisablePercent: 10 });
  });
  afterAll(async () => {
    await h?.stop();
    await slapd?.close();
  });

  it.each([
    ['ldap:// with StartTLS', () => ({ url: slapd.ldapUrl })],
    ['ldaps://', () => ({ url: slapd.ldapsUrl })],
  ])('passes every step over %s with the test CA', async (_name, changes) => {
    const result = await test(changes());
    expect(result).toMatchObject({ ok: true, problem: null });
    expect(result.steps.map((s) => [s.step, s.ok])).toEqual([
      ['connect', true],
      ['tls', true],
      ['bind', true],
      ['base_dn', true],
      ['users', true],
      ['groups', true],
    ]);
  });

  it('says the server is unreachable when nothing listens', async () => {
    const port = await freePort();
    const result = await test({ url: `ldap://127.0.0.1:${port}` });
    expect(result.problem?.code).toBe('unreachable');
    expect(result.problem?.message).toContain(`127.0.0.1:${port} is unreachable`);
    expect(result.steps).toEqual([expect.objectContaining({ step: 'connect', ok: false })]);
  });

  it('says so when the running server is stopped', async () => {
    await slapd.stop();
    try {
      const result = await test({ url: slapd.ldapsUrl });
      expect(result.problem?.code).toBe('unreachable');
    } finally {
      await slapd.start();
    }
  });

  it.each([
    ['StartTLS', () => slapd.ldapUrl],
    ['LDAPS', () => slapd.ldapsUrl],
  ])('names the certificate (subject, SHA-256) when the CA does not match, over %s', async (_name, url) => {
    const result = await test({ url: url(), caPem: slapd.otherCaPem });
    expect(result.problem?.code).toBe('tls');
    expect(result.problem?.certificate).toMatchObject({
      subject: expect.stringContaining('CN=ldap.example.test'),
      issuer: expect.stringContaining('CN=Tsunagu Test LDAP CA'),
      fingerprint256: slapd.serverFingerprint256,
    });
    expect(result.problem?.message).toContain(slapd.serverFingerprint256);
    expect(result.steps.at(-1)).toMatchObject({ step: 'tls', ok: false });
  });

  it('says the bind was refused for a wrong password', async () => {
    const result = await test({ bindPassword: 'not the password' });
    expect(result.problem).toMatchObject({ code: 'bind_refused' });
    expect(result.problem?.message).toContain(slapd.readerDn);
    expect(result.steps.at(-1)).toMatchObject({ step: 'bind', ok: false });
  });

  it('says the base DN is missing', async () => {
    const result = await test({ baseDn: `ou=nowhere,${slapd.baseDn}` });
    expect(result.problem).toMatchObject({ code: 'base_dn_missing' });
    expect(result.problem?.message).toContain(`ou=nowhere,${slapd.baseDn}`);
  });

  it('says the user filter matches nobody, and the group filter no group', async () => {
    expect((await test({ userFilter: '(uid=nobody-has-this)' })).problem).toMatchObject({ code: 'no_matches' });
    expect((await test({ groupFilter: '(cn=no-such-group)' })).problem).toMatchObject({ code: 'no_groups' });
  });
});
