import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_REQUEST_SCHEMAS } from '../../server/modules/agent/agent.schemas.js';
import { AndroidAgent, androidFacts } from '../helpers/android-agent.js';
import { send, type TestResponse } from '../helpers/http.js';
import { largestValue, longestJson } from '../helpers/largest-json.js';
import { local, startHarness, type Harness } from '../helpers/server-harness.js';

// The agent API as a client written from docs/agent-api.md would use it: the QR code's CA pin, then plain
// HTTPS requests over the real device listener, with the largest bodies the published schema allows.

let h: Harness;
let userId: string;

beforeAll(async () => {
  h = await startHarness();
  const res = await h.admin.call('POST', '/api/users', {
    email: 'stranger@example.com',
    displayName: 'Stranger',
    locale: 'en',
    password: 'a long user password',
  });
  userId = res.json<{ id: string }>().id;
});
afterAll(async () => {
  await h.stop();
});

/** The largest body a schema allows, every string character escaped as \uXXXX (the longest compact JSON). */
const largest = (name: keyof typeof AGENT_REQUEST_SCHEMAS) =>
  longestJson(largestValue(JSON.parse(JSON.stringify(AGENT_REQUEST_SCHEMAS[name])) as Record<string, unknown>));

describe('the agent API over the device listener', () => {
  it('accepts the largest check-in and enrollment the schema allows (not 413)', async () => {
    const qr = JSON.parse(h.server.services.agent.enrollmentQr(userId, null).payload) as {
      server: string;
      token: string;
      caSha256: string;
    };
    const ca = await AndroidAgent.pinCa(qr.server, qr.caSha256, { loopback: true });
    const post = (path: string, body: string, token?: string): Promise<TestResponse> =>
      send(local(`${qr.server}${path}`), {
        method: 'POST',
        ca,
        body,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });

    const checkIn = largest('AgentCheckInRequest');
    const { hardwareId } = (JSON.parse(checkIn) as { facts: { hardwareId: string } }).facts;
    const enrolled = await post(
      '/agent/v1/enroll',
      JSON.stringify({ auth: { method: 'qr', token: qr.token }, device: androidFacts(34, hardwareId) }),
    );
    expect(enrolled.status, enrolled.text).toBe(201);
    const { token } = enrolled.json<{ token: string }>();

    expect(Buffer.byteLength(checkIn)).toBeGreaterThan(200 * 1024);
    const answered = await post('/agent/v1/check-in', checkIn, token);
    expect(answered.status, answered.text).toBe(200);
    expect(answered.json()).toMatchObject({ status: 'pending', stop: false });

    // Its credentials are made up: refused for them, not for its size.
    const enroll = await post('/agent/v1/enroll', largest('AgentEnrollRequest'));
    expect(enroll.json()).toMatchObject({ code: 'SIGN_IN_FAILED' });
  });
});
