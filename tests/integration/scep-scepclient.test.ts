import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../server/core/clock.js';
import { parsePlist, type PlistDict } from '../../server/core/plist.js';
import { secureRandom } from '../../server/core/random.js';
import { verifyCms } from '../../server/pki/cms.js';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { activeDevice, checkinAs, insertConfiguration } from '../helpers/configuration-identity.js';
import { send } from '../helpers/http.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { openssl, withTempDir, writeFiles } from '../helpers/scep-fixtures.js';
import { createTestCa, startScepServer, type ScepTestServer } from '../helpers/scep-harness.js';
import { enrollmentDir, runScepclient } from '../helpers/scep-peer.js';
import { local, startHarness, type Harness } from '../helpers/server-harness.js';

// The real peer: Debian's micromdm scepclient 2.1.0 against our /scep over HTTP on 127.0.0.1: the SCEP routes on
// their own, then the whole server's plain-HTTP bootstrap listener with the challenge of a downloaded profile.

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

function dir() {
  const d = enrollmentDir();
  cleanups.push(d.remove);
  return d;
}

function opensslVerify(caPem: string, certPem: string): string {
  return withTempDir((d) => {
    const f = writeFiles(d, { 'ca.pem': caPem, 'cert.pem': certPem });
    return openssl([
      'verify',
      '-CAfile',
      f['ca.pem'] as string,
      '-purpose',
      'sslclient',
      f['cert.pem'] as string,
    ]).stdout.toString();
  });
}

