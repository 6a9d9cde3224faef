// Attacks on what keys the SCEP CA accepts (issue 12 item 2): a PKCSReq whose CSR key is weak (RSA 1024, e = 3) or
// expensive (RSA 8192), or whose self-signed signer has such a key, must get a CertRep FAILURE (RFC 8894 §3.3.2.2),
// audited, with the challenge left usable; RSA 2048 and 4096 with e = 65537 are issued. EC keys cannot be issued by
// this CA today (the certificate builder, node-forge, reads RSA keys only, and a CertRep can only be encrypted to an
// RSA signer), so an EC CSR gets FAILURE badAlg.
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../server/core/clock.js';
import { secureRandom } from '../../server/core/random.js';
import { readFixture } from '../helpers/fixtures.js';
import { buildScepRequest, createCsr, ScepClient, selfSignedIdentity } from '../helpers/scep-client.js';
import { testKey } from '../helpers/scep-fixtures.js';
import { startScepServer, type ScepTestServer } from '../helpers/scep-harness.js';

const pem = (o: { privateKey: string }) => o.privateKey;
const KEYS = {
  'RSA 1024': testKey('limits', 1024),
  'RSA 8192': readFixture('security', 'rsa-8192.key.pem').toString('utf8'),
  'RSA 2048, e = 3': pem(
    generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicExponent: 3,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }),
  ),
  'RSA 3072, 3071-bit e': readFixture('security', 'rsa-3072-big-exponent.key.pem').toString('utf8'),
  'RSA 2048': testKey('limits', 2048),
  'RSA 4096': readFixture('security', 'rsa-4096.key.pem').toString('utf8'),
  'EC P-256': pem(
    generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }),
  ),
} as const;
type KeyName = keyof typeof KEYS;

let server: ScepTestServer;
let client: ScepClient;

beforeAll(async () => {
  server = await startScepServer({ clock: new FakeClock(new Date()), random: secureRandom });
  client = new ScepClient(server.url, { timeoutMs: 30_000 });
});
afterAll(async () => {
  await server.close();
});

/** One PKCSReq with its own fresh challenge: the CSR holds `csrKey`, the self-signed signer `signerKey`. */
async function pkcsReq(csrKey: KeyName, signerKey: KeyName = 'RSA 2048') {
  const challenge = server.challenges.issue(`enr-${csrKey}-${signerKey}`);
  const csr = createCsr({ keyPem: KEYS[csrKey], subject: [{ shortName: 'CN', value: 'device' }], challenge });
  const request = buildScepRequest({ csr, signer: selfSignedIdentity(KEYS[signerKey]), caCertPem: server.ca.certPem });
  return { challenge, request, result: await client.send(request) };
}

function refusalOf(transactionId: string) {
  return server.audit.list({ action: 'scep.refused' }).items.find((e) => e.details.transactionId === transactionId)
    ?.details;
}

describe('SCEP issuance key bounds: RSA 2048 to 4096 bits with e = 65537', () => {
  it.each(['RSA 1024', 'RSA 8192', 'RSA 2048, e = 3', 'RSA 3072, 3071-bit e'] as const)(
    'a CSR with an %s key gets CertRep FAILURE badRequest, audited, and the challenge stays usable',
    async (name) => {
      const { challenge, request, result } = await pkcsReq(name);
      expect(result).toMatchObject({ status: 'FAILURE', failInfo: 'badRequest' });
      expect(refusalOf(request.transactionId)).toMatchObject({ reason: 'key_not_allowed', failInfo: 'badRequest' });
      // The device can try again with an acceptable key within the same profile's validity.
      const csr = createCsr({ keyPem: KEYS['RSA 2048'], subject: [{ shortName: 'CN', value: 'device' }], challenge });
      const retry = await client.send(
        buildScepRequest({ csr, signer: selfSignedIdentity(KEYS['RSA 2048']), caCertPem: server.ca.certPem }),
      );
      expect(retry.status).toBe('SUCCESS');
    },
  );

  it.each(['RSA 1024', 'RSA 8192', 'RSA 2048, e = 3', 'RSA 3072, 3071-bit e'] as const)(
    'a PKCSReq signed by a self-signed %s certificate gets CertRep FAILURE badRequest before its signature is checked',
    async (name) => {
      const { request, result } = await pkcsReq('RSA 2048', name);
      expect(result).toMatchObject({ status: 'FAILURE', failInfo: 'badRequest' });
      expect(refusalOf(request.transactionId)).toMatchObject({ reason: 'signer_key_not_allowed' });
    },
  );

  it('a CSR with an EC P-256 key gets CertRep FAILURE badAlg (this CA issues RSA identities only)', async () => {
    const { request, result } = await pkcsReq('EC P-256');
    expect(result).toMatchObject({ status: 'FAILURE', failInfo: 'badAlg' });
    expect(refusalOf(request.transactionId)).toMatchObject({ reason: 'unsupported_algorithm', failInfo: 'badAlg' });
  });

  it.each([
    ['RSA 2048', 2048],
    ['RSA 4096', 4096],
  ] as const)('a CSR with an %s key, e = 65537, is issued', async (name, bits) => {
    const { result } = await pkcsReq(name, name);
    if (result.status !== 'SUCCESS') throw new Error(`expected SUCCESS, got ${JSON.stringify(result)}`);
    const key = new X509Certificate(result.certificatePem).publicKey.asymmetricKeyDetails;
    expect(key).toMatchObject({ modulusLength: bits, publicExponent: 65537n });
  });
});
