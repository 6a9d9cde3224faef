// Secrets at rest: someone who copies the database (a stolen disk, a backup left on a share, the -wal file next to
// it) must not find an invitation's PIN or link token in it. The outbox seals what it will send; the SMTP server still
// receives the PIN and the link in clear, since that is the mail's purpose.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../server/core/clock.js';
import { invitationLinkIn } from '../helpers/first-visit.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import { sinkSmtpSettings, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const clock = new FakeClock(new Date());
let h: Harness;
let smtp: SmtpSink;

const pinIn = (text: string) => /PIN[^:\n]*: (\d{6,8})/.exec(text)?.[1] ?? null;
const dbFile = () => join(h.dataDir, 'tsunagu.db');
/** The bytes an attacker who copies the data directory gets: the database and its write-ahead log. */
const filesAtRest = () =>
  [dbFile(), `${dbFile()}-wal`].filter((f) => existsSync(f)).map((f) => ({ file: f, bytes: readFileSync(f) }));
/** Where `secret` appears in clear (as UTF-8) in the files at rest. */
const foundIn = (secret: string) =>
  filesAtRest()
    .filter(({ bytes }) => bytes.includes(Buffer.from(secret)))
    .map(({ file }) => file.slice(h.dataDir.length + 1));
/** The outbox rows as stored, read over a separate connection (as a copied file would be read). */
function outboxRows(): Record<string, unknown>[] {
  const db = new Database(dbFile(), { readonly: true });
  try {
    return db.prepare('SELECT * FROM mail_outbox').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}
const smtpSettings = () => sinkSmtpSettings(smtp);

beforeAll(async () => {
  smtp = await startSmtpSink();
  h = await startHarness({ clock });
  expect((await h.admin.call('PUT', '/api/mail/smtp', smtpSettings())).status).toBe(200);
});
afterAll(async () => {
  await h?.stop();
  await smtp?.close();
});

describe('the mail outbox keeps no PIN or link token in clear', () => {
  it('delivers the PIN and link, while the database, its -wal and the outbox rows hold neither', async () => {
    const before = smtp.messages.length;
    const res = await h.admin.call('POST', '/api/users', {
      email: 'sato@example.com',
      displayName: 'Sato Hanako',
      locale: 'en',
      sendInvitation: true,
    });
    expect(res.status).toBe(201);
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    const text = mail?.text ?? '';
    const pin = pinIn(text);
    const link = invitationLinkIn(text);
    const token = link.split('#invite=')[1] ?? '';
    expect(pin).toMatch(/^\d{6,8}$/);
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(mail?.html).toContain(token);
    expect(mail?.attachments.find((a) => a.cid === 'enroll-qr')?.contentType).toBe('image/png');

    const rows = outboxRows();
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    expect({ pin: stored.includes(pin as string), token: stored.includes(token) }).toEqual({
      pin: false,
      token: false,
    });
    expect({ pin: foundIn(pin as string), token: foundIn(token) }).toEqual({ pin: [], token: [] });
  });

  it('seals, at startup, rows an older version wrote in clear, and still sends them', async () => {
    await smtp.down();
    const secret = 'PIN: 48151623 https://tsunagu.test/e/legacy/go#invite=LegacyLinkTokenInClear000000000000000000000';
    const db = new Database(dbFile());
    try {
      const now = new Date().toISOString();
      db.prepare(
        `INSERT INTO mail_outbox (id, kind, ref_id, to_address, subject, text_body, html_body, attachments, status, attempts, next_attempt_at, created_at)
         VALUES ('legacy-1', 'invitation', NULL, 'legacy@example.com', 'Legacy', ?, ?, '[]', 'queued', 0, ?, ?)`,
      ).run(secret, `<p>${secret}</p>`, now, now);
    } finally {
      db.close();
    }
    await h.restart();
    expect(foundIn('LegacyLinkTokenInClear')).toEqual([]);
    expect(JSON.stringify(outboxRows())).not.toContain('48151623');

    await smtp.up();
    // The scheduler's first run after the restart found SMTP down: the message waits for its retry.
    clock.advance(10 * 60_000);
    const before = smtp.messages.length;
    await h.server.services.mail.dispatchDue();
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail?.text?.trim()).toBe(secret);
    expect(mail?.html).toContain(secret);
  });
});
