// `npm run -s build:node && node dist/tests/bench/mdm-signature-bench.js`: event-loop time per request of device
// messages signed with keys chosen to be expensive (issue 12 item 2), against the real services over in-memory
// SQLite: Mdm-Signature check-ins, and SCEP PKCSReqs whose self-signed signer has such a key. Prints the active
// event-loop milliseconds per request (performance.eventLoopUtilization), by case. BENCH_REQUESTS sets the count.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { buildPlist } from '../../server/core/plist.js';
import { issueCertificate } from '../../server/pki/x509.js';
import { readFixture } from '../helpers/fixtures.js';
import { testFoundation, TEST_ADMIN, TEST_CTX } from '../helpers/foundation.js';
import { issueTestIdentity, mdmSignature } from '../helpers/mdm-identity.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { buildScepRequest, createCsr, selfSignedIdentity } from '../helpers/scep-client.js';
import { testKey } from '../helpers/scep-fixtures.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100);
const TOPIC = 'com.apple.mgmt.External.e0bd1eac-1f17-4c8e-8a63-dd17d3dd35d9';
const KEYS = {
  'RSA 2048': testKey('bench', 2048),
  'RSA 8192': readFixture('security', 'rsa-8192.key.pem').toString('utf8'),
  'RSA 3072, 3071-bit e': readFixture('security', 'rsa-3072-big-exponent.key.pem').toString('utf8'),
};

async function loopMsPerRequest(run: () => Promise<unknown>): Promise<number> {
  await run().catch(() => undefined);
  const before = performance.eventLoopUtilization();
  for (let i = 0; i < REQUESTS; i++) await run().catch(() => undefined);
  return performance.eventLoopUtilization(before).active / REQUESTS;
}

async function main(): Promise<void> {
  const f = testFoundation({ start: new Date().toISOString() });
  const pki = fakePushCertificate({ uid: TOPIC });
  f.services.push.upload({ certificatePem: pki.certPem, privateKeyPem: pki.keyPem }, TEST_ADMIN, null);
  const user = await f.services.users.create({ email: 'bench@example.com', displayName: 'Bench' }, TEST_CTX);
  const enrollment = f.services.enrollment.create({ userId: user.id, platform: 'ios' }, TEST_ADMIN, null);
  const genuine = issueTestIdentity(f.services, enrollment.id);
  const body = buildPlist({ MessageType: 'Authenticate', UDID: 'BENCH-UDID', Topic: TOPIC });
  const now = f.clock.now();
  const forged = (keyPem: string) => ({
    keyPem,
    certPem: issueCertificate({
      subject: [{ shortName: 'CN', value: 'forged' }],
      publicKeyPem: createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString(),
      signingKeyPem: createPrivateKey(keyPem),
      serialHex: '1122334455667788',
      notBefore: new Date(now.getTime() - 600_000),
      notAfter: new Date(now.getTime() + 86_400_000),
      extensions: [{ name: 'extKeyUsage', clientAuth: true }],
    }),
  });
  const checkin = (signature: string) => () => f.services.mdm.checkin(Buffer.from(body), signature, '10.0.0.9');
  const rows: [string, number][] = [];
  rows.push([
    'Mdm-Signature, genuine identity (accepted)',
    await loopMsPerRequest(checkin(mdmSignature(body, genuine))),
  ]);
  for (const [name, keyPem] of Object.entries(KEYS))
    rows.push([
      `Mdm-Signature, self-made ${name} (refused)`,
      await loopMsPerRequest(checkin(mdmSignature(body, forged(keyPem)))),
    ]);

  const ca = f.services.ca.ensureOfficeCa();
  const csr = createCsr({
    keyPem: testKey('bench-device'),
    subject: [{ shortName: 'CN', value: 'x' }],
    challenge: 'x',
  });
  for (const [name, keyPem] of Object.entries(KEYS)) {
    const req = buildScepRequest({ csr, signer: selfSignedIdentity(keyPem), caCertPem: ca.certPem });
    rows.push([
      `SCEP PKCSReq, ${name} signer (refused)`,
      await loopMsPerRequest(() => f.services.scep.pkiOperation(req.der, {})),
    ]);
  }
  await f.services.scep.close();
  console.log(`event-loop ms per request (${REQUESTS} requests each, Node ${process.version}):`);
  for (const [name, ms] of rows) console.log(`  ${name.padEnd(52)} ${ms.toFixed(3)}`);
}

void main();
