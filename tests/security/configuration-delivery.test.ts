// Attacks on configuration delivery over the MDM command channel: a device answering (or fetching) another device's
// configuration command, a report for a device-channel command sent on another channel, and a burst of duplicate
// Acknowledged reports. A configuration's state moves only on its own device's first answer.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigurationDto, DeviceConfigurationDto } from '../../server/contract/index.js';
import { parsePlist, type PlistDict } from '../../server/core/plist.js';
import { dataPaths } from '../../server/paths.js';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { EmulatedAppleDevice, iphoneSpec } from '../helpers/apple-device.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { AdminClient } from '../helpers/http.js';
import { addUser, startHarness, type Harness } from '../helpers/server-harness.js';

let h: Harness;
let apns: ApnsMock;
let a: { device: EmulatedAppleDevice; id: string };
let b: { device: EmulatedAppleDevice; id: string };

async function enroll(email: string, n: number) {
  const caPem = h.server.services.ca.caCertificate().pem;
  const device = new EmulatedAppleDevice(iphoneSpec(n), { caPem });
  const userId = await addUser(h, email);
  const enrollment = (await h.admin.call('POST', '/api/enrollments', { userId, platform: 'ios' })).json<{
    profileUrl: string;
  }>();
  await device.downloadProfile(enrollment.profileUrl);
  expect(await device.scep()).toEqual({ status: 'SUCCESS' });
  await device.enrollMdm();
  expect(await device.commandLoop()).toEqual(['DeviceInformation']);
  const found = (await h.admin.call('GET', `/api/devices?q=${device.spec.udid}`)).json<{ items: { id: string }[] }>();
  return { device, id: found.items[0]?.id as string };
}

function commandRow(uuid: string) {
  const db = new Database(dataPaths(h.dataDir).db, { readonly: true });
  try {
    return db.prepare('SELECT device_id, status FROM mdm_commands WHERE uuid = ?').get(uuid) as {
      device_id: string;
      status: string;
    };
  } finally {
    db.close();
  }
}

async function stateOn(deviceId: string, configurationId: string) {
  return (await h.admin.call('GET', `/api/devices/${deviceId}/configurations`))
    .json<{ items: DeviceConfigurationDto[] }>()
    .items.find((c) => c.configurationId === configurationId);
}

async function auditCount(action: string, command: string) {
  const page = (await h.admin.call('GET', `/api/audit?action=${action}&limit=200`)).json<{
    items: { details: { command?: string } }[];
  }>();
  return page.items.filter((e) => e.details.command === command).length;
}

/** The UUIDs of the InstallProfile commands still waiting for a device. */
function pendingInstalls(deviceId: string): string[] {
  const db = new Database(dataPaths(h.dataDir).db, { readonly: true });
  try {
    return (
      db
        .prepare(
          `SELECT uuid FROM mdm_commands WHERE device_id = ? AND request_type = 'InstallProfile' AND status = 'queued'`,
        )
        .all(deviceId) as { uuid: string }[]
    ).map((r) => r.uuid);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  const pki = fakePushCertificate();
  apns = await startApnsMock(pki.appleCaPem);
  h = await startHarness({ apnsCa: apns.caPem });
  await h.admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem });
  await h.admin.call('PUT', '/api/push/settings', { apnsBaseUrl: apns.url });
  a = await enroll('a@example.com', 61);
  b = await enroll('b@example.com', 62);
});
afterAll(async () => {
  a?.device.close();
  b?.device.close();
  await h.stop();
  await apns.close();
});

async function newConfiguration(name: string): Promise<ConfigurationDto> {
  const res = await h.admin.call('POST', '/api/configurations', {
    name,
    platforms: ['ios'],
    assignment: { scope: 'everyone', userIds: [] },
    settings: { kind: 'wifi', ssid: name, security: 'wpa2-personal', password: 'a shared passphrase 9' },
  });
  expect(res.status, res.text).toBe(201);
  return res.json<ConfigurationDto>();
}

describe('configuration delivery on the command channel', () => {
  it('ignores another device answering a configuration command, and never hands it that command', async () => {
    const config = await newConfiguration('Cross');
    const [aInstall] = pendingInstalls(a.id);
    expect(aInstall).toBeDefined();
    // B claims to have installed A's profile: ignored (its own command comes next, never A's).
    const forged = await b.device.report({
      UDID: b.device.spec.udid,
      Status: 'Acknowledged',
      CommandUUID: aInstall as string,
    });
    expect(forged.status).toBe(200);
    const handed = parsePlist(forged.body) as PlistDict;
    expect(handed.CommandUUID).not.toBe(aInstall);
    expect(commandRow(aInstall as string)).toEqual({ device_id: a.id, status: 'queued' });
    expect(await stateOn(a.id, config.id)).toMatchObject({ state: 'pending' });
    // B's own loop installs its own copy; A's command is still A's.
    expect(await b.device.commandLoop()).toEqual(['InstallProfile']);
    expect(commandRow(aInstall as string).status).toBe('queued');
    expect(await a.device.commandLoop()).toEqual(['InstallProfile']);
    expect(await stateOn(a.id, config.id)).toMatchObject({ state: 'installed' });
  });

  it('ignores a report for a device-channel configuration command sent on a user channel', async () => {
    const config = await newConfiguration('Channel');
    const fetched = await a.device.report({ UDID: a.device.spec.udid, Status: 'Idle' });
    const uuid = (parsePlist(fetched.body) as PlistDict).CommandUUID as string;
    const wrong = await a.device.report({
      UDID: a.device.spec.udid,
      UserID: 'B7E1C2D3-0000-4000-8000-000000000001',
      Status: 'Acknowledged',
      CommandUUID: uuid,
    });
    expect(wrong.status).toBe(200);
    expect(commandRow(uuid).status).toBe('sent');
    expect(await stateOn(a.id, config.id)).toMatchObject({ state: 'pending' });
    expect(await a.device.commandLoop()).toEqual(['InstallProfile']);
    expect(await stateOn(a.id, config.id)).toMatchObject({ state: 'installed' });
  });

  it("shows a device's configurations to a signed-in admin only", async () => {
    const anonymous = new AdminClient(h.server.adminUrl);
    expect((await anonymous.call('GET', `/api/devices/${a.id}/configurations`)).status).toBe(401);
    const unknown = await h.admin.call('GET', '/api/devices/no-such-device/configurations');
    expect(unknown.status).toBe(404);
    expect(unknown.json<{ code: string }>().code).toBe('DEVICE_NOT_FOUND');
  });

  it('changes state once for a burst of duplicate Acknowledged reports', async () => {
    await b.device.commandLoop();
    const config = await newConfiguration('Burst');
    const fetched = await b.device.report({ UDID: b.device.spec.udid, Status: 'Idle' });
    const uuid = (parsePlist(fetched.body) as PlistDict).CommandUUID as string;
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        b.device.report({ UDID: b.device.spec.udid, Status: 'Acknowledged', CommandUUID: uuid }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    expect(commandRow(uuid).status).toBe('acknowledged');
    expect(await stateOn(b.id, config.id)).toMatchObject({ state: 'installed', installedVersion: 1 });
    expect(await auditCount('configuration.installed', uuid)).toBe(1);
    expect(await auditCount('mdm.command_result', uuid)).toBe(1);
  });
});
