// `npm run bench:directory`: Debian's slapd with BENCH_DIRECTORY_USERS generated users (1,000 by default; 20,000 with
// BENCH_DIRECTORY_USERS=20000) and a running server (in-process, loopback, a real SQLite file), then the wall-clock time
// of each step over the admin API: test connection, preview, the first import, a sync with nothing to do, and a sync
// after 1% of the entries changed their email (the changes made with ldapmodify-like calls before it, not timed), and
// directory sign-ins (the bind as the person and the scope check after it).
import { performance } from 'node:perf_hooks';
import { Attribute, Change, Client } from 'ldapts';
import type { DirectoryRunDto } from '../../server/contract/directory.js';
import { startHarness } from '../helpers/server-harness.js';
import { SLAPD_ADMIN_PASSWORD, connectorSettings, passwordOf, startSlapd, uidOf } from '../helpers/slapd.js';

const USERS = Number(process.env.BENCH_DIRECTORY_USERS ?? 1000);

async function main(): Promise<void> {
  const t0 = performance.now();
  const slapd = await startSlapd({ users: USERS });
  const slapdMs = performance.now() - t0;
  const h = await startHarness();
  const rows: [string, number, string][] = [[`slapadd + start slapd (${USERS} users)`, slapdMs, '']];
  try {
    const put = await h.admin.call('PUT', '/api/directory', connectorSettings(slapd, { groupFilter: '(cn=staff)' }));
    if (put.status !== 200) throw new Error(`settings: ${put.status} ${put.text}`);
    const step = async (name: string, path: string, body: unknown = {}) => {
      const s = performance.now();
      const res = await h.admin.call('POST', path, body);
      const ms = performance.now() - s;
      if (res.status !== 200) throw new Error(`${name}: ${res.status} ${res.text}`);
      const run = res.json<Partial<DirectoryRunDto> & { count?: number }>();
      rows.push([
        name,
        ms,
        run.counts ? JSON.stringify(run.counts) : run.count !== undefined ? `count ${run.count}` : '',
      ]);
    };
    await step('test connection (StartTLS)', '/api/directory/test');
    await step('preview (paged search + group)', '/api/directory/preview');
    await step('import (first sync)', '/api/directory/sync');
    await step('sync, nothing changed', '/api/directory/sync');
    const changed = Math.max(1, Math.floor(USERS / 100));
    const c = new Client({ url: slapd.ldapsUrl, tlsOptions: { ca: slapd.caPem }, timeout: 30_000 });
    await c.bind(slapd.adminDn, SLAPD_ADMIN_PASSWORD);
    for (let n = 1; n <= changed; n++) {
      await c.modify(`uid=${uidOf(n)},ou=people,${slapd.baseDn}`, [
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'mail', values: [`moved${n}@example.test`] }),
        }),
      ]);
    }
    await c.unbind();
    await step(`sync, ${changed} emails changed`, '/api/directory/sync');
    // Directory sign-ins as /go, the helper and the agent make them: find the entry, bind as the person, and check
    // the scope (user filter and group) as the connector's account. Users past the changed ones, the right password.
    const times: number[] = [];
    for (let n = changed + 1; n <= Math.min(USERS, changed + 20); n++) {
      if (n % 10 === 0) continue; // contractors: outside the staff group
      const s = performance.now();
      await h.server.services.portal.verifyCredentials({ email: uidOf(n), secret: passwordOf(n) }, '127.0.0.1');
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    rows.push([
      'directory sign-in (bind + scope), median',
      times[Math.floor(times.length / 2)] ?? 0,
      `${times.length} sign-ins, slowest ${(times.at(-1) ?? 0).toFixed(0)} ms`,
    ]);
  } finally {
    await h.stop();
    await slapd.close();
  }
  console.log(
    `directory bench: ${USERS} users (900 in 1,000 in the staff group filter), ${process.platform} node ${process.version}`,
  );
  for (const [name, ms, note] of rows) console.log(`${name.padEnd(40)} ${ms.toFixed(0).padStart(7)} ms  ${note}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
