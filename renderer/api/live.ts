// The live update stream (GET /api/events, server-sent events): the one connection the console keeps open. It is an
// EventSource rather than a fetch: the browser sends the session cookie and, on its own reconnects, Last-Event-ID.
import { withQuery } from './client.js';

/** What the live store needs of an EventSource (the browser's, or a test's stand-in). */
export interface LiveConnection {
  readonly readyState: number;
  onerror: ((event: Event) => void) | null;
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void;
  close(): void;
}

/** The live endpoint. */
export interface LiveApi {
  /** Opens the stream; `since` resumes after the last event the console has (a new connection cannot send Last-Event-ID). */
  open(since: number | null): LiveConnection;
}

/** The readyState of a connection that will not reconnect by itself. */
export const LIVE_CLOSED = 2;

/** Builds the live endpoint over `EventSource` (the browser's by default). */
export function createLiveApi(
  make: (url: string) => LiveConnection = (url) => new EventSource(url) as unknown as LiveConnection,
): LiveApi {
  return { open: (since) => make(withQuery('/api/events', { since })) };
}
