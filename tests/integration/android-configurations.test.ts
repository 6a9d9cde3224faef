// Configurations on Android, end to end: the reference agent enrolls over the real device listener, gets the Wi-Fi
// network assigned to its user, suggests it and reports it; an edit is re-applied, an unassignment removed, and the
// user CA certificates it reports reach the console, the office CA told apart from the others. Every answer is
// checked against the published schema document.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditEventDto,
  ConfigurationDetailDto,
  ConfigurationDto,
  ConfigurationInput,
  DeviceDetailDto,
} from '../../server/contract/index.js';
import { AndroidAgent, androidFacts } from '../helpers/android-agent.js';
import { importableCa } from '../helpers/office-ca.js';
import { addUser, startHarness, type Harness } from '../helpers/server-harness.js';

const PASSWORD = 'a long user password';
const DOC = JSON.parse(readFileSync(new URL('../../docs/agent-api.schema.json', import.meta.url), 'utf8')) as {
  $id: string;
};
const ajv = new Ajv2020({ allErrors: true, discriminator: true }).addSchema(DOC);
const conforms = (name: string, body: unknown) => {
  const validate = ajv.getSchema(`${DOC.$id}#/$defs/${name}`);
  expect(validate?.(body), `${name}: ${ajv.errorsText(validate?.errors)}`).toBe(true);
};

let h: Harness;
let agent: AndroidAgent;
let userId: string;
let otherId: string;

beforeAll(async () => {
  h = await startHarness();
  userId = await addUser(h, 'android@example.com', PASSWORD);
  otherId = await addUser(h, 'other@example.com', PASSWORD);
  agent = new AndroidAgent({
    server: h.server.enrollmentUrl.replace(/\/$/, ''),
    caPem: h.server.services.ca.caCertificate().pem,
    deviceId: null,
    token: null,
    facts: androidFacts(34, randomBytes(8).toString('hex')),
    pendingResults: [],
    locked: false,
    wiped: false,
    retired: false,
    loopback: true,
  });
  await agent.enrollActive({ method: 'password', email: 'android@example.com', password: PASSWORD });
});
afterAll(async () => {
  agent?.close();
  await h?.stop();
});

const input = (password: string, userIds = [userId]): ConfigurationInput => ({
  name: 'Office Wi-Fi',
  platforms: ['ios', 'android'],
  assignment: { scope: 'users', userIds },
  settings: { kind: 'wifi', ssid: 'Office', security: 'wpa3-personal', password, hidden: true },
});

/** The configuration's state on the agent's device, with the versions. */
async function onDevice(id: string) {
  const res = await h.admin.call('GET', `/api/configurations/${id}`);
  const row = res.json<ConfigurationDetailDto>().devices.find((d) => d.deviceId === agent.state.deviceId);
  return (
    row && { state: row.state, installed: row.installedVersion, desired: row.desiredVersion, channel: row.channel }
  );
}

/** Fetches, applies and reports, checking both answers against the published document. */
async function sync() {
  const out = await agent.syncConfigurations();
  conforms('AgentConfigurationsResponse', out.configurations);
  conforms('AgentConfigurationReportResponse', out.report);
  return out;
}

describe('the reference agent applies and reports the Android configuration', () => {
  let config: ConfigurationDto;

  it('gets the Wi-Fi network assigned to its user, suggests it, and the console shows it installed', async () => {
    const created = await h.admin.call('POST', '/api/configurations', input('first passphrase'));
    expect(created.status, created.text).toBe(201);
    config = created.json<ConfigurationDto>();

    const { configurations } = await sync();
    expect(configurations.wifi).toEqual([
      {
        configurationId: config.id,
        version: 1,
        ssid: 'Office',
        security: 'wpa3-personal',
        passphrase: 'first passphrase',
        hidden: true,
        autoJoin: true,
      },
    ]);
    expect(agent.state.wifiSuggestions?.[config.id]?.version).toBe(1);
    expect(await onDevice(config.id)).toEqual({ state: 'installed', installed: 1, desired: 1, channel: 'agent' });
  });

  it('re-applies an edited network as its new version', async () => {
    const edited = await h.admin.call('PUT', `/api/configurations/${config.id}`, input('second passphrase'));
    expect(edited.status, edited.text).toBe(200);
    expect(edited.json<ConfigurationDto>().version).toBe(2);
    const { configurations } = await sync();
    expect(configurations.wifi).toMatchObject([{ version: 2, passphrase: 'second passphrase' }]);
    expect(agent.state.wifiSuggestions?.[config.id]).toMatchObject({ version: 2, passphrase: 'second passphrase' });
    expect(await onDevice(config.id)).toMatchObject({ state: 'installed', installed: 2 });
  });

  it('removes the network once it is no longer assigned', async () => {
    const moved = await h.admin.call('PUT', `/api/configurations/${config.id}`, input('second passphrase', [otherId]));
    expect(moved.status, moved.text).toBe(200);
    const { configurations } = await sync();
    expect(configurations.wifi).toEqual([]);
    expect(agent.state.wifiSuggestions).toEqual({});
    expect(await onDevice(config.id)).toMatchObject({ state: 'removed', installed: null });
  });

  it('reports the user CA certificates: the office CA by the given steps, and a flagged unknown one', async () => {
    const { configurations } = await sync();
    const office = configurations.officeCa;
    expect(office.steps.ja.length).toBeGreaterThan(2);
    expect(office.steps.en.join(' ')).toContain('Encryption & credentials');
    // The user follows the steps with the certificate from the download URL, then installs a proxy's CA.
    expect(new URL(office.downloadUrl).pathname).toBe('/agent/v1/ca');
    agent.installUserCa(office.pem);
    const proxy = agent.installUserCa(importableCa({ name: 'Corporate Proxy CA' }).certificatePem);
    const first = await sync();
    expect(first.report).toEqual({ officeCaInstalled: true, unknownCaCertificates: 1 });
    await sync();

    const detail = (await h.admin.call('GET', `/api/devices/${agent.state.deviceId}`)).json<DeviceDetailDto>();
    expect(detail.caReport?.officeCaInstalled).toBe(true);
    expect(detail.caReport?.certificates.map((c) => [c.sha256, c.kind])).toEqual([
      [office.sha256, 'office'],
      [proxy.sha256, 'unknown'],
    ]);
    expect(detail.caReport?.certificates[1]?.subject).toContain('CN=Corporate Proxy CA');
    // Audited once, though reported twice.
    const events = (await h.admin.call('GET', '/api/audit?action=agent.unknown_ca_reported')).json<{
      items: AuditEventDto[];
    }>().items;
    expect(events.map((e) => [e.subjectId, (e.details as { sha256: string }).sha256])).toEqual([
      [agent.state.deviceId, proxy.sha256],
    ]);

    agent.removeUserCa(proxy.sha256);
    expect((await sync()).report).toEqual({ officeCaInstalled: true, unknownCaCertificates: 0 });
  });
});
