// Configurations delivered to emulated Apple devices on a real server and SQLite file: an iPhone and a Mac enroll and
// get their configurations right after DeviceInformation (the Mac's user-level one on its user channel), edits are
// delivered again, unassigned ones removed, a refusal shows in words, ProfileList puts back what the user removed, a
// user identity's SCEP payload gets a certificate with its one-time challenge, and retiring queues nothing for them.
// Profiles are signed, made when fetched, and no secret is kept in the queue.
import Database from 'better-sqlite3';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigurationDto, ConfigurationInput, DeviceConfigurationDto } from '../../server/contract/index.js';
import { parsePlist, type PlistDict } from '../../server/core/plist.js';
import { configurationProfileIdentifier } from '../../server/modules/configurations/configuration-profile.js';
import { dataPaths } from '../../server/paths.js';
import { verifyCms } from '../../server/pki/cms.js';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { EmulatedAppleDevice, iphoneSpec, macSpec } from '../helpers/apple-device.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { buildScepRequest, createCsr, ScepClient, selfSignedIdentity } from '../helpers/scep-client.js';
import { testKey } from '../helpers/scep-fixtures.js';
import { addUser, local, startHarness, type Harness } from '../helpers/server-harness.js';

const PASSWORD = 'delivered wifi passphrase 31';
const NEW_PASSWORD = 'changed wifi passphrase 32';
const MAC_USER = 'A8D2F2C4-6E3B-4B5A-9C1D-2F0E8B7A6C5D';

let h: Harness;
let apns: ApnsMock;
let caPem: string;
let serverId: string;
let taro: string;
let hanako: string;
let iphone: { device: EmulatedAppleDevice; id: string };
let mac: { device: EmulatedAppleDevice; id: string };
let wifi: ConfigurationDto;
let clip: ConfigurationDto;

const wifiInput = (over: Partial<ConfigurationInput> = {}, password = PASSWORD): ConfigurationInput => ({
  name: 'Office Wi-Fi',
  platforms: ['ios', 'macos'],
  assignment: { scope: 'everyone', userIds: [] },
  ...over,
  settings: { kind: 'wifi', ssid: 'Office', security: 'wpa2-personal', password },
});

function rows<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(dataPaths(h.dataDir).db, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

async function create(input: ConfigurationInput): Promise<ConfigurationDto> {
  const res = await h.admin.call('POST', '/api/configurations', input);
  expect(res.status, res.text).toBe(201);
  return res.json<ConfigurationDto>();
}

async function enroll(platform: 'ios' | 'macos', userId: string, device: EmulatedAppleDevice) {
  const enrollment = (await h.admin.call('POST', '/api/enrollments', { userId, platform })).json<{
    profileUrl: string;
  }>();
  expect((await device.downloadProfile(enrollment.profileUrl)).status).toBe(200);
  expect(await device.scep()).toEqual({ status: 'SUCCESS' });
  expect((await device.enrollMdm()).map((r) => r.status).every((s) => s === 200)).toBe(true);
  const found = (await h.admin.call('GET', `/api/devices?q=${device.spec.udid}`)).json<{ items: { id: string }[] }>();
  return { device, id: found.items[0]?.id as string };
}

async function states(deviceId: string): Promise<DeviceConfigurationDto[]> {
  const res = await h.admin.call('GET', `/api/devices/${deviceId}/configurations`);
  expect(res.status).toBe(200);
  return res.json<{ items: DeviceConfigurationDto[] }>().items;
}

/** The profile a device installed: signed CMS by the server's TLS certificate; its inner plist. */
function installedProfile(device: EmulatedAppleDevice, configurationId: string): PlistDict {
  const bytes = device.installed.get(configurationProfileIdentifier(serverId, configurationId)) as Buffer;
  expect(bytes[0]).toBe(0x30);
  const cms = verifyCms(bytes);
  const tls = new X509Certificate(h.server.services.ca.currentTls().certPem);
  expect(cms.signerCertDer.equals(tls.raw)).toBe(true);
  return parsePlist(cms.content) as PlistDict;
}

beforeAll(async () => {
  const pki = fakePushCertificate();
  apns = await startApnsMock(pki.appleCaPem);
  h = await startHarness({ apnsCa: apns.caPem });
  caPem = h.server.services.ca.caCertificate().pem;
  serverId = h.server.services.settings.instanceId();
  expect(
    (await h.admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem }))
      .status,
  ).toBe(200);
  expect((await h.admin.call('PUT', '/api/push/settings', { apnsBaseUrl: apns.url })).status).toBe(200);
  taro = await addUser(h, 'taro@example.com');
  hanako = await addUser(h, 'hanako@example.com');
  wifi = await create(wifiInput());
  clip = await create({
    name: 'Intranet',
    platforms: ['macos'],
    macChannel: 'user',
    assignment: { scope: 'everyone', userIds: [] },
    settings: { kind: 'webclip', url: 'https://intranet.example.com/', label: 'Intranet' },
  });
  iphone = await enroll('ios', taro, new EmulatedAppleDevice(iphoneSpec(41), { caPem }));
  mac = await enroll('macos', hanako, new EmulatedAppleDevice(macSpec(42), { caPem }));
});
afterAll(async () => {
  iphone?.device.close();
  mac?.device.close();
  await h.stop();
  await apns.close();
});

