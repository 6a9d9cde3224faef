// The console's live updates: what GET /api/events (text/event-stream) sends. Each event says only which kind of
// thing changed and which record; the console reads the record itself through the API, so no device-reported string
// and no secret ever rides in the stream.

/** The kinds of change the stream tells about. */
export const LIVE_EVENT_TYPES = [
  /** A device enrolled, or enrolled again. */
  'device.enrolled',
  /** A device's status, user or facts changed (check-in, retire, wipe, lock, delete, claim ...). */
  'device.status',
  /** An invitation moved a step (sent, opened, PIN verified, profile downloaded, enrolled, expired, revoked ...). */
  'invitation.step',
  /** A command or agent action was queued, answered or cancelled. */
  'command.result',
  /** Any other audit event. */
  'audit.appended',
] as const;

/** One kind of change. */
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

/** One change as the stream sends it: its SSE `id` is `seq`, the audit event's sequence number. */
export interface LiveEventDto {
  /**
   * The audit event's sequence number (also the SSE event id, for resuming with Last-Event-ID); null for a change the
   * audit trail does not record (an invitation's mail accepted by the SMTP server), which is not replayed.
   */
  seq: number | null;
  type: LiveEventType;
  /** The audit action code behind the change, e.g. `device.retired` (or `mail.sent` for the one unaudited change). */
  action: string;
  at: string;
  /** The record that changed (a device, an invitation, a user ...), by kind and id only. */
  subjectType: string | null;
  subjectId: string | null;
}

/** Sent first on every stream (`event: hello`), and as `event: reset` when missed changes cannot be replayed. */
export interface LiveHelloDto {
  /** The newest audit sequence number the stream has caught up to. */
  head: number;
}

/** Why the server ends a stream (`event: bye`); `signed_out` means do not reconnect. */
export type LiveByeReason = 'signed_out' | 'shutdown' | 'slow' | 'renew';

/** The server's limits on live streams, shared with the console. */
export const LIVE_LIMITS = Object.freeze({
  /** Open streams per admin session (one a tab). */
  perSession: 4,
  /** Open streams over all sessions. */
  total: 32,
  /** How many missed changes a reconnecting stream gets replayed; more than that, and the console reloads. */
  replay: 500,
  /** Seconds between heartbeats (comment lines), well under the listener's idle timeout. */
  heartbeatSeconds: 20,
  /** Bytes a stream may have waiting for a reader that does not read; beyond that the stream is closed. */
  bufferBytes: 256 * 1024,
});
