import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Fastify's request logging with one line per request instead of two: nothing when a request comes in, and when it
 * is answered "request completed" (or "request errored") with the request (method, redacted URL, address), the
 * status and the server's response time in ms. Every other line Fastify writes (handler errors, stream errors,
 * 503 while closing) stays as it is.
 *
 * On a device listener each log line is a synchronous write to the log file and one to the console, the largest
 * fixed cost of a small request after TLS. A request that never completes is still ended by the listener's
 * timeouts, and that end is logged.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  // Fastify's own 404 line quotes the raw URL, bearer tokens and SCEP messages included; the completed line says
  // 404 with the URL redacted.
  override routeNotFound(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error)
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
