// The helper's client of the server's /helper/v1 API (docs/helper-api.md). Every connection is checked against the
// pinned CA before a byte of a request goes out: a TLS probe reads the chain the server presents and tls-trust.ts
// decides; the requests themselves then trust only that CA (or, for a public certificate, the system's store).
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import tls from 'node:tls';
import type {
  HelperEnrollment,
  HelperEnrollmentStatus,
  HelperProfile,
  HelperServerInfo,
  HelperSession,
  HelperSignInRequest,
} from '../../server/contract/helper-api.js';
import { decideTrust, type PresentedChain } from './tls-trust.js';

/** Longest answer the helper reads: a signed profile is a few kilobytes. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** Why a helper API call failed. */
export type HelperApiFailure =
  | { kind: 'network'; detail: string }
  | { kind: 'tls-mismatch'; presentedCaSha256: string; reason: string }
  | { kind: 'http'; status: number; code: string; message: string };

/** A failed helper API call: `failure` says which way it failed. */
export class HelperApiError extends Error {
  constructor(readonly failure: HelperApiFailure) {
    super(
      failure.kind === 'http'
        ? `${failure.status} ${failure.code}: ${failure.message}`
        : failure.kind === 'network'
          ? failure.detail
          : `The server's certificate is not from the expected CA (${failure.reason}).`,
    );
  }
}

/** The /helper/v1 calls, each over a pinned connection. */
export interface HelperApiClient {
  /** GET /helper/v1/server; pins the connection first and returns the CA it was pinned to. */
  serverInfo(): Promise<{ info: HelperServerInfo; caSha256: string }>;
  signIn(request: HelperSignInRequest): Promise<HelperSession>;
  signOut(session: string): Promise<void>;
  openEnrollment(session: string): Promise<HelperEnrollment>;
  profile(session: string, enrollmentId: string): Promise<HelperProfile>;
  status(session: string, enrollmentId: string): Promise<HelperEnrollmentStatus>;
}

/** How the client reaches the server. */
export interface HelperApiClientOptions {
  /** The server's HTTPS origin. */
  serverUrl: string;
  /** The CA to pin (lower-case hex SHA-256): the link's, or the one the user accepted; null on first contact. */
  pinnedCaSha256: () => string | null;
  /** Name resolution (tests map every name to loopback). */
  lookup?: LookupFunction;
  /** Per-request timeout; 15 s by default. */
  timeoutMs?: number;
  userAgent?: string;
  now?: () => number;
}

function networkError(err: unknown): HelperApiError {
  const e = err as NodeJS.ErrnoException;
  return new HelperApiError({ kind: 'network', detail: e.code ? `${e.code}: ${e.message}` : String(e.message) });
}

