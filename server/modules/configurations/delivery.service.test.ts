import { describe, expect, it } from 'vitest';
import { androidFacts } from '../../../tests/helpers/android-agent.js';
import { testFoundation, TEST_ADMIN, TEST_CTX } from '../../../tests/helpers/foundation.js';
import { issueTestIdentity, mdmSignature, type TestIdentity } from '../../../tests/helpers/mdm-identity.js';
import { fakePushCertificate } from '../../../tests/helpers/push-cert.js';
import type { ConfigurationInput } from '../../contract/configurations.js';
import { buildPlist, parsePlist, type PlistDict } from '../../core/plist.js';
import { verifyCms } from '../../pki/cms.js';
import { configurationProfileIdentifier, configurationProfileUuid } from './configuration-profile.js';
import { errorChainWords, saysNotInstalled } from './delivery.service.js';

const TOPIC = 'com.apple.mgmt.External.e0bd1eac-1f17-4c8e-8a63-dd17d3dd35d9';
const PASSWORD = 'unit wifi passphrase 77';
const USER_ID = 'C3D4-E5F6';

/** An enrolled (active) device of `platform` for Taro, its DeviceInformation still queued. */
async function enrolled(platform: 'ios' | 'macos' = 'ios', udid = 'UDID-DELIVERY') {
  const f = testFoundation({ start: new Date().toISOString() });
  // Profiles are signed with the server's TLS identity, which the server issues at start.
  f.services.ca.ensureTlsCredential({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const pki = fakePushCertificate({ uid: TOPIC });
  f.services.push.upload({ certificatePem: pki.certPem, privateKeyPem: pki.keyPem }, TEST_ADMIN, null);
  const user = await f.services.users.create({ email: 'taro@example.com', displayName: 'Taro' }, TEST_CTX);
  const other = await f.services.users.create({ email: 'jiro@example.com', displayName: 'Jiro' }, TEST_CTX);
  const enrollment = f.services.enrollment.create({ userId: user.id, platform }, TEST_ADMIN, null);
  const id = issueTestIdentity(f.services, enrollment.id);
  const checkin = (msg: PlistDict) => {
    const body = buildPlist({ Topic: TOPIC, UDID: udid, ...msg });
    return f.services.mdm.checkin(Buffer.from(body), mdmSignature(body, id), null);
  };
  const connect = async (msg: PlistDict, identity: TestIdentity = id) => {
    const body = buildPlist({ UDID: udid, ...msg });
    const res = await f.services.mdm.connect(Buffer.from(body), mdmSignature(body, identity), null);
    return res.body ? (parsePlist(res.body) as PlistDict) : null;
  };
  await checkin({
    MessageType: 'Authenticate',
    ...(platform === 'macos' ? { Model: 'Mac14,2', ModelName: 'MacBook Air', DeviceName: 'Taro Mac' } : {}),
  });
  await checkin({ MessageType: 'TokenUpdate', Token: Buffer.alloc(32, 7), PushMagic: 'MAGIC' });
  const deviceId = f.services.devices.list({}).items[0]?.id as string;
  /** Answers every command on a channel (Acknowledged unless `answer` says otherwise); returns the commands. */
  const loop = async (
    answer: (command: PlistDict, uuid: string) => PlistDict = () => ({ Status: 'Acknowledged' }),
    channel: 'device' | 'user' = 'device',
  ) => {
    const seen: { uuid: string; command: PlistDict }[] = [];
    const who: PlistDict = channel === 'user' ? { UserID: USER_ID } : {};
    let next = await connect({ Status: 'Idle', ...who });
    for (let i = 0; next && i < 30; i++) {
      const uuid = next.CommandUUID as string;
      const command = next.Command as PlistDict;
      seen.push({ uuid, command });
      next = await connect({ CommandUUID: uuid, ...answer(command, uuid), ...who });
    }
    return seen;
  };
  const create = (over: Partial<ConfigurationInput> = {}, settings: Record<string, unknown> = {}) =>
    f.services.configurations.create(
      {
        name: 'Office Wi-Fi',
        platforms: ['ios', 'macos'],
        assignment: { scope: 'everyone', userIds: [] },
        ...over,
        settings: { kind: 'wifi', ssid: 'Office', security: 'wpa2-personal', password: PASSWORD, ...settings } as never,
      },
      TEST_CTX,
    );
  const rows = () =>
    f.db
      .prepare('SELECT * FROM device_configurations WHERE device_id = ? ORDER BY channel, configuration_id')
      .all(deviceId) as {
      channel: string;
      state: string;
      desired_version: number | null;
      installed_version: number | null;
      error: string | null;
    }[];
  const queued = () =>
    f.db
      .prepare(
        `SELECT uuid, channel, request_type, status, command, render FROM mdm_commands WHERE device_id = ? ORDER BY created_at, rowid`,
      )
      .all(deviceId) as {
      uuid: string;
      channel: string;
      request_type: string;
      status: string;
      command: string;
      render: string | null;
    }[];
  return { ...f, user, other, deviceId, checkin, connect, loop, create, rows, queued, udid };
}

const profileOf = (command: PlistDict) => parsePlist(verifyCms(command.Payload as Buffer).content) as PlistDict;

describe('configuration delivery', () => {
  it('installs an assigned configuration right after DeviceInformation, renders it only when fetched, and records it', async () => {
    const s = await enrolled();
    const config = s.create();
    expect(s.rows()).toEqual([expect.objectContaining({ state: 'pending', desired_version: 1 })]);
    const seen = await s.loop();
    expect(seen.map((c) => c.command.RequestType)).toEqual(['DeviceInformation', 'InstallProfile', 'ProfileList']);
    const install = seen[1]?.command as PlistDict;
    const profile = profileOf(install);
    const serverId = s.services.settings.instanceId();
    expect(profile.PayloadIdentifier).toBe(configurationProfileIdentifier(serverId, config.id));
    expect(profile.PayloadUUID).toBe(configurationProfileUuid(serverId, config.id, 1));
    expect(JSON.stringify(profile)).toContain(PASSWORD);
    // The queue holds what to render, never the profile or its password.
    const stored = s.queued().find((q) => q.request_type === 'InstallProfile');
    expect(JSON.parse(stored?.render ?? 'null')).toEqual({ configurationId: config.id, version: 1, channel: 'device' });
    expect(stored?.command).not.toContain(PASSWORD);
    expect(stored?.command).not.toContain('Payload<');
    expect(s.rows()).toEqual([
      expect.objectContaining({ channel: 'device', state: 'installed', desired_version: 1, installed_version: 1 }),
    ]);
    expect(s.services.delivery.ofDevice(s.deviceId)).toEqual([
      expect.objectContaining({
        configurationId: config.id,
        configurationName: 'Office Wi-Fi',
        kind: 'wifi',
        state: 'installed',
      }),
    ]);
    expect(s.services.configurations.get(config.id).configuration.counts).toEqual({
      pending: 0,
      installed: 1,
      failed: 0,
      removing: 0,
    });
    expect(s.services.audit.list({ action: 'configuration.install_queued' }).items).toHaveLength(1);
    expect(s.services.audit.list({ action: 'configuration.installed' }).items).toHaveLength(1);
    // Reconciling again queues nothing.
    expect(s.services.delivery.reconcileDevice(s.deviceId)).toBe(0);
    s.services.delivery.reconcileConfiguration(config.id);
    expect(s.queued().filter((q) => q.status === 'queued')).toEqual([]);
  });

  it('re-delivers an edited configuration, cancels an older install still queued, and removes an unassigned one', async () => {
    const s = await enrolled();
    await s.loop();
    const config = s.create();
    const first = s.queued().find((q) => q.request_type === 'InstallProfile');
    s.services.configurations.update(
      config.id,
      {
        name: 'Office Wi-Fi',
        platforms: ['ios', 'macos'],
        assignment: { scope: 'everyone', userIds: [] },
        settings: { kind: 'wifi', ssid: 'Office-2', security: 'wpa2-personal' },
      },
      TEST_CTX,
    );
    expect(s.queued().find((q) => q.uuid === first?.uuid)?.status).toBe('cancelled');
    const seen = await s.loop();
    expect(seen.map((c) => c.command.RequestType)).toEqual(['InstallProfile']);
    expect(profileOf(seen[0]?.command as PlistDict).PayloadUUID).toBe(
      configurationProfileUuid(s.services.settings.instanceId(), config.id, 2),
    );
    expect(s.rows()).toEqual([expect.objectContaining({ state: 'installed', installed_version: 2 })]);
    // Assigned to Jiro only: Taro's device removes it.
    s.services.configurations.update(
      config.id,
      {
        name: 'Office Wi-Fi',
        platforms: ['ios', 'macos'],
        assignment: { scope: 'users', userIds: [s.other.id] },
        settings: { kind: 'wifi', ssid: 'Office-2', security: 'wpa2-personal' },
      },
      TEST_CTX,
    );
    expect(s.rows()).toEqual([expect.objectContaining({ state: 'removing', desired_version: null })]);
    const removal = await s.loop();
    expect(removal.map((c) => [c.command.RequestType, c.command.Identifier])).toEqual([
      ['RemoveProfile', configurationProfileIdentifier(s.services.settings.instanceId(), config.id)],
    ]);
    expect(s.rows()).toEqual([expect.objectContaining({ state: 'removed', installed_version: null })]);
    expect(s.services.audit.list({ action: 'configuration.removed' }).items).toHaveLength(1);
  });

  it('drops a removal still queued when the configuration is assigned again', async () => {
    const s = await enrolled();
    await s.loop();
    const config = s.create();
    await s.loop();
    const input = (userIds: string[]): ConfigurationInput => ({
      name: 'Office Wi-Fi',
      platforms: ['ios', 'macos'],
      assignment: userIds.length ? { scope: 'users', userIds } : { scope: 'everyone', userIds: [] },
      settings: { kind: 'wifi', ssid: 'Office', security: 'wpa2-personal' },
    });
    s.services.configurations.update(config.id, input([s.other.id]), TEST_CTX);
    s.services.configurations.update(config.id, input([]), TEST_CTX);
    expect(
      s
        .queued()
        .slice(-2)
        .map((q) => [q.request_type, q.status]),
    ).toEqual([
      ['RemoveProfile', 'cancelled'],
      ['InstallProfile', 'queued'],
    ]);
    expect((await s.loop()).map((c) => c.command.RequestType)).toEqual(['InstallProfile']);
    expect(s.rows()).toEqual([expect.objectContaining({ state: 'installed', installed_version: 1 })]);
  });

  it('drops an install that was never fetched without a RemoveProfile when the configuration is deleted', async () => {
    const s = await enrolled();
    await s.loop();
    const config = s.create();
    s.services.configurations.remove(config.id, TEST_CTX);
    expect(s.rows()).toEqual([expect.objectContaining({ state: 'removed' })]);
    expect(await s.loop()).toEqual([]);
  });

  it('records a device error in words and a format error as such; a removal of a missing profile counts as removed', async () => {
    const s = await enrolled();
    await s.loop();
    s.create();
    await s.loop(() => ({
      Status: 'Error',
      ErrorChain: [
        {
          ErrorCode: 4001,
          ErrorDomain: 'MCInstallationErrorDomain',
          LocalizedDescription: 'プロファイルをインストールできませんでした。',
          USEnglishDescription: 'The profile could not be installed.',
        },
      ],
    }));
    expect(s.services.delivery.ofDevice(s.deviceId)[0]).toMatchObject({
      state: 'failed',
      error: 'プロファイルをインストールできませんでした。 (MCInstallationErrorDomain 4001)',
    });
    expect(s.services.audit.list({ action: 'configuration.failed' }).items).toHaveLength(1);
    // A failed version is not retried by reconciliation (a new version is).
    expect(s.services.delivery.reconcileDevice(s.deviceId)).toBe(0);
    expect(errorChainWords([{ USEnglishDescription: 'Bad', ErrorDomain: 'D', ErrorCode: 1 }, 'junk'])).toBe(
      'Bad (D 1)',
    );
    expect(errorChainWords(null)).toBe('The device reported an error without details.');
    expect(saysNotInstalled([{ ErrorDomain: 'MCProfileErrorDomain', ErrorCode: 1004 }])).toBe(true);
    expect(saysNotInstalled([{ ErrorDomain: 'MCProfileErrorDomain', ErrorCode: 1000 }])).toBe(false);
  });

  it('treats "profile not installed" as removed', async () => {
    const s = await enrolled();
    await s.loop();
    const config = s.create();
    await s.loop();
    s.services.configurations.remove(config.id, TEST_CTX);
    await s.loop(() => ({
      Status: 'Error',
      ErrorChain: [{ ErrorCode: 1004, ErrorDomain: 'MCProfileErrorDomain', LocalizedDescription: 'Not installed' }],
    }));
    expect(s.rows()).toEqual([expect.objectContaining({ state: 'removed' })]);
  });

  it('reinstalls what ProfileList no longer lists and removes our profiles that are not assigned; the enrollment profile is left alone', async () => {
    const s = await enrolled();
    await s.loop();
    const config = s.create();
    await s.loop();
    const serverId = s.services.settings.instanceId();
    s.services.mdm.enqueue(s.deviceId, { type: 'ProfileList' }, TEST_ADMIN, null);
    const stray = configurationProfileIdentifier(serverId, 'gone-config');
    const seen = await s.loop((command): PlistDict =>
      command.RequestType === 'ProfileList'
        ? {
            Status: 'Acknowledged',
            ProfileList: [
              { PayloadIdentifier: `app.tsunagu.enroll.${serverId}`, PayloadUUID: 'A' },
              { PayloadIdentifier: stray, PayloadUUID: 'B' },
            ],
          }
        : { Status: 'Acknowledged' },
    );
    expect(seen.map((c) => [c.command.RequestType, c.command.Identifier ?? null])).toEqual([
      ['ProfileList', null],
      ['InstallProfile', null],
      ['RemoveProfile', stray],
    ]);
    expect(s.rows()).toEqual([expect.objectContaining({ configuration_id: config.id, state: 'installed' })]);
    // A list with the right version changes nothing.
    s.services.mdm.enqueue(s.deviceId, { type: 'ProfileList' }, TEST_ADMIN, null);
    const again = await s.loop((command): PlistDict =>
      command.RequestType === 'ProfileList'
        ? {
            Status: 'Acknowledged',
            ProfileList: [
              {
                PayloadIdentifier: configurationProfileIdentifier(serverId, config.id),
                PayloadUUID: configurationProfileUuid(serverId, config.id, 1),
              },
            ],
          }
        : { Status: 'Acknowledged' },
    );
    expect(again.map((c) => c.command.RequestType)).toEqual(['ProfileList']);
  });

  it('marks everything removed with no command when the device is retired on the server', async () => {
    const s = await enrolled();
    await s.loop();
    s.create();
    await s.loop();
    const before = s.queued().length;
    s.services.deviceActions.act({ action: 'retire', deviceIds: [s.deviceId] }, TEST_ADMIN, null);
    await s.loop();
    // The device acknowledged the removal of the enrollment profile: management ended, our rows with it.
    expect(s.rows()).toEqual([expect.objectContaining({ state: 'removed', installed_version: null })]);
    expect(
      s
        .queued()
        .slice(before)
        .map((q) => q.request_type),
    ).toEqual(['RemoveProfile']);
    expect(s.services.delivery.reconcileDevice(s.deviceId)).toBe(0);
  });

  it('on a Mac, sends a user-level configuration on the enrolling user channel only, once that channel has a token', async () => {
    const s = await enrolled('macos', 'UDID-MAC');
    const config = s.create({ macChannel: 'user', platforms: ['macos'] });
    await s.loop();
    // No user channel yet: nothing for it.
    expect(s.rows()).toEqual([]);
    await s.checkin({
      MessageType: 'TokenUpdate',
      UserID: USER_ID,
      UserShortName: 'taro',
      UserLongName: 'Taro',
      Token: Buffer.alloc(32, 9),
      PushMagic: 'USER-MAGIC',
    });
    expect(s.rows()).toEqual([expect.objectContaining({ channel: `user:${USER_ID}`, state: 'pending' })]);
    expect(await s.loop()).toEqual([]);
    const seen = await s.loop(undefined, 'user');
    expect(seen.map((c) => c.command.RequestType)).toEqual(['InstallProfile']);
    expect(profileOf(seen[0]?.command as PlistDict)).toMatchObject({
      PayloadScope: 'User',
      PayloadIdentifier: configurationProfileIdentifier(s.services.settings.instanceId(), config.id),
    });
    expect(s.rows()).toEqual([expect.objectContaining({ channel: `user:${USER_ID}`, state: 'installed' })]);
  });

  it('delivers an identity configuration with a fresh one-time challenge for the user, never stored in the queue', async () => {
    const s = await enrolled();
    await s.loop();
    s.services.configurations.create(
      {
        name: 'Identity',
        platforms: ['ios'],
        assignment: { scope: 'everyone', userIds: [] },
        settings: { kind: 'identity' },
      },
      TEST_CTX,
    );
    const seen = await s.loop();
    expect(seen.map((c) => c.command.RequestType)).toEqual(['InstallProfile']);
    const [scep] = profileOf(seen[0]?.command as PlistDict).PayloadContent as PlistDict[];
    const content = scep?.PayloadContent as PlistDict;
    expect(scep?.PayloadType).toBe('com.apple.security.scep');
    expect(content.URL).toBe('https://localhost:8443/scep');
    expect(content.Subject).toEqual([[['O', s.services.onboarding.organization()]], [['CN', 'Taro']]]);
    const challenge = content.Challenge as string;
    expect(challenge.length).toBeGreaterThan(10);
    const stored = JSON.stringify(s.db.prepare('SELECT * FROM mdm_commands').all());
    expect(stored).not.toContain(challenge);
    expect(s.rows()).toEqual([expect.objectContaining({ state: 'installed' })]);
  });

  it('fails the row in words when no identity can be issued at the moment the device fetches the profile', async () => {
    const s = await enrolled();
    await s.loop();
    s.services.configurations.create(
      {
        name: 'Identity',
        platforms: ['ios'],
        assignment: { scope: 'everyone', userIds: [] },
        settings: { kind: 'identity' },
      },
      TEST_CTX,
    );
    // Between the queueing and the fetch the device stops being active (written straight to the table, as a race
    // would leave it: the lifecycle would have ended the rows).
    s.db.prepare(`UPDATE devices SET status = 'inactive' WHERE id = ?`).run(s.deviceId);
    const seen = await s.loop();
    expect(seen).toEqual([]);
    expect(s.rows()).toEqual([
      expect.objectContaining({
        state: 'failed',
        error: expect.stringContaining('No identity certificate can be issued now'),
      }),
    ]);
    expect(s.queued().map((c) => [c.request_type, c.status])).toContainEqual(['InstallProfile', 'cancelled']);
  });

  it('queues the daily ProfileList for active Apple devices whose last one is older than a day', async () => {
    const s = await enrolled();
    await s.loop();
    expect(s.services.delivery.queueDueProfileLists()).toBe(1);
    expect(s.services.delivery.queueDueProfileLists()).toBe(0);
    await s.loop();
    s.clock.advance(25 * 3600_000);
    expect(s.services.delivery.queueDueProfileLists()).toBe(1);
  });

  it('lets an admin command name an enabled channel, and refuses one that is not', async () => {
    const s = await enrolled('macos', 'UDID-MAC-2');
    expect(() =>
      s.services.mdm.enqueue(s.deviceId, { type: 'ProfileList', channel: `user:${USER_ID}` }, TEST_ADMIN, null),
    ).toThrow(expect.objectContaining({ code: 'COMMAND_INVALID' }));
    await s.checkin({ MessageType: 'TokenUpdate', UserID: USER_ID, Token: Buffer.alloc(32, 9), PushMagic: 'U' });
    const queued = s.services.mdm.enqueue(
      s.deviceId,
      { type: 'ProfileList', channel: `user:${USER_ID}` },
      TEST_ADMIN,
      null,
    );
    expect(queued.channel).toBe(`user:${USER_ID}`);
    expect(() =>
      s.services.mdm.enqueue(s.deviceId, { type: 'EraseDevice', channel: `user:${USER_ID}` }, TEST_ADMIN, null),
    ).toThrow(expect.objectContaining({ code: 'COMMAND_INVALID' }));
  });

  it('queues an install again when an admin cancelled the one waiting', async () => {
    const s = await enrolled();
    await s.loop();
    s.create();
    const [install] = s.queued().filter((q) => q.request_type === 'InstallProfile');
    s.services.mdm.cancel(s.deviceId, install?.uuid as string, TEST_ADMIN, null);
    expect(s.services.delivery.reconcileDevice(s.deviceId)).toBe(1);
    expect(s.services.delivery.reconcileDevice(s.deviceId)).toBe(0);
    expect((await s.loop()).map((c) => c.command.RequestType)).toEqual(['InstallProfile']);
    expect(s.rows()).toEqual([expect.objectContaining({ state: 'installed' })]);
  });

  it('gives an Android agent its Wi-Fi configurations and records what it applied, failed and removed', async () => {
    const f = testFoundation({ start: new Date().toISOString() });
    await f.services.users.create(
      { email: 'and@example.com', displayName: 'And', password: 'a long password here' },
      TEST_CTX,
    );
    const facts = { ...androidFacts(33, 'hw-delivery'), adminActive: true };
    const { token } = await f.services.agent.enroll(
      { auth: { method: 'password', email: 'and@example.com', password: 'a long password here' }, device: facts },
      null,
    );
    // The agent's first check-in as device admin completes the enrollment.
    f.services.agent.checkIn(token, { facts }, null);
    const deviceId = f.services.devices.list({}).items[0]?.id as string;
    expect(f.services.devices.list({}).items[0]?.status).toBe('active');
    const input = (ssid: string, platforms: ('ios' | 'android')[] = ['android']): ConfigurationInput => ({
      name: ssid,
      platforms,
      assignment: { scope: 'everyone', userIds: [] },
      settings: { kind: 'wifi', ssid, security: 'wpa2-personal', password: PASSWORD },
    });
    const home = f.services.configurations.create(input('Home'), TEST_CTX);
    const shop = f.services.configurations.create(input('Shop'), TEST_CTX);
    f.services.configurations.create(input('Phones only', ['ios']), TEST_CTX);
    const desired = f.services.delivery.desiredForAgent(deviceId);
    expect(desired.map((d) => [d.name, d.version])).toEqual([
      ['Home', 1],
      ['Shop', 1],
    ]);
    const at = new Date().toISOString();
    f.services.delivery.recordAgentResults(
      deviceId,
      [
        { configurationId: home.id, version: 1, status: 'applied' },
        { configurationId: shop.id, version: 1, status: 'failed', message: 'Wi-Fi is off' },
        { configurationId: home.id, version: 7, status: 'applied' },
      ],
      at,
    );
    expect(
      f.services.delivery.ofDevice(deviceId).map((d) => [d.configurationName, d.channel, d.state, d.error]),
    ).toEqual([
      ['Home', 'agent', 'installed', null],
      ['Shop', 'agent', 'failed', 'Wi-Fi is off'],
    ]);
    f.services.configurations.remove(home.id, TEST_CTX);
    expect(f.services.delivery.desiredForAgent(deviceId).map((d) => d.name)).toEqual(['Shop']);
    expect(f.services.delivery.ofDevice(deviceId).find((d) => d.configurationId === home.id)?.state).toBe('removing');
    f.services.delivery.recordAgentResults(deviceId, [{ configurationId: home.id, version: 1, status: 'removed' }], at);
    expect(f.services.delivery.ofDevice(deviceId).find((d) => d.configurationId === home.id)?.state).toBe('removed');
  });
});
