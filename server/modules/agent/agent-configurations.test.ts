import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { androidFacts } from '../../../tests/helpers/android-agent.js';
import { TEST_ADMIN, TEST_CTX, testFoundation, type TestFoundation } from '../../../tests/helpers/foundation.js';
import type { AgentConfigurationResult, AgentDelivery, ConfigurationVersion } from '../configurations/ports.js';
import type { WifiInput } from '../configurations/wifi.js';
import { sha256Hex } from './agent-configurations.js';

/**
 * Delivery as the agent sees it, in memory: what each device should have, and per device and configuration the
 * last result recorded (results for versions no longer desired are ignored, as the port says).
 */
class MemoryDelivery implements AgentDelivery {
  desired = new Map<string, ConfigurationVersion[]>();
  state = new Map<string, { version: number; status: AgentConfigurationResult['status']; message?: string }>();
  given = new Set<string>();

  desiredForAgent(deviceId: string): ConfigurationVersion[] {
    const list = this.desired.get(deviceId) ?? [];
    for (const v of list) this.given.add(`${deviceId}/${v.id}`);
    return list;
  }

  recordAgentResults(deviceId: string, results: AgentConfigurationResult[]): void {
    const desired = this.desired.get(deviceId) ?? [];
    for (const r of results) {
      const current = desired.find((v) => v.id === r.configurationId);
      const ok =
        r.status === 'removed'
          ? !current && this.given.has(`${deviceId}/${r.configurationId}`)
          : current?.version === r.version;
      if (ok)
        this.state.set(`${deviceId}/${r.configurationId}`, {
          version: r.version,
          status: r.status,
          ...(r.message ? { message: r.message } : {}),
        });
    }
  }
}

const wifi = (id: string, version: number, input: Partial<WifiInput> = {}): ConfigurationVersion => ({
  id,
  name: `Wi-Fi ${id}`,
  description: null,
  kind: 'wifi',
  platforms: ['android'],
  macChannel: 'device',
  version,
  spec: {
    kind: 'wifi',
    wifi: { ssid: `Office-${id}`, security: 'wpa2-personal', password: `secret-${id}-${version}`, ...input },
  },
});

const cert = (n: number, notAfter = '2030-01-31T00:00:00Z') => ({
  subject: `CN=Proxy ${n}`,
  issuer: `CN=Proxy ${n}`,
  sha256: n.toString(16).padStart(64, 'a'),
  notAfter,
});

let f: TestFoundation;
let delivery: MemoryDelivery;
let userId: string;

beforeAll(async () => {
  delivery = new MemoryDelivery();
  f = testFoundation({
    start: new Date().toISOString(),
    agentDelivery: delivery,
    deviceBaseUrl: 'https://mdm.office.lan:8443',
  });
  userId = (await f.services.users.create({ email: 'ann@example.com', displayName: 'Ann', locale: 'en' }, TEST_CTX)).id;
});
afterAll(() => {
  f?.db.close();
});

/** Enrolls a device through the agent service; `active` also turns on its device-admin rights. */
async function enrolled(hardwareId: string, active = true): Promise<{ token: string; deviceId: string }> {
  // A user of its own for each device, well under the device limit.
  const user = await f.services.users.create(
    { email: `${hardwareId}@example.com`, displayName: hardwareId, locale: 'en' },
    TEST_CTX,
  );
  const qr = JSON.parse(f.services.agent.enrollmentQr(user.id, null).payload) as { token: string };
  const res = await f.services.agent.enroll(
    { auth: { method: 'qr', token: qr.token }, device: androidFacts(34, hardwareId) },
    null,
  );
  if (active)
    f.services.agent.checkIn(res.token, { facts: { ...androidFacts(34, hardwareId), adminActive: true } }, null);
  return { token: res.token, deviceId: res.deviceId };
}

const officeSha = () => sha256Hex(f.services.ca.caCertificate().fingerprint256);

