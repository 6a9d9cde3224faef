import nodemailer from 'nodemailer';
import type { MailTestResult, OutboxDto, SmtpSettingsDto, SmtpSettingsUpdate } from '../../contract/mail.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { EventSink } from '../../core/events.js';
import type { Random } from '../../core/random.js';
import { emailProblem } from '../../core/validate.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { SettingsStore } from '../settings/settings.store.js';
import type { MailStore, OutboxBodies, OutboxRow } from './mail.store.js';

/** One message to send: text and HTML bodies, inline images by content id. */
export interface OutgoingMail {
  kind: OutboxRow['kind'];
  refId: string | null;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: { filename: string; cid: string; contentType: string; content: Buffer }[];
}

/** What actually talks SMTP; nodemailer in production. */
export interface MailTransport {
  send(settings: StoredSmtp & { password: string | null }, mail: OutgoingMail): Promise<{ messageId: string }>;
}

/** SMTP settings as stored (the password sealed separately). */
export interface StoredSmtp {
  host: string;
  port: number;
  security: 'none' | 'starttls' | 'tls';
  username: string;
  passwordSealed: string | null;
  fromAddress: string;
  fromName: string;
  allowSelfSigned: boolean;
}

/** SMTP settings, the outbox, and its dispatcher. */
export interface MailService {
  smtpSettings(): SmtpSettingsDto;
  updateSmtp(update: SmtpSettingsUpdate, actor: Actor, sourceAddress: string | null): SmtpSettingsDto;
  /** Sends a test message right away (not through the outbox) and says what the SMTP server answered. */
  testSend(to: string, actor: Actor, sourceAddress: string | null): Promise<MailTestResult>;
  /** Puts a message in the outbox; synchronous, so it commits with the caller's transaction. */
  enqueue(mail: OutgoingMail): string;
  /** Sends what is due; one dispatcher at a time. */
  dispatchDue(): Promise<{ sent: number; retried: number; failed: number }>;
  outbox(limit?: number): OutboxDto;
  /** Cancels queued messages about `refId` (a revoked or replaced invitation); returns how many. */
  cancelFor(refId: string): number;
  /** Queues a failed message again, now. */
  retry(id: string, actor: Actor, sourceAddress: string | null): void;
  /** Seals the bodies an older version stored in clear (run at startup); returns how many rows. */
  sealStored(): number;
  /** Empties the bodies of messages done with and deletes old rows, per `MailRetention`; returns how many of each. */
  purgeExpired(): { bodies: number; rows: number };
}

/** How long the outbox keeps what it sent. */
export interface MailRetention {
  /** A delivered message's body (its PIN and link), after `sent_at`; a cancelled one's, after `created_at`. */
  sentBodyMs: number;
  /** A failed message's body, after `created_at`: long enough to fix SMTP and retry it. */
  failedBodyMs: number;
  /**
   * A row that is not queued, after `created_at`. Longer than an invitation can be valid (90 days at most), so an open
   * invitation's mail status is always there; queued rows are never deleted (they fail after `giveUpAfterMs`).
   */
  rowMs: number;
}

const DAY = 24 * 3600_000;
/** The outbox's retention: bodies 7 days after delivery, 30 after a failure; rows after 120 days. */
export const MAIL_RETENTION: Readonly<MailRetention> = Object.freeze({
  sentBodyMs: 7 * DAY,
  failedBodyMs: 30 * DAY,
  rowMs: 120 * DAY,
});

/** Dependencies of the mail service. */
export interface MailDeps {
  store: MailStore;
  settingsStore: SettingsStore;
  secrets: SecretBox;
  audit: AuditService;
  clock: Clock;
  random: Random;
  transport?: MailTransport;
  /** Give up on a message this long after it was queued. */
  giveUpAfterMs?: number;
  /** Told about each message the SMTP server accepted (`mail.sent`: invitations move to `sent`). */
  events?: EventSink;
  /**
   * Runs a task soon, after the current transaction (production: `setImmediate`). Queued and retried mail is
   * dispatched through it right away; without it mail waits for the scheduler's next `dispatchDue`.
   */
  schedule?: (task: () => void) => void;
  /** Logs a dispatch that failed as a whole (the outbox keeps the mail for the next one). */
  logError?: (err: unknown, message: string) => void;
  retention?: MailRetention;
}

const KEY = 'smtp';
const MINUTE = 60_000;

/** Wait before retry `attempt` (1-based): 1, 2, 4 ... minutes, at most 30. */
export function retryDelayMs(attempt: number): number {
  return Math.min(MINUTE * 2 ** Math.max(attempt - 1, 0), 30 * MINUTE);
}

