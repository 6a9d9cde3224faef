import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testFoundation } from '../../../tests/helpers/foundation.js';
import { SESSION_MAX_MS } from '../admins/admins.service.js';
import { createAdminsStore } from '../admins/admins.store.js';
import { createEnrollmentStore } from '../enrollment/enrollment.store.js';
import { createMailService, MAIL_RETENTION } from '../mail/mail.service.js';
import { createMailStore } from '../mail/mail.store.js';
import { createPortalStore } from '../portal/portal.store.js';
import { createSecretBox } from '../secrets/secret-box.js';
import { createSettingsStore } from '../settings/settings.store.js';
import { createThrottle } from '../throttle/throttle.service.js';
import { createThrottleStore } from '../throttle/throttle.store.js';
import { CHALLENGE_GRACE_MS, createHousekeeping } from './housekeeping.service.js';

const MS = 1;

/** Housekeeping over a fresh database, its clock, and a way to add rows relative to now. */
function setup() {
  const f = testFoundation();
  const { db, clock } = f;
  const mail = createMailService({
    store: createMailStore(db),
    settingsStore: createSettingsStore(db),
    secrets: createSecretBox(randomBytes(32)),
    audit: f.services.audit,
    clock,
    random: { bytes: (n) => randomBytes(n), uuid: () => crypto.randomUUID(), int: () => 0 },
  });
  const housekeeping = createHousekeeping({
    clock,
    admins: createAdminsStore(db),
    portal: createPortalStore(db),
    enrollment: createEnrollmentStore(db),
    mail,
    throttle: createThrottle({ store: createThrottleStore(db), clock }),
  });
  const at = (offset: number) => new Date(clock.now().getTime() + offset).toISOString();
  const now = at(0);
  db.prepare(
    `INSERT INTO admins (id, email, email_norm, display_name, password_hash, created_at) VALUES ('a1', 'a@x', 'a@x', 'A', 'h', ?)`,
  ).run(now);
  db.prepare(
    `INSERT INTO users (id, email, email_norm, display_name, locale, source, created_at, updated_at)
     VALUES ('u1', 'u@x', 'u@x', 'U', 'en', 'local', ?, ?)`,
  ).run(now, now);
  db.prepare(
    `INSERT INTO enrollments (id, user_id, platform, status, token_hash, expires_at, created_at, updated_at)
     VALUES ('e1', 'u1', 'ios', 'closed', 'h', ?, ?, ?)`,
  ).run(at(-40 * 24 * 3600_000), now, now);
  const has = (table: string, key: string, value: string) =>
    db.prepare(`SELECT 1 FROM ${table} WHERE ${key} = ?`).get(value) !== undefined;
  const throttle = createThrottle({ store: createThrottleStore(db), clock });
  return { db, at, has, housekeeping, clock, throttle };
}

