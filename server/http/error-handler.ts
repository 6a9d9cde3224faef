import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody, ErrorCode } from '../contract/errors.js';
import { AppError, HTTP_STATUS } from '../core/errors.js';

interface ValidationIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

// Errors reported on an object that are about one of its fields: the field they name.
const FIELD_PARAM: Partial<Record<string, string>> = {
  additionalProperties: 'additionalProperty',
  required: 'missingProperty',
  // A tagged union whose tag (e.g. `method`) is missing a known value or is not a string.
  discriminator: 'tag',
};

function issuePath(part: string | undefined, issue: ValidationIssue): string {
  const path = (issue.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const param = issue.keyword ? FIELD_PARAM[issue.keyword] : undefined;
  const extra = param ? String(issue.params?.[param] ?? '') : '';
  return [part, path, extra].filter(Boolean).join('.');
}

function issueMessage(issue: ValidationIssue): string {
  if (issue.keyword === 'additionalProperties') return 'is not a known field';
  // Ajv's own words here speak of the schema ("value of tag ... must be in oneOf"), not of the request.
  if (issue.keyword === 'discriminator')
    return issue.params?.error === 'tag' ? 'must be string' : 'must be equal to one of the allowed values';
  return issue.message ?? 'is not valid';
}

function validationBody(err: FastifyError): ErrorBody {
  const issues = (err.validation ?? []) as ValidationIssue[];
  const part = err.validationContext;
  const unknown = issues.find((i) => i.keyword === 'additionalProperties');
  const errors = issues.map((i) => ({ path: issuePath(part, i), message: issueMessage(i) }));
  if (unknown) {
    const field = issuePath(part, unknown);
    return {
      code: 'UNKNOWN_FIELD',
      message: `${field} is not a known field; remove it and try again.`,
      details: { field, errors },
    };
  }
  const first = errors[0];
  const field = first?.path ?? part ?? 'request';
  return {
    code: 'VALIDATION_FAILED',
    message: `${field} ${first?.message ?? 'is not valid'}.`,
    details: { field, errors },
  };
}

/** Maps any thrown value to a status and `{code, message, details}`; the only place errors become HTTP. */
export function toErrorResponse(err: unknown, requestId: string): { status: number; body: ErrorBody } {
  if (err instanceof AppError) {
    const body: ErrorBody = { code: err.code, message: err.message };
    if (err.details) body.details = err.details;
    return { status: err.status, body };
  }
  const fe = err as Partial<FastifyError> & { type?: string };
  if (fe && typeof fe === 'object') {
    if (fe.validation) return { status: 400, body: validationBody(fe as FastifyError) };
    const byCode: Partial<Record<string, [ErrorCode, string]>> = {
      FST_ERR_CTP_BODY_TOO_LARGE: ['BODY_TOO_LARGE', 'The request body is too large.'],
      FST_ERR_CTP_INVALID_MEDIA_TYPE: [
        'UNSUPPORTED_MEDIA_TYPE',
        'This content type is not accepted here; send application/json.',
      ],
      FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['VALIDATION_FAILED', 'The Content-Length header does not match the body.'],
      FST_ERR_CTP_EMPTY_JSON_BODY: ['MALFORMED_JSON', 'The body is empty; send a JSON object.'],
      FST_ERR_CTP_INVALID_JSON_BODY: ['MALFORMED_JSON', 'The body is not valid JSON.'],
      FST_ERR_CTP_EMPTY_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'The Content-Type header is empty.'],
    };
    const mapped = fe.code ? byCode[fe.code] : undefined;
    if (mapped) return { status: HTTP_STATUS[mapped[0]], body: { code: mapped[0], message: mapped[1] } };
    if (fe instanceof SyntaxError || fe.statusCode === 400) {
      return { status: 400, body: { code: 'MALFORMED_JSON', message: 'The body could not be read; send valid JSON.' } };
    }
    if (fe.statusCode === 413)
      return { status: 413, body: { code: 'BODY_TOO_LARGE', message: 'The request body is too large.' } };
    if (fe.statusCode === 415)
      return {
        status: 415,
        body: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'This content type is not accepted here.' },
      };
  }
  return {
    status: 500,
    body: {
      code: 'INTERNAL',
      message: `Something went wrong on the server. It was logged with reference ${requestId}.`,
    },
  };
}

/** A not-found handler answering with the standard error body. */
export function jsonNotFound(request: FastifyRequest, reply: FastifyReply): void {
  const body: ErrorBody = {
    code: 'NOT_FOUND',
    message: `Nothing is at ${request.method} ${request.url.split('?')[0]}.`,
  };
  void reply.status(404).send(body);
}

/**
 * Sends `Retry-After` with a refusal that says when to come back (a sign-in lockout's `retryAfterSeconds`), so every
 * 429 tells the client how long to wait.
 */
export function setRetryAfter(reply: FastifyReply, err: unknown): void {
  const seconds = err instanceof AppError ? err.details?.retryAfterSeconds : undefined;
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0)
    void reply.header('retry-after', String(Math.ceil(seconds)));
}

/** Installs the error handler that answers with the mapped body. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorResponse(err, request.id);
    if (status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: body.code, status }, 'request refused');
    setRetryAfter(reply, err);
    void reply.status(status).header('cache-control', 'no-store').send(body);
  });
}
