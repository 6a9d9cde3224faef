import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secureRandom } from '../../server/core/random.js';
import { testPublicCa } from '../helpers/public-cert.js';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { EmulatedAppleDevice, iphoneSpec, macSpec, type AppleDeviceSpec } from '../helpers/apple-device.js';
import { send, type RequestOptions, type TestResponse } from '../helpers/http.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { createTestCa } from '../helpers/scep-harness.js';
import { local, startHarness, type Harness } from '../helpers/server-harness.js';

// Issue 10: an Apple device enrolls without trusting the server's TLS certificate beforehand. SCEP runs over the
// plain-HTTP bootstrap listener, checked by the profile's CAFingerprint; the MDM connections trust the profile's
// pinned root only. The emulated device (tests/helpers/apple-device.ts) trusts exactly as a real one does.

let h: Harness;
let apns: ApnsMock;
let officeCaPem: string;
let lan = ['127.0.0.1', '192.168.20.5'];

beforeAll(async () => {
  const pki = fakePushCertificate();
  apns = await startApnsMock(pki.appleCaPem);
  h = await startHarness({ apnsCa: apns.caPem, lanAddresses: () => lan, addressCheckMs: 100 });
  officeCaPem = h.server.services.ca.caCertificate().pem;
  expect(
    (await h.admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem }))
      .status,
  ).toBe(200);
  expect((await h.admin.call('PUT', '/api/push/settings', { apnsBaseUrl: apns.url })).status).toBe(200);
});
afterAll(async () => {
  await h.stop();
  await apns.close();
});

const bootstrapBase = () => h.server.bootstrapUrl.replace(/\/trust$/, '');
/** `path` on a listener's URL, on 127.0.0.1 (the harness's host name is known only to its certificate). */
const at = (listenerUrl: string, path: string) => new URL(path, local(listenerUrl)).href;
const deviceBase = () => h.server.enrollmentUrl.replace(/\/$/, '');

let emails = 0;
async function profileUrl(platform: 'ios' | 'macos'): Promise<string> {
  const user = (
    await h.admin.call('POST', '/api/users', { email: `trust${++emails}@example.com`, displayName: 'Trust' })
  ).json<{ id: string }>();
  const res = await h.admin.call('POST', '/api/enrollments', { userId: user.id, platform });
  expect(res.status).toBe(201);
  return res.json<{ profileUrl: string }>().profileUrl;
}

/** A device of `spec` that downloaded its profile and ran SCEP (trusting `trustStore` for its own HTTPS). */
async function withIdentity(spec: AppleDeviceSpec, trustStore = officeCaPem): Promise<EmulatedAppleDevice> {
  const device = new EmulatedAppleDevice(spec, { caPem: trustStore });
  const dl = await device.downloadProfile(await profileUrl(spec.kind === 'mac' ? 'macos' : 'ios'));
  expect(dl.status).toBe(200);
  expect(await device.scep()).toEqual({ status: 'SUCCESS' });
  return device;
}

async function enrolled(spec: AppleDeviceSpec, trustStore = officeCaPem): Promise<EmulatedAppleDevice> {
  const device = await withIdentity(spec, trustStore);
  expect((await device.enrollMdm()).map((r) => r.status)).toEqual(spec.kind === 'mac' ? [200, 200, 200] : [200, 200]);
  expect(await device.commandLoop()).toEqual(['DeviceInformation']);
  return device;
}

