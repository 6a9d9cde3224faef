import type { FastifyServerOptions } from 'fastify';

/** Connection and request timeouts of a listener, in seconds. */
export interface ServerTimeouts {
  /** Time to receive a request's head (Node `headersTimeout`), and a TLS handshake (`handshakeTimeout`). */
  headersSeconds: number;
  /** Time to receive a whole request, head and body (Node `requestTimeout`). */
  requestSeconds: number;
  /** How long a keep-alive connection waits for its next request (Node `keepAliveTimeout`). */
  keepAliveSeconds: number;
  /** A connection with no traffic at all for this long is closed (fastify `connectionTimeout`, socket timeout). */
  idleSeconds: number;
}

/**
 * The defaults: 10 s for a request head (and a TLS handshake), 15 s for a whole request (a 1 MiB MDM report needs
 * 70 KiB/s), 5 s between keep-alive requests, 60 s of silence. A connection that dribbles one byte a second is closed
 * after at most 15 s, plus the 1 s between Node's checks (the slowloris test measures it under load).
 */
export const DEFAULT_TIMEOUTS: Readonly<ServerTimeouts> = Object.freeze({
  headersSeconds: 10,
  requestSeconds: 15,
  keepAliveSeconds: 5,
  idleSeconds: 60,
});

/** How often Node checks its connections against `headersTimeout` and `requestTimeout` (its own default is 30 s). */
const CHECK_INTERVAL_MS = 1000;

/**
 * The fastify options that apply `t` to a listener; `tls` is the listener's certificate options, or null for plain
 * HTTP. Node reads `headersTimeout` and its check interval only when the server is created, so they go into the
 * options the server is created with.
 */
export function timeoutOptions(t: Readonly<ServerTimeouts>, tls: object | null): Partial<FastifyServerOptions> {
  const node = {
    headersTimeout: t.headersSeconds * 1000,
    requestTimeout: t.requestSeconds * 1000,
    connectionsCheckingInterval: CHECK_INTERVAL_MS,
  };
  return {
    connectionTimeout: t.idleSeconds * 1000,
    keepAliveTimeout: t.keepAliveSeconds * 1000,
    requestTimeout: t.requestSeconds * 1000,
    ...(tls ? { https: { ...tls, ...node, handshakeTimeout: t.headersSeconds * 1000 } } : { http: node }),
  } as Partial<FastifyServerOptions>;
}
