import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AppError } from '../../core/errors.js';
import { PUSH_REQUEST_LIMITS } from './push-request.js';

// The client side of a vendor-signing service of the mdmcert.download kind: one JSON POST of
// {csr: base64(PEM CSR), email, key: the API key, encrypt: base64(PEM exchange certificate)}, answered with
// {"result": "success"} once the signed request is on its way to the email address.

/** One signing request to the vendor service. */
export interface VendorSignRequest {
  csrPem: string;
  email: string;
  apiKey: string;
  exchangeCertPem: string;
}

/** Bounds on the conversation with the service (tests shorten them). */
export interface VendorServiceLimits {
  timeoutMs: number;
  maxResponseBytes: number;
  /** A CA to trust besides the system ones (a TLS-inspecting proxy). */
  ca?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Checks the service address an admin typed: https, or http on this machine only (a local stand-in or relay);
 * returns it normalised.
 */
export function checkServiceUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new AppError(
      'VALIDATION_FAILED',
      `The service address must be a URL such as ${'https://mdmcert.download/api/v1/signrequest'}.`,
      {
        field: 'serviceUrl',
      },
    );
  }
  const local = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
  if ((url.protocol !== 'https:' && !local) || url.username || url.password || url.hash)
    throw new AppError(
      'VALIDATION_FAILED',
      'The service address must start with https:// (plain http is allowed only for this machine) and hold no user name or #fragment.',
      { field: 'serviceUrl' },
    );
  return url;
}

function failed(message: string, cause?: unknown): AppError {
  return new AppError(
    'PUSH_SERVICE_FAILED',
    message,
    { field: 'serviceUrl' },
    cause === undefined ? undefined : { cause },
  );
}

/** Posts the signing request; resolves when the service says it accepted it, throws PUSH_SERVICE_FAILED otherwise. */
export function sendVendorSignRequest(
  url: URL,
  body: VendorSignRequest,
  limits: VendorServiceLimits = {
    timeoutMs: PUSH_REQUEST_LIMITS.serviceTimeoutMs,
    maxResponseBytes: PUSH_REQUEST_LIMITS.serviceResponseBytes,
  },
): Promise<void> {
  const payload = Buffer.from(
    JSON.stringify({
      csr: Buffer.from(body.csrPem).toString('base64'),
      email: body.email,
      key: body.apiKey,
      encrypt: Buffer.from(body.exchangeCertPem).toString('base64'),
    }),
  );
  const host = url.host;
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (err: AppError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      if (err) reject(err);
      else resolve();
    };
    const onResponse = (res: IncomingMessage) => {
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > limits.maxResponseBytes) {
        finish(
          failed(
            `${host} answered with ${declared} bytes, far more than a signing service sends; is the address right?`,
          ),
        );
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxResponseBytes) {
          finish(
            failed(
              `${host} answered with more than ${limits.maxResponseBytes} bytes, far more than a signing service sends; is the address right?`,
            ),
          );
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => finish(failed(`The connection to ${host} broke while it answered. Try again.`, err)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        let result: unknown;
        try {
          result = (JSON.parse(text) as { result?: unknown } | null)?.result;
        } catch {
          result = undefined;
        }
        if (status === 401 || status === 403)
          return finish(
            failed(
              `${host} refused the request (HTTP ${status}): check the API key and that the email address is registered with the service.`,
            ),
          );
        if (status < 200 || status > 299)
          return finish(
            failed(`${host} answered HTTP ${status}. Check the address and try again later.${snippet(text)}`),
          );
        if (result !== 'success')
          return finish(
            failed(`${host} did not accept the request.${snippet(text)} Check the email address and the API key.`),
          );
        finish(null);
      });
    };
    const options = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(payload.length),
        'user-agent': 'tsunagu',
        accept: 'application/json',
      },
      ...(limits.ca ? { ca: limits.ca } : {}),
    };
    const req =
      url.protocol === 'https:' ? httpsRequest(url, options, onResponse) : httpRequest(url, options, onResponse);
    const timer = setTimeout(
      () =>
        finish(
          failed(
            `${host} did not answer within ${Math.round(limits.timeoutMs / 1000)} s. Check the address and the network, then try again.`,
          ),
        ),
      limits.timeoutMs,
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      finish(
        failed(
          err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN'
            ? `The name ${url.hostname} could not be resolved. Check the address and this server's internet connection.`
            : err.code === 'ECONNREFUSED'
              ? `${host} refused the connection. Check the address.`
              : /certificate|self.signed|CERT_/i.test(`${err.code ?? ''} ${err.message}`)
                ? `The TLS certificate of ${host} is not trusted (${err.code ?? err.message}).`
                : `Could not reach ${host} (${err.code ?? err.message}). Check the address and the network.`,
          err,
        ),
      ),
    );
    req.end(payload);
  });
}

// The service's own words, short and on one line, when it sent any.
function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim().slice(0, 160);
  return line ? ` It said: "${line}".` : '';
}