/** The nodemailer transport: one connection per send, bounded timeouts. */
export const nodemailerTransport: MailTransport = {
  async send(s, mail) {
    const transporter = nodemailer.createTransport({
      host: s.host,
      port: s.port,
      secure: s.security === 'tls',
      requireTLS: s.security === 'starttls',
      ignoreTLS: s.security === 'none',
      ...(s.username ? { auth: { user: s.username, pass: s.password ?? '' } } : {}),
      tls: { rejectUnauthorized: !s.allowSelfSigned },
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    try {
      const info = await transporter.sendMail({
        from: { name: s.fromName, address: s.fromAddress },
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments: (mail.attachments ?? []).map((a) => ({
          filename: a.filename,
          cid: a.cid,
          contentType: a.contentType,
          content: a.content,
        })),
      });
      return { messageId: String(info.messageId) };
    } finally {
      transporter.close();
    }
  },
};

// A stored message that does not open is permanent too. 5xx replies are permanent (RFC 5321 §4.2.1): retrying cannot help, so such messages fail at once.
function permanent(err: unknown): boolean {
  if ((err as { unreadable?: boolean }).unreadable) return true;
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

function describe(err: unknown): string {
  const e = err as { code?: string; response?: string; message?: string };
  return (e.response ?? e.message ?? String(err)).slice(0, 500);
}

// What the secret box makes of a sealed value (secret-box.ts); a body an older version stored is anything else.
const SEALED = /^v1\.[\w-]+\.[\w-]+\.[\w-]*$/;
/** The columns of a row that hold what is sent, each sealed on its own. */
type Part = 'text_body' | 'html_body' | 'attachments';

/** Builds the mail service. */
export function createMailService(deps: MailDeps): MailService {
  const { store, audit, clock, random } = deps;
  const retention = deps.retention ?? MAIL_RETENTION;
  // Each part is bound to its row and column, so a sealed body cannot be moved to another message.
  const label = (id: string, part: Part) => `mail:${id}:${part}`;
  const seal = (row: OutboxBodies): Omit<OutboxBodies, 'id'> => ({
    text_body: deps.secrets.seal(row.text_body, label(row.id, 'text_body')),
    html_body: deps.secrets.seal(row.html_body, label(row.id, 'html_body')),
    attachments: deps.secrets.seal(row.attachments, label(row.id, 'attachments')),
  });
  const open = (row: OutboxBodies): Omit<OutboxBodies, 'id'> => {
    const part = (name: Part) =>
      SEALED.test(row[name]) ? deps.secrets.open(row[name], label(row.id, name)).toString('utf8') : row[name];
    return { text_body: part('text_body'), html_body: part('html_body'), attachments: part('attachments') };
  };
  // A row that does not open (another data key, or moved from another message) fails at once: retrying cannot help,
  // and it must not hold up the messages behind it.
  const readable = (row: OutboxBodies) => {
    try {
      return open(row);
    } catch (err) {
      throw Object.assign(
        new Error(`The stored message could not be read: ${(err as Error).message}`, { cause: err }),
        {
          unreadable: true,
        },
      );
    }
  };
  const purged = (row: OutboxBodies) => row.text_body === '' && row.html_body === '';
  const transport = deps.transport ?? nodemailerTransport;
  const giveUpAfter = deps.giveUpAfterMs ?? 72 * 3600_000;
  let running: Promise<{ sent: number; retried: number; failed: number }> | null = null;
  // Mail queued while a dispatch runs is picked up by one more pass right after it, not at the next tick.
  let again = false;
  let dispatchScheduled = false;
  // Many messages queued in one transaction share one dispatch; dispatchDue itself runs one at a time.
  const dispatchSoon = () => {
    if (!deps.schedule || dispatchScheduled) return;
    dispatchScheduled = true;
    deps.schedule(() => {
      dispatchScheduled = false;
      service.dispatchDue().catch((err: unknown) => deps.logError?.(err, 'mail dispatch failed'));
    });
  };

  const stored = (): StoredSmtp | null => (deps.settingsStore.get(KEY) as StoredSmtp | undefined) ?? null;
  const withPassword = (s: StoredSmtp) => ({
    ...s,
    password: s.passwordSealed ? deps.secrets.open(s.passwordSealed, 'smtp:password').toString('utf8') : null,
  });

  const toDto = (s: StoredSmtp | null): SmtpSettingsDto =>
    s
      ? {
          configured: true,
          host: s.host,
          port: s.port,
          security: s.security,
          username: s.username,
          hasPassword: s.passwordSealed !== null,
          fromAddress: s.fromAddress,
          fromName: s.fromName,
          allowSelfSigned: s.allowSelfSigned,
        }
      : {
          configured: false,
          host: '',
          port: 587,
          security: 'starttls',
          username: '',
          hasPassword: false,
          fromAddress: '',
          fromName: 'Tsunagu',
          allowSelfSigned: false,
        };

  const dispatch = async () => {
    const result = { sent: 0, retried: 0, failed: 0 };
    const settings = stored();
    if (!settings) return result;
    const smtp = withPassword(settings);
    for (const row of store.due(clock.now().toISOString(), 50)) {
      const attempt = row.attempts + 1;
      // Claim first: a crash mid-send retries after the lease instead of never.
      store.update(row.id, {
        attempts: attempt,
        next_attempt_at: new Date(clock.now().getTime() + 5 * MINUTE).toISOString(),
      });
      try {
        const bodies = readable(row);
        const attachments = (
          JSON.parse(bodies.attachments) as { filename: string; cid: string; contentType: string; base64: string }[]
        ).map((a) => ({ ...a, content: Buffer.from(a.base64, 'base64') }));
        const info = await transport.send(smtp, {
          kind: row.kind,
          refId: row.ref_id,
          to: row.to_address,
          subject: row.subject,
          text: bodies.text_body,
          html: bodies.html_body,
          attachments,
        });
        store.update(row.id, {
          status: 'sent',
          sent_at: clock.now().toISOString(),
          message_id: info.messageId,
          last_error: null,
        });
        deps.events?.emit('mail.sent', { outboxId: row.id, kind: row.kind, refId: row.ref_id });
        result.sent++;
      } catch (err) {
        const now = clock.now();
        const tooOld = now.getTime() - new Date(row.created_at).getTime() > giveUpAfter;
        if (permanent(err) || tooOld) {
          store.update(row.id, { status: 'failed', last_error: describe(err) });
          audit.record({
            actor: { type: 'system', label: 'mail' },
            action: 'mail.failed',
            subject: { type: row.kind, id: row.ref_id ?? row.id, label: row.to_address },
            details: { outboxId: row.id, attempts: attempt, error: describe(err) },
          });
          result.failed++;
        } else {
          store.update(row.id, {
            next_attempt_at: new Date(now.getTime() + retryDelayMs(attempt)).toISOString(),
            last_error: describe(err),
          });
          result.retried++;
        }
      }
    }
    return result;
  };

  const service: MailService = {
    smtpSettings: () => toDto(stored()),

    updateSmtp(update, actor, sourceAddress) {
      const host = update.host.trim();
      if (!/^[A-Za-z0-9.-]{1,253}$/.test(host) && !/^\[?[0-9a-fA-F:.]+\]?$/.test(host))
        throw new AppError('VALIDATION_FAILED', 'The SMTP host must be a host name or IP address.', { field: 'host' });
      if (!Number.isInteger(update.port) || update.port < 1 || update.port > 65535)
        throw new AppError('VALIDATION_FAILED', 'The SMTP port must be 1 to 65535 (usually 587, 465 or 25).', {
          field: 'port',
        });
      const fromProblem = emailProblem(update.fromAddress.trim());
      if (fromProblem)
        throw new AppError('VALIDATION_FAILED', `From address: ${fromProblem}`, { field: 'fromAddress' });
      if (update.fromName.length > 100)
        throw new AppError('VALIDATION_FAILED', 'The sender name must be at most 100 characters.', {
          field: 'fromName',
        });
      const before = stored();
      let passwordSealed = before?.passwordSealed ?? null;
      if (update.password === null) passwordSealed = null;
      else if (typeof update.password === 'string')
        passwordSealed = deps.secrets.seal(update.password, 'smtp:password');
      const next: StoredSmtp = {
        host,
        port: update.port,
        security: update.security,
        username: update.username.trim(),
        passwordSealed,
        fromAddress: update.fromAddress.trim(),
        fromName: update.fromName.trim() || 'Tsunagu',
        allowSelfSigned: update.allowSelfSigned,
      };
      deps.settingsStore.put(KEY, next, clock.now().toISOString());
      audit.record({
        actor,
        action: 'settings.updated',
        subject: { type: 'settings', id: 'smtp', label: 'SMTP' },
        details: {
          host,
          port: next.port,
          security: next.security,
          username: next.username,
          passwordChanged: update.password !== undefined,
        },
        sourceAddress,
      });
      return toDto(next);
    },

    async testSend(to, actor, sourceAddress) {
      const problem = emailProblem(to.trim());
      if (problem) throw new AppError('VALIDATION_FAILED', problem, { field: 'to' });
      const settings = stored();
      if (!settings) throw new AppError('VALIDATION_FAILED', 'Save the SMTP settings first.', { field: 'host' });
      let result: MailTestResult;
      try {
        await transport.send(withPassword(settings), {
          kind: 'test',
          refId: null,
          to: to.trim(),
          subject: 'Tsunagu test message / テストメール',
          text: 'This is a test message from Tsunagu. Mail is working.\nTsunagu からのテストメールです。メールは正しく送信されています。',
          html: '<p>This is a test message from Tsunagu. Mail is working.</p><p>Tsunagu からのテストメールです。メールは正しく送信されています。</p>',
        });
        result = { ok: true, message: `The SMTP server accepted a message for ${to.trim()}.` };
      } catch (err) {
        result = { ok: false, message: `The SMTP server did not take the message: ${describe(err)}` };
      }
      audit.record({
        actor,
        action: 'mail.test_sent',
        subject: { type: 'settings', id: 'smtp', label: to.trim() },
        details: { ok: result.ok, message: result.message },
        sourceAddress,
      });
      return result;
    },

    enqueue(mail) {
      const id = random.uuid();
      const now = clock.now().toISOString();
      store.insert({
        id,
        kind: mail.kind,
        ref_id: mail.refId,
        to_address: mail.to,
        subject: mail.subject,
        ...seal({
          id,
          text_body: mail.text,
          html_body: mail.html,
          attachments: JSON.stringify(
            (mail.attachments ?? []).map((a) => ({
              filename: a.filename,
              cid: a.cid,
              contentType: a.contentType,
              base64: a.content.toString('base64'),
            })),
          ),
        }),
        status: 'queued',
        attempts: 0,
        next_attempt_at: now,
        last_error: null,
        message_id: null,
        created_at: now,
        sent_at: null,
      });
      dispatchSoon();
      return id;
    },

    dispatchDue() {
      if (running) {
        again = true;
        return running;
      }
      const run = async () => {
        const total = { sent: 0, retried: 0, failed: 0 };
        do {
          again = false;
          const r = await dispatch();
          total.sent += r.sent;
          total.retried += r.retried;
          total.failed += r.failed;
        } while (again);
        return total;
      };
      running = run().finally(() => {
        running = null;
      });
      return running;
    },

    outbox(limit = 100) {
      const items = store.list(Math.min(Math.max(limit, 1), 500)).map((r) => ({
        id: r.id,
        kind: r.kind,
        to: r.to_address,
        subject: r.subject,
        status: r.status,
        attempts: r.attempts,
        nextAttemptAt: r.status === 'queued' ? r.next_attempt_at : null,
        lastError: r.last_error,
        createdAt: r.created_at,
        sentAt: r.sent_at,
      }));
      return { items, counts: store.counts() };
    },

    cancelFor: (refId) => store.cancelForRef(refId),

    retry(id, actor, sourceAddress) {
      const row = store.byId(id);
      if (!row) throw new AppError('NOT_FOUND', 'No message has this id.', { id });
      if (row.status !== 'failed')
        throw new AppError('VALIDATION_FAILED', `This message is ${row.status}; only failed messages can be retried.`, {
          field: 'id',
        });
      if (purged(row))
        throw new AppError(
          'VALIDATION_FAILED',
          `This message's text was deleted ${Math.round(retention.failedBodyMs / DAY)} days after it failed; send the invitation again instead (Invitations, Resend).`,
          { field: 'id' },
        );
      store.update(id, { status: 'queued', next_attempt_at: clock.now().toISOString(), last_error: null });
      audit.record({
        actor,
        action: 'mail.retried',
        subject: { type: row.kind, id: row.ref_id ?? row.id, label: row.to_address },
        details: { outboxId: id },
        sourceAddress,
      });
      dispatchSoon();
    },

    sealStored() {
      return store.sealClear(store.clearRows(), seal);
    },

    purgeExpired() {
      const now = clock.now().getTime();
      const before = (ms: number) => new Date(now - ms).toISOString();
      return store.purgeExpired({
        sentBefore: before(retention.sentBodyMs),
        cancelledBefore: before(retention.sentBodyMs),
        failedBefore: before(retention.failedBodyMs),
        rowsBefore: before(retention.rowMs),
      });
    },
  };
  return service;
}
