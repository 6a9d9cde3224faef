// The console's only HTTP client: JSON in and out, the session cookie, the CSRF header, typed errors.
import type { ErrorBody, ErrorCode, RowError } from '../../server/contract/index.js';

/** Error codes the client adds to the server's own: the server could not be reached or answered oddly. */
export type ClientErrorCode = 'NETWORK' | 'BAD_RESPONSE';

/** Every code an ApiError can carry. */
export type ApiErrorCode = ErrorCode | ClientErrorCode;

/** A failed API call: the server's stable code, its message, and its details (field, row errors ...). */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(
    code: ApiErrorCode,
    message: string,
    status: number,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }

  /** The form field the server blamed (`details.field`), without a `body.` / `querystring.` prefix. */
  get field(): string | undefined {
    const f = this.details.field;
    return typeof f === 'string' ? f.replace(/^(body|querystring|params)\./, '') : undefined;
  }

  /** The per-row problems of a batch add or CSV import (`details.errors`), or an empty list. */
  get rowErrors(): RowError[] {
    const errors = this.details.errors;
    if (!Array.isArray(errors)) return [];
    return errors.filter(
      (e): e is RowError => typeof e === 'object' && e !== null && typeof (e as RowError).row === 'number',
    );
  }
}

/** True when `err` is an ApiError, optionally with one of the given codes. */
export function isApiError(err: unknown, ...codes: ApiErrorCode[]): err is ApiError {
  return err instanceof ApiError && (codes.length === 0 || codes.includes(err.code));
}

/** Query-string values; undefined, null and empty strings are left out. */
export type QueryParams = Record<string, string | number | boolean | null | undefined>;

/** One request: a JSON body, or raw bytes with their content type. */
export interface RequestOptions {
  query?: QueryParams;
  json?: unknown;
  body?: Blob | ArrayBuffer | string;
  contentType?: string;
  signal?: AbortSignal;
}

/** What the client needs from its surroundings; injected so tests can drive it without a network. */
export interface ApiClientOptions {
  /** The fetch implementation (the browser's by default). */
  fetch?: typeof fetch;
  /** The CSRF token of the current session, sent as `x-csrf-token` on state-changing requests. */
  csrfToken: () => string | null;
  /** Called when the server says the session is gone (401 AUTH_REQUIRED), before the error is thrown. */
  onAuthRequired?: (error: ApiError) => void;
}

/** The transport every api/ module uses. */
export interface ApiClient {
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  get<T>(path: string, query?: QueryParams): Promise<T>;
  post<T>(path: string, json?: unknown): Promise<T>;
  put<T>(path: string, json: unknown): Promise<T>;
  patch<T>(path: string, json: unknown): Promise<T>;
  delete<T = void>(path: string): Promise<T>;
  /** Sends a JSON body and reads the answer as a file: its bytes and the name its Content-Disposition gives. */
  download(method: string, path: string, json?: unknown): Promise<DownloadedFile>;
}

/** A file the server answered with. */
export interface DownloadedFile {
  blob: Blob;
  /** The name from `Content-Disposition: attachment; filename="..."`, or null without one. */
  fileName: string | null;
}

/** The file name a Content-Disposition header gives (the plain quoted form the server sends), or null. */
export function attachmentName(header: string | null): string | null {
  const m = /filename="([^"]+)"/.exec(header ?? '');
  return m ? (m[1] as string) : null;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Builds `path?query` with the set values only. */
export function withQuery(path: string, query: QueryParams = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorBody).code === 'string' &&
    typeof (value as ErrorBody).message === 'string'
  );
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(
      'BAD_RESPONSE',
      `The server answered ${response.status} with something that is not JSON.`,
      response.status,
      {},
      { cause: err },
    );
  }
}

/** Turns an error response into an ApiError; bodies that are not `{code, message}` become BAD_RESPONSE. */
export async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await readJson(response);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  if (isErrorBody(body)) return new ApiError(body.code, body.message, response.status, body.details ?? {});
  return new ApiError(
    'BAD_RESPONSE',
    `The server answered ${response.status} ${response.statusText}.`.replace(/\s+\./, '.'),
    response.status,
  );
}

/** Creates the API client: same-origin credentials, JSON, the CSRF header, ApiError for every failure. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  /** Sends one request; answers the response when it is OK, else throws its ApiError. */
  async function send(method: string, path: string, opts: RequestOptions, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept };
    let body: BodyInit | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.body !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/octet-stream';
      body = opts.body;
    }
    if (UNSAFE.has(method)) {
      const token = options.csrfToken();
      if (token) headers['x-csrf-token'] = token;
    }
    let response: Response;
    try {
      response = await doFetch(withQuery(path, opts.query), {
        method,
        headers,
        body,
        credentials: 'same-origin',
        signal: opts.signal,
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError('NETWORK', 'The Tsunagu server could not be reached.', 0, {}, { cause: err });
    }
    if (!response.ok) {
      const error = await toApiError(response);
      if (error.code === 'AUTH_REQUIRED') options.onAuthRequired?.(error);
      throw error;
    }
    return response;
  }

  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const response = await send(method, path, opts, 'application/json');
    if (response.status === 204) return undefined as T;
    return (await readJson(response)) as T;
  }

  async function download(method: string, path: string, json?: unknown): Promise<DownloadedFile> {
    const response = await send(method, path, json === undefined ? {} : { json }, 'application/octet-stream');
    let blob: Blob;
    try {
      blob = await response.blob();
    } catch (err) {
      throw new ApiError('NETWORK', 'The download was cut off before it finished.', 0, {}, { cause: err });
    }
    return { blob, fileName: attachmentName(response.headers.get('content-disposition')) };
  }

  return {
    request,
    get: (path, query) => request('GET', path, { query }),
    post: (path, json) => request('POST', path, json === undefined ? {} : { json }),
    put: (path, json) => request('PUT', path, { json }),
    patch: (path, json) => request('PATCH', path, { json }),
    delete: (path) => request('DELETE', path),
    download,
  };
}
