import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { androidFacts } from '../../../tests/helpers/android-agent.js';
import { deviceApp } from '../../../tests/helpers/device-app.js';
import { TEST_ADMIN, TEST_CTX, testFoundation, type TestFoundation } from '../../../tests/helpers/foundation.js';
import { HTTP_STATUS } from '../../core/errors.js';
import type { ErrorCode } from '../../contract/errors.js';

// Real answers of the agent API, from the device app as the server builds it, checked against the published
// document (docs/agent-api.schema.json, which agent.schemas.test.ts keeps equal to the server's schemas) with a
// validator of our own, and every error code against the status docs/agent-api.md gives it.

const DOC = JSON.parse(readFileSync(new URL('../../../docs/agent-api.schema.json', import.meta.url), 'utf8')) as {
  $id: string;
};
const ERRORS_DOC = readFileSync(new URL('../../../docs/agent-api.md', import.meta.url), 'utf8');
const PASSWORD = 'a long password here';

const ajv = new Ajv2020({ allErrors: true, discriminator: true });
ajv.addSchema(DOC);

/** Asserts that `body` is a valid `name` of the published document. */
function conforms(name: string, body: unknown): void {
  const validate = ajv.getSchema(`${DOC.$id}#/$defs/${name}`);
  if (!validate) throw new Error(`the document has no ${name}`);
  expect(validate(body), `${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`).toBe(true);
}

/** The status docs/agent-api.md's error table gives each code (a row: | status | `CODE`, `CODE` | meaning |). */
function documentedStatuses(): Map<string, number> {
  const map = new Map<string, number>();
  for (const row of ERRORS_DOC.matchAll(/^\| (\d{3}) +\|([^|]+)\|/gm))
    for (const code of (row[2] as string).matchAll(/`([A-Z_]+)`/g)) map.set(code[1] as string, Number(row[1]));
  return map;
}

let f: TestFoundation;
let app: FastifyInstance;
let userId: string;
const seen = new Map<string, number>();

beforeAll(async () => {
  f = testFoundation({ start: new Date().toISOString() });
  app = await deviceApp(f);
  userId = (
    await f.services.users.create(
      { email: 'ann@example.com', displayName: 'Ann', password: PASSWORD, locale: 'en' },
      TEST_CTX,
    )
  ).id;
});
afterAll(async () => {
  await app?.close();
  f?.db.close();
});

