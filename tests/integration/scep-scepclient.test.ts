import { X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../server/core/clock.js';
import { secureRandom } from '../../server/core/random.js';
import { openssl, withTempDir, writeFiles } from '../helpers/scep-fixtures.js';
import { startScepServer, type ScepTestServer } from '../helpers/scep-harness.js';
import { enrollmentDir, runScepclient } from '../helpers/scep-peer.js';

// The real peer: Debian's micromdm scepclient 2.1.0 against our /scep over HTTP on 127.0.0.1.

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
    expect(cert.subject).toContain('CN=dev-1');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    const event = server.audit
      .list({ action: 'scep.issued' })
      .items.find((e) => e.details.enrollmentId === 'enr-scepclient');
    // What scepclient 2.1.0 sends regardless of our caps (stack.md §9): SHA-1 and single DES.
    expect(event?.details).toMatchObject({ kind: 'PKCSReq', digest: 'sha1', cipher: 'des-cbc' });

    // A second run in the same directory finds cert.pem and sends a RenewalReq signed by it.
    const renewal = await runScepclient({ serverUrl: server.url, keyPath: d.keyPath, certPath: d.certPath });
    expect(renewal.exitCode, renewal.output).toBe(0);
    expect(renewal.output).toContain('signer_cn=dev-1');
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
