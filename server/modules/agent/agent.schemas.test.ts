import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { androidFacts } from '../../../tests/helpers/android-agent.js';
import { deviceApp } from '../../../tests/helpers/device-app.js';
import { testFoundation, TEST_CTX, type TestFoundation } from '../../../tests/helpers/foundation.js';
import { largestValue, longestJson } from '../../../tests/helpers/largest-json.js';
import { DEVICE_BODY_LIMIT } from '../../app.js';
import { agentSchemaDocument } from './agent-schema-document.js';
import { AGENT_BODY_LIMIT, AGENT_REQUEST_SCHEMAS } from './agent.schemas.js';

const FILE = new URL('../../../docs/agent-api.schema.json', import.meta.url);
const DOCS = readFileSync(new URL('../../../docs/agent-api.md', import.meta.url), 'utf8');

describe('the published agent API schema', () => {
  it('matches the schemas the server validates with (UPDATE_AGENT_SCHEMA=1 rewrites it)', () => {
    const expected = `${JSON.stringify(agentSchemaDocument(), null, 2)}\n`;
    if (process.env.UPDATE_AGENT_SCHEMA === '1') writeFileSync(FILE, expected);
    expect(readFileSync(FILE, 'utf8')).toBe(expected);
  });

  it('compiles with a strict draft 2020-12 validator', () => {
    const ajv = new Ajv2020({ strict: true, discriminator: true });
    expect(() =>
      ajv
        .addSchema(JSON.parse(readFileSync(FILE, 'utf8')) as object)
        .compile({ $ref: 'https://tsunagu.app/schemas/agent-api/v1.json' }),
    ).not.toThrow();
  });
});

const requests = [
  ['AgentEnrollRequest', 'enroll'],
  ['AgentCheckInRequest', 'checkIn'],
  ['AgentTokenRotateRequest', 'rotate'],
  ['AgentConfigurationReport', 'report'],
] as const;

describe('the body limits', () => {
  const schema = (name: keyof typeof AGENT_REQUEST_SCHEMAS) =>
    JSON.parse(JSON.stringify(AGENT_REQUEST_SCHEMAS[name])) as Record<string, unknown>;

  it.each(requests)('hold the largest %s the schema allows, however its strings are escaped', (name, route) => {
    const largest = largestValue(schema(name));
    const validate = new Ajv2020({ strict: false, discriminator: true }).compile(schema(name));
    expect(validate(largest), JSON.stringify(validate.errors)).toBe(true);
    const bytes = longestJson(largest).length;
    expect(bytes).toBeLessThanOrEqual(AGENT_BODY_LIMIT[route]);
    // And not far bigger than that: the limit stays close to what the schema needs, so it still guards the server.
    expect(AGENT_BODY_LIMIT[route]).toBeLessThanOrEqual(Math.max(2 * bytes, 1024));
    expect(AGENT_BODY_LIMIT[route]).toBeLessThanOrEqual(DEVICE_BODY_LIMIT);
  });

  it('are the ones docs/agent-api.md gives', () => {
    for (const [, route] of requests) expect(DOCS).toContain(`${AGENT_BODY_LIMIT[route]} bytes`);
  });
});

describe('the largest requests the schema allows', () => {
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
  const post = (url: string, payload: string, token?: string) =>
    app.inject({
      method: 'POST',
      url,
      payload,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  const largest = (name: keyof typeof AGENT_REQUEST_SCHEMAS) =>
    longestJson(largestValue(JSON.parse(JSON.stringify(AGENT_REQUEST_SCHEMAS[name])) as Record<string, unknown>));

  it('are accepted: a check-in, an enrollment, a report and a rotation, each written as long as JSON allows', async () => {
    const user = await f.services.users.create({ email: 'big@example.com', displayName: 'Big' }, TEST_CTX);
    const qr = JSON.parse(f.services.agent.enrollmentQr(user.id, null).payload) as { token: string };
    const checkIn = JSON.parse(largest('AgentCheckInRequest')) as { facts: { hardwareId: string } };
    const { token } = await f.services.agent.enroll(
      { auth: { method: 'qr', token: qr.token }, device: androidFacts(34, checkIn.facts.hardwareId) },
      null,
    );

    const res = await post('/agent/v1/check-in', largest('AgentCheckInRequest'), token);
    expect(res.statusCode, res.body).toBe(200);
    // Nothing the password branch could carry is too big either; the credentials are made up, so: refused.
    const enroll = await post('/agent/v1/enroll', largest('AgentEnrollRequest'));
    expect(enroll.json()).toMatchObject({ code: 'SIGN_IN_FAILED' });
    // The largest report's dates are not dates: refused for that, not for its size; with real dates, accepted.
    const report = await post('/agent/v1/configurations/report', largest('AgentConfigurationReport'), token);
    expect(report.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'body.userCaCertificates.0.notAfter' },
    });
    const dated = JSON.parse(largest('AgentConfigurationReport')) as {
      userCaCertificates: { sha256: string; notAfter: string }[];
    };
    dated.userCaCertificates.forEach((c, i) => {
      c.sha256 = i.toString(16).padStart(64, '0');
      c.notAfter = '2030-01-31T00:00:00.000Z';
    });
    const accepted = await post('/agent/v1/configurations/report', JSON.stringify(dated), token);
    expect(accepted.statusCode, accepted.body).toBe(200);
    const rotate = await post('/agent/v1/token/rotate', largest('AgentTokenRotateRequest'), token);
    expect(rotate.statusCode, rotate.body).toBe(200);
  });

  it.each(requests)('%s: one byte over the limit is refused with 413 BODY_TOO_LARGE', async (_name, route) => {
    const url = {
      enroll: '/agent/v1/enroll',
      checkIn: '/agent/v1/check-in',
      rotate: '/agent/v1/token/rotate',
      report: '/agent/v1/configurations/report',
    }[route];
    const res = await post(url, `{}${' '.repeat(AGENT_BODY_LIMIT[route] - 1)}`);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
    expect((await post(url, `{}${' '.repeat(AGENT_BODY_LIMIT[route] - 2)}`)).statusCode).not.toBe(413);
  });
});
