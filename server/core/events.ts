// The server's cross-module reactions as one typed map of events. A module that others follow emits an event;
// server/compose.ts subscribes the reacting service's handler, so neither module imports the other.

/** Every domain event, with what it carries. */
export interface DomainEvents {
  /** A user downloaded a profile of this enrollment (its invitation moves to `profile_downloaded`). */
  'enrollment.profile_downloaded': { enrollmentId: string; userId: string; invitationId: string | null };
  /** A device finished enrolling (its invitation moves to `enrolled`). */
  'enrollment.enrolled': { enrollmentId: string; userId: string; invitationId: string | null; deviceId: string };
  /** An enrollment was closed as abandoned during the profile install (its pending device stops being managed). */
  'enrollment.abandoned': { enrollmentId: string; userId: string; deviceId: string | null };
  /** The SMTP server accepted a queued message (an invitation moves to `sent`). */
  'mail.sent': { outboxId: string; kind: string; refId: string | null };
  /**
   * A device left management (checked out, retired, wiped, reset, superseded, abandoned) or its record was deleted:
   * whatever management installed on it is gone with the enrollment.
   */
  'device.management_ended': { deviceId: string; status: string };
  /** APNs said a channel's push token is dead: the device was reset or left management without CheckOut. */
  'push.token_gone': { deviceId: string; channel: string; reason: string };
}

/** The name of a domain event. */
export type DomainEventName = keyof DomainEvents;

/** What an emitting service gets: tell whoever follows. */
export interface EventSink {
  emit<K extends DomainEventName>(name: K, payload: DomainEvents[K]): void;
}

/** The bus the composition root builds: emit, and subscribe handlers. */
export interface EventBus extends EventSink {
  on<K extends DomainEventName>(name: K, handler: (payload: DomainEvents[K]) => void): void;
}

/**
 * Builds the event bus. Handlers run synchronously, in the order they were added, inside the emitter's own
 * transaction; an error in a handler reaches the emitter as a direct call's would, so nothing half-happens.
 */
export function createEventBus(): EventBus {
  const handlers = new Map<DomainEventName, ((payload: never) => void)[]>();
  return {
    on(name, handler) {
      const list = handlers.get(name) ?? [];
      list.push(handler as (payload: never) => void);
      handlers.set(name, list);
    },
    emit(name, payload) {
      for (const handler of handlers.get(name) ?? []) (handler as (p: typeof payload) => void)(payload);
    },
  };
}
