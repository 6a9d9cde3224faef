import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/** A short random request id, also sent back as `x-request-id` so a user can quote it. */
export function genReqId(): string {
  return randomBytes(8).toString('hex');
}

/** Echoes the request id in every response. */
export function installRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
}