/** The certificate the device listener presents now, trusting `ca`. */
function presented(ca: string): Promise<X509Certificate> {
  const port = Number(new URL(h.server.enrollmentUrl).port);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'tsunagu.test', ca }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (cert) resolve(cert);
      else reject(new Error('no certificate'));
    });
    socket.on('error', reject);
  });
}

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('SCEP without TLS trust (office-CA mode)', () => {
  it.each([
    ['iPhone', iphoneSpec(30)],
    ['Mac', macSpec(30)],
  ] as const)(
    'an emulated %s enrolls with SCEP over plain HTTP, checked by CAFingerprint, and checks in through the pinned root',
    async (_name, spec) => {
      const device = await withIdentity(spec);
      try {
        const profile = device.profile;
        const scepUrl = new URL(profile?.scep.url ?? '');
        expect(`${scepUrl.origin}${scepUrl.pathname}`).toBe(`${bootstrapBase()}/scep`);
        expect(scepUrl.protocol).toBe('http:');
        expect(profile?.scep.caFingerprint).toHaveLength(20);
        const officeDer = Buffer.from(new X509Certificate(officeCaPem).raw);
        expect(profile?.mdm.serverUrlPins).toEqual([officeDer]);
        expect(profile?.mdm.checkInUrlPins).toEqual([officeDer]);
        expect(profile?.mdm.pinningRevocationCheckRequired).toBe(false);
        const issued = (await h.admin.call('GET', '/api/audit?action=scep.issued')).json<{
          items: { details: { serialHex?: string } }[];
        }>();
        expect(issued.items.length).toBeGreaterThan(0);
        expect((await device.enrollMdm()).every((r) => r.status === 200)).toBe(true);
        expect(await device.commandLoop()).toEqual(['DeviceInformation']);
      } finally {
        device.close();
      }
    },
  );

  it('refuses a GetCACert answered by another CA (an interceptor on the path), before it sends its challenge', async () => {
    const otherCa = createTestCa({ random: secureRandom, cn: 'Interceptor CA' });
    const seen: string[] = [];
    let substitute = false;
    const target = new URL(bootstrapBase());
    // A stand-in on the device's path to the bootstrap listener: forwards every request, or answers GetCACert itself.
    const interceptor = http.createServer((req, res) => {
      const operation = new URL(req.url ?? '/', 'http://x').searchParams.get('operation') ?? '';
      seen.push(operation);
      if (substitute && operation === 'GetCACert') {
        res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' });
        res.end(Buffer.from(new X509Certificate(otherCa.certPem).raw));
        return;
      }
      const upstream = http.request(
        { host: '127.0.0.1', port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => interceptor.listen(0, '127.0.0.1', resolve));
    const via = `http://127.0.0.1:${(interceptor.address() as AddressInfo).port}/scep`;
    const honest = new EmulatedAppleDevice(iphoneSpec(31), { caPem: officeCaPem });
    const fooled = new EmulatedAppleDevice(iphoneSpec(32), { caPem: officeCaPem });
    try {
      // The interceptor itself works: passing GetCACert through, the device enrolls through it.
      await honest.downloadProfile(await profileUrl('ios'));
      (honest.profile as NonNullable<typeof honest.profile>).scep.url = via;
      expect(await honest.scep()).toEqual({ status: 'SUCCESS' });
      expect(seen).toContain('PKIOperation');

      seen.length = 0;
      substitute = true;
      await fooled.downloadProfile(await profileUrl('ios'));
      const realUrl = fooled.profile?.scep.url as string;
      (fooled.profile as NonNullable<typeof fooled.profile>).scep.url = via;
      await expect(fooled.scep()).rejects.toThrow(/CAFingerprint/);
      // Nothing was encrypted to the interceptor's CA: the challenge never left the device.
      expect(seen).toEqual(['GetCACaps', 'GetCACert']);
      // So the challenge is still good once the device reaches the server itself.
      (fooled.profile as NonNullable<typeof fooled.profile>).scep.url = realUrl;
      expect(await fooled.scep()).toEqual({ status: 'SUCCESS' });
    } finally {
      honest.close();
      fooled.close();
      await new Promise((resolve) => interceptor.close(resolve));
    }
  });

  it('answers /scep over plain HTTP exactly as over HTTPS: the same checks, limits and answers', async () => {
    const pki = 'application/x-pki-message';
    const requests: { path: string; method?: string; type?: string; body?: Buffer | string }[] = [
      { path: '/scep?operation=GetCACaps' },
      { path: '/scep?operation=GetCACert&message=CA' },
      { path: '/scep?operation=Nope' },
      { path: '/scep' },
      { path: '/scep?operation=GetCACaps&operation=GetCACert' },
      { path: '/scep?operation=PKIOperation' },
      { path: '/scep?operation=PKIOperation&message=%%%' },
      { path: '/scep?operation=PKIOperation&message=AAAA' },
      { path: '/scep?operation=GetCACert', method: 'POST', type: pki, body: 'x' },
      { path: '/scep?operation=PKIOperation', method: 'POST', type: 'application/json', body: '{}' },
      { path: '/scep?operation=PKIOperation', method: 'POST', type: pki, body: Buffer.alloc(0) },
      { path: '/scep?operation=PKIOperation', method: 'POST', type: pki, body: Buffer.alloc(20 * 1024, 0x30) },
      { path: '/scep?operation=PKIOperation', method: 'POST', type: pki, body: Buffer.alloc(70 * 1024, 0x30) },
      { path: '/scep?operation=PKIOperation', method: 'PUT', type: pki, body: 'x' },
      { path: '/scep?operation=GetCACaps', method: 'DELETE' },
    ];
    const shape = (res: TestResponse) => ({
      status: res.status,
      type: res.headers['content-type'],
      cacheControl: res.headers['cache-control'],
      location: res.headers.location,
      body: res.headers['content-type']?.startsWith('application/json') ? res.json() : res.body.toString('base64'),
    });
    for (const r of requests) {
      const options: RequestOptions = {
        method: r.method ?? 'GET',
        headers: r.type ? { 'content-type': r.type } : {},
        ...(r.body !== undefined ? { body: r.body } : {}),
      };
      const overHttps = shape(await send(at(h.server.enrollmentUrl, r.path), { ...options, ca: officeCaPem }));
      const overHttp = shape(await send(at(h.server.bootstrapUrl, r.path), options));
      expect(overHttp, `${options.method} ${r.path}`).toEqual(overHttps);
      expect(overHttp.status, `${options.method} ${r.path}`).not.toBe(500);
    }
  });
});

describe('MDM connections anchored in the profile', () => {
  it('keep a pinned device connected when the TLS certificate is re-issued (the pinned root does not change)', async () => {
    const device = await enrolled(iphoneSpec(40));
    try {
      const before = await presented(officeCaPem);
      lan = ['127.0.0.1', '10.20.30.40'];
      await until(
        'the re-issued certificate',
        async () => (await presented(officeCaPem)).serialNumber !== before.serialNumber,
      );
      expect((await presented(officeCaPem)).subjectAltName).toContain('10.20.30.40');
      // New connections with full TLS handshakes (no resumed session) against the re-issued certificate.
      device.reconnect();
      expect(await device.commandLoop()).toEqual([]);
      expect(
        (
          await device.checkin({
            MessageType: 'TokenUpdate',
            UDID: device.spec.udid,
            Topic: device.profile?.mdm.topic ?? '',
            Token: device.token,
            PushMagic: device.pushMagic,
          })
        ).status,
      ).toBe(200);
    } finally {
      device.close();
    }
  });

  it('validates the server against the pinned root only: a public certificate covering the office name fails even when the device trusts its CA', async () => {
    const other = publicPki();
    // The device's own trust store holds both CAs, as a phone's holds the public roots.
    const pinned = await enrolled(iphoneSpec(41), `${officeCaPem}${other.rootPem}`);
    let unpinned: EmulatedAppleDevice | null = null;
    try {
      const imported = await h.admin.call('PUT', '/api/tls/certificate', {
        certificatePem: other.certPem,
        privateKeyPem: other.keyPem,
        chainPem: other.rootPem,
      });
      expect(imported.status).toBe(200);
      await until('the imported certificate', async () =>
        (await presented(other.rootPem)).issuer.includes('Test Public Root'),
      );
      // A full handshake, as after a restart: a resumed TLS session would not show the new certificate.
      pinned.reconnect();
      await expect(pinned.commandLoop()).rejects.toThrow(/certificate|issuer/i);
      await expect(
        pinned.checkin({
          MessageType: 'TokenUpdate',
          UDID: pinned.spec.udid,
          Topic: pinned.profile?.mdm.topic ?? '',
          Token: pinned.token,
          PushMagic: pinned.pushMagic,
        }),
      ).rejects.toThrow(/certificate|issuer/i);
      // The device's own trust store accepts the server: only the pin refused it.
      expect((await pinned.request(`${deviceBase()}/health`, 'GET', {})).status).toBe(200);

      // Public mode: a new profile has no root and no pins, and SCEP stays on HTTPS; the device trusts the server.
      unpinned = new EmulatedAppleDevice(iphoneSpec(42), { caPem: other.rootPem });
      const dl = await unpinned.downloadProfile(await profileUrl('ios'));
      expect(dl.status).toBe(200);
      expect(unpinned.profile?.caDer).toBeNull();
      expect(unpinned.profile?.mdm.serverUrlPins).toBeNull();
      expect(unpinned.profile?.mdm.checkInUrlPins).toBeNull();
      expect(unpinned.profile?.scep.url).toBe(`${deviceBase()}/scep`);
      expect(unpinned.profile?.scep.caFingerprint).toHaveLength(20);
      expect(await unpinned.scep()).toEqual({ status: 'SUCCESS' });
      expect((await unpinned.enrollMdm()).map((r) => r.status)).toEqual([200, 200]);
      expect(await unpinned.commandLoop()).toEqual(['DeviceInformation']);
    } finally {
      // Back to the office CA: the pinned device connects again, its root unchanged.
      expect((await h.admin.call('POST', '/api/tls/generated')).status).toBe(200);
      await until('the office certificate', async () => {
        try {
          await presented(officeCaPem);
          return true;
        } catch {
          return false;
        }
      });
      pinned.reconnect();
      expect(await pinned.commandLoop()).toEqual([]);
      pinned.close();
      unpinned?.close();
    }
  });
});

describe('HSTS never kept where the bootstrap listener shares the host', () => {
  const hsts = (res: TestResponse) => res.headers['strict-transport-security'];
  // max-age=0 and nothing else: a browser keeps no HSTS for the host and forgets what an older version set.
  const CLEARED = 'max-age=0';

  it('the device listener clears HSTS on every answer; the plain-HTTP admin and bootstrap listeners send none', async () => {
    const device = (path: string) => at(h.server.enrollmentUrl, path);
    const admin = (path: string) => at(h.server.adminUrl, path);
    const overTls = [
      await send(device('/'), { ca: officeCaPem }),
      await send(device('/health'), { ca: officeCaPem }),
      await send(device('/go'), { ca: officeCaPem }),
      await send(device('/scep?operation=GetCACaps'), { ca: officeCaPem }),
      await send(device('/profile/not-a-token'), { ca: officeCaPem }),
      await send(device('/mdm/checkin'), {
        ca: officeCaPem,
        method: 'PUT',
        body: 'x',
        headers: { 'content-type': 'application/x-apple-aspen-mdm-checkin' },
      }),
      await send(device('/no-such-page'), { ca: officeCaPem }),
    ];
    const plain = [
      await send(admin('/api/health')),
      await send(admin('/')),
      await send(admin('/api/users')),
      await send(local(h.server.bootstrapUrl)),
      await send(at(h.server.bootstrapUrl, '/scep?operation=GetCACaps')),
      await send(at(h.server.bootstrapUrl, `/e/${h.server.services.urls.current().key}/go`)),
    ];
    expect([...overTls, ...plain].map((r) => r.status)).not.toContain(500);
    expect(overTls.map(hsts)).toEqual(overTls.map(() => CLEARED));
    expect(plain.map(hsts)).toEqual(plain.map(() => undefined));
    // The other helmet headers stay.
    expect(overTls[0]?.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(overTls[0]?.headers['x-content-type-options']).toBe('nosniff');
  });

  it('the LAN admin listener (HTTPS on the same host as the bootstrap listener) clears it too', async () => {
    const lanAdmin = await startHarness({ signIn: false, env: { TSUNAGU_LAN_ADMIN: 'on' } });
    try {
      const admin = (path: string) => at(lanAdmin.server.adminUrl, path);
      const ca = lanAdmin.server.services.ca.caCertificate().pem;
      const answers = [
        await send(admin('/api/health'), { ca }),
        await send(admin('/'), { ca }),
        await send(admin('/api/users'), { ca }),
        await send(admin('/users'), { ca }),
      ];
      expect(answers.map((r) => r.status)).not.toContain(500);
      expect(answers.map(hsts)).toEqual(answers.map(() => CLEARED));
      expect(answers[0]?.headers['content-security-policy']).toMatch(/default-src 'self'/);
    } finally {
      await lanAdmin.stop();
    }
  });
});

/** A stand-in public CA and its server certificate for tsunagu.test (the office name too). */
function publicPki(): { rootPem: string; certPem: string; keyPem: string } {
  const ca = testPublicCa();
  return { rootPem: ca.rootPem, ...ca.server({ dns: ['tsunagu.test'] }) };
}
