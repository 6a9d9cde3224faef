import { X509Certificate } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import {
  Client,
  InvalidCredentialsError,
  NoSuchObjectError,
  SizeLimitExceededError,
  type Entry,
  type SearchOptions,
} from 'ldapts';
import type { DirectoryCertificateDto, DirectoryProblemCode, DirectoryProblemDto } from '../../contract/directory.js';

/** How to reach and bind to the directory. */
export interface DirectoryConnection {
  url: string;
  caPem: string;
  bindDn: string;
  bindPassword: string;
}

/** Time limits of every directory conversation (milliseconds). */
export interface DirectoryTimeouts {
  connectMs: number;
  /** Each LDAP operation (one bind, one page of a search). */
  operationMs: number;
}

/** The defaults: five seconds to connect, thirty per operation. */
export const DEFAULT_TIMEOUTS: DirectoryTimeouts = Object.freeze({ connectMs: 5_000, operationMs: 30_000 });

/** A directory failure said exactly (the connector page shows `problem.message`). */
export class DirectoryFailure extends Error {
  readonly problem: DirectoryProblemDto;
  constructor(code: DirectoryProblemCode, message: string, certificate?: DirectoryCertificateDto, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'DirectoryFailure';
    this.problem = { code, message, ...(certificate ? { certificate } : {}) };
  }
}

/** Host, port and TLS kind of a validated `ldap://` or `ldaps://` URL. */
export function parseDirectoryUrl(url: string): { host: string; port: number; secure: boolean } {
  const u = new URL(url);
  const secure = u.protocol === 'ldaps:';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return { host, port: u.port ? Number(u.port) : secure ? 636 : 389, secure };
}

/** The certificates of a PEM bundle (empty: none given). */
export function pemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function tlsOptions(conn: Pick<DirectoryConnection, 'caPem'>, host: string) {
  const ca = pemCertificates(conn.caPem);
  return { ...(ca.length ? { ca } : {}), servername: isIp(host) ? undefined : host, minVersion: 'TLSv1.2' as const };
}

function isIp(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}

function certificateOf(peer: PeerCertificate | null | undefined): DirectoryCertificateDto | undefined {
  if (!peer?.raw) return undefined;
  const x = new X509Certificate(peer.raw);
  return {
    subject: x.subject.replace(/\n/g, ', '),
    issuer: x.issuer.replace(/\n/g, ', '),
    fingerprint256: x.fingerprint256,
    validTo: new Date(x.validTo).toISOString(),
  };
}

// RFC 4511 §4.14.1: the StartTLS extended request (OID 1.3.6.1.4.1.1466.20037) as message 1, written out in BER.
const START_TLS_OID = Buffer.from('1.3.6.1.4.1.1466.20037');
const START_TLS_REQUEST = Buffer.concat([
  Buffer.from([0x30, 7 + START_TLS_OID.length, 0x02, 0x01, 0x01, 0x77, 2 + START_TLS_OID.length]),
  Buffer.from([0x80, START_TLS_OID.length]),
  START_TLS_OID,
]);

function unreachable(host: string, port: number, err: unknown): DirectoryFailure {
  const code = (err as { code?: string }).code ?? '';
  const why =
    code === 'ECONNREFUSED'
      ? 'nothing accepts connections there (is the server running, and is the port right?)'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'the host name does not resolve'
        : code === 'ETIMEDOUT'
          ? 'the connection timed out'
          : code || String(err);
  return new DirectoryFailure(
    'unreachable',
    `The directory at ${host}:${port} is unreachable: ${why}.`,
    undefined,
    err,
  );
}

/**
 * Connects and makes the TLS handshake the connector would (ldaps:// directly, ldap:// after StartTLS), accepting any
 * certificate only to see it: a chain the trusted CAs do not sign, or a name that does not match, is a `tls` failure
 * naming the certificate's subject and fingerprint. Sends nothing but the StartTLS request.
 */
