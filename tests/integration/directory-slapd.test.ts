import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLAPD_READER_PASSWORD, passwordOf, startSlapd, uidOf, type Slapd } from '../helpers/slapd.js';

// The harness itself: slapd serves the generated directory over ldap:// (with StartTLS) and ldaps://.
describe('slapd harness', () => {
  let slapd: Slapd;
  beforeAll(async () => {
    slapd = await startSlapd({ users: 1000 });
  });
  afterAll(async () => {
    await slapd?.close();
  });

  it('pages through 1,000 users with entryUUID after StartTLS, and refuses an unpaged search past 500', async () => {
    const client = new Client({ url: slapd.ldapUrl, timeout: 10_000, connectTimeout: 5_000 });
    try {
      await client.startTLS({ ca: slapd.caPem });
      await client.bind(slapd.readerDn, SLAPD_READER_PASSWORD);
      let n = 0;
      let withUuid = 0;
      for await (const page of client.searchPaginated(`ou=people,${slapd.baseDn}`, {
        scope: 'one',
        filter: '(objectClass=inetOrgPerson)',
        attributes: ['uid', 'mail', 'entryUUID'],
        paged: { pageSize: 200 },
      })) {
        n += page.searchEntries.length;
        withUuid += page.searchEntries.filter((e) => typeof e.entryUUID === 'string').length;
      }
      expect([n, withUuid]).toEqual([1000, 1000]);
      await expect(
        client.search(`ou=people,${slapd.baseDn}`, { scope: 'one', filter: '(objectClass=inetOrgPerson)' }),
      ).rejects.toMatchObject({ code: 4 });
    } finally {
      await client.unbind();
    }
  });

  it('lets a user bind over ldaps:// with the test CA, and refuses another CA', async () => {
    const client = new Client({ url: slapd.ldapsUrl, tlsOptions: { ca: slapd.caPem }, timeout: 10_000 });
    await client.bind(`uid=${uidOf(7)},ou=people,${slapd.baseDn}`, passwordOf(7));
    await client.unbind();
    const wrong = new Client({ url: slapd.ldapsUrl, tlsOptions: { ca: slapd.otherCaPem }, connectTimeout: 5_000 });
    await expect(wrong.bind(slapd.readerDn, SLAPD_READER_PASSWORD)).rejects.toThrow();
  });

  it('stops and starts again on the same port', async () => {
    await slapd.stop();
    const client = new Client({ url: slapd.ldapUrl, connectTimeout: 2_000 });
    await expect(client.bind(slapd.readerDn, SLAPD_READER_PASSWORD)).rejects.toThrow();
    await slapd.start();
    const again = new Client({ url: slapd.ldapUrl, connectTimeout: 2_000 });
    await again.bind(slapd.readerDn, SLAPD_READER_PASSWORD);
    await again.unbind();
  });
});
