import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../../core/errors.js';
import type { LiveService } from './live.service.js';
import { LiveQuery } from './live.schemas.js';

/** Whether a session (by its token hash) still stands, asked without sliding its idle timeout. */
export type SessionLive = (tokenHash: string) => boolean;

const LAST_EVENT_ID = /^[0-9]{1,15}$/;

/**
 * Refuses a stream asked for by another site or origin: an EventSource across origins sends its Origin, and browsers
 * say where a request came from in Sec-Fetch-Site. (The session cookie is SameSite=Strict besides, and no CORS header
 * is ever sent, so another page could not read the stream anyway.)
 */
function refuseCrossOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  const expected = `${request.protocol}://${request.headers.host ?? ''}`;
  const site = request.headers['sec-fetch-site'];
  if (
    (origin !== undefined && origin !== expected) ||
    (site !== undefined && site !== 'same-origin' && site !== 'none')
  )
    throw new AppError(
      'ORIGIN_REFUSED',
      'Live updates are only for the console itself; this request came from another site.',
      {
        origin: origin ?? null,
      },
    );
}

/** Where the client resumes: the Last-Event-ID header its EventSource sends on a reconnect, else `?since=`. */
function resumeFrom(request: FastifyRequest, since: string | undefined): number | null {
  const header = request.headers['last-event-id'];
  const value = typeof header === 'string' && header !== '' ? header : since;
  if (value === undefined) return null;
  if (!LAST_EVENT_ID.test(value))
    throw new AppError('VALIDATION_FAILED', 'Last-Event-ID must be the number of an event this stream sent.', {
      field: 'last-event-id',
    });
  return Number(value);
}

/**
 * Registers GET /api/events: the console's live updates as server-sent events (text/event-stream), behind the admin
 * session like the rest of /api (the scope's hook), capped per session and overall, ended at sign-out and when the
 * server closes.
 */
export async function liveRoutes(app: FastifyInstance, opts: { live: LiveService; sessionLive: SessionLive }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { live, sessionLive } = opts;

  // Open streams would hold the listener's close until they end: end them first.
  app.addHook('preClose', async () => {
    live.closeAll('shutdown');
  });

  r.get('/api/events', { schema: { querystring: LiveQuery } }, async (request, reply) => {
    refuseCrossOrigin(request);
    const principal = request.admin;
    if (!principal) throw new AppError('AUTH_REQUIRED', 'Sign in first.');
    const lastEventId = resumeFrom(request, request.query.since);
    const out = new PassThrough();
    const res = reply.raw;
    const stream = live.open({
      session: principal.tokenHash,
      lastEventId,
      signedIn: () => sessionLive(principal.tokenHash),
      sink: {
        write: (chunk) => void out.write(chunk),
        buffered: () => out.writableLength + out.readableLength + res.writableLength,
        end: () => void out.end(),
        destroy: () => {
          out.destroy();
          res.destroy();
        },
      },
    });
    res.on('close', () => stream.close());
    return reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-accel-buffering', 'no')
      .header('connection', 'close')
      .send(out);
  });
}