describe('configurations after enrollment', () => {
  it('an iPhone and a Mac get their configurations right after DeviceInformation, the user-level one on the user channel', async () => {
    expect(await iphone.device.commandLoop()).toEqual(['DeviceInformation', 'InstallProfile', 'ProfileList']);
    expect(await mac.device.commandLoop()).toEqual(['DeviceInformation', 'InstallProfile', 'ProfileList']);
    expect(await mac.device.commandLoop(50, MAC_USER)).toEqual(['InstallProfile']);
    expect(mac.device.installedOn.get(configurationProfileIdentifier(serverId, clip.id))).toBe(`user:${MAC_USER}`);
    expect(mac.device.installedOn.get(configurationProfileIdentifier(serverId, wifi.id))).toBe('device');
    expect(iphone.device.installed.has(configurationProfileIdentifier(serverId, clip.id))).toBe(false);

    const profile = installedProfile(iphone.device, wifi.id);
    expect(profile).toMatchObject({
      PayloadIdentifier: configurationProfileIdentifier(serverId, wifi.id),
      PayloadScope: 'System',
      PayloadDisplayName: 'Office Wi-Fi',
    });
    expect(JSON.stringify(profile)).toContain(PASSWORD);
    expect(installedProfile(mac.device, clip.id)).toMatchObject({ PayloadScope: 'User' });

    expect(await states(iphone.id)).toEqual([
      expect.objectContaining({ configurationId: wifi.id, channel: 'device', state: 'installed', installedVersion: 1 }),
    ]);
    expect((await states(mac.id)).map((s) => [s.configurationName, s.channel, s.state])).toEqual([
      ['Intranet', `user:${MAC_USER}`, 'installed'],
      ['Office Wi-Fi', 'device', 'installed'],
    ]);
    const detail = (await h.admin.call('GET', `/api/configurations/${wifi.id}`)).json<{
      configuration: ConfigurationDto;
      devices: { deviceId: string; state: string }[];
    }>();
    expect(detail.configuration.counts).toEqual({ pending: 0, installed: 2, failed: 0, removing: 0 });
    expect(detail.devices.map((d) => d.state)).toEqual(['installed', 'installed']);
  });

  it('keeps no secret in the command queue: profiles are made when the device fetches them', async () => {
    const stored = rows<{ command: string; render: string | null; result: string | null }>(
      `SELECT command, render, result FROM mdm_commands WHERE request_type = 'InstallProfile'`,
    );
    expect(stored.length).toBeGreaterThanOrEqual(3);
    for (const row of stored) {
      expect(row.render).not.toBeNull();
      expect(`${row.command}${row.render}${row.result}`).not.toContain(PASSWORD);
      expect(row.command).not.toContain('<key>Payload</key>');
    }
  });

  it('delivers an edited configuration again, and removes one that is no longer assigned', async () => {
    const res = await h.admin.call('PUT', `/api/configurations/${wifi.id}`, wifiInput({}, NEW_PASSWORD));
    expect(res.status, res.text).toBe(200);
    expect(await iphone.device.commandLoop()).toEqual(['InstallProfile']);
    expect(await mac.device.commandLoop()).toEqual(['InstallProfile']);
    expect(JSON.stringify(installedProfile(iphone.device, wifi.id))).toContain(NEW_PASSWORD);
    expect((await states(iphone.id))[0]).toMatchObject({ state: 'installed', installedVersion: 2, desiredVersion: 2 });

    // Now for Taro only: the Mac (Hanako's) removes it.
    const narrowed = await h.admin.call(
      'PUT',
      `/api/configurations/${wifi.id}`,
      wifiInput({ assignment: { scope: 'users', userIds: [taro] } }, NEW_PASSWORD),
    );
    expect(narrowed.status).toBe(200);
    expect(await iphone.device.commandLoop()).toEqual([]);
    expect(await mac.device.commandLoop()).toEqual(['RemoveProfile']);
    expect(mac.device.installed.has(configurationProfileIdentifier(serverId, wifi.id))).toBe(false);
    expect((await states(mac.id)).find((s) => s.configurationId === wifi.id)).toMatchObject({
      state: 'removed',
      desiredVersion: null,
      installedVersion: null,
    });
    const audit = (await h.admin.call('GET', '/api/audit?action=configuration.removed')).json<{
      items: { subjectId: string }[];
    }>();
    expect(audit.items.map((e) => e.subjectId)).toContain(mac.id);
  });

  it('shows a refused install in words', async () => {
    iphone.device.failInstalls = [
      {
        ErrorCode: 4001,
        ErrorDomain: 'MCInstallationErrorDomain',
        LocalizedDescription: 'The profile “Guest” could not be installed.',
        USEnglishDescription: 'The profile “Guest” could not be installed.',
      },
    ];
    try {
      const guest = await create(wifiInput({ name: 'Guest', platforms: ['ios'] }));
      expect(await iphone.device.commandLoop()).toEqual(['InstallProfile']);
      expect((await states(iphone.id)).find((s) => s.configurationId === guest.id)).toMatchObject({
        state: 'failed',
        error: 'The profile “Guest” could not be installed. (MCInstallationErrorDomain 4001)',
      });
      expect(
        (await h.admin.call('GET', `/api/configurations/${guest.id}`)).json<{ configuration: ConfigurationDto }>()
          .configuration.counts.failed,
      ).toBe(1);
    } finally {
      iphone.device.failInstalls = null;
    }
  });

  it('puts back a profile the user removed when ProfileList no longer lists it', async () => {
    const identifier = configurationProfileIdentifier(serverId, wifi.id);
    iphone.device.installed.delete(identifier);
    const queued = await h.admin.call('POST', `/api/devices/${iphone.id}/commands`, { type: 'ProfileList' });
    expect(queued.status).toBe(201);
    expect(await iphone.device.commandLoop()).toEqual(['ProfileList', 'InstallProfile']);
    expect(iphone.device.installed.has(identifier)).toBe(true);
    expect((await states(iphone.id)).find((s) => s.configurationId === wifi.id)).toMatchObject({ state: 'installed' });
  });

  it('a user identity reaches the iPhone with its own one-time challenge; SCEP issues the template’s certificate', async () => {
    const identity = await create({
      name: 'Taro identity',
      platforms: ['ios'],
      assignment: { scope: 'users', userIds: [taro] },
      settings: { kind: 'identity' },
    });
    expect(await iphone.device.commandLoop()).toEqual(['InstallProfile']);
    const payloads = installedProfile(iphone.device, identity.id).PayloadContent as PlistDict[];
    const scep = payloads.find((p) => p.PayloadType === 'com.apple.security.scep')?.PayloadContent as PlistDict;
    const challenge = scep.Challenge as string;
    expect(challenge.length).toBeGreaterThanOrEqual(16);
    // The challenge was minted when the device fetched the command: kept hashed, in no queued command.
    const stored =
      JSON.stringify(rows('SELECT * FROM scep_challenges')) + JSON.stringify(rows('SELECT * FROM mdm_commands'));
    expect(stored).not.toContain(challenge);

    // The device runs SCEP as the payload says, its CSR asking for another name: the template decides.
    const client = new ScepClient(local(scep.URL as string), { ca: caPem });
    const caPemNow = await client.getCaCert();
    const request = (keyName: string) => {
      const keyPem = testKey(keyName);
      return buildScepRequest({
        csr: createCsr({ keyPem, subject: [{ shortName: 'CN', value: 'Someone Else' }], challenge }),
        signer: selfSignedIdentity(keyPem),
        caCertPem: caPemNow,
      });
    };
    const rep = await client.send(request('identity-delivered'));
    expect(rep.status).toBe('SUCCESS');
    const cert = new X509Certificate(rep.status === 'SUCCESS' ? rep.certificatePem : '');
    const wanted = (scep.Subject as string[][][]).map((rdn) => `${rdn[0]?.[0]}=${rdn[0]?.[1]}`);
    expect(cert.subject.split('\n')).toEqual(wanted);
    expect(cert.subject).not.toContain('Someone Else');
    const serial = cert.serialNumber.toLowerCase().replace(/^(00)+(?=..)/, '');
    expect(
      rows<{ purpose: string; configuration_id: string }>(
        'SELECT purpose, configuration_id FROM issued_certificates WHERE serial = ?',
        serial,
      ),
    ).toEqual([{ purpose: 'configuration', configuration_id: identity.id }]);
    // The device's page tells the two identities apart.
    const detail = (await h.admin.call('GET', `/api/devices/${iphone.id}`)).json<{
      certificates: { serial: string; purpose: string; revokedAt: string | null }[];
    }>();
    expect(detail.certificates.find((c) => c.serial === serial)?.purpose).toBe('configuration');
    expect(detail.certificates.some((c) => c.purpose === 'mdm' && c.revokedAt === null)).toBe(true);
    // One time only: the same challenge with another key is refused.
    expect((await client.send(request('identity-replayed'))).status).toBe('FAILURE');
    // The device's MDM identity is untouched: it still checks in and fetches (nothing more to do).
    expect(await iphone.device.commandLoop()).toEqual([]);
    expect((await states(iphone.id)).find((s) => s.configurationId === identity.id)).toMatchObject({
      state: 'installed',
    });
  });

  it('retiring a device queues nothing for its configurations and marks them removed', async () => {
    const res = await h.admin.call('POST', '/api/devices/actions', { action: 'retire', deviceIds: [mac.id] });
    expect(res.status).toBe(200);
    expect(await mac.device.commandLoop()).toEqual(['RemoveProfile']);
    const after = await states(mac.id);
    expect(after.map((s) => s.state)).toEqual(after.map(() => 'removed'));
    const queuedForMac = rows<{ request_type: string }>(
      `SELECT request_type FROM mdm_commands WHERE device_id = ? AND status = 'queued'`,
      mac.id,
    );
    expect(queuedForMac).toEqual([]);
    expect(
      (await h.admin.call('GET', `/api/configurations/${clip.id}`)).json<{ configuration: ConfigurationDto }>()
        .configuration.counts,
    ).toEqual({ pending: 0, installed: 0, failed: 0, removing: 0 });
  });
});
