import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../server/core/clock.js';
import { secureRandom } from '../../server/core/random.js';
import { buildScepRequest, createCsr, ScepClient, selfSignedIdentity } from '../helpers/scep-client.js';
import { openssl, testKey, withTempDir, writeFiles } from '../helpers/scep-fixtures.js';
import { startScepServer, type ScepTestServer } from '../helpers/scep-harness.js';

// The TypeScript SCEP client (device emulator and benchmark) against our server over real sockets.

function chainOk(caPem: string, certPem: string): boolean {
  return withTempDir((d) => {
    const f = writeFiles(d, { 'ca.pem': caPem, 'c.pem': certPem });
    return openssl(['verify', '-CAfile', f['ca.pem'] as string, '-purpose', 'sslclient', f['c.pem'] as string])
      .stdout.toString()
      .includes(': OK');
  });
}

describe.each([
  ['HTTP', false],
  ['HTTPS with the office CA as the only trust anchor', true],
])('the TypeScript SCEP client over %s', (_name, tls) => {
  let server: ScepTestServer;
  let client: ScepClient;
  const clock = new FakeClock(new Date());

  beforeAll(async () => {
    server = await startScepServer({ clock, random: secureRandom, tls });
    client = new ScepClient(server.url, { ca: server.ca.certPem, timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('reads GetCACaps and GetCACert like a device does first', async () => {
    expect(await client.getCaCaps()).toEqual([
      'POSTPKIOperation',
      'SHA-256',
      'AES',
      'SCEPStandard',
      'Renewal',
      'SHA-1',
      'DES3',
    ]);
    expect(new X509Certificate(await client.getCaCert()).fingerprint256).toBe(
      new X509Certificate(server.ca.certPem).fingerprint256,
    );
  });

  it.each([
    ['POST', 'sha256', 'aes-128-cbc'],
    ['GET', 'sha256', 'aes-256-cbc'],
    ['POST', 'sha1', 'des-ede3-cbc'],
  ] as const)('enrolls by %s with %s and %s, then renews', async (method, digest, cipher) => {
    const caCertPem = await client.getCaCert();
    const csr = createCsr({
      keyPem: testKey('device'),
      subject: [{ shortName: 'CN', value: `dev-${method}-${cipher}` }],
      challenge: server.challenges.issue(`enr-${cipher}`),
    });
    const request = buildScepRequest({ csr, signer: selfSignedIdentity(testKey('signer')), caCertPem, digest, cipher });
    const result = await client.send(request, method);
    if (result.status !== 'SUCCESS') throw new Error(`enrollment answered ${result.status}`);
    expect(chainOk(server.ca.certPem, result.certificatePem)).toBe(true);

    const renewal = buildScepRequest({
      messageType: 'RenewalReq',
      csr: createCsr({ keyPem: testKey('device'), subject: [{ shortName: 'CN', value: 'renewed' }] }),
      signer: { certPem: result.certificatePem, keyPem: testKey('device') },
      caCertPem,
      digest,
      cipher,
    });
    const renewed = await client.send(renewal, method);
    expect(renewed.status).toBe('SUCCESS');
    expect(server.certificates.records.filter((r) => r.enrollmentId === `enr-${cipher}`).map((r) => r.kind)).toEqual([
      'PKCSReq',
      'RenewalReq',
    ]);
  });

  it('enrolls and renews through the device-emulator entry points, with a separate signer key like the Apple fixture', async () => {
    const challenge = server.challenges.issue('enr-emulator');
    const { result } = await client.enroll({
      keyPem: testKey('device'),
      signerKeyPem: testKey('signer'),
      subject: [{ shortName: 'CN', value: 'com.apple.security.scep.TEST', tag: 'utf8' }],
      challenge,
      digest: 'sha1',
      cipher: 'des-ede3-cbc',
    });
    if (result.status !== 'SUCCESS') throw new Error(`enrollment answered ${result.status}`);
    expect(new X509Certificate(result.certificatePem).publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const renewal = await client.renew(
      { certPem: result.certificatePem, keyPem: testKey('device') },
      { keyPem: testKey('device'), subject: [{ shortName: 'CN', value: 'renewed' }] },
    );
    expect(renewal.result.status).toBe('SUCCESS');
    expect(server.certificates.records.filter((r) => r.enrollmentId === 'enr-emulator').map((r) => r.kind)).toEqual([
      'PKCSReq',
      'RenewalReq',
    ]);
  });

  it('reports pkiStatus FAILURE and failInfo for a refused challenge', async () => {
    const csr = createCsr({
      keyPem: testKey('device'),
      subject: [{ shortName: 'CN', value: 'dev-x' }],
      challenge: 'wrong',
    });
    const result = await client.send(
      buildScepRequest({ csr, signer: selfSignedIdentity(testKey('signer')), caCertPem: server.ca.certPem }),
    );
    expect(result).toMatchObject({ status: 'FAILURE', failInfo: 'badRequest' });
  });

  it('surfaces HTTP errors with their status', async () => {
    await expect(client.pkiOperation(Buffer.from('garbage'))).rejects.toMatchObject({
      code: 'HTTP_STATUS',
      status: 400,
    });
  });
});

describe('the TypeScript SCEP client over HTTPS without the office CA', () => {
  it('refuses the server certificate', async () => {
    const server = await startScepServer({ clock: new FakeClock(new Date()), random: secureRandom, tls: true });
    try {
      await expect(new ScepClient(server.url, { timeoutMs: 5_000 }).getCaCaps()).rejects.toMatchObject({
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      });
    } finally {
      await server.close();
    }
  });
});
