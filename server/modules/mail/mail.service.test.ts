import { createEventBus } from '../../core/events.js';
import { describe, expect, it } from 'vitest';
import { testFoundation, TEST_ADMIN } from '../../../tests/helpers/foundation.js';
import {
  createMailService,
  MAIL_RETENTION,
  retryDelayMs,
  type MailTransport,
  type OutgoingMail,
} from './mail.service.js';
import { createMailStore } from './mail.store.js';
import { createSettingsStore } from '../settings/settings.store.js';
import { createSecretBox } from '../secrets/secret-box.js';
import { randomBytes } from 'node:crypto';

const SMTP = {
  host: 'smtp.office.test',
  port: 587,
  security: 'starttls' as const,
  username: 'mdm',
  password: 'smtp secret',
  fromAddress: 'mdm@office.test',
  fromName: 'Office IT',
  allowSelfSigned: false,
};
const mail = (to: string): OutgoingMail => ({
  kind: 'invitation',
  refId: `ref-${to}`,
  to,
  subject: 's',
  text: 't',
  html: '<p>t</p>',
});

/** A transport that answers from a script and records what it was asked to send. */
function scripted(answers: (Error | null)[] = [], delayMs = 0) {
  const sent: string[] = [];
  const transport: MailTransport = {
    async send(_s, m) {
      await new Promise((r) => setTimeout(r, delayMs));
      const next = answers.shift() ?? null;
      if (next) throw next;
      sent.push(m.to);
      return { messageId: `<${sent.length}@test>` };
    },
  };
  return { transport, sent };
}

function setup(transport: MailTransport) {
  const f = testFoundation();
  const secrets = createSecretBox(randomBytes(32));
  const sentRefs: string[] = [];
  const events = createEventBus();
  events.on('mail.sent', (e) => sentRefs.push(e.refId ?? ''));
  const service = createMailService({
    store: createMailStore(f.db),
    settingsStore: createSettingsStore(f.db),
    secrets,
    audit: f.services.audit,
    clock: f.clock,
    random: { bytes: (n) => randomBytes(n), uuid: () => crypto.randomUUID(), int: () => 0 },
    transport,
    events,
  });
  service.updateSmtp(SMTP, TEST_ADMIN, null);
  return { ...f, service, sentRefs };
}

const smtpError = (code: number, text: string) =>
  Object.assign(new Error(text), { responseCode: code, response: `${code} ${text}` });

