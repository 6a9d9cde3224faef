import { X509Certificate } from 'node:crypto';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { SeededRandom } from '../../core/random.js';
import { buildScepRequest, createCsr, parseCertRep, selfSignedIdentity } from '../../../tests/helpers/scep-client.js';
import { testKey } from '../../../tests/helpers/scep-fixtures.js';
import {
  buildScepApp,
  createTestAudit,
  createTestCa,
  MemoryChallenges,
  MemoryIssuedCertificates,
} from '../../../tests/helpers/scep-harness.js';
import { decodeGetMessage, scepRoutes } from './scep.routes.js';
import { createScepService } from './scep.service.js';

const clock = new FakeClock('2026-04-01T09:00:00.000Z');
const random = new SeededRandom(21);
const ca = createTestCa({ now: clock.now(), random });
const challenges = new MemoryChallenges(clock, random);
const scep = createScepService({
  ca: () => ca,
  challenges,
  templates: challenges,
  certificates: new MemoryIssuedCertificates(),
  audit: createTestAudit(clock, random).audit,
  clock,
  random,
});
const app = await buildScepApp(scep);
afterAll(async () => {
  await app.close();
  await scep.close();
});

function request() {
  const csr = createCsr({
    keyPem: testKey('device'),
    subject: [{ shortName: 'CN', value: 'dev-1' }],
    challenge: challenges.issue(),
  });
  return buildScepRequest({
    csr,
    signer: selfSignedIdentity(testKey('signer'), { now: clock.now(), random }),
    caCertPem: ca.certPem,
    random,
    now: clock.now(),
  });
}

describe('GET /scep', () => {
  it('answers GetCACaps in text/plain, ignoring a message parameter', async () => {
    const res = await app.inject({ method: 'GET', url: '/scep?operation=GetCACaps&message=whatever' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toBe('POSTPKIOperation\nSHA-256\nAES\nSCEPStandard\nRenewal\nSHA-1\nDES3');
  });

  it('answers GetCACert with the DER CA certificate', async () => {
    const res = await app.inject({ method: 'GET', url: '/scep?operation=GetCACert&message=CAIdentifier' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-x509-ca-cert');
    expect(new X509Certificate(res.rawPayload).fingerprint256).toBe(new X509Certificate(ca.certPem).fingerprint256);
  });

  it.each([
    ['URL-escaped base64', (b64: string) => encodeURIComponent(b64)],
    ['unescaped + that arrives as spaces', (b64: string) => b64.replace(/\//g, '%2F').replace(/=/g, '%3D')],
  ])('runs PKIOperation with a %s message', async (_name, escape) => {
    const req = request();
    const b64 = req.der.toString('base64');
    expect(b64).toContain('+');
    const res = await app.inject({ method: 'GET', url: `/scep?operation=PKIOperation&message=${escape(b64)}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-pki-message');
    expect(parseCertRep(res.rawPayload, req).status).toBe('SUCCESS');
  });

  it.each([
    ['/scep', 'operation parameter is missing'],
    ['/scep?operation=GetNextCACert', 'Unknown SCEP operation "GetNextCACert"'],
    ['/scep?operation=PKIOperation', 'needs the message parameter'],
    ['/scep?operation=PKIOperation&message=%%%', 'not base64'],
    ['/scep?operation=PKIOperation&message=abcde', 'not base64'],
    ['/scep?operation=GetCACaps&operation=GetCACert', 'only once'],
    ['/scep?operation=PKIOperation&message=aGVsbG8gd29ybGQ%3D', 'could not be read'],
  ])('answers 400 VALIDATION_FAILED for %s', async (url, text) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining(text) });
  });
});

describe('POST /scep', () => {
  it.each(['application/x-pki-message', 'application/octet-stream', 'Application/X-PKI-Message; charset=binary'])(
    'runs PKIOperation with Content-Type %s',
    async (contentType) => {
      const req = request();
      const res = await app.inject({
        method: 'POST',
        url: '/scep?operation=PKIOperation',
        headers: { 'content-type': contentType },
        payload: req.der,
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/x-pki-message');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(parseCertRep(res.rawPayload, req).status).toBe('SUCCESS');
    },
  );

  it('answers a refused challenge with HTTP 200 and a CertRep FAILURE', async () => {
    const csr = createCsr({
      keyPem: testKey('device'),
      subject: [{ shortName: 'CN', value: 'dev-1' }],
      challenge: 'wrong',
    });
    const req = buildScepRequest({
      csr,
      signer: selfSignedIdentity(testKey('signer'), { now: clock.now(), random }),
      caCertPem: ca.certPem,
      random,
      now: clock.now(),
    });
    const res = await app.inject({
      method: 'POST',
      url: '/scep?operation=PKIOperation',
      headers: { 'content-type': 'application/x-pki-message' },
      payload: req.der,
    });
    expect(res.statusCode).toBe(200);
    expect(parseCertRep(res.rawPayload, req)).toMatchObject({ status: 'FAILURE', failInfo: 'badRequest' });
  });

  it.each([
    ['application/json', '{"a":1}'],
    ['text/plain', 'hello'],
    [undefined, 'x'],
  ])('answers 415 for Content-Type %s', async (contentType, payload) => {
    const res = await app.inject({
      method: 'POST',
      url: '/scep?operation=PKIOperation',
      headers: contentType ? { 'content-type': contentType } : {},
      payload,
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringContaining('application/x-pki-message'),
    });
  });

  it('answers 413 for a body over 64 KiB', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/scep?operation=PKIOperation',
      headers: { 'content-type': 'application/x-pki-message' },
      payload: Buffer.alloc(64 * 1024 + 1, 0x30),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
  });

  it.each([
    ['/scep?operation=PKIOperation', Buffer.alloc(0), 'needs the DER pkiMessage'],
    ['/scep?operation=PKIOperation', Buffer.from('not a message'), 'could not be read'],
    ['/scep?operation=GetCACaps', Buffer.from('x'), 'GetCACaps uses GET'],
    ['/scep?operation=Nope', Buffer.from('x'), 'Unknown SCEP operation'],
    ['/scep', Buffer.from('x'), 'operation parameter is missing'],
  ])('answers 400 for POST %s with a bad body or operation', async (url, payload, text) => {
    const res = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-pki-message' },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining(text) });
  });
});

describe('scepRoutes inside a larger app', () => {
  it('registers beside a parent that already parses application/octet-stream, without changing the parent', async () => {
    const parent = Fastify({ logger: false });
    parent.addContentTypeParser('application/octet-stream', { parseAs: 'string' }, (_request, body, done) =>
      done(null, `parent:${String(body)}`),
    );
    parent.post('/other', async (request) => ({ body: request.body }));
    await parent.register(scepRoutes, { scep });
    const req = request();
    const rep = await parent.inject({
      method: 'POST',
      url: '/scep?operation=PKIOperation',
      headers: { 'content-type': 'application/octet-stream' },
      payload: req.der,
    });
    expect(parseCertRep(rep.rawPayload, req).status).toBe('SUCCESS');
    const other = await parent.inject({
      method: 'POST',
      url: '/other',
      headers: { 'content-type': 'application/octet-stream' },
      payload: 'x',
    });
    expect(other.json()).toEqual({ body: 'parent:x' });
    await parent.close();
  });
});

describe('decodeGetMessage', () => {
  it('restores + from spaces and ignores line breaks', () => {
    expect(decodeGetMessage(' /8=').equals(Buffer.from('+/8=', 'base64'))).toBe(true);
    expect(decodeGetMessage('AAAA\r\nAAAA').equals(Buffer.alloc(6))).toBe(true);
  });
});
