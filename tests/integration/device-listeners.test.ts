import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../helpers/http.js';
import { local, startHarness, type Harness } from '../helpers/server-harness.js';

let h: Harness;
let caPem: string;
beforeAll(async () => {
  h = await startHarness();
  caPem = h.server.services.ca.caCertificate().pem;
});
afterAll(async () => {
  await h.stop();
});

function peerCertificate(url: string): Promise<X509Certificate> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port), ca: caPem, servername: 'tsunagu.test' }, () => {
      const raw = socket.getPeerX509Certificate();
      socket.end();
      if (raw) resolve(raw);
      else reject(new Error('no peer certificate'));
    });
    socket.on('error', reject);
  });
}

describe('the HTTPS device listener', () => {
  it('presents a certificate from the office CA that meets Apple’s TLS rules', async () => {
    const cert = await peerCertificate(local(h.server.enrollmentUrl));
    expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    expect(cert.subjectAltName).toContain('DNS:tsunagu.test');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    const days = (new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()) / 86_400_000;
    expect(days).toBeLessThanOrEqual(825);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBeGreaterThanOrEqual(2048);
    expect(cert.toLegacyObject().asn1Curve).toBeUndefined();
    expect(cert.ca).toBe(false);
  });

  it('serves the home page over trusted TLS in the visitor’s language', async () => {
    const ja = await send(local(h.server.enrollmentUrl), {
      ca: caPem,
      headers: { 'accept-language': 'ja-JP,ja;q=0.9' },
    });
    expect(ja.status).toBe(200);
    expect(ja.text).toContain('<html lang="ja">');
    expect(ja.text).toContain('デバイス登録');
    const en = await send(local(h.server.enrollmentUrl), {
      ca: caPem,
      headers: { 'accept-language': 'en-US,en;q=0.8' },
    });
    expect(en.text).toContain('Device enrollment');
    expect(en.headers['content-security-policy']).toMatch(/default-src 'self'/);
  });
});

describe('the plain-HTTP bootstrap listener', () => {
  it('serves the CA as DER with its fingerprint and per-OS trust steps', async () => {
    const trust = await send(local(h.server.bootstrapUrl), { headers: { 'accept-language': 'en' } });
    expect(trust.status).toBe(200);
    const fp = new X509Certificate(caPem).fingerprint256;
    expect(trust.text).toContain(fp);
    expect(trust.text).toContain('Certificate Trust Settings');
    const der = await send(local(h.server.bootstrapUrl).replace('/trust', '/trust/ca.cer'));
    expect(der.headers['content-type']).toBe('application/x-x509-ca-cert');
    expect(new X509Certificate(der.body).fingerprint256).toBe(fp);
  });

  it('redirects everything else to HTTPS on the device port', async () => {
    const res = await send(local(h.server.bootstrapUrl).replace('/trust', '/go?x=1'));
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(`${h.server.enrollmentUrl}go?x=1`);
  });
});