describe('the mail outbox', () => {
  it.each([
    [1, 60_000],
    [2, 120_000],
    [3, 240_000],
    [6, 1_800_000],
    [20, 1_800_000],
  ])('waits %i retries by %i ms', (attempt, ms) => {
    expect(retryDelayMs(attempt)).toBe(ms);
  });

  it('keeps the SMTP password sealed and never returns it', () => {
    const { service, db } = setup(scripted().transport);
    expect(service.smtpSettings()).toMatchObject({ configured: true, hasPassword: true, host: 'smtp.office.test' });
    expect(JSON.stringify(service.smtpSettings())).not.toContain('smtp secret');
    expect(JSON.stringify(db.prepare("SELECT value FROM settings WHERE key = 'smtp'").get())).not.toContain(
      'smtp secret',
    );
    expect(() => service.updateSmtp({ ...SMTP, port: 70000 }, TEST_ADMIN, null)).toThrow(
      expect.objectContaining({ details: { field: 'port' } }),
    );
    expect(() => service.updateSmtp({ ...SMTP, fromAddress: 'nope' }, TEST_ADMIN, null)).toThrow(
      expect.objectContaining({ details: { field: 'fromAddress' } }),
    );
    expect(service.updateSmtp({ ...SMTP, password: null }, TEST_ADMIN, null).hasPassword).toBe(false);
  });

  it('retries while SMTP is down, with backoff, and sends once it is back', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const t = scripted([down, down]);
    const { service, clock, sentRefs } = setup(t.transport);
    service.enqueue(mail('a@example.com'));
    expect(await service.dispatchDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect(await service.dispatchDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    clock.advance(60_000);
    expect(await service.dispatchDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
    clock.advance(60_000);
    expect(await service.dispatchDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    clock.advance(60_000);
    expect(await service.dispatchDue()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(t.sent).toEqual(['a@example.com']);
    expect(sentRefs).toEqual(['ref-a@example.com']);
    expect(service.outbox().items[0]).toMatchObject({ status: 'sent', attempts: 3 });
  });

  it('fails at once on a permanent refusal (5xx); a failed message can be retried', async () => {
    const t = scripted([smtpError(550, 'mailbox unavailable')]);
    const { service } = setup(t.transport);
    service.enqueue(mail('gone@example.com'));
    expect(await service.dispatchDue()).toEqual({ sent: 0, retried: 0, failed: 1 });
    const failed = service.outbox().items[0];
    expect(failed).toMatchObject({ status: 'failed', lastError: '550 mailbox unavailable' });
    service.retry(failed?.id as string, TEST_ADMIN, null);
    expect(await service.dispatchDue()).toEqual({ sent: 1, retried: 0, failed: 0 });
  });

  it('gives up on transient errors three days after the message was queued, and only failed messages can be retried', async () => {
    const t = scripted(Array.from({ length: 100 }, () => smtpError(421, 'try later')));
    const { service, clock } = setup(t.transport);
    service.enqueue(mail('slow@example.com'));
    expect(await service.dispatchDue()).toMatchObject({ retried: 1 });
    const id = service.outbox().items[0]?.id as string;
    expect(() => service.retry(id, TEST_ADMIN, null)).toThrow(/only failed messages/);
    for (let hour = 0; hour < 72; hour++) {
      clock.advance(3600_000);
      await service.dispatchDue();
    }
    expect(service.outbox().items[0]?.status).toBe('queued');
    clock.advance(3600_000);
    expect(await service.dispatchDue()).toMatchObject({ failed: 1 });
    expect(service.outbox().items[0]).toMatchObject({ status: 'failed', lastError: '421 try later' });
  });

  it('sends mail queued during a dispatch right after it, in one more pass', async () => {
    const t = scripted([], 30);
    const { service } = setup(t.transport);
    service.enqueue(mail('first@example.com'));
    const running = service.dispatchDue();
    service.enqueue(mail('second@example.com'));
    const same = service.dispatchDue();
    expect(same).toBe(running);
    expect(await running).toEqual({ sent: 2, retried: 0, failed: 0 });
    expect(t.sent).toEqual(['first@example.com', 'second@example.com']);
  });

  it('does not send mail cancelled for a revoked invitation', async () => {
    const t = scripted();
    const { service } = setup(t.transport);
    service.enqueue(mail('revoked@example.com'));
    expect(service.cancelFor('ref-revoked@example.com')).toBe(1);
    await service.dispatchDue();
    expect(t.sent).toEqual([]);
  });

  it('stores bodies and attachments sealed, each bound to its message, and sends them in clear', async () => {
    const got: OutgoingMail[] = [];
    const { service, db } = setup({
      async send(_s, m) {
        got.push(m);
        return { messageId: '<1@test>' };
      },
    });
    const qr = Buffer.from('qr image bytes');
    service.enqueue({
      ...mail('pin@example.com'),
      text: 'PIN: 735921',
      html: '<p>PIN: 735921</p>',
      attachments: [{ filename: 'qr.png', cid: 'enroll-qr', contentType: 'image/png', content: qr }],
    });
    const rows = db.prepare('SELECT id, text_body, html_body, attachments FROM mail_outbox').all() as {
      id: string;
      text_body: string;
      html_body: string;
      attachments: string;
    }[];
    expect(JSON.stringify(rows)).not.toMatch(/735921|qr\.png|enroll-qr/);
    expect(rows[0]?.text_body).toMatch(/^v1\./);
    // A sealed body moved to another message does not open there: that message fails at once, the other is sent.
    const other = service.enqueue(mail('other@example.com'));
    db.prepare('UPDATE mail_outbox SET text_body = ?, created_at = ? WHERE id = ?').run(
      rows[0]?.text_body,
      '2000-01-01T00:00:00.000Z',
      other,
    );
    expect(await service.dispatchDue()).toEqual({ sent: 1, retried: 0, failed: 1 });
    expect(service.outbox().items.find((i) => i.id === other)).toMatchObject({
      status: 'failed',
      lastError: expect.stringMatching(/could not be read/),
    });
    expect(got[0]).toMatchObject({ text: 'PIN: 735921', html: '<p>PIN: 735921</p>' });
    expect(got[0]?.attachments?.[0]).toMatchObject({ cid: 'enroll-qr', content: qr });
    expect(got.map((m) => m.to)).not.toContain('other@example.com');
  });

  it('seals bodies an older version stored in clear, once', async () => {
    const t = scripted();
    const { service, db } = setup(t.transport);
    db.prepare(
      `INSERT INTO mail_outbox (id, kind, to_address, subject, text_body, html_body, attachments, status, next_attempt_at, created_at)
       VALUES ('old', 'invitation', 'old@example.com', 's', 'PIN: 246810', '<p>PIN: 246810</p>', '[]', 'queued', '2000-01-01T00:00:00.000Z', '2000-01-01T00:00:00.000Z')`,
    ).run();
    expect(service.sealStored()).toBe(1);
    expect(service.sealStored()).toBe(0);
    expect(JSON.stringify(db.prepare('SELECT * FROM mail_outbox').all())).not.toContain('246810');
    expect(await service.dispatchDue()).toMatchObject({ sent: 1 });
  });

  it('refuses to retry a failed message whose body was purged, and says what to do instead', async () => {
    const { service, clock } = setup(scripted([smtpError(550, 'mailbox unavailable')]).transport);
    const id = service.enqueue(mail('gone@example.com'));
    expect(await service.dispatchDue()).toMatchObject({ failed: 1 });
    clock.advance(MAIL_RETENTION.failedBodyMs);
    expect(service.purgeExpired()).toEqual({ bodies: 1, rows: 0 });
    expect(() => service.retry(id, TEST_ADMIN, null)).toThrow(/send the invitation again/);
  });
});
