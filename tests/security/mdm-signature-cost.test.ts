// Attacks on the cost of an Mdm-Signature check (issue 12 item 2): a message signed with a certificate this server
// never issued, carrying a key chosen to make verification expensive (8192 bits, or a 3071-bit public exponent),
// must be refused from the certificate's issuer and serial alone, before any signature is verified with that key.
// The proof of order: a certificate that is not ours gets "not issued by this server" even when its signature is
// broken, and one of ours that is revoked or has an out-of-bounds key gets that refusal, never "does not verify".
// Cost per request: tests/bench/mdm-signature-bench.ts (no timing here).
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPlist } from '../../server/core/plist.js';
import { installErrorHandler } from '../../server/http/error-handler.js';
import { mdmRoutes } from '../../server/modules/mdm/mdm.routes.js';
import { issueCertificate } from '../../server/pki/x509.js';
import { readFixture } from '../helpers/fixtures.js';
import { testFoundation, TEST_ADMIN, TEST_CTX, type TestFoundation } from '../helpers/foundation.js';
import { issueTestIdentity, mdmSignature, type TestIdentity } from '../helpers/mdm-identity.js';
import { fakePushCertificate } from '../helpers/push-cert.js';

const TOPIC = 'com.apple.mgmt.External.e0bd1eac-1f17-4c8e-8a63-dd17d3dd35d9';
const key = (name: string) => readFixture('security', name).toString('utf8');
/** Keys that make one RSA verification expensive (provenance: tests/fixtures/security/README.md). */
const HEAVY_KEYS = {
  'RSA 8192': key('rsa-8192.key.pem'),
  'RSA 3072 with a 3071-bit exponent': key('rsa-3072-big-exponent.key.pem'),
} as const;

let f: TestFoundation;
let genuine: TestIdentity;
const UDID = 'SECURITY-UDID-1';

beforeAll(async () => {
  f = testFoundation({ start: new Date().toISOString() });
  const pki = fakePushCertificate({ uid: TOPIC });
  f.services.push.upload({ certificatePem: pki.certPem, privateKeyPem: pki.keyPem }, TEST_ADMIN, null);
  const user = await f.services.users.create({ email: 'taro@example.com', displayName: 'Taro' }, TEST_CTX);
  const enrollment = f.services.enrollment.create({ userId: user.id, platform: 'ios' }, TEST_ADMIN, null);
  genuine = issueTestIdentity(f.services, enrollment.id);
});

