import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlist, type PlistDict } from '../../server/core/plist.js';
import { verifyCms } from '../../server/pki/cms.js';
import type { TlsStatusDto } from '../../server/contract/index.js';
import { AdminClient } from '../helpers/http.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { testPublicCa } from '../helpers/public-cert.js';
import { HARNESS_ADMIN, local, startHarness, type Harness } from '../helpers/server-harness.js';

/** The certificate a TLS client gets from `port` when it asks for `servername` (none: connects by IP, without SNI), trusting `ca`. */
function presented(port: number, servername: string | undefined, ca: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ...(servername ? { servername } : {}), ca }, () => {
      const cert = s.getPeerX509Certificate();
      s.end();
      if (cert) resolve(cert);
      else reject(new Error('no certificate'));
    });
    s.on('error', reject);
  });
}

let h: Harness;
let port: number;
const pub = testPublicCa();
let lan = ['127.0.0.1', '192.168.10.5'];

beforeAll(async () => {
  h = await startHarness({ lanAddresses: () => lan, addressCheckMs: 100 });
  port = Number(new URL(h.server.enrollmentUrl).port);
  const push = fakePushCertificate();
  await h.admin.call('PUT', '/api/push/certificate', { certificatePem: push.certPem, privateKeyPem: push.keyPem });
});
afterAll(async () => {
  await h.stop();
});

