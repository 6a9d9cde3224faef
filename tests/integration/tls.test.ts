import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlist, type PlistDict } from '../../server/core/plist.js';
import { verifyCms } from '../../server/pki/cms.js';
import { generateRsaKeyPair, issueCertificate } from '../../server/pki/x509.js';
import { send } from '../helpers/http.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

const DAY = 86_400_000;

function publicPki() {
  const root = generateRsaKeyPair(2048);
  const now = Date.now();
  const rootPem = issueCertificate({
    subject: [{ shortName: 'CN', value: 'Test Public Root' }],
    publicKeyPem: root.publicKeyPem,
    signingKeyPem: root.privateKeyPem,
    serialHex: '0a01',
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ],
  });
  const server = (opts: { names?: string[]; days?: number; bits?: number; ca?: boolean } = {}) => {
    const k = generateRsaKeyPair(opts.bits ?? 2048);
    const names = opts.names ?? ['mdm.example.org'];
    return {
      keyPem: k.privateKeyPem,
      certPem: issueCertificate({
        subject: [{ shortName: 'CN', value: names[0] ?? 'x' }],
        issuerCertPem: rootPem,
        publicKeyPem: k.publicKeyPem,
        signingKeyPem: root.privateKeyPem,
        serialHex: '0b02',
        notBefore: new Date(now - DAY),
        notAfter: new Date(now + (opts.days ?? 90) * DAY),
        extensions: [
          { name: 'basicConstraints', cA: opts.ca ?? false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: opts.ca ?? false },
          { name: 'extKeyUsage', serverAuth: true },
          ...(names.length ? [{ name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) }] : []),
        ],
      }),
    };
  };
  return { rootPem, server };
}

function presented(port: number, servername: string, ca: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, servername, ca }, () => {
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
const pub = publicPki();
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
        const s = pub.server({ names: [] });
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
    const before = (await h.admin.call('GET', '/api/tls')).json<{ fingerprint256: string }>();
    const res = await h.admin.call('PUT', '/api/tls/certificate', body());
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: { field } });
    expect((await h.admin.call('GET', '/api/tls')).json<{ fingerprint256: string }>().fingerprint256).toBe(
      before.fingerprint256,
    );
  });

  it('imports a certificate for a public host name from PKCS#12 and serves it at once; profiles then skip the root payload', async () => {
    const s = pub.server();
    const p12 = forge.pkcs12.toPkcs12Asn1(
      forge.pki.privateKeyFromPem(s.keyPem),
      [forge.pki.certificateFromPem(s.certPem), forge.pki.certificateFromPem(pub.rootPem)],
      'p12-pass',
      { algorithm: '3des' },
    );
    const res = await h.admin.call('PUT', '/api/tls/certificate', {
      pkcs12Base64: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary').toString('base64'),
      password: 'p12-pass',
    });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ source: 'imported', names: ['DNS:mdm.example.org'] });
    const served = await presented(port, 'mdm.example.org', pub.rootPem);
    expect(served.fingerprint256).toBe(new X509Certificate(s.certPem).fingerprint256);
    // Imported certificates are the admin's: an address change does not replace them.
    lan = ['127.0.0.1', '10.9.9.9'];
    await new Promise((r) => setTimeout(r, 400));
    expect((await presented(port, 'mdm.example.org', pub.rootPem)).fingerprint256).toBe(served.fingerprint256);
    const user = (await h.admin.call('POST', '/api/users', { email: 'pub@example.com', displayName: 'Pub' })).json<{
      id: string;
    }>();
    const e = (await h.admin.call('POST', '/api/enrollments', { userId: user.id, platform: 'ios' })).json<{
      profileUrl: string;
    }>();
    const url = new URL(e.profileUrl);
    url.hostname = '127.0.0.1';
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
    const verified = verifyCms(dl);
    expect(new X509Certificate(verified.signerCertDer).fingerprint256).toBe(served.fingerprint256);
    const types = ((parsePlist(verified.content) as PlistDict).PayloadContent as PlistDict[]).map((p) => p.PayloadType);
    expect(types).toEqual(['com.apple.security.scep', 'com.apple.mdm']);
  });

  it('goes back to a certificate from the office CA', async () => {
    const res = await h.admin.call('POST', '/api/tls/generated');
    expect(res.json()).toMatchObject({ source: 'generated' });
    const caPem = h.server.services.ca.caCertificate().pem;
    const cert = await presented(port, 'tsunagu.test', caPem);
    expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    expect(cert.subjectAltName).toContain('10.9.9.9');
    void send;
  });
});