export async function probeTls(conn: Pick<DirectoryConnection, 'url' | 'caPem'>, timeoutMs: number): Promise<void> {
  const { host, port, secure } = parseDirectoryUrl(conn.url);
  const plain = await new Promise<Socket>((resolve, reject) => {
    const s = netConnect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(t);
      reject(err);
    });
  }).catch((err: unknown) => {
    throw unreachable(host, port, err);
  });
  try {
    if (!secure) await startTlsOn(plain, host, port, timeoutMs);
    const socket: TLSSocket = await new Promise((resolve, reject) => {
      const s = tlsConnect({ socket: plain, ...tlsOptions(conn, host), rejectUnauthorized: false });
      const t = setTimeout(() => {
        s.destroy();
        reject(new DirectoryFailure('timeout', `The TLS handshake with ${host}:${port} did not finish in time.`));
      }, timeoutMs);
      s.once('secureConnect', () => {
        clearTimeout(t);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(t);
        reject(
          new DirectoryFailure('tls', `The TLS handshake with ${host}:${port} failed: ${err.message}.`, undefined, err),
        );
      });
    });
    try {
      const peer = socket.getPeerCertificate(false);
      const certificate = certificateOf(peer);
      if (!socket.authorized) {
        const reason = String(socket.authorizationError ?? 'not trusted');
        throw new DirectoryFailure(
          'tls',
          `The directory's certificate (${certificate?.subject ?? 'no certificate'}, SHA-256 ${certificate?.fingerprint256 ?? '?'}) is not trusted: ${reason}. ` +
            (pemCertificates(conn.caPem).length
              ? 'Paste the CA that signed it in "CA to trust".'
              : 'Paste the CA that signed it in "CA to trust" (none is set, so only the system trust store is used).'),
          certificate,
        );
      }
      const nameProblem = checkServerIdentity(host, peer);
      if (nameProblem)
        throw new DirectoryFailure(
          'tls',
          `The directory's certificate (${certificate?.subject ?? '?'}, SHA-256 ${certificate?.fingerprint256 ?? '?'}) is not for ${host}: ${nameProblem.message}`,
          certificate,
        );
    } finally {
      socket.destroy();
    }
  } finally {
    plain.destroy();
  }
}

async function startTlsOn(s: Socket, host: string, port: number, timeoutMs: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let got = Buffer.alloc(0);
    const t = setTimeout(
      () => done(new DirectoryFailure('timeout', `The directory at ${host}:${port} did not answer StartTLS in time.`)),
      timeoutMs,
    );
    const done = (err?: Error) => {
      clearTimeout(t);
      s.removeAllListeners('data');
      s.removeAllListeners('error');
      s.removeAllListeners('close');
      if (err) reject(err);
      else resolve();
    };
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]).subarray(0, 4096);
      // The extended response: resultCode is the first element after the [APPLICATION 24] tag; 0 is success.
      const at = got.indexOf(0x78);
      if (at < 0 || got.length < at + 5) return;
      const lenBytes = (got[at + 1] ?? 0) & 0x80 ? ((got[at + 1] ?? 0) & 0x7f) + 1 : 1;
      const rc = got[at + 1 + lenBytes + 2];
      if (got[at + 1 + lenBytes] !== 0x0a || rc === undefined) return;
      done(
        rc === 0
          ? undefined
          : new DirectoryFailure(
              'tls',
              `The directory at ${host}:${port} refused StartTLS (result ${rc}); use ldaps:// if it offers that.`,
            ),
      );
    });
    s.on('error', (err) => done(unreachable(host, port, err)));
    s.on('close', () =>
      done(new DirectoryFailure('protocol', `The directory at ${host}:${port} closed the connection at StartTLS.`)),
    );
    s.write(START_TLS_REQUEST);
  });
}

