// What the runtime's own HTTP and TLS cost, measured on a bare Node server that answers every request with two bytes
// and does nothing else: the part of a device's enrollment that no server code running on Node can avoid, beside the
// cryptographic floor the enrollment bench counts.
//
// The bare server runs in its own process (its CPU read from /proc like the real server's), with an RSA-2048 key like
// the device listener's TLS certificate, TLS 1.3 like the devices negotiate, and the bench's own client: a new
// https.Agent per connection and no TLS session reuse for a full handshake, one keep-alive agent for requests.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import forge from 'node-forge';

/** CPU ms the bare server spends, per operation. */
export interface TransportCosts {
  /** A new TLS connection with one small request on it (full handshake, no resumption). */
  tlsConnection: number;
  /** One small request on an open TLS connection. */
  httpsRequest: number;
  /** One small request on an open plain-HTTP connection (the admin API on loopback). */
  httpRequest: number;
}

// The bare server: plain CommonJS, no dependency, prints its two ports.
const BARE_SERVER = `
const http = require('node:http');
const https = require('node:https');
const { key, cert } = JSON.parse(process.env.BARE_TLS);
const answer = (_req, res) => res.end('ok');
const tls = https.createServer({ key, cert, minVersion: 'TLSv1.3' }, answer);
const plain = http.createServer(answer);
tls.listen(0, '127.0.0.1', () => plain.listen(0, '127.0.0.1', () =>
  process.stdout.write(JSON.stringify({ tls: tls.address().port, http: plain.address().port }) + '\\n')));
`;

function selfSigned(): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const name = [{ shortName: 'CN', value: '127.0.0.1' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }]);
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { key: keyPem, cert: forge.pki.certificateToPem(cert) };
}

function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
}

function get(url: string, agent: http.Agent, ca?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const transport = url.startsWith('https:') ? https : http;
    const req = transport.request(url, { agent, ...(ca ? { ca } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve());
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Measures the bare server's CPU per TLS connection and per request (after a warm-up of each). */
export async function measureTransport(rounds = { connections: 400, requests: 3000 }): Promise<TransportCosts> {
  const tls = selfSigned();
  const child = spawn(process.execPath, ['-e', BARE_SERVER], {
    env: { ...process.env, BARE_TLS: JSON.stringify(tls) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const ports = await new Promise<{ tls: number; http: number }>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the bare server exited (${code})`)));
      child.stdout.once('data', (c: Buffer) => resolve(JSON.parse(c.toString()) as never));
    });
    const pid = child.pid as number;
    const httpsUrl = `https://127.0.0.1:${ports.tls}/`;
    const httpUrl = `http://127.0.0.1:${ports.http}/`;
    const per = async (n: number, fn: () => Promise<void>): Promise<number> => {
      for (let i = 0; i < Math.min(50, n); i++) await fn();
      const before = processCpuMs(pid);
      for (let i = 0; i < n; i++) await fn();
      return (processCpuMs(pid) - before) / n;
    };
    const tlsConnection = await per(rounds.connections, async () => {
      const agent = new https.Agent({ keepAlive: false, maxCachedSessions: 0 });
      await get(httpsUrl, agent, tls.cert);
      agent.destroy();
    });
    const tlsAgent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const httpsRequest = await per(rounds.requests, () => get(httpsUrl, tlsAgent, tls.cert));
    tlsAgent.destroy();
    const plainAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const httpRequest = await per(rounds.requests, () => get(httpUrl, plainAgent));
    plainAgent.destroy();
    return { tlsConnection, httpsRequest, httpRequest };
  } finally {
    child.kill('SIGTERM');
  }
}
