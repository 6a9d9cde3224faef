// The setup wizard's routes, attacked first: CA import of what is not a usable office CA (a server certificate, a key
// of another certificate, huge or odd RSA keys, an expired CA, an oversized body, a CA swap while devices depend on
// the current one), host names and organisation names that are not names, and every route without a session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN } from '../helpers/foundation.js';
import { AdminClient } from '../helpers/http.js';
import { issueTestIdentity } from '../helpers/mdm-identity.js';
import { caWithRsaModulus, importableCa } from '../helpers/office-ca.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

let h: Harness;
let caBefore: string;

beforeAll(async () => {
  h = await startHarness({ env: { TSUNAGU_HOSTNAMES: '' } });
  caBefore = h.server.services.ca.caCertificate().fingerprint256;
});
afterAll(async () => {
  await h.stop();
});

const DAY = 86_400_000;

describe('CA import refuses what cannot be the office CA, and keeps the current one', () => {
  const good = () => importableCa();
  it.each([
    ['a server certificate (not a CA)', () => importableCa({ ca: false }), 'certificatePem', 'notCa'],
    [
      'a key that belongs to another certificate',
      () => ({ ...good(), privateKeyPem: good().privateKeyPem }),
      'privateKeyPem',
      'keyMismatch',
    ],
    ['an RSA key of 8192 bits', () => caWithRsaModulus(8192), 'certificatePem', 'keyNotAllowed'],
    ['an RSA key of 1024 bits', () => caWithRsaModulus(1024), 'certificatePem', 'keyNotAllowed'],
    ['an RSA key with exponent 3', () => caWithRsaModulus(2048, 'Aw'), 'certificatePem', 'keyNotAllowed'],
    [
      'an expired CA',
      () => importableCa({ notBefore: new Date(Date.now() - 20 * DAY), notAfter: new Date(Date.now() - DAY) }),
      'certificatePem',
      'notValidNow',
    ],
    [
      'a garbage key',
      () => ({ ...good(), privateKeyPem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' }),
      'privateKeyPem',
      'keyMismatch',
    ],
  ])('%s', async (_what, make, field, reason) => {
    const res = await h.admin.call('PUT', '/api/setup/ca', make());
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: { field, reason } });
    expect(h.server.services.ca.caCertificate().fingerprint256).toBe(caBefore);
  });

  it('two certificates, or none, are refused with what to paste', async () => {
    const a = good();
    const two = await h.admin.call('PUT', '/api/setup/ca', {
      ...a,
      certificatePem: a.certificatePem + a.certificatePem,
    });
    expect(two.status).toBe(400);
    const none = await h.admin.call('PUT', '/api/setup/ca', { ...a, certificatePem: 'hello' });
    expect(none.status).toBe(400);
    expect(none.json<{ message: string }>().message).toMatch(/PEM/);
  });

  it('a body over the limit is refused before it is read', async () => {
    const res = await h.admin.call('PUT', '/api/setup/ca', { certificatePem: 'A'.repeat(70_000), privateKeyPem: 'x' });
    expect(res.status).toBe(413);
  });

  it('unknown fields are refused', async () => {
    const res = await h.admin.call('PUT', '/api/setup/ca', { ...good(), chainPem: '' });
    expect(res.status).toBe(400);
  });

  it('is refused while devices hold certificates of the current CA, saying why', async () => {
    const user = (await h.admin.call('POST', '/api/users', { email: 'dev@example.com', displayName: 'Dev' })).json<{
      id: string;
    }>();
    const enrollment = h.server.services.enrollment.create({ userId: user.id, platform: 'ios' }, TEST_ADMIN, null);
    const identity = issueTestIdentity(h.server.services, enrollment.id);
    try {
      const res = await h.admin.call('PUT', '/api/setup/ca', good());
      expect(res.status).toBe(409);
      const body = res.json<{ code: string; message: string }>();
      expect(body.code).toBe('CA_IN_USE');
      expect(body.message).toMatch(/1 device certificate .* still valid/);
      expect(h.server.services.ca.caCertificate().fingerprint256).toBe(caBefore);
    } finally {
      h.server.services.issued.revoke(identity.serial, new Date().toISOString(), 'test');
    }
  });
});

describe('host names and the organisation name', () => {
  it.each([
    [['192.168.1.10']],
    [['*.office.lan']],
    [['mdm office']],
    [[`${'a'.repeat(64)}.lan`]],
    [[]],
    [Array.from({ length: 9 }, (_, i) => `h${i}.lan`)],
  ])('refuses host names %j', async (names) => {
    const before = (await h.admin.call('GET', '/api/setup/hostnames')).json();
    const res = await h.admin.call('PUT', '/api/setup/hostnames', { names });
    expect(res.status).toBe(400);
    expect((await h.admin.call('GET', '/api/setup/hostnames')).json()).toEqual(before);
  });

  it('refuses a list longer than the schema allows before the service sees it', async () => {
    const res = await h.admin.call('PUT', '/api/setup/hostnames', {
      names: Array.from({ length: 100 }, () => 'a.lan'),
    });
    expect(res.status).toBe(400);
  });

  it.each([[''], ['   '], ['a'.repeat(65)], ['Office\u0000IT'], ['Office\nIT']])(
    'refuses organisation %j',
    async (name) => {
      const res = await h.admin.call('PUT', '/api/setup/organization', { name });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'name' } });
    },
  );

  it('refuses a wizard step that does not exist', async () => {
    expect((await h.admin.call('PUT', '/api/setup/wizard', { step: 'nope' })).status).toBe(400);
    expect((await h.admin.call('PUT', '/api/setup/wizard', { skip: 'checklist' })).status).toBe(400);
  });
});

describe('TSUNAGU_HOSTNAMES wins', () => {
  it('the console cannot change names the environment sets, and says so', async () => {
    const env = await startHarness();
    try {
      const got = (await env.admin.call('GET', '/api/setup/hostnames')).json();
      expect(got).toMatchObject({ names: ['tsunagu.test'], fromEnv: true });
      const res = await env.admin.call('PUT', '/api/setup/hostnames', { names: ['mdm.office.lan'] });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ details: { reason: 'fromEnv' } });
      expect(res.json<{ message: string }>().message).toMatch(/TSUNAGU_HOSTNAMES/);
    } finally {
      await env.stop();
    }
  });
});

describe('every /api/setup/* route needs a signed-in administrator', () => {
  it.each([
    ['GET', '/api/setup/wizard'],
    ['PUT', '/api/setup/wizard'],
    ['GET', '/api/setup/organization'],
    ['PUT', '/api/setup/organization'],
    ['GET', '/api/setup/hostnames'],
    ['PUT', '/api/setup/hostnames'],
    ['POST', '/api/setup/hostnames/check'],
    ['PUT', '/api/setup/ca'],
    ['GET', '/api/setup/checklist'],
  ])('%s %s', async (method, path) => {
    const anonymous = new AdminClient(h.server.adminUrl);
    const res = await anonymous.call(method, path, method === 'GET' ? undefined : {});
    expect(res.status).toBe(401);
  });
});
