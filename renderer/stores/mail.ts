// Mail: the SMTP settings (the password is write-only), a test message, and the outbox with retry.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { MailTestResult, OutboxDto, SmtpSettingsDto, SmtpSettingsUpdate } from '../../server/contract/index.js';
import { useApi } from '../api/index.js';

/** How SMTP connects. */
export type SmtpSecurity = SmtpSettingsDto['security'];

/** The usual port for each kind of connection. */
export const DEFAULT_SMTP_PORTS: Record<SmtpSecurity, number> = { starttls: 587, tls: 465, none: 25 };

/** The SMTP form: the saved settings, a new password typed (blank keeps the saved one), or removal of it. */
export interface SmtpDraft {
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string;
  password: string;
  removePassword: boolean;
  fromAddress: string;
  fromName: string;
  allowSelfSigned: boolean;
}

/** The form filled from the saved settings; the password field starts blank. */
export function smtpDraftFrom(dto: SmtpSettingsDto): SmtpDraft {
  return {
    host: dto.host,
    port: dto.port,
    security: dto.security,
    username: dto.username,
    password: '',
    removePassword: false,
    fromAddress: dto.fromAddress,
    fromName: dto.fromName,
    allowSelfSigned: dto.allowSelfSigned,
  };
}

/** The PUT body: trimmed text; `password` absent keeps the saved one, a string replaces it, null removes it. */
export function smtpUpdate(draft: SmtpDraft): SmtpSettingsUpdate {
  const update: SmtpSettingsUpdate = {
    host: draft.host.trim(),
    port: draft.port,
    security: draft.security,
    username: draft.username.trim(),
    fromAddress: draft.fromAddress.trim(),
    fromName: draft.fromName.trim(),
    allowSelfSigned: draft.allowSelfSigned,
  };
  if (draft.removePassword) update.password = null;
  else if (draft.password !== '') update.password = draft.password;
  return update;
}

/** The mail store: the SMTP settings, the last test result, and the outbox. */
export const useMailStore = defineStore('mail', () => {
  const api = useApi();
  const smtp = ref<SmtpSettingsDto | null>(null);
  const outbox = ref<OutboxDto | null>(null);
  const outboxLoading = ref(false);
  const lastTest = ref<(MailTestResult & { to: string }) | null>(null);

  /** Loads the SMTP settings. */
  async function loadSmtp(): Promise<SmtpSettingsDto> {
    smtp.value = await api.mail.smtp();
    return smtp.value;
  }

  /** Saves the SMTP settings. */
  async function saveSmtp(draft: SmtpDraft): Promise<SmtpSettingsDto> {
    smtp.value = await api.mail.saveSmtp(smtpUpdate(draft));
    return smtp.value;
  }

  /** Sends a test message with the saved settings; the SMTP server's answer is kept to show. */
  async function sendTest(to: string): Promise<MailTestResult> {
    const result = await api.mail.test(to.trim());
    lastTest.value = { ...result, to: to.trim() };
    await loadOutbox().catch(() => undefined);
    return result;
  }

  /** Loads the newest messages of the outbox and the counts by status. */
  async function loadOutbox(): Promise<OutboxDto> {
    outboxLoading.value = true;
    try {
      outbox.value = await api.mail.outbox(100);
      return outbox.value;
    } finally {
      outboxLoading.value = false;
    }
  }

  /** Queues a failed message again. */
  async function retry(id: string): Promise<void> {
    try {
      await api.mail.retry(id);
    } finally {
      await loadOutbox();
    }
  }

  return { smtp, outbox, outboxLoading, lastTest, loadSmtp, saveSmtp, sendTest, loadOutbox, retry };
});