describe('the Android agent and its configurations', () => {
  it('gives an Active device its Personal Wi-Fi networks and the office CA steps; an Enterprise one is failed', async () => {
    const { token, deviceId } = await enrolled('wifi1');
    delivery.desired.set(deviceId, [
      wifi('c1', 2, { security: 'wpa3-personal', hidden: true, autoJoin: false }),
      wifi('c2', 1, { security: 'wpa2-enterprise', password: undefined, trustedServerNames: ['radius.office.lan'] }),
    ]);
    const res = f.services.agent.configurations(token, null);
    expect(res.wifi).toEqual([
      {
        configurationId: 'c1',
        version: 2,
        ssid: 'Office-c1',
        security: 'wpa3-personal',
        passphrase: 'secret-c1-2',
        hidden: true,
        autoJoin: false,
      },
    ]);
    expect(delivery.state.get(`${deviceId}/c2`)).toMatchObject({ status: 'failed', version: 1 });
    const { caSha256 } = JSON.parse(f.services.agent.enrollmentQr(userId, null).payload) as { caSha256: string };
    expect(res.officeCa).toMatchObject({
      sha256: caSha256,
      downloadUrl: 'https://mdm.office.lan:8443/agent/v1/ca',
      pem: f.services.ca.caCertificate().pem,
      name: f.services.ca.caCertificate().name,
    });
    expect(res.officeCa.steps.en.join(' ')).toContain('Encryption & credentials');
    expect(res.officeCa.steps.en[0]).toContain('Android 11');
    expect(res.officeCa.steps.ja.join(' ')).toContain('暗号化と認証情報');
    expect(res.officeCa.steps.en.at(-1)).toContain(caSha256.slice(0, 8).toUpperCase().match(/../g)?.join(':'));
  });

  it('gives a Pending device no networks, only the CA steps', async () => {
    const { token, deviceId } = await enrolled('pend1', false);
    delivery.desired.set(deviceId, [wifi('c3', 1)]);
    const res = f.services.agent.configurations(token, null);
    expect(res.wifi).toEqual([]);
    expect(res.officeCa.sha256).toBe(officeSha());
  });

  it('records results only for what the device was given, and ignores the rest', async () => {
    const { token, deviceId } = await enrolled('res1');
    delivery.desired.set(deviceId, [wifi('c4', 3), wifi('c5', 1)]);
    f.services.agent.configurations(token, null);
    f.services.agent.reportConfigurations(
      token,
      {
        results: [
          { configurationId: 'c4', version: 3, status: 'applied' },
          { configurationId: 'c5', version: 1, status: 'failed', message: 'x'.repeat(160) },
          // An older version, a configuration never given, and a removal of one still given: ignored.
          { configurationId: 'c4', version: 2, status: 'failed' },
          { configurationId: 'other', version: 1, status: 'applied' },
          { configurationId: 'c5', version: 1, status: 'removed' },
        ],
        userCaCertificates: [],
      },
      null,
    );
    expect(delivery.state.get(`${deviceId}/c4`)).toEqual({ version: 3, status: 'applied' });
    expect(delivery.state.get(`${deviceId}/c5`)).toEqual({ version: 1, status: 'failed', message: 'x'.repeat(160) });
    expect(delivery.state.has(`${deviceId}/other`)).toBe(false);

    // Unassigned: the removal is recorded.
    delivery.desired.set(deviceId, [wifi('c4', 3)]);
    expect(f.services.agent.configurations(token, null).wifi.map((w) => w.configurationId)).toEqual(['c4']);
    f.services.agent.reportConfigurations(
      token,
      { results: [{ configurationId: 'c5', version: 1, status: 'removed' }], userCaCertificates: [] },
      null,
    );
    expect(delivery.state.get(`${deviceId}/c5`)).toEqual({ version: 1, status: 'removed' });
  });

  it('keeps the user CA certificates, flags all but the office CA, and audits each new one once', async () => {
    const { token, deviceId } = await enrolled('ca1');
    expect(f.services.deviceActions.detail(deviceId).caReport).toBeNull();
    const office = f.services.ca.caCertificate();
    const officeCert = {
      subject: `CN=${office.name}`,
      issuer: `CN=${office.name}`,
      sha256: officeSha(),
      notAfter: '2036-01-01',
    };
    const report = (certificates: ReturnType<typeof cert>[]) =>
      f.services.agent.reportConfigurations(token, { results: [], userCaCertificates: certificates }, '192.0.2.5');
    const audited = () =>
      f.services.audit.list({ action: 'agent.unknown_ca_reported' }).items.filter((e) => e.subjectId === deviceId);

    expect(report([officeCert, cert(1)])).toEqual({ officeCaInstalled: true, unknownCaCertificates: 1 });
    f.clock.advance(60_000);
    expect(report([officeCert, cert(1), cert(2), cert(2)])).toEqual({
      officeCaInstalled: true,
      unknownCaCertificates: 2,
    });
    const detail = f.services.deviceActions.detail(deviceId).caReport;
    expect(detail?.officeCaInstalled).toBe(true);
    expect(detail?.certificates.map((c) => [c.subject, c.kind])).toEqual([
      [`CN=${office.name}`, 'office'],
      ['CN=Proxy 1', 'unknown'],
      ['CN=Proxy 2', 'unknown'],
    ]);
    expect(detail?.certificates[1]?.firstSeenAt).not.toBe(detail?.certificates[2]?.firstSeenAt);
    expect(detail?.certificates[0]?.notAfter).toBe('2036-01-01T00:00:00.000Z');
    // One event per new fingerprint: Proxy 1 at the first report, Proxy 2 at the second, none for the office CA.
    expect(audited().map((e) => e.details)).toEqual([
      expect.objectContaining({ sha256: cert(2).sha256, subject: 'CN=Proxy 2' }),
      expect.objectContaining({ sha256: cert(1).sha256, subject: 'CN=Proxy 1' }),
    ]);

    // The user removes Proxy 1 and the office CA: the list is replaced, nothing new is audited.
    expect(report([cert(2)])).toEqual({ officeCaInstalled: false, unknownCaCertificates: 1 });
    expect(f.services.deviceActions.detail(deviceId).caReport).toMatchObject({
      officeCaInstalled: false,
      certificates: [{ subject: 'CN=Proxy 2', kind: 'unknown' }],
    });
    expect(audited()).toHaveLength(2);
  });

  it('refuses a report whose dates are not dates, and writes nothing', async () => {
    const { token, deviceId } = await enrolled('bad1');
    delivery.desired.set(deviceId, [wifi('c6', 1)]);
    expect(() =>
      f.services.agent.reportConfigurations(
        token,
        {
          results: [{ configurationId: 'c6', version: 1, status: 'applied' }],
          userCaCertificates: [cert(1), cert(2, 'soon')],
        },
        null,
      ),
    ).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', details: { field: 'body.userCaCertificates.1.notAfter' } }),
    );
    expect(delivery.state.has(`${deviceId}/c6`)).toBe(false);
    expect(f.services.deviceActions.detail(deviceId).caReport).toBeNull();
  });

  it('answers a retired device nothing', async () => {
    const { token, deviceId } = await enrolled('ret1');
    delivery.desired.set(deviceId, [wifi('c7', 1)]);
    const [result] = f.services.deviceActions.act(
      { action: 'retire', deviceIds: [deviceId] },
      TEST_ADMIN,
      null,
    ).results;
    const facts = { ...androidFacts(34, 'ret1'), adminActive: true };
    f.services.agent.checkIn(
      token,
      { facts, results: [{ actionId: result?.agentActionId as string, status: 'done' }] },
      null,
    );
    expect(() => f.services.agent.configurations(token, null)).toThrow(
      expect.objectContaining({ code: 'AGENT_TOKEN_INVALID' }),
    );
    expect(() => f.services.agent.reportConfigurations(token, { results: [], userCaCertificates: [] }, null)).toThrow(
      expect.objectContaining({ code: 'AGENT_TOKEN_INVALID' }),
    );
  });
});
