// Attacks on the Android agent's configuration requests, over the real device listener and SQLite file: a device's
// token speaks only for its own device, a Wi-Fi passphrase reaches only the devices it is assigned to, a report that
// is too big or malformed is refused whole, results for configurations the device was not given change nothing, and
// an ended device's token gets nothing.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentUserCaCertificate } from '../../server/contract/agent.js';
import type {
  ConfigurationDetailDto,
  ConfigurationDto,
  ConfigurationInput,
  DeviceDetailDto,
} from '../../server/contract/index.js';
import { AGENT_BODY_LIMIT } from '../../server/modules/agent/agent.schemas.js';
import { AgentApiError, AndroidAgent, androidFacts } from '../helpers/android-agent.js';
import { send } from '../helpers/http.js';
import { addUser, local, startHarness, type Harness } from '../helpers/server-harness.js';

const PASSWORD = 'a long user password';
const PASSPHRASE = 'only-for-ann-42';

let h: Harness;
let base: string;
let caPem: string;
let ann: AndroidAgent;
let bo: AndroidAgent;
let annUser: string;
let boUser: string;
let annWifi: ConfigurationDto;

async function agentFor(email: string): Promise<AndroidAgent> {
  const agent = new AndroidAgent({
    server: base,
    caPem,
    deviceId: null,
    token: null,
    facts: androidFacts(34, randomBytes(8).toString('hex')),
    pendingResults: [],
    locked: false,
    wiped: false,
    retired: false,
    loopback: true,
  });
  await agent.enrollActive({ method: 'password', email, password: PASSWORD });
  return agent;
}

async function create(input: ConfigurationInput): Promise<ConfigurationDto> {
  const res = await h.admin.call('POST', '/api/configurations', input);
  expect(res.status, res.text).toBe(201);
  return res.json<ConfigurationDto>();
}

const wifiFor = (name: string, userIds: string[], password: string): ConfigurationInput => ({
  name,
  platforms: ['android'],
  assignment: { scope: 'users', userIds },
  settings: { kind: 'wifi', ssid: name, security: 'wpa2-personal', password },
});

/** Where a configuration stands on each device, by device id. */
async function states(configurationId: string): Promise<Record<string, string>> {
  const res = await h.admin.call('GET', `/api/configurations/${configurationId}`);
  return Object.fromEntries(
    res.json<ConfigurationDetailDto>().devices.map((d) => [d.deviceId, `${d.state}@${d.installedVersion ?? '-'}`]),
  );
}

async function caReport(agent: AndroidAgent): Promise<DeviceDetailDto['caReport']> {
  return (await h.admin.call('GET', `/api/devices/${agent.state.deviceId}`)).json<DeviceDetailDto>().caReport;
}

const ca = (n: number, notAfter = '2030-01-31T00:00:00Z'): AgentUserCaCertificate => ({
  subject: `CN=Proxy ${n}`,
  issuer: `CN=Proxy ${n}`,
  sha256: n.toString(16).padStart(64, '0'),
  notAfter,
});

beforeAll(async () => {
  h = await startHarness();
  caPem = h.server.services.ca.caCertificate().pem;
  base = h.server.enrollmentUrl.replace(/\/$/, '');
  annUser = await addUser(h, 'ann@example.com', PASSWORD);
  boUser = await addUser(h, 'bo@example.com', PASSWORD);
  ann = await agentFor('ann@example.com');
  bo = await agentFor('bo@example.com');
  annWifi = await create(wifiFor('Ann-Office', [annUser], PASSPHRASE));
});
afterAll(async () => {
  ann?.close();
  bo?.close();
  await h?.stop();
});

