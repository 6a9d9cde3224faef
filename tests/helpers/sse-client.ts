// A server-sent events reader for tests: opens GET /api/events with an admin session cookie and parses the stream
// (id, event, data; comments counted as heartbeats), so tests can wait for an event or for the server to end it.
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { send } from './http.js';
import { HARNESS_ADMIN } from './server-harness.js';

/** One parsed SSE message. */
export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

/** An open stream (or the refusal, when the status is not 200). */
export interface SseStream {
  status: number;
  headers: IncomingMessage['headers'];
  /** The body of a refusal (JSON), empty for a stream. */
  refusal: string;
  messages: SseMessage[];
  heartbeats: number;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  isEnded(): boolean;
  /** Waits (up to `timeoutMs`) for a message matching `match`, among those already read too. */
  next(match: (m: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  /** The client goes away. */
  close(): void;
  /** The raw response, e.g. to pause reading. */
  response: IncomingMessage;
  request: ClientRequest;
}

/** Signs the harness admin in once more (a new session) and returns its cookie header. */
export async function signInCookie(adminUrl: string): Promise<{ cookie: string; csrf: string }> {
  const res = await send(new URL('/api/auth/login', adminUrl).href, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: HARNESS_ADMIN.email, password: HARNESS_ADMIN.password }),
  });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${res.text}`);
  const cookie = (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  return { cookie, csrf: res.json<{ csrfToken: string }>().csrfToken };
}

/** Opens GET `path` (default /api/events) with `headers`, resolving once the status line is in. */
export function openSse(adminUrl: string, headers: Record<string, string>, path = '/api/events'): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, adminUrl), {
      method: 'GET',
      headers: { accept: 'text/event-stream', ...headers },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const messages: SseMessage[] = [];
      const waiters: { match: (m: SseMessage) => boolean; resolve: (m: SseMessage) => void }[] = [];
      let buffer = '';
      let ended = false;
      let refusal = '';
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        get refusal() {
          return refusal;
        },
        messages,
        heartbeats: 0,
        ended: new Promise((done) => {
          const finish = () => {
            ended = true;
            done();
          };
          res.on('end', finish);
          res.on('close', finish);
          res.on('error', finish);
        }),
        isEnded: () => ended,
        next(match, timeoutMs = 10_000) {
          const found = messages.find(match);
          if (found) return Promise.resolve(found);
          return new Promise((ok, fail) => {
            const timer = setTimeout(
              () => fail(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(messages)}`)),
              timeoutMs,
            );
            waiters.push({
              match,
              resolve: (m) => {
                clearTimeout(timer);
                ok(m);
              },
            });
          });
        },
        close: () => {
          req.destroy();
        },
        response: res,
        request: req,
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (stream.status !== 200) {
          refusal += chunk;
          return;
        }
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const m: SseMessage = { id: null, event: 'message', data: '' };
          let any = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) stream.heartbeats++;
            else if (line.startsWith('id: ')) m.id = line.slice(4);
            else if (line.startsWith('event: ')) {
              m.event = line.slice(7);
              any = true;
            } else if (line.startsWith('data: ')) m.data += line.slice(6);
          }
          if (!any) continue;
          messages.push(m);
          for (const w of [...waiters]) {
            if (w.match(m)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(m);
            }
          }
        }
      });
      resolve(stream);
    });
    req.end();
  });
}
