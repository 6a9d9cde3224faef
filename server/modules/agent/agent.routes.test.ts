import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { androidFacts } from '../../../tests/helpers/android-agent.js';
import { deviceApp } from '../../../tests/helpers/device-app.js';
import { testFoundation, type TestFoundation } from '../../../tests/helpers/foundation.js';

let f: TestFoundation;
let app: FastifyInstance;

beforeAll(async () => {
  f = testFoundation({ start: new Date().toISOString() });
  app = await deviceApp(f);
});
afterAll(async () => {
  await app?.close();
  f?.db.close();
});

const enroll = (auth: unknown) =>
  app.inject({ method: 'POST', url: '/agent/v1/enroll', payload: { auth, device: androidFacts(34, 'a1b2c3') } });

describe('an enrollment whose auth does not validate', () => {
  const email = 'ann@example.com';
  it.each([
    ['a too-long PIN', { method: 'pin', email, pin: '1'.repeat(13) }, 'VALIDATION_FAILED', 'body.auth.pin'],
    ['a PIN method without its PIN', { method: 'pin', email }, 'VALIDATION_FAILED', 'body.auth.pin'],
    ['a PIN that is not a string', { method: 'pin', email, pin: 1234 }, 'VALIDATION_FAILED', 'body.auth.pin'],
    [
      'a PIN sent as a password',
      { method: 'pin', email, pin: '1234', password: 'x' },
      'UNKNOWN_FIELD',
      'body.auth.password',
    ],
    [
      'a too-long email with a PIN',
      { method: 'pin', email: 'a'.repeat(321), pin: '1234' },
      'VALIDATION_FAILED',
      'body.auth.email',
    ],
    ['a too-long QR token', { method: 'qr', token: 't'.repeat(101) }, 'VALIDATION_FAILED', 'body.auth.token'],
    ['a QR token that is not a string', { method: 'qr', token: 7 }, 'VALIDATION_FAILED', 'body.auth.token'],
    ['a QR method without its token', { method: 'qr' }, 'VALIDATION_FAILED', 'body.auth.token'],
    ['an email with a QR token', { method: 'qr', token: 'abc', email }, 'UNKNOWN_FIELD', 'body.auth.email'],
    [
      'a too-long password',
      { method: 'password', email, password: 'p'.repeat(1025) },
      'VALIDATION_FAILED',
      'body.auth.password',
    ],
    [
      'a password method without its email',
      { method: 'password', password: 'pw' },
      'VALIDATION_FAILED',
      'body.auth.email',
    ],
    ['an unknown method', { method: 'sms', email, pin: '1234' }, 'VALIDATION_FAILED', 'body.auth.method'],
    ['a method that is not a string', { method: 1, token: 'abc' }, 'VALIDATION_FAILED', 'body.auth.method'],
    ['no method', { email, password: 'pw' }, 'VALIDATION_FAILED', 'body.auth.method'],
    ['an auth that is not an object', 'password', 'VALIDATION_FAILED', 'body.auth'],
  ])('names the wrong field: %s', async (_case, auth, code, field) => {
    const res = await enroll(auth);
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: string; message: string; details: { field: string } }>();
    expect(body).toMatchObject({ code, details: { field } });
    expect(body.message.startsWith(`${field} `), body.message).toBe(true);
  });

  it('says what is wrong with an unknown method in words about the request', async () => {
    const res = await enroll({ method: 'sms' });
    expect(res.json<{ message: string }>().message).toBe(
      'body.auth.method must be equal to one of the allowed values.',
    );
  });
});