describe('the device listener certificate', () => {
  it('re-issues the generated certificate when a LAN address changes, without a restart', async () => {
    const caPem = h.server.services.ca.caCertificate().pem;
    expect((await presented(port, 'tsunagu.test', caPem)).subjectAltName).toContain('IP Address:192.168.10.5');
    lan = ['127.0.0.1', '10.1.2.3'];
    const deadline = Date.now() + 10_000;
    let san = '';
    while (Date.now() < deadline) {
      san = (await presented(port, 'tsunagu.test', caPem)).subjectAltName ?? '';
      if (san.includes('10.1.2.3')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(san).toContain('IP Address:10.1.2.3');
    expect(san).not.toContain('192.168.10.5');
    const events = (await h.admin.call('GET', '/api/audit?action=tls.reissued')).json<{ items: unknown[] }>();
    expect(events.items.length).toBeGreaterThan(0);
  });

  it.each([
    [
      'a key from another certificate',
      () => ({ certificatePem: pub.server().certPem, privateKeyPem: pub.server().keyPem }),
      'privateKeyPem',
    ],
    [
      'a CA certificate',
      () => {
        const s = pub.server({ ca: true });
        return { certificatePem: s.certPem, privateKeyPem: s.keyPem };
      },
      'certificatePem',
    ],
    [
      'no subjectAltName',
      () => {
        const s = pub.server({ dns: [] });
        return { certificatePem: s.certPem, privateKeyPem: s.keyPem };
      },
      'certificatePem',
    ],
    [
      'a 1024-bit key',
      () => {
        const s = pub.server({ bits: 1024 });
        return { certificatePem: s.certPem, privateKeyPem: s.keyPem };
      },
      'certificatePem',
    ],
    ['not PEM at all', () => ({ certificatePem: 'hello', privateKeyPem: 'world' }), 'certificatePem'],
    [
      'a wrong PKCS#12 password',
      () => {
        const s = pub.server();
        const p12 = forge.pkcs12.toPkcs12Asn1(
          forge.pki.privateKeyFromPem(s.keyPem),
          [forge.pki.certificateFromPem(s.certPem)],
          'right',
          { algorithm: '3des' },
        );
        return {
          pkcs12Base64: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary').toString('base64'),
          password: 'wrong',
        };
      },
      'password',
    ],
  ])('refuses %s and keeps the current certificate', async (_name, body, field) => {
    const before = (await h.admin.call('GET', '/api/tls')).json<TlsStatusDto>();
    const res = await h.admin.call('PUT', '/api/tls/certificate', body());
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: { field } });
    const after = (await h.admin.call('GET', '/api/tls')).json<TlsStatusDto>();
    expect(after).toMatchObject({ mode: 'office', imported: null });
    expect(after.office.fingerprint256).toBe(before.office.fingerprint256);
  });

  it.each([
    ['only an IP address', { dns: [], ips: ['203.0.113.5'] }, 'it has IP Address:203.0.113.5'],
    ['only a wildcard', { dns: ['*.example.org'] }, 'it has DNS:*.example.org'],
  ])('refuses a certificate with %s: links need a DNS name, and the error says so', async (_what, names, has) => {
    const s = pub.server(names);
    const res = await h.admin.call('PUT', '/api/tls/certificate', {
      certificatePem: s.certPem,
      privateKeyPem: s.keyPem,
    });
    expect(res.status).toBe(400);
    const body = res.json<{ code: string; message: string; details: Record<string, unknown> }>();
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'certificatePem', missing: 'dnsName' } });
    expect(body.message).toContain('names no DNS host name that is not a wildcard');
    expect(body.message).toContain(has);
    expect((await h.admin.call('GET', '/api/tls')).json<TlsStatusDto>().mode).toBe('office');
  });

  it('public mode: the imported certificate for its name (by SNI), the office one for the office name and without SNI, links under the public name', async () => {
    const s = pub.server({ dns: ['mdm.example.org', 'www.example.org'] });
    const p12 = forge.pkcs12.toPkcs12Asn1(
      forge.pki.privateKeyFromPem(s.keyPem),
      [forge.pki.certificateFromPem(s.certPem), forge.pki.certificateFromPem(pub.rootPem)],
      'p12-pass',
      { algorithm: '3des' },
    );
    const officeBefore = h.server.services.ca.tlsCredentials().office.certPem;
    const res = await h.admin.call('PUT', '/api/tls/certificate', {
      pkcs12Base64: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary').toString('base64'),
      password: 'p12-pass',
    });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      mode: 'public',
      publicName: 'mdm.example.org',
      deviceBaseUrl: `https://mdm.example.org:${port}`,
      officeBaseUrl: `https://tsunagu.test:${port}`,
      imported: { names: ['DNS:mdm.example.org', 'DNS:www.example.org'] },
      office: { fingerprint256: new X509Certificate(officeBefore).fingerprint256 },
    });
    expect(h.server.services.ca.tlsMode()).toBe('public');
    expect(h.server.enrollmentUrl).toBe(`https://mdm.example.org:${port}/`);

    // The test client trusts only the stand-in public root for the public names, only the office CA for the rest.
    const caPem = h.server.services.ca.caCertificate().pem;
    const imported = new X509Certificate(s.certPem).fingerprint256;
    expect((await presented(port, 'mdm.example.org', pub.rootPem)).fingerprint256).toBe(imported);
    expect((await presented(port, 'www.example.org', pub.rootPem)).fingerprint256).toBe(imported);
    const officeServed = await presented(port, 'tsunagu.test', caPem);
    expect(officeServed.fingerprint256).toBe(new X509Certificate(officeBefore).fingerprint256);
    expect(officeServed.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    // By IP address: no SNI at all.
    expect((await presented(port, undefined, caPem)).fingerprint256).toBe(officeServed.fingerprint256);

    // The office certificate keeps following the LAN addresses in public mode; the imported one is never replaced.
    lan = ['127.0.0.1', '10.9.9.9'];
    const deadline = Date.now() + 10_000;
    let san = '';
    while (Date.now() < deadline && !san.includes('10.9.9.9')) {
      san = (await presented(port, undefined, caPem)).subjectAltName ?? '';
      if (!san.includes('10.9.9.9')) await new Promise((r) => setTimeout(r, 100));
    }
    expect(san).toContain('IP Address:10.9.9.9');
    expect((await presented(port, 'mdm.example.org', pub.rootPem)).fingerprint256).toBe(imported);

    // Every link is built under the public name: a profile URL the admin API returns.
    const user = (await h.admin.call('POST', '/api/users', { email: 'pub@example.com', displayName: 'Pub' })).json<{
      id: string;
    }>();
    const e = (await h.admin.call('POST', '/api/enrollments', { userId: user.id, platform: 'ios' })).json<{
      profileUrl: string;
    }>();
    const url = new URL(e.profileUrl);
    expect(url.origin).toBe(`https://mdm.example.org:${port}`);
    const dl = await new Promise<Buffer>((resolve, reject) => {
      const sock = connect({ host: '127.0.0.1', port, servername: 'mdm.example.org', ca: pub.rootPem }, () => {
        sock.write(`GET ${url.pathname} HTTP/1.1\r\nHost: mdm.example.org\r\nConnection: close\r\n\r\n`);
      });
      const chunks: Buffer[] = [];
      sock.on('data', (c: Buffer) => chunks.push(c));
      sock.on('end', () => {
        const all = Buffer.concat(chunks);
        resolve(all.subarray(all.indexOf('\r\n\r\n') + 4));
      });
      sock.on('error', reject);
    });
    // Signed with the public certificate, and no root payload: the device trusts the server already.
    const verified = verifyCms(dl);
    expect(new X509Certificate(verified.signerCertDer).fingerprint256).toBe(imported);
    const types = ((parsePlist(verified.content) as PlistDict).PayloadContent as PlistDict[]).map((p) => p.PayloadType);
    expect(types).toEqual(['com.apple.security.scep', 'com.apple.mdm']);
  });

  it('goes back to office mode: every name gets the office certificate and links use the office name again', async () => {
    const res = await h.admin.call('POST', '/api/tls/generated');
    expect(res.json()).toMatchObject({
      mode: 'office',
      publicName: null,
      imported: null,
      deviceBaseUrl: `https://tsunagu.test:${port}`,
    });
    const caPem = h.server.services.ca.caCertificate().pem;
    const cert = await presented(port, 'tsunagu.test', caPem);
    expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    expect(cert.subjectAltName).toContain('10.9.9.9');
    // The public name now gets the office certificate too (today's behaviour), which the public root does not vouch for.
    const forPublicName = await new Promise<X509Certificate>((resolve, reject) => {
      const sock = connect(
        { host: '127.0.0.1', port, servername: 'mdm.example.org', rejectUnauthorized: false },
        () => {
          const c = sock.getPeerX509Certificate();
          sock.end();
          if (c) resolve(c);
          else reject(new Error('no certificate'));
        },
      );
      sock.on('error', reject);
    });
    expect(forPublicName.fingerprint256).toBe(cert.fingerprint256);
    await expect(presented(port, 'mdm.example.org', pub.rootPem)).rejects.toThrow();
    const user = (
      await h.admin.call('POST', '/api/users', { email: 'office@example.com', displayName: 'Office' })
    ).json<{
      id: string;
    }>();
    const e = (await h.admin.call('POST', '/api/enrollments', { userId: user.id, platform: 'ios' })).json<{
      profileUrl: string;
    }>();
    expect(new URL(e.profileUrl).origin).toBe(`https://tsunagu.test:${port}`);
    expect(h.server.enrollmentUrl).toBe(`https://tsunagu.test:${port}/`);
  });
});

