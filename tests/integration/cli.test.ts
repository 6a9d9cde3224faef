import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPaths } from '../../server/paths.js';
import { killAllServes, runTsunagu, startServe } from '../helpers/cli.js';
import { AdminClient } from '../helpers/http.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('cli');
const env = {
  TSUNAGU_DATA_DIR: join(dir.path, 'data'),
  TSUNAGU_ADMIN_PORT: '0',
  TSUNAGU_DEVICE_PORT: '0',
  TSUNAGU_HTTP_PORT: '0',
  TSUNAGU_DEVICE_BIND: '127.0.0.1',
  TSUNAGU_LOG_LEVEL: 'warn',
};
const file = (name: string) => join(dir.path, name);

beforeAll(() => {
  writeFileSync(file('bad.csv'), 'email,display_name,locale\nichiro@example.com,Ichiro,ja\nnot-an-email,Jiro,ja\n');
  writeFileSync(
    file('good.csv'),
    'email,display_name,locale\nichiro@example.com,Ichiro,ja\njiro@example.com,Jiro,ja\n',
  );
});
afterAll(() => {
  killAllServes();
  dir.remove();
});

describe('tsunagu CLI', () => {
  it('serve prints the admin URL, the LAN URL and the setup token, and stops cleanly on SIGTERM', async () => {
    const serve = await startServe({ ...env, TSUNAGU_LOG_LEVEL: 'info' });
    expect(serve.lines['Admin console']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    // The /go address; with the office CA in use it leads to the first-visit page on the plain-HTTP bootstrap listener.
    expect(serve.lines['Enrollment (LAN)']).toMatch(/^http:\/\/.+:\d+\/go$/);
    expect(serve.lines['Setup token']).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const api = new AdminClient(serve.lines['Admin console'] as string);
    expect((await api.call('GET', '/api/setup')).json()).toEqual({ setupRequired: true });
    expect(await serve.stop('SIGTERM')).toBe(0);
    expect(serve.stderr()).toMatch(/Received SIGTERM.*\n[\s\S]*Stopped\./);
    expect(existsSync(dataPaths(env.TSUNAGU_DATA_DIR).lock)).toBe(false);
    expect(readFileSync(join(env.TSUNAGU_DATA_DIR, 'logs', 'tsunagu.log'), 'utf8')).toMatch(/database closed/);
  });

  it('creates an admin from stdin and refuses a weak password', async () => {
    const weak = await runTsunagu(
      ['admin', 'create', '--email', 'root@example.com', '--name', 'Root', '--password-stdin'],
      env,
      'short\n',
    );
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/PASSWORD_POLICY/);
    const ok = await runTsunagu(
      ['admin', 'create', '--email', 'root@example.com', '--name', 'Root', '--password-stdin'],
      env,
      'a strong passphrase\n',
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Created administrator root@example.com/);
  });

  it('serve refuses what it does not take, saying how to call it, and starts nothing', async () => {
    for (const args of [
      ['serve', 'now'],
      ['serve', '--jsn'],
    ]) {
      const wrong = await runTsunagu(args, env);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/serve takes no now: use tsunagu serve \[--json\]\.|Unknown option --jsn\./);
      expect(wrong.stderr).toContain('Usage: tsunagu <command>');
    }
  });

  it('adds users and imports CSV all-or-nothing, naming the bad line', async () => {
    expect(
      (await runTsunagu(['user', 'add', '--email', 'saburo@example.com', '--name', '三郎', '--locale', 'ja'], env))
        .code,
    ).toBe(0);
    const bad = await runTsunagu(['user', 'import', file('bad.csv')], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/CSV_INVALID: Nothing was imported\. Line 3/);
    expect(bad.stderr).toMatch(/line 3: The email address is not valid/);
    const good = await runTsunagu(['user', 'import', file('good.csv')], env);
    expect(good.stdout).toMatch(/Imported 2 users/);
    const dup = await runTsunagu(['user', 'add', '--email', 'SABURO@example.com', '--name', 'x'], env);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/EMAIL_TAKEN/);
  });

  it('exports the audit trail and verifies it, reporting the first broken link after tampering', async () => {
    const jsonl = await runTsunagu(['audit', 'export', '--format', 'jsonl', '--out', file('audit.jsonl')], env);
    expect(jsonl.code).toBe(0);
    const events = readFileSync(file('audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['admin.created', 'user.created', 'user.import_rejected', 'user.imported']),
    );
    const csv = await runTsunagu(['audit', 'export', '--format', 'csv', '--action', 'user.'], env);
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^seq,id,at,/);
    expect((await runTsunagu(['audit', 'export', '--out', file('audit.jsonl')], env)).code).toBe(1);
    const ok = await runTsunagu(['audit', 'verify'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Audit trail OK: \d+ events/);
  });

  it('backs up online and restores only a verified backup, refusing while the server runs', async () => {
    const backup = await runTsunagu(['backup', file('backup.db')], {
      ...env,
      TSUNAGU_BACKUP_PASSPHRASE: 'a long office passphrase',
    });
    expect(backup.code).toBe(0);
    expect(existsSync(file('backup.db.key'))).toBe(true);
    expect((await runTsunagu(['user', 'add', '--email', 'later@example.com', '--name', 'Later'], env)).code).toBe(0);

    writeFileSync(file('garbage.db'), 'this is not a database');
    const bad = await runTsunagu(['restore', file('garbage.db')], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/DB_INTEGRITY.*nothing was restored/);

    const serve = await startServe(env);
    const busy = await runTsunagu(['restore', file('backup.db')], env);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/is running \(process \d+\).*Nothing was changed/);
    expect(await serve.stop('SIGINT')).toBe(0);

    const restored = await runTsunagu(['restore', file('backup.db')], {
      ...env,
      TSUNAGU_BACKUP_PASSPHRASE: 'a long office passphrase',
    });
    expect(restored.code).toBe(0);
    const db = new Database(dataPaths(env.TSUNAGU_DATA_DIR).db, { readonly: true });
    const emails = (db.prepare('SELECT email FROM users ORDER BY email').all() as { email: string }[]).map(
      (r) => r.email,
    );
    db.close();
    expect(emails).not.toContain('later@example.com');
    expect(emails).toContain('saburo@example.com');
    expect((await runTsunagu(['audit', 'verify'], env)).code).toBe(0);
  });

  it('reports a tampered audit trail with the first broken event', async () => {
    const db = new Database(dataPaths(env.TSUNAGU_DATA_DIR).db);
    db.exec('DROP TRIGGER audit_events_no_update');
    db.prepare("UPDATE audit_events SET actor_label = 'someone else' WHERE seq = 3").run();
    db.close();
    const res = await runTsunagu(['audit', 'verify'], env);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/BROKEN at event 3: its contents do not match its hash/);
  });

  it('names a bad setting and refuses a database from a newer version', async () => {
    const badPort = await runTsunagu(['audit', 'verify'], { ...env, TSUNAGU_ADMIN_PORT: '99999' });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/TSUNAGU_ADMIN_PORT="99999" is not valid: use a port number from 0 to 65535/);
    const db = new Database(dataPaths(env.TSUNAGU_DATA_DIR).db);
    db.pragma('user_version = 999');
    db.close();
    const newer = await runTsunagu(['audit', 'verify'], env);
    expect(newer.code).toBe(1);
    expect(newer.stderr).toMatch(/DB_NEWER_VERSION: The database has schema version 999/);
    const usage = await runTsunagu(['frobnicate'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/Unknown command "frobnicate"/);
  });
});
