// The console's live updates. Every state change writes an audit event in its own transaction; the audit service
// nudges this service after each write, and once the writer's transaction is over (better-sqlite3 is synchronous, so
// that is the next turn of the event loop) the service reads the committed trail after the last event it sent and
// pushes each new event, projected to its kind and subject only, to every open stream. An event rolled back with its
// transaction is never read, so never sent. The audit seq is each event's id: a stream that reconnects with
// Last-Event-ID is replayed what it missed from the trail itself (bounded, else told to reload).
import {
  LIVE_LIMITS,
  type LiveByeReason,
  type LiveEventDto,
  type LiveEventType,
  type LiveHelloDto,
} from '../../contract/live.js';
import type { AuditEventDto } from '../../contract/audit.js';
import { AppError } from '../../core/errors.js';

/** Where the events come from: the committed audit trail. */
export interface LiveSource {
  /** At most `limit` events with seq above `seq`, oldest first. */
  after(seq: number, limit: number): AuditEventDto[];
  /** The newest event's seq. */
  head(): number;
  /** True while the database is inside a transaction, whose events may still roll back. */
  inTransaction(): boolean;
}

/** Where one stream's bytes go (the HTTP response). */
export interface LiveSink {
  write(chunk: string): void;
  /** Bytes written and not yet taken by the client's socket. */
  buffered(): number;
  /** Ends the stream after what is written has gone out. */
  end(): void;
  /** Drops the connection at once (a reader that does not read). */
  destroy(): void;
}

/** What opening a stream needs. */
export interface LiveOpen {
  /** The admin session the stream belongs to (its token hash): streams are counted per session. */
  session: string;
  /** The last event the client has (Last-Event-ID), or null on a first connect. */
  lastEventId: number | null;
  sink: LiveSink;
  /** Whether the session still stands, asked without sliding its idle timeout. */
  signedIn: () => boolean;
}

/** One open stream, for its route to close when the client goes away. */
export interface LiveStream {
  close(): void;
}

/** The live update hub. */
export interface LiveService {
  /** The audit trail may have grown: read and send what is committed once the current transaction is over. */
  nudge(): void;
  /** Sends a change the audit trail does not record (after the current transaction, with no id: never replayed). */
  announce(type: LiveEventType, action: string, subject: { type: string; id: string }): void;
  /** Opens a stream: hello (or reset), the replay after `lastEventId`, then every new event; RATE_LIMITED over a cap. */
  open(input: LiveOpen): LiveStream;
  /** Sends heartbeats, and ends the streams of sessions that have ended (run by the service's own timer). */
  heartbeat(): void;
  /** Ends every stream (the server is closing). */
  closeAll(reason: LiveByeReason): void;
  /** How many streams are open. */
  count(): number;
}

/** Dependencies of the live service. */
export interface LiveDeps {
  source: LiveSource;
  /** The time announced changes carry. */
  now?: () => Date;
  /** Limits; LIVE_LIMITS when absent (tests lower them). */
  limits?: Partial<Record<keyof typeof LIVE_LIMITS, number>>;
}

const DEVICE_ENROLLED = new Set(['device.enrolled', 'device.reenrolled']);
const INVITATION_ACTIONS = new Set(['profile.downloaded', 'enrollment.created', 'enrollment.abandoned']);

/** The kind of change an audit action stands for. */
export function liveType(action: string, subjectType: string | null): LiveEventType {
  if (DEVICE_ENROLLED.has(action)) return 'device.enrolled';
  if (action.startsWith('mdm.command_') || action.startsWith('agent.action_')) return 'command.result';
  if (action.startsWith('invitation.') || INVITATION_ACTIONS.has(action)) return 'invitation.step';
  if (action.startsWith('device.') || subjectType === 'device') return 'device.status';
  return 'audit.appended';
}

/** An audit event as the stream sends it: kind, action, time and subject ids; no labels, no details. */
export function toLiveEvent(e: AuditEventDto): LiveEventDto {
  return {
    seq: e.seq,
    type: liveType(e.action, e.subjectType),
    action: e.action,
    at: e.at,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
  };
}