describe("the agent's configuration requests", () => {
  it('send the passphrase only to the device it is assigned to', async () => {
    const annGets = await ann.syncConfigurations();
    expect(annGets.configurations.wifi).toMatchObject([{ configurationId: annWifi.id, passphrase: PASSPHRASE }]);
    const boGets = await bo.syncConfigurations();
    expect(boGets.configurations.wifi).toEqual([]);
    expect(JSON.stringify(boGets.configurations)).not.toContain(PASSPHRASE);
    // Nor does the console ever see it.
    expect((await h.admin.call('GET', `/api/configurations/${annWifi.id}`)).text).not.toContain(PASSPHRASE);
  });

  it("let one device's token neither read nor report for another device", async () => {
    // Bo reports Ann's configuration as applied and a CA; neither reaches Ann's device.
    const before = await states(annWifi.id);
    await bo.reportConfigurations({
      results: [{ configurationId: annWifi.id, version: annWifi.version, status: 'applied' }],
      userCaCertificates: [ca(1)],
    });
    expect(await states(annWifi.id)).toEqual(before);
    expect(Object.keys(before)).toEqual([ann.state.deviceId]);
    expect((await caReport(bo))?.certificates.map((c) => c.sha256)).toEqual([ca(1).sha256]);
    expect((await caReport(ann))?.certificates.map((c) => c.sha256)).not.toContain(ca(1).sha256);
  });

  it('ignore a result for a configuration the device was not given, or for another version', async () => {
    // Bo's network, and a network of Ann's for her iPhone only: neither is given to Ann's Android device.
    const bos = await create(wifiFor('Bo-Office', [boUser], 'for-bo-only-1'));
    const iphone = await create({ ...wifiFor('Ann-iPhone', [annUser], 'for-ann-iphone-1'), platforms: ['ios'] });
    const annRow = (await states(annWifi.id))[ann.state.deviceId as string];
    await ann.reportConfigurations({
      results: [
        { configurationId: bos.id, version: 1, status: 'applied' },
        { configurationId: iphone.id, version: 1, status: 'applied' },
        { configurationId: annWifi.id, version: annWifi.version + 7, status: 'failed', message: 'forged' },
        { configurationId: annWifi.id, version: annWifi.version, status: 'removed' },
      ],
      userCaCertificates: [],
    });
    expect(Object.keys(await states(bos.id))).not.toContain(ann.state.deviceId);
    expect(await states(iphone.id)).toEqual({});
    expect((await states(annWifi.id))[ann.state.deviceId as string]).toBe(annRow);
  });

  it('refuse an oversize or malformed report with 400 and a clear message, and write nothing', async () => {
    // A pending result and a CA on record: neither may change.
    const held = await create(wifiFor('Held', [annUser], 'held-passphrase-9'));
    const got = await ann.syncConfigurations();
    expect(got.configurations.wifi.map((w) => w.configurationId)).toContain(held.id);
    const stateBefore = await states(held.id);
    await ann.reportConfigurations({ results: [], userCaCertificates: [ca(5)] });
    const caBefore = await caReport(ann);
    const good = { configurationId: held.id, version: held.version, status: 'applied' as const };
    const cases: [string, unknown, string, string][] = [
      [
        'too many certificates',
        { results: [good], userCaCertificates: Array.from({ length: 33 }, (_, i) => ca(i)) },
        'VALIDATION_FAILED',
        'body.userCaCertificates',
      ],
      [
        'a fingerprint that is not 64 hex digits',
        { results: [good], userCaCertificates: [{ ...ca(2), sha256: 'AB:CD' }] },
        'VALIDATION_FAILED',
        'body.userCaCertificates.0.sha256',
      ],
      [
        'a long subject',
        { results: [good], userCaCertificates: [{ ...ca(2), subject: 'x'.repeat(129) }] },
        'VALIDATION_FAILED',
        'body.userCaCertificates.0.subject',
      ],
      [
        'a date that is not one',
        { results: [good], userCaCertificates: [ca(2), ca(3, 'tomorrow')] },
        'VALIDATION_FAILED',
        'body.userCaCertificates.1.notAfter',
      ],
      [
        'an unknown status',
        { results: [{ ...good, status: 'installed' }], userCaCertificates: [] },
        'VALIDATION_FAILED',
        'body.results.0.status',
      ],
      [
        'a field of its own',
        { results: [good], userCaCertificates: [], deviceId: 'x' },
        'UNKNOWN_FIELD',
        'body.deviceId',
      ],
      [
        'too many results',
        { results: Array.from({ length: 51 }, () => good), userCaCertificates: [] },
        'VALIDATION_FAILED',
        'body.results',
      ],
    ];
    for (const [what, body, code, field] of cases) {
      const err = await ann.reportConfigurations(body as never).catch((e: unknown) => e);
      expect(err, what).toBeInstanceOf(AgentApiError);
      expect({ what, status: (err as AgentApiError).status, code: (err as AgentApiError).code }).toEqual({
        what,
        status: 400,
        code,
      });
      expect((err as AgentApiError).message, what).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')} `));
    }
    const huge = await send(local(`${base}/agent/v1/configurations/report`), {
      method: 'POST',
      ca: caPem,
      body: `{"results":[],"userCaCertificates":[]}${' '.repeat(AGENT_BODY_LIMIT.report)}`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ann.state.token as string}` },
    });
    expect(huge.status).toBe(413);
    expect(await states(held.id)).toEqual(stateBefore);
    expect(await caReport(ann)).toEqual(caBefore);
  });

  it("give a retired device's token nothing", async () => {
    const carl = await addUser(h, 'carl@example.com', PASSWORD);
    const agent = await agentFor('carl@example.com');
    await create(wifiFor('Carl-Office', [carl], 'carl-passphrase-1'));
    expect((await agent.syncConfigurations()).configurations.wifi).toHaveLength(1);
    const res = await h.admin.call('POST', '/api/devices/actions', {
      action: 'retire',
      deviceIds: [agent.state.deviceId],
    });
    expect(res.status, res.text).toBe(200);
    await agent.checkIn(); // gets the retire action
    expect((await agent.checkIn()).stop).toBe(true); // reports it done
    await expect(agent.syncConfigurations()).rejects.toMatchObject({ status: 401, code: 'AGENT_TOKEN_INVALID' });
    await expect(agent.reportConfigurations({ results: [], userCaCertificates: [ca(9)] })).rejects.toMatchObject({
      status: 401,
      code: 'AGENT_TOKEN_INVALID',
    });
    const detail = (await h.admin.call('GET', `/api/devices/${agent.state.deviceId}`)).json<DeviceDetailDto>();
    expect(detail.caReport?.certificates).toEqual([]);
    agent.close();
  });
});
