import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { MdmReply, MdmService } from './mdm.service.js';

/** Content type of check-in messages (apple-protocols §3.1). */
export const CHECKIN_TYPE = 'application/x-apple-aspen-mdm-checkin';
/** Content type of command traffic. */
export const COMMAND_TYPE = 'application/x-apple-aspen-mdm';
/** Largest device message accepted (ProfileList answers with signer certificates can be large). */
export const MDM_BODY_LIMIT = 1024 * 1024;

function send(reply: FastifyReply, r: MdmReply): FastifyReply {
  void reply.status(r.status);
  if (r.contentType) void reply.type(r.contentType);
  // "An empty response body is zero bytes in length and doesn't contain an empty property list."
  return reply.send(r.body);
}

function requireType(request: FastifyRequest, expected: string): void {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== expected) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Send ${expected}.`);
}

/** Registers PUT /mdm/checkin (CheckInURL) and PUT /mdm/connect (ServerURL) on the device listener. */
export async function mdmRoutes(app: FastifyInstance, opts: { mdm: MdmService }): Promise<void> {
  app.addContentTypeParser(
    [CHECKIN_TYPE, COMMAND_TYPE],
    { parseAs: 'buffer', bodyLimit: MDM_BODY_LIMIT },
    (_req, body, done) => done(null, body),
  );
  const signature = (request: FastifyRequest) => {
    const v = request.headers['mdm-signature'];
    return typeof v === 'string' ? v : undefined;
  };
  app.put('/mdm/checkin', { bodyLimit: MDM_BODY_LIMIT }, async (request, reply) => {
    requireType(request, CHECKIN_TYPE);
    return send(reply, await opts.mdm.checkin(request.body as Buffer, signature(request), request.ip));
  });
  app.put('/mdm/connect', { bodyLimit: MDM_BODY_LIMIT }, async (request, reply) => {
    requireType(request, COMMAND_TYPE);
    return send(reply, await opts.mdm.connect(request.body as Buffer, signature(request), request.ip));
  });
}
