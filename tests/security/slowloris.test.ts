// Slowloris against every listener with the DEFAULT timeouts: hundreds of connections that each send one byte a
// second (of the request head, of a body, or of a TLS handshake) must be closed within 30 s, while normal requests
// are answered during the attack.
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../helpers/http.js';
import { local, startHarness, type Harness } from '../helpers/server-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

/** How an attacking connection dribbles: the request head, a body after a complete head, or the TLS handshake. */
type Attack = 'head' | 'body' | 'handshake';

interface Slow {
  name: string;
  socket: net.Socket;
  /** The bytes it sends, one a second, from the start (a request that never ends). */
  next(): string;
  /** From the moment the connection was opened to the moment the server closed it. */
  closedAfterMs: number | null;
}

function dribble(name: string, attack: Attack, host: string): (i: number) => string {
  let sent = 0;
  const head = `GET /health HTTP/1.1\r\nHost: ${host}\r\n`;
  const body = `PUT /mdm/checkin HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-apple-aspen-mdm-checkin\r\nContent-Length: 1000000\r\n\r\n`;
  return () => {
    sent++;
    if (attack === 'head') return sent <= head.length ? head[sent - 1]! : 'x';
    if (attack === 'body') return sent === 1 ? body : '<';
    // A TLS record header of a ClientHello, then its body a byte at a time.
    return sent === 1 ? '\x16' : '\x03';
  };
}

describe('slowloris', () => {
  it('200+ connections sending a byte a second are closed within 30 s on every listener; normal requests are answered meanwhile', async () => {
    const admin = new URL(h.server.adminUrl);
    const device = new URL(local(h.server.enrollmentUrl));
    const boot = new URL(local(h.server.bootstrapUrl));
    const caPem = h.server.services.ca.caCertificate().pem;
    const started = Date.now();
    const slow: Slow[] = [];
    const open = (name: string, attack: Attack, target: URL, secure: boolean, n: number): Promise<void>[] =>
      Array.from({ length: n }, (_, i) => {
        const port = Number(target.port);
        const next = dribble(`${name} ${i}`, attack, target.host);
        return new Promise<void>((resolve) => {
          const socket =
            secure && attack !== 'handshake'
              ? tls.connect({ host: '127.0.0.1', port, ca: caPem, servername: 'localhost' }, () => resolve())
              : net.connect({ host: '127.0.0.1', port }, () => resolve());
          const s: Slow = { name: `${name} ${i}`, socket, next: () => next(i), closedAfterMs: null };
          socket.on('error', () => undefined);
          socket.on('close', () => {
            s.closedAfterMs = Date.now() - started;
            resolve();
          });
          slow.push(s);
        });
      });
    await Promise.all([
      ...open('bootstrap head', 'head', boot, false, 100),
      ...open('device head', 'head', device, true, 100),
      ...open('device body', 'body', device, true, 50),
      ...open('device handshake', 'handshake', device, false, 50),
      ...open('admin head', 'head', admin, false, 50),
    ]);
    const ticker = setInterval(() => {
      for (const s of slow) if (s.closedAfterMs === null && s.socket.writable) s.socket.write(s.next());
    }, 1000);
    const normal: { at: number; statuses: number[] }[] = [];
    try {
      // Bounded: at most 45 rounds a second apart, ending as soon as every attacking connection is closed.
      for (let round = 0; round < 45 && slow.some((s) => s.closedAfterMs === null); round++) {
        const statuses = await Promise.all([
          send(`${device.origin}/health`, { ca: caPem }).then((r) => r.status),
          send(`${boot.origin}/scep?operation=GetCACaps`).then((r) => r.status),
          send(`${admin.origin}/api/health`).then((r) => r.status),
        ]);
        normal.push({ at: Date.now() - started, statuses });
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      clearInterval(ticker);
      for (const s of slow) s.socket.destroy();
    }
    const open_ = slow.filter((s) => s.closedAfterMs === null || s.closedAfterMs > 30_000);
    const byKind = new Map<string, number>();
    for (const s of slow) {
      const kind = s.name.replace(/ \d+$/, '');
      byKind.set(kind, Math.max(byKind.get(kind) ?? 0, s.closedAfterMs ?? Infinity));
    }
    console.info(
      `slowloris: ${slow.length} connections; slowest close per kind (ms): ${JSON.stringify([...byKind])}; ` +
        `normal request rounds answered meanwhile: ${normal.length}`,
    );
    expect(open_.map((s) => `${s.name}: ${s.closedAfterMs ?? 'still open'}`)).toEqual([]);
    expect(normal.length).toBeGreaterThan(3);
    expect(normal.flatMap((r) => r.statuses).every((s) => s === 200)).toBe(true);
  }, 120_000);
});
