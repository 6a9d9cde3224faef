import { describe, expect, it, vi } from 'vitest';
import { ApiError, createApiClient, isApiError, withQuery } from './client.js';
import { createDevicesApi } from './devices.js';

interface Sent {
  url: string;
  init: RequestInit;
}

/** A client over a fake fetch that answers every request with `respond()`. */
function clientWith(respond: () => Response | Promise<Response>, csrf: string | null = 'csrf-123') {
  const sent: Sent[] = [];
  const onAuthRequired = vi.fn();
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    sent.push({ url: String(url), init: init ?? {} });
    return respond();
  });
  const client = createApiClient({ fetch, csrfToken: () => csrf, onAuthRequired });
  return { client, sent, onAuthRequired };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function headersOf(sent: Sent): Record<string, string> {
  return sent.init.headers as Record<string, string>;
}

describe('the API client: requests', () => {
  it.each([
    ['GET', false],
    ['POST', true],
    ['PUT', true],
    ['PATCH', true],
    ['DELETE', true],
  ] as const)('%s sends the CSRF header: %s', async (method, withToken) => {
    const { client, sent } = clientWith(() => json(200, { ok: true }));
    await client.request(method, '/api/x', method === 'GET' || method === 'DELETE' ? {} : { json: { a: 1 } });
    expect(headersOf(sent[0] as Sent)['x-csrf-token']).toBe(withToken ? 'csrf-123' : undefined);
    expect(sent[0]?.init.credentials).toBe('same-origin');
    expect(sent[0]?.init.method).toBe(method);
  });

  it('sends JSON bodies as JSON', async () => {
    const { client, sent } = clientWith(() => json(201, { id: 'u1' }));
    await expect(client.post('/api/users', { email: 'a@example.com' })).resolves.toEqual({ id: 'u1' });
    expect(headersOf(sent[0] as Sent)['content-type']).toBe('application/json');
    expect(sent[0]?.init.body).toBe('{"email":"a@example.com"}');
  });

  it('uploads raw bytes with their content type', async () => {
    const { client, sent } = clientWith(() => json(201, { created: [] }));
    const file = new Blob(['email,display_name\r\n'], { type: 'text/csv' });
    await client.request('POST', '/api/users/import', {
      query: { fileName: 'staff list.csv' },
      body: file,
      contentType: 'text/csv',
    });
    expect(sent[0]?.url).toBe('/api/users/import?fileName=staff+list.csv');
    expect(headersOf(sent[0] as Sent)['content-type']).toBe('text/csv');
    expect(sent[0]?.init.body).toBe(file);
  });

  it('leaves the CSRF header out when there is no session', async () => {
    const { client, sent } = clientWith(() => json(200, {}), null);
    await client.post('/api/auth/login', { email: 'a', password: 'b' });
    expect(headersOf(sent[0] as Sent)).not.toHaveProperty('x-csrf-token');
  });

  it('answers 204 with undefined', async () => {
    const { client } = clientWith(() => new Response(null, { status: 204 }));
    await expect(client.delete('/api/users/u1')).resolves.toBeUndefined();
  });

  it.each([
    [{}, '/api/audit'],
    [{ q: '', cursor: undefined, limit: null }, '/api/audit'],
    [{ action: 'user.', limit: 50 }, '/api/audit?action=user.&limit=50'],
    [{ from: '2026-04-01T00:00:00.000Z' }, '/api/audit?from=2026-04-01T00%3A00%3A00.000Z'],
  ])('withQuery(%j) is %s', (query, expected) => {
    expect(withQuery('/api/audit', query)).toBe(expected);
  });
});