/** Sends a request; an error answer must be an AgentError with its code's status. */
async function call(options: InjectOptions & { token?: string }): Promise<LightMyRequestResponse> {
  const { token, ...rest } = options;
  const res = await app.inject({
    method: 'POST',
    ...rest,
    headers: { ...rest.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  if (res.statusCode >= 400) {
    const body = res.json<{ code: ErrorCode }>();
    conforms('AgentError', body);
    expect(HTTP_STATUS[body.code], body.code).toBe(res.statusCode);
    seen.set(body.code, res.statusCode);
  }
  return res;
}

const qrToken = (forUser = userId) =>
  (JSON.parse(f.services.agent.enrollmentQr(forUser, null).payload) as { token: string }).token;

async function enrolled(hardwareId: string, apiLevel = 34, forUser = userId): Promise<string> {
  const res = await call({
    url: '/agent/v1/enroll',
    payload: { auth: { method: 'qr', token: qrToken(forUser) }, device: androidFacts(apiLevel, hardwareId) },
  });
  expect(res.statusCode).toBe(201);
  conforms('AgentEnrollResponse', res.json());
  return res.json<{ token: string }>().token;
}

const checkIn = (token: string, hardwareId: string, facts: { adminActive?: boolean } = {}) =>
  call({ url: '/agent/v1/check-in', token, payload: { facts: { ...androidFacts(34, hardwareId), ...facts } } });

describe('the agent API answers as the published schema says', () => {
  it('pins the CA the QR code names: lower-case hex SHA-256 of the DER, no colons', async () => {
    const { caSha256 } = JSON.parse(f.services.agent.enrollmentQr(userId, null).payload) as { caSha256: string };
    expect(caSha256).toMatch(/^[0-9a-f]{64}$/);
    const res = await app.inject({ url: '/agent/v1/ca' });
    expect(res.headers['content-type']).toMatch(/^application\/x-pem-file/);
    expect(createHash('sha256').update(new X509Certificate(res.body).raw).digest('hex')).toBe(caSha256);
  });

  it('enrolls with a password and a QR token, and refuses a used QR token', async () => {
    const res = await call({
      url: '/agent/v1/enroll',
      payload: {
        auth: { method: 'password', email: 'ann@example.com', password: PASSWORD },
        device: androidFacts(34, 'pw1'),
      },
    });
    expect(res.statusCode).toBe(201);
    conforms('AgentEnrollResponse', res.json());
    const token = qrToken();
    const enroll = () =>
      call({ url: '/agent/v1/enroll', payload: { auth: { method: 'qr', token }, device: androidFacts(34, 'qr1') } });
    expect((await enroll()).statusCode).toBe(201);
    expect((await enroll()).json()).toMatchObject({ code: 'LINK_OUTDATED' });
  });

  it('answers check-ins: pending with a reminder, actions re-delivered until reported, active, then stop', async () => {
    const token = await enrolled('life1');
    const pending = await checkIn(token, 'life1');
    expect(pending.json()).toMatchObject({ status: 'pending', reminder: { title: expect.any(String) as string } });
    conforms('AgentCheckInResponse', pending.json());

    const deviceId = f.services.devices.list({ q: 'life1' }).items[0]?.id as string;
    const lock = f.services.agent.queue(deviceId, 'lock', { message: 'Call the office' }, TEST_ADMIN, null);
    const wipe = f.services.agent.queue(deviceId, 'wipe', {}, TEST_ADMIN, null);
    const first = await checkIn(token, 'life1', { adminActive: true });
    expect(first.json()).toMatchObject({
      status: 'active',
      reminder: null,
      stop: false,
      actions: [
        { id: lock.id, type: 'lock', params: { message: 'Call the office' } },
        { id: wipe.id, type: 'wipe', params: {} },
      ],
    });
    conforms('AgentCheckInResponse', first.json());
    // Not reported: both come again, in the same order, with the same ids.
    const again = await checkIn(token, 'life1', { adminActive: true });
    expect(again.json<{ actions: { id: string }[] }>().actions.map((a) => a.id)).toEqual([lock.id, wipe.id]);
    // Reported (and a result for an unknown action, which is ignored): gone from the answer.
    const reported = await call({
      url: '/agent/v1/check-in',
      token,
      payload: {
        facts: { ...androidFacts(34, 'life1'), adminActive: true },
        results: [
          { actionId: lock.id, status: 'done', message: 'locked' },
          { actionId: 'no-such-action', status: 'failed' },
        ],
      },
    });
    expect(reported.json<{ actions: { id: string }[] }>().actions.map((a) => a.id)).toEqual([wipe.id]);
    conforms('AgentCheckInResponse', reported.json());

    const stop = await call({
      url: '/agent/v1/check-in',
      token,
      payload: { facts: androidFacts(34, 'life1'), results: [{ actionId: wipe.id, status: 'done' }] },
    });
    expect(stop.json()).toMatchObject({ status: 'wiped', stop: true, actions: [] });
    conforms('AgentCheckInResponse', stop.json());
    expect((await checkIn(token, 'life1')).json()).toMatchObject({ code: 'AGENT_TOKEN_INVALID' });
  });

  it('rotates the token with no body or an empty object, and refuses anything else', async () => {
    const token = await enrolled('rot1');
    const rotated = await call({ url: '/agent/v1/token/rotate', token });
    expect(rotated.statusCode).toBe(200);
    conforms('AgentTokenRotateResponse', rotated.json());
    const next = rotated.json<{ token: string }>().token;
    expect((await call({ url: '/agent/v1/token/rotate', token })).json()).toMatchObject({
      code: 'AGENT_TOKEN_INVALID',
    });
    const empty = await call({ url: '/agent/v1/token/rotate', token: next, payload: {} });
    expect(empty.statusCode).toBe(200);
    conforms('AgentTokenRotateResponse', empty.json());
    const current = empty.json<{ token: string }>().token;
    expect(
      (await call({ url: '/agent/v1/token/rotate', token: current, payload: { reason: 'x' } })).json(),
    ).toMatchObject({ code: 'UNKNOWN_FIELD', details: { field: 'body.reason' } });
    const blank = await call({
      url: '/agent/v1/token/rotate',
      token: current,
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(blank.json()).toMatchObject({ code: 'MALFORMED_JSON' });
    expect((await call({ url: '/agent/v1/token/rotate' })).json()).toMatchObject({ code: 'AGENT_TOKEN_INVALID' });
  });

  it('answers the configurations and a report, and refuses a report that is not one', async () => {
    const bo = await f.services.users.create({ email: 'bo@example.com', displayName: 'Bo', locale: 'en' }, TEST_CTX);
    const token = await enrolled('conf1', 34, bo.id);
    await checkIn(token, 'conf1', { adminActive: true });
    const res = await call({ method: 'GET', url: '/agent/v1/configurations', token });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    conforms('AgentConfigurationsResponse', res.json());
    const report = (payload: Record<string, unknown>) =>
      call({ url: '/agent/v1/configurations/report', token, payload });
    const ok = await report({
      results: [{ configurationId: 'none', version: 1, status: 'applied' }],
      userCaCertificates: [{ subject: 'CN=x', issuer: 'CN=x', sha256: 'a'.repeat(64), notAfter: '2030-01-01' }],
    });
    expect(ok.statusCode).toBe(200);
    conforms('AgentConfigurationReportResponse', ok.json());
    expect(ok.json()).toEqual({ officeCaInstalled: false, unknownCaCertificates: 1 });
    expect((await report({ results: [] })).json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'body.userCaCertificates' },
    });
    expect((await call({ method: 'GET', url: '/agent/v1/configurations' })).json()).toMatchObject({
      code: 'AGENT_TOKEN_INVALID',
    });
  });

  it('refuses a token on another device', async () => {
    const token = await enrolled('mine1');
    expect((await checkIn(token, 'other1')).json()).toMatchObject({ code: 'AGENT_DEVICE_MISMATCH' });
  });

  it('answers bodies that cannot be read with the error body', async () => {
    const post = (payload: string, type: string, url = '/agent/v1/check-in') =>
      call({ url, headers: { 'content-type': type }, payload });
    expect((await post('{"facts":', 'application/json')).json()).toMatchObject({ code: 'MALFORMED_JSON' });
    expect((await post('<facts/>', 'application/xml')).json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect((await post(' '.repeat(300 * 1024), 'application/json')).json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
    expect((await post('{}', 'application/json')).json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'body.facts', errors: [{ path: 'body.facts' }] },
    });
    expect((await call({ method: 'GET', url: '/agent/v1/enroll' })).json()).toMatchObject({ code: 'NOT_FOUND' });
    expect((await call({ url: '/agent/v2/enroll', payload: {} })).json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses wrong secrets, then locks sign-in for the account and tells when to retry', async () => {
    const attempt = () =>
      call({
        url: '/agent/v1/enroll',
        remoteAddress: '192.0.2.10',
        payload: {
          auth: { method: 'password', email: 'ann@example.com', password: 'wrong' },
          device: androidFacts(34, 'x1'),
        },
      });
    for (let i = 0; i < 5; i++) expect((await attempt()).json()).toMatchObject({ code: 'SIGN_IN_FAILED' });
    expect((await attempt()).json()).toMatchObject({ code: 'SIGN_IN_LOCKED', details: { retryAfterSeconds: 30 } });
    f.clock.advance(30_000);
    const ok = await call({
      url: '/agent/v1/enroll',
      remoteAddress: '192.0.2.11',
      payload: {
        auth: { method: 'password', email: 'ann@example.com', password: PASSWORD },
        device: androidFacts(34, 'x1'),
      },
    });
    expect(ok.statusCode).toBe(201);
  });

  it('answers the PIN errors', async () => {
    const pinUser = await f.services.users.create(
      { email: 'pin@example.com', displayName: 'Pin', locale: 'en' },
      TEST_CTX,
    );
    const { invitations } = await f.services.invitations.invite([pinUser.id], TEST_CTX);
    const { pin } = await f.services.invitations.newPin(invitations[0]?.id as string, TEST_CTX);
    const withPin = (value: string, remoteAddress: string) =>
      call({
        url: '/agent/v1/enroll',
        remoteAddress,
        payload: { auth: { method: 'pin', email: 'pin@example.com', pin: value }, device: androidFacts(34, 'pin1') },
      });
    expect((await withPin(pin, '192.0.2.20')).statusCode).toBe(201);
    expect((await withPin(pin, '192.0.2.21')).json()).toMatchObject({ code: 'PIN_USED' });
    const { pin: second } = await f.services.invitations.newPin(invitations[0]?.id as string, TEST_CTX);
    const wrong = second === '0000' ? '1111' : '0000';
    // Five wrong tries from five addresses lock the PIN (and the email) for a while: even the right PIN waits.
    for (let i = 0; i < 5; i++)
      expect((await withPin(wrong, `192.0.2.${30 + i}`)).json()).toMatchObject({ code: 'SIGN_IN_FAILED' });
    expect((await withPin(second, '192.0.2.41')).json()).toMatchObject({ code: 'SIGN_IN_LOCKED' });
  });

  it('refuses an enrollment over the device limit', async () => {
    const limit = f.services.settings.userSettings().deviceLimitPerUser;
    const full = await f.services.users.create(
      { email: 'full@example.com', displayName: 'Full', locale: 'en' },
      TEST_CTX,
    );
    const qr = () => (JSON.parse(f.services.agent.enrollmentQr(full.id, null).payload) as { token: string }).token;
    const enroll = (n: number) =>
      call({
        url: '/agent/v1/enroll',
        payload: { auth: { method: 'qr', token: qr() }, device: androidFacts(34, `full${n}`) },
      });
    for (let n = 0; n < limit; n++) expect((await enroll(n)).statusCode).toBe(201);
    expect((await enroll(limit)).json()).toMatchObject({ code: 'DEVICE_LIMIT', details: { limit, count: limit } });
  });

  it('documents every error code it answered with, with its status', () => {
    const documented = documentedStatuses();
    for (const [code, status] of seen) expect(documented.get(code), code).toBe(status);
    expect(seen.size).toBeGreaterThanOrEqual(13);
  });
});