/** Builds a client for one server. */
export function createHelperApiClient(options: HelperApiClientOptions): HelperApiClient {
  const url = new URL(options.serverUrl);
  const host = url.hostname;
  const port = Number(url.port || 443);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const now = options.now ?? Date.now;
  // The trust decided for the current pin: re-probed whenever the pin changes.
  let trusted: { pin: string | null; anchorPem: string | null; caSha256: string } | null = null;

  const probe = (): Promise<PresentedChain> =>
    new Promise((resolve, reject) => {
      const socket = tls.connect({
        host,
        port,
        servername: host.replace(/^\[|\]$/g, ''),
        rejectUnauthorized: false,
        ...(options.lookup ? { lookup: options.lookup } : {}),
        timeout: timeoutMs,
      });
      socket.once('secureConnect', () => {
        const chain: Buffer[] = [];
        let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
        const seen = new Set<string>();
        while (cert?.raw && !seen.has(cert.fingerprint256) && chain.length < 10) {
          seen.add(cert.fingerprint256);
          chain.push(cert.raw);
          cert = cert.issuerCertificate;
        }
        const systemTrusted = socket.authorized;
        socket.end();
        resolve({ chain, systemTrusted });
      });
      socket.once('timeout', () => socket.destroy(new Error(`no answer from ${host}:${port} in ${timeoutMs} ms`)));
      socket.once('error', reject);
    });

  const ensureTrust = async () => {
    const pin = options.pinnedCaSha256();
    if (trusted && trusted.pin === pin) return trusted;
    let presented: PresentedChain;
    try {
      presented = await probe();
    } catch (err) {
      throw networkError(err);
    }
    const decision = decideTrust(presented, host, pin, now());
    if (!decision.ok)
      throw new HelperApiError({
        kind: 'tls-mismatch',
        presentedCaSha256: decision.presentedCaSha256,
        reason: decision.reason,
      });
    trusted = { pin, anchorPem: decision.anchorPem, caSha256: decision.caSha256 };
    return trusted;
  };

  const call = async <T>(method: string, path: string, body?: unknown, session?: string): Promise<T> => {
    const trust = await ensureTrust();
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise<T>((resolve, reject) => {
      const req = https.request(
        {
          host,
          port,
          path,
          method,
          servername: host.replace(/^\[|\]$/g, ''),
          // Only the pinned CA, never the system's store, once a private CA is pinned: OpenSSL then refuses any other chain.
          ...(trust.anchorPem ? { ca: [trust.anchorPem] } : {}),
          rejectUnauthorized: true,
          ...(options.lookup ? { lookup: options.lookup } : {}),
          timeout: timeoutMs,
          headers: {
            accept: 'application/json',
            'user-agent': options.userAgent ?? 'TsunaguHelper',
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
            ...(session ? { authorization: `Bearer ${session}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) req.destroy(new Error('The server sent more than the helper reads.'));
            else chunks.push(chunk);
          });
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            if (status === 204) return resolve(undefined as T);
            let json: unknown;
            try {
              json = text === '' ? {} : JSON.parse(text);
            } catch {
              return reject(
                new HelperApiError({ kind: 'network', detail: `The server answered ${status} without JSON.` }),
              );
            }
            if (status >= 200 && status < 300) return resolve(json as T);
            const e = json as { code?: unknown; message?: unknown };
            reject(
              new HelperApiError({
                kind: 'http',
                status,
                code: typeof e.code === 'string' ? e.code : 'INTERNAL',
                message: typeof e.message === 'string' ? e.message : `The server answered ${status}.`,
              }),
            );
          });
          res.on('error', (err) => reject(networkError(err)));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
      req.on('error', (err) => {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        // The chain changed since the probe (another server answers now): a pin failure, not a network one.
        if (/CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS/.test(code)) {
          trusted = null;
          reject(new HelperApiError({ kind: 'tls-mismatch', presentedCaSha256: '', reason: code }));
        } else reject(networkError(err));
      });
      req.end(payload);
    });
  };

  return {
    async serverInfo() {
      const info = await call<HelperServerInfo>('GET', '/helper/v1/server');
      const trust = trusted;
      const pin = options.pinnedCaSha256();
      // A public certificate the system trusts: the pin is then checked against the CA the server says it runs.
      const caSha256 = trust?.anchorPem === null ? info.caSha256 : (trust?.caSha256 ?? info.caSha256);
      if (pin !== null && caSha256 !== pin)
        throw new HelperApiError({ kind: 'tls-mismatch', presentedCaSha256: caSha256, reason: 'mismatch' });
      return { info, caSha256 };
    },
    signIn: (request) => call<HelperSession>('POST', '/helper/v1/sessions', request),
    signOut: (session) => call<void>('DELETE', '/helper/v1/session', undefined, session),
    openEnrollment: (session) => call<HelperEnrollment>('POST', '/helper/v1/enrollments', undefined, session),
    profile: (session, id) =>
      call<HelperProfile>('POST', `/helper/v1/enrollments/${encodeURIComponent(id)}/profile`, undefined, session),
    status: (session, id) =>
      call<HelperEnrollmentStatus>('GET', `/helper/v1/enrollments/${encodeURIComponent(id)}`, undefined, session),
  };
}
