import type { AuditEventDto } from './audit.js';
import type { DeviceSummaryDto } from './devices.js';
import type { InvitationStep } from './invitations.js';
import type { OutboxItemDto } from './mail.js';

/** Days ahead of its expiry a certificate is warned about on the dashboard. */
export const EXPIRY_WARN_DAYS = 30;

/** The certificates whose expiry the dashboard watches. */
export type WatchedCertificate = 'push' | 'ca' | 'tls_office' | 'tls_public';

/** One watched certificate: when it ends, and 'expiring' within EXPIRY_WARN_DAYS, 'expired' after. */
export interface CertificateExpiryDto {
  certificate: WatchedCertificate;
  /** Its subject's common name (the APNs topic for the push certificate). */
  name: string;
  notAfter: string;
  /** Whole days left (negative once expired). */
  daysLeft: number;
  state: 'ok' | 'expiring' | 'expired';
}

/** One of the three listeners, as start.ts knows it: the URL devices or the admin use, and whether it listens now. */
export interface ListenerStateDto {
  name: 'device' | 'bootstrap' | 'admin';
  /** Its base URL (the LAN host name or address), e.g. https://mdm.office.lan:8443. */
  url: string;
  /** The address it is bound to (0.0.0.0: every interface). */
  bind: string;
  port: number;
  tls: boolean;
  listening: boolean;
}

/** A failed message as the dashboard lists it (no body). */
export type MailFailureDto = Pick<
  OutboxItemDto,
  'id' | 'kind' | 'to' | 'subject' | 'attempts' | 'lastError' | 'createdAt'
>;

/** GET /api/dashboard: everything the console's home page shows, read at one moment. */
export interface DashboardDto {
  generatedAt: string;
  devices: DeviceSummaryDto;
  /** Open invitations waiting at each step (the step they reached last), and their sum. */
  invitations: { waiting: Record<Exclude<InvitationStep, 'enrolled'>, number>; open: number };
  /** Whether an APNs push certificate is installed (without one, Apple devices cannot be managed). */
  pushConfigured: boolean;
  /** Every watched certificate, soonest expiry first. */
  certificates: CertificateExpiryDto[];
  /** The ones expiring within EXPIRY_WARN_DAYS or expired, soonest first. */
  warnings: CertificateExpiryDto[];
  mail: {
    smtpConfigured: boolean;
    failed: number;
    queued: number;
    /** The newest failed messages (at most 5). */
    recentFailures: MailFailureDto[];
  };
  /** The addresses people and devices use, and the machine's LAN addresses. */
  addresses: { entryUrl: string; deviceBaseUrl: string; lanAddresses: string[] };
  listeners: ListenerStateDto[];
  /** The newest audit events (at most 8). */
  recentAudit: AuditEventDto[];
}
