// Attacks on the helper API (/helper/v1): who may speak for which enrollment, replays of the link token, bursts of
// concurrent sign-ins, and bodies that are too big or carry fields the schema does not have.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelperApiClient, type HelperApiClient } from '../../electron/helper/api-client.js';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { loopbackLookup } from '../helpers/helper-host.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

let h: Harness;
let apns: ApnsMock;
let caPem: string;
let origin: string;
let api: HelperApiClient;
const PASSWORD = 'a long enough password 1';

beforeAll(async () => {
  const pki = fakePushCertificate();
  apns = await startApnsMock(pki.appleCaPem);
  h = await startHarness({ apnsCa: apns.caPem });
  caPem = h.server.services.ca.caCertificate().pem;
  origin = new URL(h.server.enrollmentUrl).origin;
  await h.admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem });
  const ca = h.server.services.ca.caCertificate().fingerprint256.replace(/:/g, '').toLowerCase();
  api = createHelperApiClient({ serverUrl: origin, pinnedCaSha256: () => ca, lookup: loopbackLookup });
});
afterAll(async () => {
  await h.stop();
  await apns.close();
});

async function user(email: string): Promise<void> {
  const res = await h.admin.call('POST', '/api/users', { email, displayName: email, locale: 'en', password: PASSWORD });
  expect(res.status).toBe(201);
}

/** One raw request to the device listener (for what the helper's own client would never send). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const u = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: u.hostname, port: u.port, path, method, headers, ca: caPem, lookup: loopbackLookup, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: { failure?: { code?: string } }) => err.failure?.code ?? 'network',
  );

describe('the helper API under attack', () => {
  it('gives one user nothing of another user’s enrollment', async () => {
    await user('owner@example.com');
    await user('intruder@example.com');
    const owner = await api.signIn({ method: 'password', email: 'owner@example.com', password: PASSWORD });
    const intruder = await api.signIn({ method: 'password', email: 'intruder@example.com', password: PASSWORD });
    const { enrollmentId } = await api.openEnrollment(owner.token);
    expect(await code(api.status(intruder.token, enrollmentId))).toBe('ENROLLMENT_NOT_FOUND');
    expect(await code(api.profile(intruder.token, enrollmentId))).toBe('ENROLLMENT_NOT_FOUND');
    expect(await code(api.status(owner.token, enrollmentId))).toBe('ok');
  });

  it('takes a session only as a Bearer token, never as the portal cookie', async () => {
    await user('cookie@example.com');
    const session = await api.signIn({ method: 'password', email: 'cookie@example.com', password: PASSWORD });
    const host = new URL(origin).host;
    const viaCookie = await raw('POST', '/helper/v1/enrollments', { host, cookie: `tsunagu_portal=${session.token}` });
    expect([viaCookie.status, viaCookie.json.code]).toEqual([401, 'AUTH_REQUIRED']);
    const none = await raw('GET', '/helper/v1/enrollments/abc', { host });
    expect(none.status).toBe(401);
  });

  it('redeems a link token once, even when twenty requests race for it', async () => {
    await user('race@example.com');
    const { principal } = await h.server.services.portal.signIn(
      { email: 'race@example.com', secret: PASSWORD, invite: null },
      null,
    );
    const { token } = h.server.services.portal.createSignInToken(principal, 'portal', null);
    const results = await Promise.all(Array.from({ length: 20 }, () => code(api.signIn({ method: 'token', token }))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(new Set(results.filter((r) => r !== 'ok'))).toEqual(new Set(['LINK_OUTDATED']));
  });

  it('locks sign-in after repeated wrong passwords, for the helper as for the portal', async () => {
    await user('guess@example.com');
    const results: string[] = [];
    for (let i = 0; i < 12; i++) {
      results.push(await code(api.signIn({ method: 'password', email: 'guess@example.com', password: `wrong ${i}` })));
    }
    expect(results[0]).toBe('SIGN_IN_FAILED');
    expect(results.at(-1)).toBe('SIGN_IN_LOCKED');
    // The right password is refused too while the lock holds.
    expect(await code(api.signIn({ method: 'password', email: 'guess@example.com', password: PASSWORD }))).toBe(
      'SIGN_IN_LOCKED',
    );
  });

  it('refuses bodies that are too big, not JSON, or carry unknown fields, with clear codes', async () => {
    const host = new URL(origin).host;
    const json = { host, 'content-type': 'application/json' };
    const big = await raw(
      'POST',
      '/helper/v1/sessions',
      json,
      JSON.stringify({ method: 'token', token: 'x'.repeat(8000) }),
    );
    expect([big.status, big.json.code]).toEqual([413, 'BODY_TOO_LARGE']);
    const extra = await raw(
      'POST',
      '/helper/v1/sessions',
      json,
      JSON.stringify({ method: 'token', token: 't', admin: 1 }),
    );
    expect([extra.status, extra.json.code]).toEqual([400, 'UNKNOWN_FIELD']);
    const broken = await raw('POST', '/helper/v1/sessions', json, '{"method":');
    expect([broken.status, broken.json.code]).toEqual([400, 'MALFORMED_JSON']);
    const badId = await raw('GET', `/helper/v1/enrollments/${'%2F..'.repeat(3)}`, { host, authorization: 'Bearer x' });
    expect(badId.status).toBe(400);
  });

  it('never lets a cache keep an answer', async () => {
    const res = await new Promise<string | undefined>((resolve, reject) => {
      const u = new URL(origin);
      https
        .get({ host: u.hostname, port: u.port, path: '/helper/v1/server', ca: caPem, lookup: loopbackLookup }, (r) => {
          r.resume();
          resolve(r.headers['cache-control']);
        })
        .on('error', reject);
    });
    expect(res).toBe('no-store');
  });
});
