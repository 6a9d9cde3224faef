import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

// A random prefix per process and a counter: unique across restarts, and one request costs an increment instead
// of a call into the system's random source. The id is for quoting in a support request, not a secret.
const prefix = randomBytes(4).toString('hex');
let counter = 0;

/** A short request id (16 hex digits), also sent back as `x-request-id` so a user can quote it. */
export function genReqId(): string {
  counter = (counter + 1) % 0x100000000;
  return prefix + counter.toString(16).padStart(8, '0');
}

/** Echoes the request id in every response. */
export function installRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
}