/** A clientAuth certificate for `keyPem`, self-signed, or naming our CA as issuer (with `serialHex`) but signed by the key itself. */
function forged(
  keyPem: string,
  o: { claimOurCa?: boolean; serialHex?: string } = {},
): { certPem: string; keyPem: string } {
  const now = f.clock.now();
  const certPem = issueCertificate({
    subject: [{ shortName: 'CN', value: 'tsunagu-forged' }],
    ...(o.claimOurCa ? { issuerCertPem: f.services.ca.ensureOfficeCa().certPem } : {}),
    publicKeyPem: createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString(),
    signingKeyPem: createPrivateKey(keyPem),
    serialHex: o.serialHex ?? '1122334455667788',
    notBefore: new Date(now.getTime() - 600_000),
    notAfter: new Date(now.getTime() + 86_400_000),
    extensions: [
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  return { certPem, keyPem };
}

/** A detached signature whose RSA signature value is broken (its last byte flipped) while everything else is right. */
function brokenSignature(body: string, identity: { certPem: string; keyPem: string }): string {
  const der = Buffer.from(mdmSignature(body, identity), 'base64');
  der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
  return der.toString('base64');
}

const authenticate = (udid = UDID) => buildPlist({ MessageType: 'Authenticate', UDID: udid, Topic: TOPIC });

async function refusal(body: string, signature: string): Promise<{ code: string; message: string }> {
  const err: unknown = await f.services.mdm.checkin(Buffer.from(body), signature, '10.0.0.9').then(
    () => new Error('the message was accepted'),
    (e: unknown) => e,
  );
  return err as { code: string; message: string };
}

describe('an Mdm-Signature made with a certificate this server did not issue', () => {
  it.each(Object.entries(HEAVY_KEYS))('is refused with a %s key and a valid signature', async (_name, keyPem) => {
    const body = authenticate();
    const r = await refusal(body, mdmSignature(body, forged(keyPem)));
    expect(r).toMatchObject({
      code: 'MDM_SIGNATURE_INVALID',
      message: expect.stringMatching(/not issued by this server/),
    });
  });

  it.each(Object.entries(HEAVY_KEYS))(
    'is refused as not ours, not as a bad signature, when its %s signature is broken (the issuer is checked first)',
    async (_name, keyPem) => {
      const body = authenticate();
      for (const cert of [
        forged(keyPem),
        forged(keyPem, { claimOurCa: true }),
        // Our CA's name and the serial of a certificate we did issue: still not that certificate.
        forged(keyPem, { claimOurCa: true, serialHex: genuine.serial }),
      ]) {
        const r = await refusal(body, brokenSignature(body, cert));
        expect(r, new X509Certificate(cert.certPem).issuer).toMatchObject({
          code: 'MDM_SIGNATURE_INVALID',
          message: expect.stringMatching(/not issued by this server/),
        });
      }
    },
  );

  it('keeps the refusal a 400 over HTTP (never the 401 or 403 that unenroll a device, apple-protocols §3.3)', async () => {
    const app = Fastify();
    installErrorHandler(app);
    await app.register(mdmRoutes, { mdm: f.services.mdm });
    const body = authenticate();
    for (const signature of [
      brokenSignature(body, forged(HEAVY_KEYS['RSA 8192'])),
      mdmSignature(body, forged(HEAVY_KEYS['RSA 3072 with a 3071-bit exponent'])),
    ]) {
      const res = await app.inject({
        method: 'PUT',
        url: '/mdm/checkin',
        headers: { 'content-type': 'application/x-apple-aspen-mdm-checkin', 'mdm-signature': signature },
        payload: body,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'MDM_SIGNATURE_INVALID' });
    }
    await app.close();
  });
});

describe('an Mdm-Signature made with a certificate this server issued', () => {
  it('is refused as revoked before its signature is checked', async () => {
    const user = await f.services.users.create({ email: 'hanako@example.com', displayName: 'Hanako' }, TEST_CTX);
    const enrollment = f.services.enrollment.create({ userId: user.id, platform: 'ios' }, TEST_ADMIN, null);
    const revoked = issueTestIdentity(f.services, enrollment.id);
    f.services.issued.revoke(revoked.serial, f.clock.now().toISOString(), 'retired');
    const body = authenticate('SECURITY-UDID-2');
    const r = await refusal(body, brokenSignature(body, revoked));
    expect(r).toMatchObject({ code: 'MDM_SIGNATURE_INVALID', message: expect.stringMatching(/revoked/) });
  });

  it.each(Object.entries(HEAVY_KEYS))(
    'is refused for its %s key (issued before key bounds existed) before the key is used',
    async (_name, keyPem) => {
      const user = await f.services.users.create(
        { email: `k${Math.floor(Math.random() * 1e9)}@example.com`, displayName: 'K' },
        TEST_CTX,
      );
      const enrollment = f.services.enrollment.create({ userId: user.id, platform: 'ios' }, TEST_ADMIN, null);
      const heavy = issueTestIdentity(f.services, enrollment.id, f.clock.now(), 'PKCSReq', keyPem);
      const body = authenticate('SECURITY-UDID-3');
      const r = await refusal(body, brokenSignature(body, heavy));
      expect(r).toMatchObject({ code: 'MDM_SIGNATURE_INVALID', message: expect.stringMatching(/key/) });
      expect(r.message).not.toMatch(/does not verify/);
    },
  );

  it('still accepts the genuine identity with a valid signature, and refuses it with a broken one', async () => {
    const body = authenticate();
    const ok = await f.services.mdm.checkin(Buffer.from(body), mdmSignature(body, genuine), '10.0.0.9');
    expect(ok.status).toBe(200);
    const r = await refusal(body, brokenSignature(body, genuine));
    expect(r).toMatchObject({ code: 'MDM_SIGNATURE_INVALID', message: expect.stringMatching(/does not verify/) });
  });
});
