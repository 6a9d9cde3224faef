/** Who did something. */
export type ActorType = 'admin' | 'user' | 'device' | 'system';

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