describe('Debian scepclient against /scep', () => {
  let server: ScepTestServer;
  let clock: FakeClock;

  beforeAll(async () => {
    clock = new FakeClock(new Date());
    server = await startScepServer({ clock, random: secureRandom });
  });
  afterAll(async () => {
    await server.close();
  });

  it('enrolls with a one-time challenge; the certificate chains to the CA with EKU clientAuth', async () => {
    const d = dir();
    const challenge = server.challenges.issue('enr-scepclient');
    const run = await runScepclient({ serverUrl: server.url, keyPath: d.keyPath, certPath: d.certPath, challenge });
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toContain('pkiStatus=SUCCESS');
    expect(opensslVerify(server.ca.certPem, run.certPem as string)).toMatch(/cert\.pem: OK/);
    const cert = new X509Certificate(run.certPem as string);
    // The enrollment's template (the harness: O=Tsunagu Tests, CN=<enrollment>), not scepclient's requested CN=dev-1.
    expect(cert.subject).toBe('O=Tsunagu Tests\nCN=enr-scepclient');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    const event = server.audit
      .list({ action: 'scep.issued' })
      .items.find((e) => e.details.enrollmentId === 'enr-scepclient');
    // What scepclient 2.1.0 sends regardless of our caps (stack.md §9): SHA-1 and single DES.
    expect(event?.details).toMatchObject({ kind: 'PKCSReq', digest: 'sha1', cipher: 'des-cbc' });

    // A second run in the same directory finds cert.pem and sends a RenewalReq signed by it.
    const renewal = await runScepclient({ serverUrl: server.url, keyPath: d.keyPath, certPath: d.certPath });
    expect(renewal.exitCode, renewal.output).toBe(0);
    expect(renewal.output).toContain('signer_cn=enr-scepclient');
    const renewed = new X509Certificate(renewal.certPem as string);
    expect(renewed.serialNumber).not.toBe(cert.serialNumber);
    expect(opensslVerify(server.ca.certPem, renewal.certPem as string)).toMatch(/OK/);
    expect(server.certificates.records.filter((r) => r.enrollmentId === 'enr-scepclient').map((r) => r.kind)).toEqual([
      'PKCSReq',
      'RenewalReq',
    ]);
  });

  it.each([
    ['a wrong challenge', () => 'not-issued-by-us', 'challenge_unknown'],
    ['no challenge', () => undefined, 'challenge_missing'],
  ])('fails with badRequest for %s', async (_name, challengeOf, reason) => {
    const d = dir();
    const run = await runScepclient({
      serverUrl: server.url,
      keyPath: d.keyPath,
      certPath: d.certPath,
      ...(challengeOf() !== undefined ? { challenge: challengeOf() as string } : {}),
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain('PKCSReq (19) request failed, failInfo: badRequest (2)');
    expect(run.certPem).toBeNull();
    expect(server.audit.list({ action: 'scep.refused' }).items[0]?.details.reason).toBe(reason);
  });

  it('fails with badRequest when the challenge is reused by a second device', async () => {
    const challenge = server.challenges.issue('enr-once');
    const first = dir();
    expect(
      (await runScepclient({ serverUrl: server.url, keyPath: first.keyPath, certPath: first.certPath, challenge }))
        .exitCode,
    ).toBe(0);
    const second = dir();
    const run = await runScepclient({
      serverUrl: server.url,
      keyPath: second.keyPath,
      certPath: second.certPath,
      challenge,
      cn: 'dev-2',
    });
    expect(run.output).toContain('failInfo: badRequest');
    expect(run.exitCode).not.toBe(0);
    expect(server.audit.list({ action: 'scep.refused' }).items[0]?.details.reason).toBe('challenge_used');
  });

  it('fails with badRequest when the challenge has expired (fake clock advanced past its TTL)', async () => {
    const challenge = server.challenges.issue('enr-late');
    clock.advance(15 * 60_000 + 1);
    const d = dir();
    const run = await runScepclient({ serverUrl: server.url, keyPath: d.keyPath, certPath: d.certPath, challenge });
    expect(run.output).toContain('failInfo: badRequest');
    expect(run.exitCode).not.toBe(0);
    expect(server.audit.list({ action: 'scep.refused' }).items[0]?.details.reason).toBe('challenge_expired');
  });
});

describe('Debian scepclient against the server’s plain-HTTP bootstrap listener', () => {
  let h: Harness;
  let caPem: string;
  const sha256 = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

  beforeAll(async () => {
    h = await startHarness();
    caPem = h.server.services.ca.caCertificate().pem;
    const pki = fakePushCertificate();
    expect(
      (await h.admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem }))
        .status,
    ).toBe(200);
  });
  afterAll(async () => {
    await h.stop();
  });

  /** A downloaded iPhone profile's SCEP payload, and its enrollment. */
  async function scepPayload(email: string): Promise<{ enrollmentId: string; url: string; challenge: string }> {
    const user = (await h.admin.call('POST', '/api/users', { email, displayName: 'Peer' })).json<{ id: string }>();
    const e = (await h.admin.call('POST', '/api/enrollments', { userId: user.id, platform: 'ios' })).json<{
      id: string;
      profileUrl: string;
    }>();
    const res = await send(local(e.profileUrl), { ca: caPem });
    expect(res.status).toBe(200);
    const payloads = (parsePlist(verifyCms(res.body).content) as PlistDict).PayloadContent as PlistDict[];
    const scep = payloads.find((p) => p.PayloadType === 'com.apple.security.scep')?.PayloadContent as PlistDict;
    return { enrollmentId: e.id, url: scep.URL as string, challenge: scep.Challenge as string };
  }

  async function auditFor(action: string, enrollmentId: string): Promise<unknown[]> {
    const items = (await h.admin.call('GET', `/api/audit?action=${action}&limit=200`)).json<{
      items: { details: Record<string, unknown>; subjectId: string | null }[];
    }>().items;
    return items.filter((e) => e.details.enrollmentId === enrollmentId || e.subjectId === enrollmentId);
  }

  it('enrolls at http://127.0.0.1:<bootstrap port>/scep with a profile’s challenge, checking the CA by fingerprint', async () => {
    const { enrollmentId, url, challenge } = await scepPayload('scepclient-http@example.com');
    const bootstrap = new URL(h.server.bootstrapUrl);
    expect(new URL(url).protocol).toBe('http:');
    expect(new URL(url).port).toBe(bootstrap.port);
    const d = dir();
    const run = await runScepclient({
      serverUrl: `http://127.0.0.1:${bootstrap.port}/scep`,
      keyPath: d.keyPath,
      certPath: d.certPath,
      challenge,
      cn: `tsunagu-${enrollmentId}`,
      caFingerprint: sha256(caPem),
    });
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toContain('pkiStatus=SUCCESS');
    expect(opensslVerify(caPem, run.certPem as string)).toMatch(/cert\.pem: OK/);
    expect(new X509Certificate(run.certPem as string).subject).toContain(`CN=tsunagu-${enrollmentId}`);
    expect(await auditFor('scep.issued', enrollmentId)).toHaveLength(1);
    expect(await auditFor('scep.challenge_consumed', enrollmentId)).toHaveLength(1);
  });

  it('sends nothing to a CA that does not match -ca-fingerprint; the challenge stays good for the right one', async () => {
    const { enrollmentId, challenge } = await scepPayload('scepclient-wrong-ca@example.com');
    const serverUrl = `http://127.0.0.1:${new URL(h.server.bootstrapUrl).port}/scep`;
    const other = createTestCa({ random: secureRandom, cn: 'Not The Office CA' });
    const wrong = dir();
    const refused = await runScepclient({
      serverUrl,
      keyPath: wrong.keyPath,
      certPath: wrong.certPath,
      challenge,
      caFingerprint: sha256(other.certPem),
    });
    expect(refused.exitCode, refused.output).not.toBe(0);
    // To scepclient the office CA is a substituted one here: it finds no recipient and sends no PKIOperation.
    expect(refused.output).toContain('no selected CA/RA recipients');
    expect(refused.output).not.toContain('pkiStatus');
    expect(refused.certPem).toBeNull();
    expect(await auditFor('scep.challenge_consumed', enrollmentId)).toEqual([]);
    const right = dir();
    const run = await runScepclient({
      serverUrl,
      keyPath: right.keyPath,
      certPath: right.certPath,
      challenge,
      caFingerprint: sha256(caPem),
    });
    expect(run.exitCode, run.output).toBe(0);
    expect(await auditFor('scep.issued', enrollmentId)).toHaveLength(1);
  });

  it('gets a configuration identity with a minted challenge: the template’s subject, not the CSR’s; the MDM identity stays valid', async () => {
    const services = h.server.services;
    const device = await activeDevice({ services, clock: { now: () => new Date() } }, 'scepclient-wifi');
    const db = new Database(join(h.dataDir, 'tsunagu.db'));
    try {
      insertConfiguration(db, 'cfg-scepclient-wifi');
    } finally {
      db.close();
    }
    const challenge = services.identityChallenges.mint(
      { deviceId: device.deviceId, channel: 'device', configurationId: 'cfg-scepclient-wifi' },
      { organization: 'Office Wi-Fi', commonName: 'wifi-peer', email: 'wifi-peer@example.com' },
    );
    const d = dir();
    const run = await runScepclient({
      serverUrl: `http://127.0.0.1:${new URL(h.server.bootstrapUrl).port}/scep`,
      keyPath: d.keyPath,
      certPath: d.certPath,
      challenge,
      cn: 'not-the-template',
      caFingerprint: sha256(caPem),
    });
    expect(run.exitCode, run.output).toBe(0);
    expect(opensslVerify(caPem, run.certPem as string)).toMatch(/cert\.pem: OK/);
    const cert = new X509Certificate(run.certPem as string);
    expect(cert.subject).toBe('O=Office Wi-Fi\nCN=wifi-peer');
    expect(cert.subjectAltName).toBe('email:wifi-peer@example.com');
    expect(services.issued.bySerial(cert.serialNumber.toLowerCase())).toMatchObject({
      purpose: 'configuration',
      configuration_id: 'cfg-scepclient-wifi',
      device_id: device.deviceId,
      enrollment_id: device.enrollmentId,
    });
    // The device's MDM identity: not revoked, and it still speaks for the device.
    expect(services.issued.bySerial(device.identity.serial)?.revoked_at).toBeNull();
    const reply = await checkinAs(services, device.identity, {
      MessageType: 'TokenUpdate',
      Topic: services.push.topic() ?? '',
      UDID: device.udid,
      Token: Buffer.alloc(32, 5),
      PushMagic: 'MAGIC-PEER',
    });
    expect(reply.status).toBe(200);
    expect(services.devices.get(device.deviceId).status).toBe('active');
    // Run again in the same directory: scepclient renews with the identity it got, into a configuration identity.
    const renewal = await runScepclient({
      serverUrl: `http://127.0.0.1:${new URL(h.server.bootstrapUrl).port}/scep`,
      keyPath: d.keyPath,
      certPath: d.certPath,
      caFingerprint: sha256(caPem),
    });
    expect(renewal.exitCode, renewal.output).toBe(0);
    const renewed = new X509Certificate(renewal.certPem as string);
    expect(renewed.serialNumber).not.toBe(cert.serialNumber);
    expect(renewed.subject).toBe('O=Office Wi-Fi\nCN=wifi-peer');
    expect(services.issued.bySerial(renewed.serialNumber.toLowerCase())).toMatchObject({
      purpose: 'configuration',
      kind: 'RenewalReq',
    });
  });
});