describe('the API client: errors', () => {
  it.each([
    [
      409,
      {
        code: 'EMAIL_TAKEN',
        message: 'A user with the email address a@example.com already exists.',
        details: { field: 'email' },
      },
      'EMAIL_TAKEN',
      'email',
    ],
    [
      400,
      { code: 'VALIDATION_FAILED', message: 'body.pinLength must be <= 8.', details: { field: 'body.pinLength' } },
      'VALIDATION_FAILED',
      'pinLength',
    ],
    [
      429,
      { code: 'AUTH_LOCKED', message: 'Too many failed sign-ins.', details: { retryAfterSeconds: 30 } },
      'AUTH_LOCKED',
      undefined,
    ],
    [
      401,
      { code: 'AUTH_INVALID_CREDENTIALS', message: 'The email address or password is wrong.' },
      'AUTH_INVALID_CREDENTIALS',
      undefined,
    ],
  ] as const)('HTTP %i with an error body becomes ApiError %s', async (status, body, code, field) => {
    const { client, onAuthRequired } = clientWith(() => json(status, body));
    const err = await client.post('/api/x', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const apiError = err as ApiError;
    expect([apiError.code, apiError.status, apiError.message, apiError.field]).toEqual([
      code,
      status,
      body.message,
      field,
    ]);
    expect(apiError.details).toEqual('details' in body ? body.details : {});
    expect(onAuthRequired).not.toHaveBeenCalled();
  });

  it('keeps the row errors of a rejected import', async () => {
    const errors = [
      { row: 3, field: 'email', code: 'VALIDATION_FAILED', message: 'The email address is not valid.' },
      { nonsense: true },
    ];
    const { client } = clientWith(() =>
      json(400, { code: 'CSV_INVALID', message: 'Nothing was imported.', details: { errors } }),
    );
    const err = (await client.post('/api/users/import').catch((e: unknown) => e)) as ApiError;
    expect(isApiError(err, 'CSV_INVALID')).toBe(true);
    expect(err.rowErrors).toEqual([errors[0]]);
  });

  it('calls onAuthRequired for 401 AUTH_REQUIRED, then still throws', async () => {
    const { client, onAuthRequired } = clientWith(() =>
      json(401, { code: 'AUTH_REQUIRED', message: 'Sign in first.' }),
    );
    await expect(client.get('/api/users')).rejects.toMatchObject({ code: 'AUTH_REQUIRED', status: 401 });
    expect(onAuthRequired).toHaveBeenCalledTimes(1);
  });

  it('turns an answer that is not an error body into BAD_RESPONSE', async () => {
    const { client } = clientWith(
      () => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    await expect(client.get('/api/users')).rejects.toMatchObject({ code: 'BAD_RESPONSE', status: 502 });
  });

  it('turns a JSON error without a code into BAD_RESPONSE', async () => {
    const { client } = clientWith(() => json(500, { error: 'boom' }));
    await expect(client.get('/api/users')).rejects.toMatchObject({ code: 'BAD_RESPONSE', status: 500 });
  });

  it('turns a failed connection into NETWORK, keeping the cause', async () => {
    const cause = new TypeError('Failed to fetch');
    const { client } = clientWith(() => {
      throw cause;
    });
    const err = (await client.get('/api/users').catch((e: unknown) => e)) as ApiError;
    expect([err.code, err.status, err.cause]).toEqual(['NETWORK', 0, cause]);
  });

  it('lets an abort through unchanged', async () => {
    const abort = new DOMException('The operation was aborted.', 'AbortError');
    const { client } = clientWith(() => {
      throw abort;
    });
    await expect(client.get('/api/users')).rejects.toBe(abort);
  });
});

describe('the devices endpoints', () => {
  it.each([
    [
      'reenroll',
      (api: ReturnType<typeof createDevicesApi>) => api.reenroll('d/1'),
      'POST',
      '/api/devices/d%2F1/reenroll',
    ],
    [
      'revokeAgentToken',
      (api: ReturnType<typeof createDevicesApi>) => api.revokeAgentToken('d1'),
      'POST',
      '/api/devices/d1/agent-token/revoke',
    ],
    [
      'cancelCommand',
      (api: ReturnType<typeof createDevicesApi>) => api.cancelCommand('d1', 'C-1'),
      'DELETE',
      '/api/devices/d1/commands/C-1',
    ],
    [
      'cancelAgentAction',
      (api: ReturnType<typeof createDevicesApi>) => api.cancelAgentAction('d1', 'a 1'),
      'DELETE',
      '/api/devices/d1/agent-actions/a%201',
    ],
    ['push', (api: ReturnType<typeof createDevicesApi>) => api.push('d1'), 'POST', '/api/devices/d1/push'],
    [
      'reassign',
      (api: ReturnType<typeof createDevicesApi>) => api.reassign('d1', { userId: 'u2' }),
      'POST',
      '/api/devices/d1/reassign',
    ],
    [
      'dismissClaim',
      (api: ReturnType<typeof createDevicesApi>) => api.dismissClaim('d1', 'c/1'),
      'POST',
      '/api/devices/d1/claims/c%2F1/dismiss',
    ],
  ] as const)('%s calls %s %s and hands back the server’s answer', async (_name, call, method, url) => {
    const { client, sent } = clientWith(() => json(200, { answer: true }));
    await expect(call(createDevicesApi(client))).resolves.toEqual({ answer: true });
    expect([sent[0]?.init.method, sent[0]?.url]).toEqual([method, url]);
  });

  it('sends whom to reassign a device to as the body', async () => {
    const { client, sent } = clientWith(() => json(200, { answer: true }));
    await createDevicesApi(client).reassign('d1', { userId: 'u2' });
    expect(JSON.parse(String(sent[0]?.init.body))).toEqual({ userId: 'u2' });
  });
});

describe('the API client: file downloads', () => {
  it('posts the JSON body with the CSRF header and answers the bytes and the attachment name', async () => {
    const { client, sent } = clientWith(
      () =>
        new Response(new Uint8Array([1, 2, 3]), {
          status: 200,
          headers: {
            'content-type': 'application/octet-stream',
            'content-disposition': 'attachment; filename="tsunagu-backup-2026-12-06.tsunagu-backup"',
          },
        }),
    );
    const file = await client.download('POST', '/api/backup', { passphrase: 'a long passphrase' });
    expect(file.fileName).toBe('tsunagu-backup-2026-12-06.tsunagu-backup');
    expect([...new Uint8Array(await file.blob.arrayBuffer())]).toEqual([1, 2, 3]);
    expect(headersOf(sent[0] as Sent)['x-csrf-token']).toBe('csrf-123');
    expect(sent[0]?.init.body).toBe('{"passphrase":"a long passphrase"}');
  });

  it.each([
    [409, { code: 'BACKUP_IN_PROGRESS', message: 'A backup is being made right now.' }, 'BACKUP_IN_PROGRESS'],
    [400, { code: 'VALIDATION_FAILED', message: 'Use a passphrase of at least 12 characters.' }, 'VALIDATION_FAILED'],
  ] as const)('a %i answer is the server’s ApiError, not a file', async (status, body, code) => {
    const { client } = clientWith(() => json(status, body));
    const err = await client.download('POST', '/api/backup', {}).catch((e: unknown) => e);
    expect(isApiError(err, code)).toBe(true);
    expect((err as ApiError).message).toBe(body.message);
  });
});
