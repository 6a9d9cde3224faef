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
    // (`/go` is the first-visit page's now, below; any other path shows the redirect.)
    const res = await send(local(h.server.bootstrapUrl).replace('/trust', '/profile/abc?x=1'));
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(`${h.server.enrollmentUrl}profile/abc?x=1`);
  });
});

describe('the first-visit page (office CA in use)', () => {
  const bootstrap = (path: string) => local(h.server.bootstrapUrl).replace('/trust', path);
  const key = () => h.server.services.urls.current().key;
  const device = () => h.server.enrollmentUrl.replace(/\/$/, '');

  it('is where the printed /go address leads: the current enrollment address, on the same plain-HTTP listener', async () => {
    expect(h.server.entryUrl).toBe(h.server.bootstrapUrl.replace('/trust', '/go'));
    const res = await send(bootstrap('/go?lang=en'));
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/e/${key()}/go?lang=en`);
  });

  it('has no form, may only ask the device listener, names the HTTPS addresses it hands on to, and the CA to trust', async () => {
    const iphone =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Version/17.4 Safari/604.1';
    const res = await send(bootstrap(`/e/${key()}/go`), { headers: { 'accept-language': 'en', 'user-agent': iphone } });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("form-action 'none'");
    expect(csp).toContain(`connect-src 'self' ${device()}`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    // Ignored on a plain-HTTP origin (and a console error in Chromium).
    expect(res.headers['cross-origin-opener-policy']).toBeUndefined();
    expect(res.text).not.toMatch(/<form|<input|<script(?! src="\/assets\/first-visit\.js" defer><\/script>)/);
    expect(res.text).toContain(`data-sign-in="${device()}/e/${key()}/go"`);
    expect(res.text).toContain(`data-invite-prefix="${device()}/e/${key()}/i/" data-invite-suffix="/go"`);
    expect(res.text).toContain(`data-probe="${device()}/tls-probe.gif"`);
    expect(res.text).toContain('data-mode="office-ca"');
    expect(res.text).toContain(new X509Certificate(caPem).fingerprint256);
    // The iPhone's steps are shown first; the others wait behind the switch.
    expect(res.text).toMatch(/<section class="trust-steps" id="trust-ios" data-platform="ios">/);
    expect(res.text).toMatch(/<section class="trust-steps" id="trust-macos" data-platform="macos" hidden>/);
    expect(res.text).toContain('Certificate Trust Settings');
  });

  it('lets any origin load the trust probe from the device listener, never cached; the device listener clears HSTS', async () => {
    const res = await send(`${local(h.server.enrollmentUrl)}tls-probe.gif`, { ca: caPem });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.headers['cache-control']).toBe('no-store');
    // HSTS would bind the host name on every port, the bootstrap's too: max-age=0 keeps (and clears) none.
    expect(res.headers['strict-transport-security']).toBe('max-age=0');
  });

  it('says at once when the enrollment address is unknown or out of date, before any trust steps', async () => {
    const unknown = await send(bootstrap('/e/not-a-key/go'), { headers: { 'accept-language': 'en' } });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('This address is not an enrollment page.');
    expect(unknown.text).toContain('href="/go"');
    const old = key();
    expect((await h.admin.call('POST', '/api/enrollment-url/regenerate')).status).toBe(200);
    const outdated = await send(bootstrap(`/e/${old}/go`), { headers: { 'accept-language': 'en' } });
    expect(outdated.status).toBe(410);
    expect(outdated.text).toContain('This link is out of date');
    expect(outdated.text).not.toContain('trust-steps');
  });
});