/** One SSE message. */
function message(event: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

interface Open {
  session: string;
  sink: LiveSink;
  signedIn: () => boolean;
  closed: boolean;
}

/** Builds the live update hub. */
export function createLiveService(deps: LiveDeps): LiveService {
  const { source } = deps;
  const limits = { ...LIVE_LIMITS, ...deps.limits };
  const now = deps.now ?? (() => new Date());
  const streams = new Set<Open>();
  /** The newest seq sent to the streams; unknown while none is open (then it is read afresh at the next open). */
  let cursor: number | null = null;
  let scheduled = false;
  /** Unaudited changes waiting for the current transaction to end. */
  let announced: LiveEventDto[] = [];
  let timer: ReturnType<typeof setInterval> | null = null;

  function drop(s: Open, how: 'end' | 'destroy', bye?: LiveByeReason): void {
    if (s.closed) return;
    s.closed = true;
    streams.delete(s);
    if (streams.size === 0) announced = [];
    if (how === 'end') {
      if (bye) s.sink.write(message('bye', { reason: bye }));
      s.sink.end();
    } else s.sink.destroy();
    if (streams.size === 0) {
      cursor = null;
      if (timer) clearInterval(timer);
      timer = null;
    }
  }

  /** Writes to one stream; a reader that lets more than the buffer limit pile up is dropped (it replays on return). */
  function send(s: Open, chunk: string): void {
    if (s.closed) return;
    s.sink.write(chunk);
    if (s.sink.buffered() > limits.bufferBytes) drop(s, 'destroy');
  }

  function schedule(delayMs = 0): void {
    if (scheduled) return;
    scheduled = true;
    const run = () => {
      scheduled = false;
      flush();
    };
    if (delayMs > 0) setTimeout(run, delayMs).unref();
    else setImmediate(run);
  }

  function flush(): void {
    if (streams.size === 0 || cursor === null) return;
    // A transaction still open (one that awaits) may roll back: read once it is over.
    if (source.inTransaction()) return schedule(5);
    const batch = source.after(cursor, limits.replay);
    let sessionsChanged = false;
    for (const e of batch) {
      cursor = e.seq;
      const chunk = message(liveTypeOf(e), toLiveEvent(e), e.seq);
      for (const s of [...streams]) send(s, chunk);
      // The last reader was dropped: the next stream starts from the trail's head again.
      if (streams.size === 0) return;
      if (e.action.startsWith('admin.')) sessionsChanged = true;
    }
    for (const e of announced.splice(0)) {
      const chunk = message(e.type, e);
      for (const s of [...streams]) send(s, chunk);
    }
    // A sign-out, a password change or reset, a removal: the streams of sessions that ended close now.
    if (sessionsChanged) endSignedOut();
    if (batch.length === limits.replay) schedule();
  }

  function liveTypeOf(e: AuditEventDto): LiveEventType {
    return liveType(e.action, e.subjectType);
  }

  function endSignedOut(): void {
    for (const s of [...streams]) if (!s.signedIn()) drop(s, 'end', 'signed_out');
  }

  const service: LiveService = {
    nudge() {
      if (streams.size > 0) schedule();
    },

    announce(type, action, subject) {
      if (streams.size === 0 || announced.length >= limits.replay) return;
      announced.push({
        seq: null,
        type,
        action,
        at: now().toISOString(),
        subjectType: subject.type,
        subjectId: subject.id,
      });
      schedule();
    },

    open(input) {
      const mine = [...streams].filter((s) => s.session === input.session).length;
      if (mine >= limits.perSession || streams.size >= limits.total) {
        throw new AppError(
          'RATE_LIMITED',
          mine >= limits.perSession
            ? `This sign-in already has ${limits.perSession} live update streams open (one per console tab); close a tab, or wait for one to end.`
            : 'Too many live update streams are open on this server; try again shortly.',
          { retryAfterSeconds: 30 },
        );
      }
      cursor ??= source.head();
      const s: Open = { session: input.session, sink: input.sink, signedIn: input.signedIn, closed: false };
      const head = cursor;
      const last = input.lastEventId;
      s.sink.write(`retry: 3000\n\n`);
      // Ahead of the trail (a restored backup) or too far behind: the client reloads what it shows.
      if (last !== null && (last > head || head - last > limits.replay)) {
        s.sink.write(message('reset', { head } satisfies LiveHelloDto));
      } else {
        s.sink.write(message('hello', { head } satisfies LiveHelloDto));
        if (last !== null && last < head) {
          for (const e of source.after(last, head - last)) {
            if (e.seq > head) break;
            s.sink.write(message(liveTypeOf(e), toLiveEvent(e), e.seq));
          }
        }
      }
      streams.add(s);
      timer ??= setInterval(() => service.heartbeat(), limits.heartbeatSeconds * 1000).unref();
      return { close: () => drop(s, 'end') };
    },

    heartbeat() {
      endSignedOut();
      for (const s of [...streams]) send(s, ': heartbeat\n\n');
    },

    closeAll(reason) {
      for (const s of [...streams]) drop(s, 'end', reason);
    },

    count: () => streams.size,
  };
  return service;
}