describe('the LAN admin listener', () => {
  it('follows the same rule: the public certificate for its name, the office one for the office name and without SNI', async () => {
    const lanAdmin = await startHarness({ signIn: false, env: { TSUNAGU_LAN_ADMIN: 'on' } });
    try {
      const adminPort = Number(new URL(lanAdmin.server.adminUrl).port);
      const caPem = lanAdmin.server.services.ca.caCertificate().pem;
      const admin = new AdminClient(local(lanAdmin.server.adminUrl), caPem);
      const setup = await admin.call('POST', '/api/setup', {
        setupToken: lanAdmin.server.setupToken,
        ...HARNESS_ADMIN,
      });
      expect(setup.status).toBe(201);
      const s = pub.server({ dns: ['admin.example.org'] });
      const res = await admin.call('PUT', '/api/tls/certificate', {
        certificatePem: s.certPem,
        privateKeyPem: s.keyPem,
      });
      expect(res.status).toBe(200);
      const imported = new X509Certificate(s.certPem).fingerprint256;
      expect((await presented(adminPort, 'admin.example.org', pub.rootPem)).fingerprint256).toBe(imported);
      const byName = await presented(adminPort, 'tsunagu.test', caPem);
      expect(byName.verify(new X509Certificate(caPem).publicKey)).toBe(true);
      expect((await presented(adminPort, undefined, caPem)).fingerprint256).toBe(byName.fingerprint256);
    } finally {
      await lanAdmin.stop();
    }
  });
});
