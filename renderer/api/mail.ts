// The mail endpoints: SMTP settings, a test message, and the outbox with retry.
import type { MailTestResult, OutboxDto, SmtpSettingsDto, SmtpSettingsUpdate } from '../../server/contract/index.js';
import type { ApiClient } from './client.js';

/** The mail endpoints. */
export interface MailApi {
  smtp(): Promise<SmtpSettingsDto>;
  saveSmtp(update: SmtpSettingsUpdate): Promise<SmtpSettingsDto>;
  test(to: string): Promise<MailTestResult>;
  outbox(limit?: number): Promise<OutboxDto>;
  retry(id: string): Promise<void>;
}

/** Builds the mail endpoints over a client. */
export function createMailApi(client: ApiClient): MailApi {
  return {
    smtp: () => client.get('/api/mail/smtp'),
    saveSmtp: (update) => client.put('/api/mail/smtp', update),
    test: (to) => client.post('/api/mail/test', { to }),
    outbox: (limit) => client.get('/api/mail/outbox', { limit }),
    retry: (id) => client.post(`/api/mail/outbox/${encodeURIComponent(id)}/retry`),
  };
}
