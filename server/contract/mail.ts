/** How the server talks to the office's SMTP server. */
export interface SmtpSettingsDto {
  configured: boolean;
  host: string;
  port: number;
  /** 'tls' connects with TLS (usually port 465); 'starttls' upgrades (587); 'none' sends in the clear (25, local relays only). */
  security: 'none' | 'starttls' | 'tls';
  username: string;
  hasPassword: boolean;
  fromAddress: string;
  fromName: string;
  /** Accept a self-signed certificate on the SMTP server (office appliances). */
  allowSelfSigned: boolean;
}

/** Changes to the SMTP settings; `password: null` removes it, absent keeps it. */
export interface SmtpSettingsUpdate {
  host: string;
  port: number;
  security: 'none' | 'starttls' | 'tls';
  username: string;
  password?: string | null;
  fromAddress: string;
  fromName: string;
  allowSelfSigned: boolean;
}

/** One message in the outbox. */
export interface OutboxItemDto {
  id: string;
  kind: 'invitation' | 'reminder' | 'test';
  to: string;
  subject: string;
  status: 'queued' | 'sent' | 'failed' | 'cancelled';
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** The outbox: newest first, with counts by status. */
export interface OutboxDto {
  items: OutboxItemDto[];
  counts: Record<OutboxItemDto['status'], number>;
}

/** The result of a test send. */
export interface MailTestResult {
  ok: boolean;
  message: string;
}
