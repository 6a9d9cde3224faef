import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import { noteRefusal } from '../../http/rate-limit.js';
import type { ScepRequestContext, ScepService } from './scep.service.js';

// GET/POST /scep?operation=... (RFC 8894 §4.1; apple-protocols §2.1). Adapters only: read the message,
// call the service once, send the bytes with the SCEP content type.

/** Where SCEP is served, on the device listener and on the plain-HTTP bootstrap listener. */
export const SCEP_PATH = '/scep';

/** Largest PKIOperation body accepted; a real pkiMessage is 2 to 5 KiB. */
export const SCEP_BODY_LIMIT = 64 * 1024;

const PKI_MESSAGE_TYPES = ['application/x-pki-message', 'application/octet-stream'];

// base64 of SCEP_BODY_LIMIT bytes, plus a little slack for line breaks some clients insert.
const MAX_GET_MESSAGE_CHARS = Math.ceil(SCEP_BODY_LIMIT / 3) * 4 + 1024;

type ScepQuery = { operation?: string | string[]; message?: string | string[] };

function single(value: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(value)) throw new AppError('VALIDATION_FAILED', `Send ${name} only once.`, { field: name });
  return value;
}

/**
 * Decodes the GET `message` (RFC 8894 §4.1: base64, standard alphabet, URL-escaped). An unescaped '+' has
 * already become a space in the query string, so spaces are turned back into '+'.
 */
export function decodeGetMessage(message: string): Buffer {
  if (message.length > MAX_GET_MESSAGE_CHARS)
    throw new AppError('VALIDATION_FAILED', 'The message parameter is too long.', { field: 'message' });
  const b64 = message.replace(/ /g, '+').replace(/[\r\n]/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.replace(/=+$/, '').length % 4 === 1) {
    throw new AppError('VALIDATION_FAILED', 'The message parameter is not base64 (standard alphabet).', {
      field: 'message',
    });
  }
  return Buffer.from(b64, 'base64');
}

function mediaType(request: FastifyRequest): string {
  return (
    String(request.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase() ?? ''
  );
}

/** Where a PKIOperation came from; a CertRep FAILURE counts as a refusal for the request limits. */
function context(request: FastifyRequest): ScepRequestContext {
  return { sourceAddress: request.ip, refused: () => noteRefusal(request) };
}

function sendCertRep(reply: FastifyReply, der: Buffer): FastifyReply {
  return reply.code(200).type('application/x-pki-message').header('cache-control', 'no-store').send(der);
}

/** Registers GET and POST /scep (on the device listener and on the bootstrap listener). */
export async function scepRoutes(app: FastifyInstance, opts: { scep: ScepService }): Promise<void> {
  const { scep } = opts;
  // The device app may already parse application/octet-stream for another module; re-adding it would throw
  // FST_ERR_CTP_ALREADY_PRESENT, and removing it here only affects this plugin's encapsulated scope.
  for (const type of PKI_MESSAGE_TYPES) if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
  app.addContentTypeParser(
    PKI_MESSAGE_TYPES,
    { parseAs: 'buffer', bodyLimit: SCEP_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );

  app.get(SCEP_PATH, async (request, reply) => {
    const query = request.query as ScepQuery;
    const operation = single(query.operation, 'operation');
    switch (operation) {
      case 'GetCACaps':
        return reply.type('text/plain').send(scep.caps());
      case 'GetCACert':
        return reply.type('application/x-x509-ca-cert').send(scep.caCertificate());
      case 'PKIOperation': {
        const message = single(query.message, 'message');
        if (!message)
          throw new AppError(
            'VALIDATION_FAILED',
            'PKIOperation by GET needs the message parameter (base64 DER pkiMessage).',
            { field: 'message' },
          );
        return sendCertRep(reply, await scep.pkiOperation(decodeGetMessage(message), context(request)));
      }
      default:
        throw unknownOperation(operation);
    }
  });

  app.post(
    SCEP_PATH,
    {
      bodyLimit: SCEP_BODY_LIMIT,
      // Checked before body parsing so the answer names the SCEP content type rather than JSON.
      onRequest: async (request) => {
        const operation = single((request.query as ScepQuery).operation, 'operation');
        if (operation !== 'PKIOperation')
          throw operation === 'GetCACaps' || operation === 'GetCACert'
            ? new AppError('VALIDATION_FAILED', `${operation} uses GET.`, { field: 'operation' })
            : unknownOperation(operation);
        if (!PKI_MESSAGE_TYPES.includes(mediaType(request))) {
          throw new AppError(
            'UNSUPPORTED_MEDIA_TYPE',
            'Send the SCEP message as application/x-pki-message (or application/octet-stream).',
            { contentType: mediaType(request) || null },
          );
        }
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0)
        throw new AppError('VALIDATION_FAILED', 'PKIOperation needs the DER pkiMessage as the request body.', {
          field: 'body',
        });
      return sendCertRep(reply, await scep.pkiOperation(body, context(request)));
    },
  );
}

function unknownOperation(operation: string | undefined): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    operation
      ? `Unknown SCEP operation ${JSON.stringify(operation.slice(0, 64))}; use GetCACaps, GetCACert or PKIOperation.`
      : 'The operation parameter is missing; use GetCACaps, GetCACert or PKIOperation.',
    { field: 'operation' },
  );
}