/** Turns what ldapts or the network threw into a failure said exactly. */
export function describeFailure(err: unknown, conn: Pick<DirectoryConnection, 'url' | 'bindDn'>): DirectoryFailure {
  if (err instanceof DirectoryFailure) return err;
  const { host, port } = parseDirectoryUrl(conn.url);
  if (err instanceof InvalidCredentialsError)
    return new DirectoryFailure(
      'bind_refused',
      `The directory refused the bind as ${conn.bindDn}: wrong DN or password (LDAP result 49).`,
      undefined,
      err,
    );
  if (err instanceof NoSuchObjectError)
    return new DirectoryFailure('base_dn_missing', 'The base DN does not exist in the directory.', undefined, err);
  if (err instanceof SizeLimitExceededError)
    return new DirectoryFailure(
      'too_many_entries',
      'The directory stopped the search at its size limit; allow paged searches for the bind account.',
      undefined,
      err,
    );
  const e = err as { code?: unknown; message?: string };
  if (
    typeof e.code === 'string' &&
    /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH)$/.test(e.code)
  )
    return unreachable(host, port, err);
  const message = e.message ?? String(err);
  if (/timeout|timed out/i.test(message))
    return new DirectoryFailure('timeout', `The directory at ${host}:${port} did not answer in time.`, undefined, err);
  if (/certificate|self.signed|TLS|SSL/i.test(message))
    return new DirectoryFailure('tls', `TLS with ${host}:${port} failed: ${message}.`, undefined, err);
  return new DirectoryFailure(
    'protocol',
    `The directory at ${host}:${port} answered: ${message.slice(0, 300)}`,
    undefined,
    err,
  );
}

/** An open, bound directory connection; close it when done. */
export interface DirectorySession {
  client: Client;
  close(): Promise<void>;
}

/** Connects (StartTLS on ldap://), binds as `dn`, and returns the session; failures are DirectoryFailures. */
export async function openSession(
  conn: DirectoryConnection,
  timeouts: DirectoryTimeouts,
  as?: { dn: string; password: string },
): Promise<DirectorySession> {
  const { host, secure } = parseDirectoryUrl(conn.url);
  const client = new Client({
    url: conn.url,
    timeout: timeouts.operationMs,
    connectTimeout: timeouts.connectMs,
    strictDN: false,
    ...(secure ? { tlsOptions: tlsOptions(conn, host) } : {}),
  });
  const close = async () => {
    await client.unbind().catch(() => undefined);
  };
  try {
    if (!secure) await client.startTLS(tlsOptions(conn, host));
    await client.bind(as?.dn ?? conn.bindDn, as?.password ?? conn.bindPassword);
  } catch (err) {
    await close();
    throw describeFailure(err, conn);
  }
  return { client, close };
}

/**
 * Every entry a search finds, page by page (RFC 2696 paged results), stopping with `too_many_entries` once more than
 * `maxEntries` arrive, or once the connection has carried more than `maxBytes`: ldapts keeps a page in memory until
 * the server ends it, so a directory that floods one endless page is cut off by the byte budget, and one that goes
 * quiet by the operation timeout.
 */
export async function searchAll(
  session: DirectorySession,
  conn: Pick<DirectoryConnection, 'url' | 'bindDn'>,
  baseDn: string,
  options: Pick<SearchOptions, 'filter' | 'attributes' | 'explicitBufferAttributes' | 'scope'>,
  limits: { pageSize: number; maxEntries: number; maxBytes: number },
): Promise<Entry[]> {
  const out: Entry[] = [];
  const tooMany = () =>
    new DirectoryFailure(
      'too_many_entries',
      `The directory sent more than ${limits.maxEntries} entries or ${Math.round(limits.maxBytes / 1_048_576)} MB; narrow the base DN or the filters.`,
    );
  // ldapts has no hook per entry: count the bytes on its socket (the TLS socket after StartTLS) instead.
  const socket = (session.client as unknown as { socket?: Socket }).socket;
  let bytes = 0;
  let flooded = false;
  const count = (d: Buffer) => {
    bytes += d.length;
    if (bytes > limits.maxBytes && !flooded) {
      flooded = true;
      socket?.destroy(new Error('byte budget exceeded'));
    }
  };
  socket?.on('data', count);
  try {
    for await (const page of session.client.searchPaginated(baseDn, {
      scope: options.scope ?? 'sub',
      ...options,
      paged: { pageSize: limits.pageSize },
    })) {
      for (const entry of page.searchEntries) {
        out.push(entry);
        if (out.length > limits.maxEntries) throw tooMany();
      }
    }
  } catch (err) {
    throw flooded ? tooMany() : describeFailure(err, conn);
  } finally {
    socket?.off('data', count);
  }
  return out;
}
