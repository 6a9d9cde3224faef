/** Who did something. */
export type ActorType = 'admin' | 'user' | 'device' | 'system';

/** Every action code the server records in the audit trail (`domain.verb`); the console has a label for each. */
export const AUDIT_ACTIONS = [
  'admin.setup',
  'admin.setup_refused',
  'admin.login',
  'admin.login_failed',
  'admin.login_locked',
  'admin.logout',
  'admin.created',
  'admin.removed',
  'admin.password_reset',
  'admin.password_changed',
  'admin.password_change_failed',
  'user.created',
  'user.updated',
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'user.imported',
  'user.import_rejected',
  'user.password_reset',
  'user.temporary_password_set',
  'settings.updated',
  'helper_build.uploaded',
  'helper_build.removed',
  'audit.exported',
  'backup.created',
  'backup.restored',
  'backup.restore_refused',
  'ca.created',
  'ca.imported',
  'setup.wizard_finished',
  'setup.wizard_restarted',
  'tls.created',
  'tls.reissued',
  'tls.imported',
  'tls.generated_restored',
  'invitation.created',
  'invitation.resent',
  'invitation.revoked',
  'invitation.superseded',
  'invitation.expired',
  'invitation.opened',
  'invitation.pin_verified',
  'invitation.pin_failed',
  'invitation.pin_locked',
  'invitation.pin_reissued',
  'invitation.reminder_queued',
  'enrollment_url.regenerated',
  'enrollment.created',
  'enrollment.abandoned',
  'mail.failed',
  'mail.retried',
  'mail.test_sent',
  'portal.signed_in',
  'portal.sign_in_failed',
  'portal.sign_in_locked',
  'portal.signed_out',
  'portal.password_set',
  'portal.qr_created',
  'portal.helper_link_created',
  'profile.downloaded',
  'scep.issued',
  'scep.resent',
  'scep.refused',
  'scep.challenge_consumed',
  'mdm.authenticated',
  'mdm.token_updated',
  'mdm.command_queued',
  'mdm.command_result',
  'mdm.command_cancelled',
  'mdm.bootstrap_token_escrowed',
  'mdm.bootstrap_token_removed',
  'mdm.bootstrap_token_retrieved',
  'device.enrolling',
  'device.enrolled',
  'device.reenrolling',
  'device.reenrolled',
  'device.reenroll_started',
  'device.superseded',
  'device.checked_out',
  'device.retired',
  'device.wiped',
  'device.locked',
  'device.deleted',
  'device.retire_requested',
  'device.wipe_requested',
  'device.lock_requested',
  'device.reset_detected',
  'device.install_abandoned',
  'device.claimed',
  'device.claim_refused',
  'device.claim_dismissed',
  'device.reassigned',
  'device.identity_refused',
  'push.certificate_uploaded',
  'push.csr_created',
  'push.failed',
  'push.token_rejected',
  'push.certificate_rejected',
  'push.request_sent',
  'push.request_failed',
  'push.request_opened',
  'push.signed_request_checked',
  'push.signed_request_refused',
  'configuration.install_queued',
  'configuration.installed',
  'configuration.failed',
  'configuration.remove_queued',
  'configuration.removed',
  'agent.action_queued',
  'agent.action_cancelled',
  'agent.action_result',
  'agent.token_rotated',
  'agent.token_revoked',
  'agent.unknown_ca_reported',
  'configuration.created',
  'configuration.updated',
  'configuration.deleted',
  'security.requests_refused',
] as const;

/** One action code the server records. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One audit event as stored: append-only and hash-chained. */
export interface AuditEventDto {
  seq: number;
  id: string;
  at: string;
  actorType: ActorType;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  subjectLabel: string | null;
  details: Record<string, unknown>;
  sourceAddress: string | null;
  prevHash: string;
  hash: string;
}

/** Filters for listing and exporting the audit trail; all optional. */
export interface AuditQuery {
  from?: string;
  to?: string;
  action?: string;
  actorType?: ActorType;
  actor?: string;
  subject?: string;
  cursor?: string;
  limit?: number;
}

/** One page of audit events, newest first. */
export interface AuditPage {
  items: AuditEventDto[];
  nextCursor: string | null;
}

/** The result of checking the hash chain. */
export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  /** The first event whose link is broken, when `ok` is false. */
  firstBroken: { seq: number; reason: string } | null;
}

/** Who did something: an admin, a user, a device or the system itself (the actor of an event to record). */
export interface Actor {
  type: ActorType;
  id?: string | null;
  label?: string | null;
}
