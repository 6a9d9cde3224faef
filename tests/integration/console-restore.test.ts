// A backup downloaded from one server's console and restored through another's, on another data directory with
// another data key: the second server restarts on the first one's data (users, CA, the secrets its key opens), every
// session ends, and the restore is audited in the restored database. A wrong passphrase first changes nothing.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../helpers/http.js';
import { addUser, HARNESS_ADMIN, startHarness, type Harness } from '../helpers/server-harness.js';

const PASSPHRASE = 'the office backup passphrase';
let first: Harness;
let second: Harness;
let backup: Buffer;

beforeAll(async () => {
  first = await startHarness();
  second = await startHarness();
  await addUser(first, 'only-on-the-first@example.com');
  const res = await first.admin.call('POST', '/api/backup', { passphrase: PASSPHRASE });
  expect(res.status, res.text).toBe(200);
  backup = res.body;
});
afterAll(async () => {
  await first?.stop();
  await second?.stop();
});

const userEmails = (h: Harness) => h.server.services.users.list({ limit: 100 }).items.map((u) => u.email);

describe('restore from the console on another machine', () => {
  it('takes the upload, refuses a wrong passphrase without changing anything, then restores and restarts', async () => {
    const firstCa = first.server.services.ca.caCertificate().fingerprint256;
    expect(second.server.services.ca.caCertificate().fingerprint256).not.toBe(firstCa);

    const up = await second.admin.call('PUT', '/api/restore/upload', backup, {
      contentType: 'application/octet-stream',
    });
    expect(up.status, up.text).toBe(201);
    const { uploadId, bytes } = up.json<{ uploadId: string; bytes: number }>();
    expect(bytes).toBe(backup.length);

    const wrong = await second.admin.call('POST', '/api/restore', { uploadId, passphrase: 'not the passphrase' });
    expect([wrong.status, wrong.json().code]).toEqual([400, 'BACKUP_KEY_REFUSED']);
    expect(userEmails(second)).not.toContain('only-on-the-first@example.com');
    expect(existsSync(join(second.dataDir, 'restore-pending'))).toBe(false);

    // The server restarts after this answer: its connection is not kept for the next request.
    const ok = await second.admin.call(
      'POST',
      '/api/restore',
      { uploadId, passphrase: PASSPHRASE },
      { headers: { connection: 'close' } },
    );
    expect(ok.status, ok.text).toBe(202);
    await second.server.restarted();

    // The same server object now runs on the first server's data, and its key opens the first one's secrets.
    expect(userEmails(second)).toContain('only-on-the-first@example.com');
    expect(second.server.services.ca.caCertificate().fingerprint256).toBe(firstCa);
    expect(() => second.server.services.ca.tlsCredentials()).not.toThrow();
    // No upload or staging is left behind.
    expect(readdirSync(second.dataDir).filter((f) => f.startsWith('.restore-') || f === 'restore-pending')).toEqual([]);

    // Every session ended: the old cookie is refused, and the admin signs in again (on the same address).
    expect((await second.admin.call('GET', '/api/auth/session')).status).toBe(401);
    const again = new AdminClient(second.server.adminUrl);
    const login = await again.call('POST', '/api/auth/login', {
      email: HARNESS_ADMIN.email,
      password: HARNESS_ADMIN.password,
    });
    expect(login.status, login.text).toBe(200);

    const events = second.server.services.audit.list({ action: 'backup.restored' }).items;
    expect(events).toHaveLength(1);
    expect(events[0]?.details).toMatchObject({ via: 'console', bytes: backup.length, sessionsEnded: 1 });
    expect((await again.call('GET', '/api/audit/verify')).json()).toMatchObject({ ok: true });
  });
});
