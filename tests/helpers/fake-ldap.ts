import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { makePki } from './slapd.js';

/**
 * A hostile LDAP server on 127.0.0.1 for attack tests, speaking just enough BER (RFC 4511) to get a client past the
 * bind: `silent` accepts connections and never answers; `flood` (LDAPS) accepts any bind and answers a search with
 * one page of entries that never ends; `many` (LDAPS) answers a search with `entries` entries and then ends it.
 */
export interface FakeLdap {
  url: string;
  caPem: string;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  if (n < 0x10000) return Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
}
function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const content = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), len(content.length), content]);
}
const str = (s: string) => tlv(0x04, Buffer.from(s));
function int(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v >>= 8;
  } while (v > 0);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}
const message = (id: number, op: Buffer) => tlv(0x30, int(id), op);
const result = (tag: number) => tlv(tag, tlv(0x0a, Buffer.from([0])), str(''), str(''));
function entry(id: number, n: number): Buffer {
  const attr = (type: string, value: string) => tlv(0x30, str(type), tlv(0x31, str(value)));
  return message(
    id,
    tlv(
      0x64,
      str(`uid=flood${n},dc=example,dc=test`),
      tlv(
        0x30,
        attr('entryUUID', `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`),
        attr('mail', `flood${n}@example.test`),
        attr('uid', `flood${n}`),
        attr('displayName', `Flood ${n}`),
      ),
    ),
  );
}

/** Reads whole LDAP messages off a stream: (message id, protocol op tag). */
function reader(onMessage: (id: number, op: number) => void): (d: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      if (buf.length < 2) return;
      let l = buf[1] ?? 0;
      let head = 2;
      if (l & 0x80) {
        const k = l & 0x7f;
        if (buf.length < 2 + k) return;
        l = 0;
        for (let i = 0; i < k; i++) l = (l << 8) | (buf[2 + i] ?? 0);
        head = 2 + k;
      }
      if (buf.length < head + l) return;
      const body = buf.subarray(head, head + l);
      buf = buf.subarray(head + l);
      const idLen = body[1] ?? 0;
      let id = 0;
      for (let i = 0; i < idLen; i++) id = (id << 8) | (body[2 + i] ?? 0);
      onMessage(id, body[2 + idLen] ?? 0);
    }
  };
}

/** Starts a hostile server in one of the modes. */
export async function startFakeLdap(
  mode: 'silent' | 'flood' | 'many',
  options: { entries?: number } = {},
): Promise<FakeLdap> {
  const pki = makePki();
  let connections = 0;
  const sockets = new Set<Socket>();
  const serve = (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (mode === 'silent') return;
    socket.on(
      'data',
      reader((id, op) => {
        if (op === 0x60) socket.write(message(id, result(0x61)));
        else if (op === 0x63) {
          if (mode === 'many') {
            const n = options.entries ?? 1000;
            const chunks: Buffer[] = [];
            for (let i = 0; i < n; i++) chunks.push(entry(id, i));
            chunks.push(message(id, result(0x65)));
            socket.write(Buffer.concat(chunks));
            return;
          }
          // One page that never ends: entries as fast as the client reads them, until it hangs up.
          let n = 0;
          const pump = () => {
            while (!socket.destroyed) {
              const batch: Buffer[] = [];
              for (let i = 0; i < 200; i++) batch.push(entry(id, n++));
              if (!socket.write(Buffer.concat(batch))) {
                socket.once('drain', pump);
                return;
              }
            }
          };
          pump();
        } else if (op === 0x42) socket.end();
      }),
    );
  };
  const server: Server =
    mode === 'silent' ? createTcpServer(serve) : createTlsServer({ key: pki.keyPem, cert: pki.certPem }, serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `${mode === 'silent' ? 'ldap' : 'ldaps'}://127.0.0.1:${port}`,
    caPem: pki.caPem,
    connections: () => connections,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
