// Housekeeping: what has expired is not kept. Expired admin and portal sessions, sign-in (QR) tokens and SCEP
// challenges are deleted by the scheduler's tick, and the outbox forgets what it sent: a delivered message's body after
// the retention, the row itself later. Nothing still valid is ever removed (the clock is a fake one, moved by hand).
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../server/core/clock.js';
import { MAIL_RETENTION } from '../../server/modules/mail/mail.service.js';
import { HARNESS_ADMIN, startHarness, type Harness } from '../helpers/server-harness.js';
import { sinkSmtpSettings, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const clock = new FakeClock(new Date());
let h: Harness;
let smtp: SmtpSink;

/** A second connection to the database, as a test's window on the rows. */
function withDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(join(h.dataDir, 'tsunagu.db'));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();
const ids = (table: string, key: string) =>
  withDb((db) =>
    (db.prepare(`SELECT ${key} AS k FROM ${table} ORDER BY ${key}`).all() as { k: string }[]).map((r) => r.k),
  );
const tick = () => h.server.services.tick();
async function signInAgain() {
  const res = await h.admin.call('POST', '/api/auth/login', {
    email: HARNESS_ADMIN.email,
    password: HARNESS_ADMIN.password,
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  smtp = await startSmtpSink();
  h = await startHarness({ clock });
  const res = await h.admin.call('PUT', '/api/mail/smtp', sinkSmtpSettings(smtp));
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await h?.stop();
  await smtp?.close();
});

describe('the scheduler’s tick purges what expired and keeps what is valid', () => {
  it('deletes expired admin and portal sessions, sign-in tokens and stale SCEP challenges', async () => {
    withDb((db) => {
      const now = at(0);
      db.prepare(
        `INSERT INTO users (id, email, email_norm, display_name, locale, source, created_at, updated_at)
         VALUES ('u1', 'hk@example.com', 'hk@example.com', 'HK', 'en', 'local', ?, ?)`,
      ).run(now, now);
      const adminId = (db.prepare('SELECT id FROM admins').get() as { id: string }).id;
      const session = db.prepare(
        `INSERT INTO admin_sessions (token_hash, admin_id, csrf_token, created_at, expires_at, last_seen_at)
         VALUES (?, ?, 'c', ?, ?, ?)`,
      );
      session.run('admin-expired', adminId, at(-9 * HOUR), at(-1000), at(-9 * HOUR));
      session.run('admin-valid', adminId, at(-HOUR), at(7 * HOUR), at(-HOUR));
      // Idle-extended past the 24-hour limit: no longer accepted, so no longer kept.
      session.run('admin-too-old', adminId, at(-25 * HOUR), at(HOUR), at(-HOUR));
      const portal = db.prepare(
        `INSERT INTO portal_sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, 'u1', 'c', ?, ?)`,
      );
      portal.run('portal-expired', at(-3 * HOUR), at(-HOUR));
      portal.run('portal-valid', at(-HOUR), at(HOUR));
      const token = db.prepare(
        `INSERT INTO sign_in_tokens (token_hash, user_id, purpose, created_at, expires_at, used_at) VALUES (?, 'u1', 'portal', ?, ?, ?)`,
      );
      token.run('token-expired', at(-20 * 60_000), at(-10 * 60_000), null);
      token.run('token-valid', at(-60_000), at(9 * 60_000), null);
      token.run('token-used-live', at(-60_000), at(9 * 60_000), at(-30_000));
      const enrollment = db.prepare(
        `INSERT INTO enrollments (id, user_id, platform, status, token_hash, expires_at, created_at, updated_at)
         VALUES (?, 'u1', 'ios', ?, ?, ?, ?, ?)`,
      );
      enrollment.run('e-closed', 'closed', 'eh1', at(-2 * DAY), at(-3 * DAY), at(-2 * DAY));
      enrollment.run('e-pending', 'pending', 'eh2', at(DAY), at(-3 * DAY), at(-3 * DAY));
      const challenge = db.prepare(
        `INSERT INTO scep_challenges (id, enrollment_id, challenge_hash, device_hint, created_at, expires_at)
         VALUES (?, ?, ?, 'ios', ?, ?)`,
      );
      challenge.run('c-closed-stale', 'e-closed', 'ch1', at(-3 * DAY), at(-2 * DAY));
      challenge.run('c-closed-recent', 'e-closed', 'ch2', at(-2 * HOUR), at(-HOUR));
      // The portal still tells a pending enrollment's user that its profile expired: that challenge stays.
      challenge.run('c-pending-stale', 'e-pending', 'ch3', at(-3 * DAY), at(-2 * DAY));
    });
    await tick();
    expect(ids('admin_sessions', 'token_hash').filter((k) => k.startsWith('admin-'))).toEqual(['admin-valid']);
    expect(ids('portal_sessions', 'token_hash')).toEqual(['portal-valid']);
    expect(ids('sign_in_tokens', 'token_hash')).toEqual(['token-used-live', 'token-valid']);
    expect(ids('scep_challenges', 'id')).toEqual(['c-closed-recent', 'c-pending-stale']);
    // The harness admin's own session is valid and stays.
    expect((await h.admin.call('GET', '/api/auth/session')).status).toBe(200);
  });

  it('purges a delivered mail body after the retention, the row later; queued mail is never touched', async () => {
    const before = smtp.messages.length;
    const res = await h.admin.call('POST', '/api/users', {
      email: 'retention@example.com',
      displayName: 'Retention',
      locale: 'en',
      sendInvitation: true,
    });
    expect(res.status).toBe(201);
    await smtp.waitFor(before + 1);
    const sentId = withDb(
      (db) => (db.prepare("SELECT id FROM mail_outbox WHERE status = 'sent'").get() as { id: string }).id,
    );
    withDb((db) => {
      const row = db.prepare(
        `INSERT INTO mail_outbox (id, kind, ref_id, to_address, subject, text_body, html_body, attachments, status, attempts, next_attempt_at, created_at)
         VALUES (?, 'test', NULL, 'x@example.com', 'S', 'body', '<p>body</p>', '[]', ?, 1, ?, ?)`,
      );
      // Queued (due in the future, so the tick does not send it) and failed rows, from long before.
      row.run('queued-old', 'queued', at(365 * DAY), at(-200 * DAY));
      row.run('failed-recent', 'failed', at(-DAY), at(-DAY));
    });
    const body = (id: string) =>
      withDb((db) => db.prepare('SELECT text_body, html_body, attachments FROM mail_outbox WHERE id = ?').get(id)) as
        { text_body: string; html_body: string; attachments: string } | undefined;
    const purged = { text_body: '', html_body: '', attachments: '[]' };

    clock.advance(MAIL_RETENTION.sentBodyMs - HOUR);
    await tick();
    expect(body(sentId)).not.toEqual(purged);

    clock.advance(2 * HOUR);
    await tick();
    expect(body(sentId)).toEqual(purged);
    expect(body('failed-recent')).not.toEqual(purged);
    expect(body('queued-old')).not.toEqual(purged);
    await signInAgain();
    const outbox = await h.admin.call('GET', '/api/mail/outbox');
    expect(outbox.json<{ items: { id: string; status: string }[] }>().items).toContainEqual(
      expect.objectContaining({ id: sentId, status: 'sent' }),
    );
    // A failed message whose body is gone cannot be sent again: the answer says what to do instead.
    clock.advance(MAIL_RETENTION.failedBodyMs);
    await tick();
    expect(body('failed-recent')).toEqual(purged);
    await signInAgain();
    const retry = await h.admin.call('POST', '/api/mail/outbox/failed-recent/retry');
    expect(retry.status).toBe(400);
    expect(retry.text).toMatch(/send the invitation again/i);

    clock.advance(MAIL_RETENTION.rowMs);
    await tick();
    expect(ids('mail_outbox', 'id')).toEqual(['queued-old']);
    expect(body('queued-old')).toMatchObject({ text_body: expect.not.stringMatching(/^$/) });
  });
});
