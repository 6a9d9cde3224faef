import type { X509Certificate } from 'node:crypto';
import {
  createSecureServer,
  type Http2SecureServer,
  type ServerHttp2Stream,
  type IncomingHttpHeaders,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { generateRsaKeyPair, issueCertificate } from '../../server/pki/x509.js';

/** One push the stand-in received, after its checks passed. */
export interface ReceivedPush {
  tokenHex: string;
  topic: string;
  pushType: string;
  body: string;
  clientSubject: string;
  sessionId: number;
}

/** A local HTTP/2 TLS server that speaks the APNs provider API for MDM pushes and checks every request. */
export interface ApnsMock {
  url: string;
  /** CA certificate of the mock's TLS certificate, for the client to trust. */
  caPem: string;
  received: ReceivedPush[];
  /** Answers the next pushes with these statuses and reasons, in order (then 200). */
  script(...answers: { status: number; reason?: string }[]): void;
  /** Requests refused by the mock's own checks (wrong path, headers or body). */
  violations: string[];
  sessions(): number;
  close(): Promise<void>;
}

/** Starts the APNs stand-in on 127.0.0.1; clients must present a certificate issued by `clientCaPem`. */
export async function startApnsMock(clientCaPem: string): Promise<ApnsMock> {
  const keys = generateRsaKeyPair(2048);
  const now = Date.now();
  const certPem = issueCertificate({
    subject: [{ shortName: 'CN', value: 'apns.test' }],
    publicKeyPem: keys.publicKeyPem,
    signingKeyPem: keys.privateKeyPem,
    serialHex: '01ab',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const received: ReceivedPush[] = [];
  const violations: string[] = [];
  const answers: { status: number; reason?: string }[] = [];
  let sessionCount = 0;
  const server: Http2SecureServer = createSecureServer({
    key: keys.privateKeyPem,
    cert: certPem,
    ca: clientCaPem,
    requestCert: true,
    rejectUnauthorized: true,
    allowHTTP1: false,
  });
  server.on('session', (session) => {
    sessionCount++;
    (session as unknown as { tsunaguId: number }).tsunaguId = sessionCount;
  });
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = String(headers[':path'] ?? '');
      const m = /^\/3\/device\/([0-9a-f]{64})$/.exec(path);
      const socket = stream.session?.socket as unknown as {
        getPeerX509Certificate?: () => X509Certificate | undefined;
      };
      const peer = socket?.getPeerX509Certificate?.();
      const problems: string[] = [];
      if (headers[':method'] !== 'POST') problems.push(`method ${String(headers[':method'])}`);
      if (!m) problems.push(`path ${path}`);
      if (headers['apns-push-type'] !== 'mdm') problems.push(`apns-push-type ${String(headers['apns-push-type'])}`);
      const topic = String(headers['apns-topic'] ?? '');
      if (!peer || !peer.subject.includes(`UID=${topic}`))
        problems.push(`topic ${topic} is not the client certificate's UID`);
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(body);
      } catch {
        problems.push('body is not JSON');
      }
      if (
        !parsed ||
        typeof parsed !== 'object' ||
        Object.keys(parsed).join() !== 'mdm' ||
        typeof (parsed as { mdm: unknown }).mdm !== 'string'
      )
        problems.push(`body ${body}`);
      if (problems.length > 0) {
        violations.push(problems.join('; '));
        stream.respond({ ':status': 400, 'content-type': 'application/json' });
        stream.end(JSON.stringify({ reason: 'BadRequest' }));
        return;
      }
      received.push({
        tokenHex: (m as RegExpExecArray)[1] as string,
        topic,
        pushType: 'mdm',
        body,
        clientSubject: peer?.subject ?? '',
        sessionId: (stream.session as unknown as { tsunaguId: number }).tsunaguId,
      });
      const answer = answers.shift() ?? { status: 200 };
      stream.respond({
        ':status': answer.status,
        'apns-id': `00000000-0000-4000-8000-${String(received.length).padStart(12, '0')}`,
        ...(answer.reason ? { 'content-type': 'application/json' } : {}),
      });
      stream.end(
        answer.reason
          ? JSON.stringify({ reason: answer.reason, ...(answer.status === 410 ? { timestamp: Date.now() } : {}) })
          : undefined,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    caPem: certPem,
    received,
    violations,
    script: (...a) => {
      answers.push(...a);
    },
    sessions: () => sessionCount,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Closing a server waits for sessions; the client closes its own, but bound the wait.
        setTimeout(resolve, 2000).unref();
      }),
  };
}
