import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on 127.0.0.1 that keeps every message it receives, parsed. */
export interface SmtpSink {
  port: number;
  messages: ParsedMail[];
  /** Recipients refused at RCPT TO with a permanent 550 (add and remove addresses at any time). */
  refused: Set<string>;
  /** Waits until at least `n` messages arrived (bounded). */
  waitFor(n: number, timeoutMs?: number): Promise<ParsedMail[]>;
  /** Stops listening, as if the SMTP server were down. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the sink; `port` 0 picks a free one. */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const refused = new Set<string>();
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: 5 * 1024 * 1024,
      onRcptTo(address, _session, callback) {
        if (!refused.has(address.address.toLowerCase())) return callback();
        // A permanent refusal (RFC 5321 §4.2.2), as a real server answers for a mailbox that does not exist.
        callback(Object.assign(new Error('5.1.1 Mailbox unavailable'), { responseCode: 550 }));
      },
      onData(stream, _session, callback) {
        simpleParser(stream).then(
          (mail) => {
            messages.push(mail);
            callback();
          },
          (err: Error) => callback(err),
        );
      },
    });
  let server = make();
  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
    });
  const actual = await listen(port);
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    port: actual,
    messages,
    refused,
    async waitFor(n, timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > end) throw new Error(`expected ${n} messages, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return messages;
    },
    down: stop,
    async up() {
      server = make();
      await listen(actual);
    },
    close: stop,
  };
}

/** The console's SMTP settings (`PUT /api/mail/smtp`) that deliver to this sink. */
export function sinkSmtpSettings(sink: SmtpSink): Record<string, unknown> {
  return {
    host: '127.0.0.1',
    port: sink.port,
    security: 'none',
    username: '',
    fromAddress: 'mdm@office.example',
    fromName: 'Office IT',
    allowSelfSigned: false,
  };
}
