import { request as httpsRequest } from 'node:https';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/** A response read completely into memory. */
export interface TestResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** Options for one request. */
export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** CA certificate(s) to trust for HTTPS. */
  ca?: string;
  timeoutMs?: number;
}

/** Sends one HTTP(S) request with Node's own client (custom CA, raw bodies) and reads the whole answer. */
export function send(url: string, options: RequestOptions = {}): Promise<TestResponse> {
  const u = new URL(url);
  const make = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = make(
      u,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ...(options.ca ? { ca: options.ca } : {}),
        timeout: options.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** A cookie-keeping admin API client that sends the CSRF token like the console does. */
export class AdminClient {
  private cookie = '';
  csrf = '';

  constructor(
    readonly baseUrl: string,
    readonly ca?: string,
  ) {}

  /** Calls the admin API with a JSON body (or raw bytes with a content type). */
  async call(
    method: string,
    path: string,
    body?: unknown,
    extra: { contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<TestResponse> {
    const headers: Record<string, string> = { ...extra.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    let payload: string | Buffer | undefined;
    if (body !== undefined) {
      headers['content-type'] = extra.contentType ?? 'application/json';
      payload = Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await send(new URL(path, this.baseUrl).href, {
      method,
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
      ...(this.ca ? { ca: this.ca } : {}),
    });
    const set = res.headers['set-cookie'];
    if (set) this.cookie = set.map((c) => c.split(';')[0]).join('; ');
    const session =
      res.headers['content-type']?.startsWith('application/json') && res.text
        ? (JSON.parse(res.text) as { csrfToken?: string })
        : null;
    if (session?.csrfToken) this.csrf = session.csrfToken;
    return res;
  }
}