describe('housekeeping removes exactly what is no longer valid', () => {
  it('sign-in counters: kept while their lock or window lasts, purged after', () => {
    const { housekeeping, clock, throttle } = setup();
    for (let i = 0; i < 5; i++) {
      const r = throttle.reserve(['admin:someone@example.com']);
      if (r.ok) throttle.failed(r.reservation);
    }
    expect(throttle.retryAfter(['admin:someone@example.com'])).toBeGreaterThan(0);
    expect(housekeeping.run().signInCounters).toBe(0);
    clock.advance(24 * 3600_000);
    expect(housekeeping.run().signInCounters).toBe(0);
    clock.advance(MS);
    expect(housekeeping.run().signInCounters).toBe(1);
    expect(housekeeping.run().signInCounters).toBe(0);
  });

  it.each([
    ['an admin session idle until just after now', { expires: MS, created: 0 }, true],
    ['an admin session idle until now', { expires: 0, created: 0 }, false],
    ['an admin session opened exactly the 24-hour limit ago', { expires: MS, created: -SESSION_MAX_MS }, true],
    ['an admin session opened just past the limit', { expires: MS, created: -SESSION_MAX_MS - MS }, false],
  ])('%s: kept %s', (_what, t, kept) => {
    const { db, at, has, housekeeping } = setup();
    db.prepare(
      `INSERT INTO admin_sessions (token_hash, admin_id, csrf_token, created_at, expires_at, last_seen_at)
       VALUES ('s', 'a1', 'c', ?, ?, ?)`,
    ).run(at(t.created), at(t.expires), at(0));
    expect(housekeeping.run().adminSessions).toBe(kept ? 0 : 1);
    expect(has('admin_sessions', 'token_hash', 's')).toBe(kept);
  });

  it.each([
    ['portal_sessions', MS, true],
    ['portal_sessions', 0, false],
    ['sign_in_tokens', MS, true],
    ['sign_in_tokens', 0, false],
  ])('%s expiring %i ms from now: kept %s', (table, expires, kept) => {
    const { db, at, has, housekeeping } = setup();
    if (table === 'portal_sessions')
      db.prepare(
        `INSERT INTO portal_sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ('t', 'u1', 'c', ?, ?)`,
      ).run(at(-1000), at(expires));
    else
      db.prepare(
        `INSERT INTO sign_in_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ('t', 'u1', 'portal', ?, ?)`,
      ).run(at(-1000), at(expires));
    housekeeping.run();
    expect(has(table, 'token_hash', 't')).toBe(kept);
  });

  it.each([
    ['expired just under the grace ago', -CHALLENGE_GRACE_MS + MS, true],
    ['expired the grace ago', -CHALLENGE_GRACE_MS, false],
  ])('a closed enrollment’s SCEP challenge %s: kept %s', (_what, expires, kept) => {
    const { db, at, has, housekeeping } = setup();
    db.prepare(
      `INSERT INTO scep_challenges (id, enrollment_id, challenge_hash, device_hint, created_at, expires_at)
       VALUES ('c', 'e1', 'h', 'ios', ?, ?)`,
    ).run(at(-2 * CHALLENGE_GRACE_MS), at(expires));
    housekeeping.run();
    expect(has('scep_challenges', 'id', 'c')).toBe(kept);
  });

  it.each([
    ['expired just under the grace ago', -CHALLENGE_GRACE_MS + MS, true],
    ['expired the grace ago', -CHALLENGE_GRACE_MS, false],
  ])('a configuration’s SCEP challenge %s: kept %s, whatever its enrollment', (_what, expires, kept) => {
    const { db, at, has, housekeeping } = setup();
    // Its enrollment is still pending (a pending enrollment keeps its own latest challenge for the portal).
    db.prepare(
      `INSERT INTO enrollments (id, user_id, platform, status, token_hash, expires_at, created_at, updated_at)
       VALUES ('e2', 'u1', 'ios', 'pending', 'h2', ?, ?, ?)`,
    ).run(at(14 * 24 * 3600_000), at(0), at(0));
    db.prepare(
      `INSERT INTO devices (id, platform, user_id, status, created_at, updated_at) VALUES ('d1', 'ios', 'u1', 'active', ?, ?)`,
    ).run(at(0), at(0));
    db.prepare(
      `INSERT INTO configurations (id, name, kind, platforms, mac_channel, scope, version, created_by, created_at, updated_by, updated_at)
       VALUES ('cfg', 'Wi-Fi', 'wifi', '["ios"]', 'device', 'everyone', 1, 't', ?, 't', ?)`,
    ).run(at(0), at(0));
    db.prepare(
      `INSERT INTO scep_challenges (id, enrollment_id, challenge_hash, device_hint, created_at, expires_at, purpose, device_id, channel, configuration_id, template)
       VALUES ('c', 'e2', 'h', 'configuration', ?, ?, 'configuration', 'd1', 'device', 'cfg', '{"subject":[]}')`,
    ).run(at(-2 * CHALLENGE_GRACE_MS), at(expires));
    db.prepare(
      `INSERT INTO scep_challenges (id, enrollment_id, challenge_hash, device_hint, created_at, expires_at)
       VALUES ('p', 'e2', 'h-profile', 'ios', ?, ?)`,
    ).run(at(-2 * CHALLENGE_GRACE_MS), at(expires));
    housekeeping.run();
    expect(has('scep_challenges', 'id', 'c')).toBe(kept);
    expect(has('scep_challenges', 'id', 'p')).toBe(true);
  });

  it.each([
    ['sent', 'sent just under the retention ago', -MAIL_RETENTION.sentBodyMs + MS, true],
    ['sent', 'sent the retention ago', -MAIL_RETENTION.sentBodyMs, false],
    ['failed', 'failed, queued just under its retention ago', -MAIL_RETENTION.failedBodyMs + MS, true],
    ['failed', 'failed, queued its retention ago', -MAIL_RETENTION.failedBodyMs, false],
    ['queued', 'queued long ago', -10 * MAIL_RETENTION.rowMs, true],
  ])('a %s message %s keeps its body: %s', (status, _what, offset, kept) => {
    const { db, at, housekeeping } = setup();
    db.prepare(
      `INSERT INTO mail_outbox (id, kind, to_address, subject, text_body, html_body, attachments, status, next_attempt_at, created_at, sent_at)
       VALUES ('m', 'test', 'x@x', 's', 'v1.a.b.c', 'v1.a.b.c', 'v1.a.b.c', ?, ?, ?, ?)`,
    ).run(status, at(365 * 24 * 3600_000), at(offset), status === 'sent' ? at(offset) : null);
    expect(housekeeping.run().mailBodies).toBe(kept ? 0 : 1);
    const row = db.prepare('SELECT text_body FROM mail_outbox WHERE id = ?').get('m') as { text_body: string };
    expect(row.text_body !== '').toBe(kept);
  });

  it.each([
    [-MAIL_RETENTION.rowMs + MS, true],
    [-MAIL_RETENTION.rowMs, false],
  ])('a sent message queued %i ms from now keeps its row: %s', (offset, kept) => {
    const { db, at, has, housekeeping } = setup();
    db.prepare(
      `INSERT INTO mail_outbox (id, kind, to_address, subject, text_body, html_body, attachments, status, next_attempt_at, created_at, sent_at)
       VALUES ('m', 'test', 'x@x', 's', '', '', '[]', 'sent', ?, ?, ?)`,
    ).run(at(offset), at(offset), at(offset));
    expect(housekeeping.run().mailRows).toBe(kept ? 0 : 1);
    expect(has('mail_outbox', 'id', 'm')).toBe(kept);
  });
});
