import { connect, constants, type ClientHttp2Session } from 'node:http2';

/** What APNs answered for one push (apple-protocols §5.2). */
export interface PushResult {
  status: number;
  apnsId: string | null;
  /** APNs' reason for a refusal, e.g. BadDeviceToken, Unregistered, BadCertificate. */
  reason: string | null;
}

/** Sends MDM pushes; one HTTP/2 connection per base URL and certificate, reused across pushes. */
export interface ApnsClient {
  push(input: { tokenHex: string; pushMagic: string; topic: string }): Promise<PushResult>;
  close(): Promise<void>;
}

/** How the client connects. */
export interface ApnsClientDeps {
  baseUrl: () => string;
  credentials: () => { certPem: string; keyPem: string } | null;
  /** Extra CA to trust (the local APNs stand-in in tests); production trusts the system store. */
  ca?: string;
  timeoutMs?: number;
}

/** Why a push could not be attempted at all (no certificate, connection failure). */
export class PushUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PushUnavailableError';
  }
}

/** Builds the APNs client over node:http2 with certificate authentication (MDM supports no JWT auth). */
export function createApnsClient(deps: ApnsClientDeps): ApnsClient {
  let session: ClientHttp2Session | null = null;
  let sessionKey = '';

  const open = (): ClientHttp2Session => {
    const creds = deps.credentials();
    if (!creds) throw new PushUnavailableError('No MDM push certificate has been uploaded.');
    const base = deps.baseUrl();
    const key = `${base}\n${creds.certPem}`;
    if (session && !session.closed && !session.destroyed && sessionKey === key) return session;
    session?.close();
    const s = connect(base, {
      cert: creds.certPem,
      key: creds.keyPem,
      ...(deps.ca ? { ca: deps.ca } : {}),
      minVersion: 'TLSv1.2',
    });
    // A GOAWAY or error ends this connection; the next push opens a new one.
    const drop = () => {
      if (session === s) session = null;
    };
    s.on('goaway', drop);
    s.on('close', drop);
    s.on('error', drop);
    s.unref();
    session = s;
    sessionKey = key;
    return s;
  };

  return {
    push({ tokenHex, pushMagic, topic }) {
      return new Promise<PushResult>((resolve, reject) => {
        let s: ClientHttp2Session;
        try {
          s = open();
        } catch (err) {
          reject(err);
          return;
        }
        const body = JSON.stringify({ mdm: pushMagic });
        const req = s.request({
          [constants.HTTP2_HEADER_METHOD]: 'POST',
          [constants.HTTP2_HEADER_PATH]: `/3/device/${tokenHex}`,
          'content-type': 'application/json',
          'apns-push-type': 'mdm',
          'apns-topic': topic,
          'apns-priority': '10',
          'content-length': String(Buffer.byteLength(body)),
        });
        req.setTimeout(deps.timeoutMs ?? 15_000, () => req.close(constants.NGHTTP2_CANCEL));
        let status = 0;
        let apnsId: string | null = null;
        const chunks: Buffer[] = [];
        req.on('response', (headers) => {
          status = Number(headers[constants.HTTP2_HEADER_STATUS]);
          const id = headers['apns-id'];
          apnsId = typeof id === 'string' ? id : null;
        });
        req.on('data', (c: Buffer) => {
          if (chunks.length < 64) chunks.push(c);
        });
        req.on('end', () => {
          if (status === 0) {
            reject(new PushUnavailableError('APNs closed the stream without answering.'));
            return;
          }
          let reason: string | null = null;
          if (status !== 200) {
            try {
              reason = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { reason?: string }).reason ?? null;
            } catch {
              reason = null;
            }
          }
          resolve({ status, apnsId, reason });
        });
        req.on('error', (err) =>
          reject(new PushUnavailableError(`Could not reach APNs at ${deps.baseUrl()}: ${err.message}`, { cause: err })),
        );
        req.end(body);
      });
    },
    async close() {
      const s = session;
      session = null;
      if (s && !s.closed) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
