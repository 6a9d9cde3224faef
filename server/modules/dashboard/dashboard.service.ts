import { X509Certificate } from 'node:crypto';
import type { AuditEventDto } from '../../contract/audit.js';
import {
  EXPIRY_WARN_DAYS,
  type CertificateExpiryDto,
  type DashboardDto,
  type ListenerStateDto,
  type WatchedCertificate,
} from '../../contract/dashboard.js';
import type { DeviceSummaryDto } from '../../contract/devices.js';
import { INVITATION_STEPS, type InvitationStep } from '../../contract/invitations.js';
import type { OutboxDto } from '../../contract/mail.js';
import type { Clock } from '../../core/clock.js';

const DAY = 86_400_000;
/** Failed messages the dashboard names; the outbox page has the rest. */
const FAILURES_SHOWN = 5;
/** How far back in the outbox the named failures are looked for. */
const OUTBOX_LOOKBACK = 100;
/** Audit events the dashboard shows; the audit page has the rest. */
const AUDIT_SHOWN = 8;

type OpenStep = Exclude<InvitationStep, 'enrolled'>;
const OPEN_STEPS = INVITATION_STEPS.filter((s): s is OpenStep => s !== 'enrolled');

/** A certificate as the ports hand it over: its subject (or a name) and its end. */
export interface CertificateEnd {
  subject: string;
  notAfter: string;
}

/**
 * What the dashboard reads, each through one narrow function that compose.ts plugs into the owning service: the
 * dashboard imports no other module.
 */
export interface DashboardPorts {
  /** Device counts by status and platform, and enrollments per day (the devices module's summary). */
  deviceSummary(): DeviceSummaryDto;
  /** How many invitations stand at this step now. */
  invitationsAt(step: OpenStep): number;
  /** The APNs push certificate: installed or not, its topic and end. */
  push(): { configured: boolean; topic: string | null; notAfter: string | null };
  /** The office CA's certificate (PEM). */
  caCertificatePem(): string;
  /** The TLS certificates the device listener presents: the office CA's, and the imported one in public mode. */
  tls(): { office: CertificateEnd; imported: CertificateEnd | null };
  /** The newest outbox messages with counts by status, and whether SMTP is set up. */
  outbox(limit: number): OutboxDto;
  smtpConfigured(): boolean;
  /** The `/go` address people are given, and the device listener's base URL links use now. */
  entryUrl(): string;
  deviceBaseUrl(): string;
  /** The machine's LAN addresses (no loopback). */
  lanAddresses(): string[];
  /** The listeners as start.ts knows them; empty when the services run without listeners. */
  listeners(): ListenerStateDto[];
  recentAudit(limit: number): AuditEventDto[];
  /** Runs `fn` in one read transaction, so every count comes from the same moment. */
  snapshot<T>(fn: () => T): T;
  clock: Clock;
}

/** The console's home page in one read. */
export interface DashboardService {
  read(): DashboardDto;
}

/** The common name of an X.509 subject (`CN=a, O=b` or one per line), else the whole subject. */
function commonName(subject: string): string {
  return /(?:^|[\n,]\s*)CN=([^,\n]*)/.exec(subject)?.[1]?.trim() || subject;
}

/** Whole days from `now` to `notAfter` (negative once it passed) and the warning state, as the push settings count them. */
export function expiryOf(
  certificate: WatchedCertificate,
  name: string,
  notAfter: string,
  now: Date,
): CertificateExpiryDto {
  const end = new Date(notAfter);
  const daysLeft = Math.floor((end.getTime() - now.getTime()) / DAY);
  const state = end.getTime() <= now.getTime() ? 'expired' : daysLeft < EXPIRY_WARN_DAYS ? 'expiring' : 'ok';
  return { certificate, name, notAfter: end.toISOString(), daysLeft, state };
}

/** Builds the dashboard service over its ports. */
export function createDashboardService(ports: DashboardPorts): DashboardService {
  const certificates = (now: Date): CertificateExpiryDto[] => {
    const out: CertificateExpiryDto[] = [];
    const push = ports.push();
    if (push.configured && push.notAfter) out.push(expiryOf('push', push.topic ?? '', push.notAfter, now));
    const ca = new X509Certificate(ports.caCertificatePem());
    out.push(expiryOf('ca', commonName(ca.subject), ca.validTo, now));
    const tls = ports.tls();
    out.push(expiryOf('tls_office', commonName(tls.office.subject), tls.office.notAfter, now));
    if (tls.imported) out.push(expiryOf('tls_public', commonName(tls.imported.subject), tls.imported.notAfter, now));
    return out.sort((a, b) => a.notAfter.localeCompare(b.notAfter));
  };

  return {
    read() {
      return ports.snapshot(() => {
        const now = ports.clock.now();
        const waiting = Object.fromEntries(OPEN_STEPS.map((s) => [s, ports.invitationsAt(s)])) as Record<
          OpenStep,
          number
        >;
        const outbox = ports.outbox(OUTBOX_LOOKBACK);
        const watched = certificates(now);
        return {
          generatedAt: now.toISOString(),
          devices: ports.deviceSummary(),
          invitations: { waiting, open: OPEN_STEPS.reduce((sum, s) => sum + waiting[s], 0) },
          pushConfigured: ports.push().configured,
          certificates: watched,
          warnings: watched.filter((c) => c.state !== 'ok'),
          mail: {
            smtpConfigured: ports.smtpConfigured(),
            failed: outbox.counts.failed,
            queued: outbox.counts.queued,
            // Named fields only: never a body, whatever the outbox grows.
            recentFailures: outbox.items
              .filter((m) => m.status === 'failed')
              .slice(0, FAILURES_SHOWN)
              .map((m) => ({
                id: m.id,
                kind: m.kind,
                to: m.to,
                subject: m.subject,
                attempts: m.attempts,
                lastError: m.lastError,
                createdAt: m.createdAt,
              })),
          },
          addresses: {
            entryUrl: ports.entryUrl(),
            deviceBaseUrl: ports.deviceBaseUrl(),
            lanAddresses: ports.lanAddresses(),
          },
          listeners: ports.listeners(),
          recentAudit: ports.recentAudit(AUDIT_SHOWN),
        };
      });
    },
  };
}
