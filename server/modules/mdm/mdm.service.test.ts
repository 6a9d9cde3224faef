import { readFixture } from '../../../tests/helpers/fixtures.js';
import { describe, expect, it } from 'vitest';
import { schemaKeys, validateDict } from '../../../tests/helpers/apple-schema.js';
import { testFoundation, TEST_ADMIN, TEST_CTX } from '../../../tests/helpers/foundation.js';
import { issueTestIdentity, mdmSignature, type TestIdentity } from '../../../tests/helpers/mdm-identity.js';
import { fakePushCertificate } from '../../../tests/helpers/push-cert.js';
import type { CommandRequest } from '../../contract/devices.js';
import { buildPlist, parsePlist, type PlistDict } from '../../core/plist.js';
import { enrollmentProfileIdentifier } from '../profiles/enrollment-profile.js';

const FIXTURE_TOPIC = 'com.apple.mgmt.External.e0bd1eac-1f17-4c8e-8a63-dd17d3dd35d9';
const fixture = (p: string) => readFixture('apple', p);

async function setup(platform: 'ios' | 'macos' = 'ios') {
  const woke: string[] = [];
  const f = testFoundation({ start: new Date().toISOString() });
  const pki = fakePushCertificate({ uid: FIXTURE_TOPIC });
  f.services.push.upload({ certificatePem: pki.certPem, privateKeyPem: pki.keyPem }, TEST_ADMIN, null);
  const user = await f.services.users.create({ email: 'taro@example.com', displayName: 'Taro' }, TEST_CTX);
  const enrollment = f.services.enrollment.create({ userId: user.id, platform }, TEST_ADMIN, null);
  const id = issueTestIdentity(f.services, enrollment.id);
  return { ...f, user, enrollment, id, woke };
}

type Setup = Awaited<ReturnType<typeof setup>>;

function checkin(s: Setup, body: Buffer | string, id: TestIdentity = s.id) {
  return s.services.mdm.checkin(Buffer.from(body), mdmSignature(body, id), '10.0.0.9');
}

function connect(s: Setup, msg: PlistDict, id: TestIdentity = s.id) {
  const body = buildPlist(msg);
  return s.services.mdm.connect(Buffer.from(body), mdmSignature(body, id), '10.0.0.9');
}

function authenticate(s: Setup, udid: string, extra: PlistDict = {}, id: TestIdentity = s.id) {
  return checkin(s, buildPlist({ MessageType: 'Authenticate', Topic: FIXTURE_TOPIC, UDID: udid, ...extra }), id);
}

function tokenUpdate(s: Setup, udid: string, extra: PlistDict = {}, id: TestIdentity = s.id) {
  return checkin(
    s,
    buildPlist({
      MessageType: 'TokenUpdate',
      Topic: FIXTURE_TOPIC,
      UDID: udid,
      Token: Buffer.alloc(32, 7),
      PushMagic: 'MAGIC-1',
      ...extra,
    }),
    id,
  );
}

describe('MDM check-in', () => {
  it('replays the real iPad Authenticate and TokenUpdate: Pending, then Active with DeviceInformation queued', async () => {
    const s = await setup();
    const auth = await checkin(s, fixture('checkin/Authenticate.ios.plist'));
    expect(auth).toEqual({ status: 200, body: '', contentType: null });
    const [device] = s.services.devices.list({}).items;
    expect(device).toMatchObject({
      udid: '663b07bb783e9ade1dae4fbb92ea12afc0ce5b69',
      status: 'pending',
      platform: 'ios',
      osVersion: '9.3.5',
      productName: 'iPad2,5',
      buildVersion: '13G36',
      userEmail: 'taro@example.com',
    });
    const tu = await checkin(s, fixture('checkin/TokenUpdate.ios.plist'));
    expect(tu.status).toBe(200);
    const detail = s.services.mdm.detail(device?.id as string);
    expect(detail.device.status).toBe('active');
    expect(detail.channels).toEqual([
      expect.objectContaining({ channel: 'device', enabled: true, hasPushToken: true }),
    ]);
    expect(detail.commands.map((c) => [c.requestType, c.status])).toEqual([['DeviceInformation', 'queued']]);
    expect(s.services.enrollment.get(s.enrollment.id)).toMatchObject({ status: 'enrolled', deviceId: device?.id });
    expect(s.services.audit.list({ action: 'device.enrolled' }).items).toHaveLength(1);
  });

  it('runs the command loop: Idle gets the command, the answer fills the record, then an empty 200', async () => {
    const s = await setup();
    const udid = '663b07bb783e9ade1dae4fbb92ea12afc0ce5b69';
    await checkin(s, fixture('checkin/Authenticate.ios.plist'));
    await checkin(s, fixture('checkin/TokenUpdate.ios.plist'));
    const next = await connect(s, { UDID: udid, Status: 'Idle' });
    expect(next.status).toBe(200);
    expect(next.contentType).toMatch(/^application\/xml/);
    const sent = parsePlist(next.body) as PlistDict;
    const command = sent.Command as PlistDict;
    expect(command.RequestType).toBe('DeviceInformation');
    expect(
      validateDict(
        schemaKeys('commands/information.device.yaml'),
        Object.fromEntries(Object.entries(command).filter(([k]) => k !== 'RequestType')),
      ),
    ).toEqual([]);
    const done = await connect(s, {
      UDID: udid,
      Status: 'Acknowledged',
      CommandUUID: sent.CommandUUID as string,
      QueryResponses: {
        DeviceName: '経理の iPad',
        OSVersion: '17.4',
        SerialNumber: 'F5JM992LF193',
        ModelName: 'iPad',
        Model: 'MNXX2J/A',
        BatteryLevel: 0.8,
      },
    });
    expect(done).toEqual({ status: 200, body: '', contentType: null });
    const [device] = s.services.devices.list({}).items;
    expect(device).toMatchObject({
      deviceName: '経理の iPad',
      osVersion: '17.4',
      serialNumber: 'F5JM992LF193',
      modelName: 'iPad',
    });
    const [cmd] = s.services.mdm.commands(device?.id as string);
    expect(cmd).toMatchObject({
      status: 'acknowledged',
      result: { QueryResponses: expect.objectContaining({ BatteryLevel: 0.8 }) },
    });
    // The whole answer is kept beside the device row, and a later answer to other queries adds to it.
    const info = () =>
      JSON.parse(
        (s.db.prepare('SELECT info FROM device_info WHERE device_id = ?').get(device?.id) as { info: string }).info,
      ) as Record<string, unknown>;
    expect(info()).toMatchObject({ DeviceName: '経理の iPad', BatteryLevel: 0.8, Model: 'MNXX2J/A' });
    const ask = s.services.mdm.enqueue(
      device?.id as string,
      { type: 'DeviceInformation', queries: ['WiFiMAC'] },
      TEST_ADMIN,
      null,
    );
    const again = parsePlist((await connect(s, { UDID: udid, Status: 'Idle' })).body) as PlistDict;
    expect(again.CommandUUID).toBe(ask.uuid);
    await connect(s, {
      UDID: udid,
      Status: 'Acknowledged',
      CommandUUID: again.CommandUUID as string,
      QueryResponses: { WiFiMAC: 'aa:bb:cc:dd:ee:ff' },
    });
    expect(info()).toMatchObject({ DeviceName: '経理の iPad', BatteryLevel: 0.8, WiFiMAC: 'aa:bb:cc:dd:ee:ff' });
  });

  it('replays the command-result fixtures (Acknowledged, Error with ErrorChain, DeviceInformation) byte for byte', async () => {
    for (const [file, status] of [
      ['commands/Acknowledged.plist', 'acknowledged'],
      ['commands/Error.plist', 'error'],
      ['commands/DeviceInformation.ios.plist', 'acknowledged'],
    ] as const) {
      const s = await setup('macos');
      const body = fixture(file);
      const msg = parsePlist(body) as PlistDict;
      await authenticate(s, msg.UDID as string, { Model: 'iMac14,2', ModelName: 'iMac', DeviceName: 'Fruit' });
      await tokenUpdate(s, msg.UDID as string);
      const [device] = s.services.devices.list({}).items;
      const { createMdmStore } = await import('./mdm.store.js');
      createMdmStore(s.db).insertCommand({
        uuid: msg.CommandUUID as string,
        device_id: device?.id as string,
        channel: 'device',
        request_type: 'ProfileList',
        command: buildPlist({ CommandUUID: msg.CommandUUID as string, Command: { RequestType: 'ProfileList' } }),
        status: 'sent',
        result: null,
        error_chain: null,
        created_by: 'test',
        created_at: new Date(0).toISOString(),
        sent_at: null,
        completed_at: null,
        render: null,
      });
      expect((await s.services.mdm.connect(body, mdmSignature(body, s.id), null)).status).toBe(200);
      const stored = s.services.mdm.commands(device?.id as string).find((c) => c.uuid === msg.CommandUUID);
      expect(stored?.status).toBe(status);
      if (status === 'error')
        expect(stored?.errorChain).toEqual([
          {
            ErrorCode: -909,
            ErrorDomain: 'NSOSStatusErrorDomain',
            LocalizedDescription: ' <NSOSStatusErrorDomain:-909>',
          },
        ]);
    }
  });

  it('answers UserAuthenticate with 410, refuses DeclarativeManagement and GetToken, and escrows a bootstrap token', async () => {
    const s = await setup('macos');
    const udid = '66ADE930-5FDF-5EC4-8429-15640684C489';
    await authenticate(s, udid, { Model: 'iMac14,2', ModelName: 'iMac', DeviceName: 'Fruit' });
    await tokenUpdate(s, udid);
    expect((await checkin(s, buildPlist({ MessageType: 'UserAuthenticate', UDID: udid, UserID: 'A1B2' }))).status).toBe(
      410,
    );
    expect(
      (await checkin(s, buildPlist({ MessageType: 'DeclarativeManagement', UDID: udid, Endpoint: 'tokens' }))).status,
    ).toBe(400);
    expect(
      (await checkin(s, buildPlist({ MessageType: 'GetToken', UDID: udid, TokenServiceType: 'com.apple.maid' })))
        .status,
    ).toBe(400);
    expect(await checkin(s, buildPlist({ MessageType: 'GetBootstrapToken', UDID: udid }))).toEqual({
      status: 200,
      body: '',
      contentType: null,
    });
    expect(
      (
        await checkin(
          s,
          buildPlist({ MessageType: 'SetBootstrapToken', UDID: udid, BootstrapToken: Buffer.from('secret-token') }),
        )
      ).status,
    ).toBe(200);
    const row = s.db.prepare('SELECT bootstrap_token FROM mdm_channels').get() as { bootstrap_token: string };
    expect(row.bootstrap_token).not.toContain('secret');
    const got = await checkin(s, buildPlist({ MessageType: 'GetBootstrapToken', UDID: udid }));
    expect((parsePlist(got.body) as PlistDict).BootstrapToken).toEqual(Buffer.from('secret-token'));
    const user = await tokenUpdate(s, udid, {
      UserID: 'B2C3-D4',
      UserShortName: 'hanako',
      UserLongName: 'Hanako Sato',
      NotOnConsole: false,
      PushMagic: 'USER-MAGIC',
    });
    expect(user.status).toBe(200);
    const [device] = s.services.devices.list({}).items;
    expect(s.services.mdm.detail(device?.id as string).channels.map((c) => c.channel)).toEqual([
      'device',
      'user:B2C3-D4',
    ]);
  });

  it('moves a checked-out device to Inactive and revokes its identity', async () => {
    const s = await setup();
    await authenticate(s, 'UDID-CHECKOUT');
    await tokenUpdate(s, 'UDID-CHECKOUT');
    expect(
      (await checkin(s, buildPlist({ MessageType: 'CheckOut', Topic: FIXTURE_TOPIC, UDID: 'UDID-CHECKOUT' }))).status,
    ).toBe(200);
    const [device] = s.services.devices.list({}).items;
    expect(device?.status).toBe('inactive');
    await expect(connect(s, { UDID: 'UDID-CHECKOUT', Status: 'Idle' })).rejects.toThrow(
      expect.objectContaining({ code: 'MDM_SIGNATURE_INVALID', message: expect.stringMatching(/revoked/) }),
    );
  });

  it('lands a re-enrolling device on its existing record and revokes the old identity', async () => {
    const s = await setup();
    await authenticate(s, 'UDID-AGAIN', { SerialNumber: 'SER1' });
    await tokenUpdate(s, 'UDID-AGAIN');
    const second = s.services.enrollment.create({ userId: s.user.id, platform: 'ios' }, TEST_ADMIN, null);
    const newId = issueTestIdentity(s.services, second.id);
    await authenticate(s, 'UDID-AGAIN', { SerialNumber: 'SER1' }, newId);
    expect(s.services.devices.list({}).items.map((d) => d.status)).toEqual(['pending']);
    await tokenUpdate(s, 'UDID-AGAIN', {}, newId);
    const devices = s.services.devices.list({}).items;
    expect(devices).toHaveLength(1);
    expect(devices[0]?.status).toBe('active');
    expect(s.services.issued.bySerial(s.id.serial)?.revoked_reason).toBe('superseded by re-enrollment');
    expect(s.services.audit.list({ action: 'device.reenrolled' }).items).toHaveLength(1);
  });

  it.each([
    [
      'no signature',
      async (s: Setup) =>
        s.services.mdm.checkin(
          Buffer.from(buildPlist({ MessageType: 'Authenticate', UDID: 'X', Topic: FIXTURE_TOPIC })),
          undefined,
          null,
        ),
      'MDM_SIGNATURE_INVALID',
    ],
    [
      'a signature over other bytes',
      async (s: Setup) =>
        s.services.mdm.checkin(Buffer.from('<plist><dict/></plist>'), mdmSignature('other', s.id), null),
      'MDM_SIGNATURE_INVALID',
    ],
    [
      'garbage signature',
      async (s: Setup) => s.services.mdm.checkin(Buffer.from('x'), 'not base64 ***', null),
      'MDM_SIGNATURE_INVALID',
    ],
    [
      'an identity we did not issue',
      async (s: Setup) => {
        const other = testFoundation();
        const u = await other.services.users.create({ email: 'x@example.com', displayName: 'x' }, TEST_CTX);
        const e = other.services.enrollment.create({ userId: u.id, platform: 'ios' }, TEST_ADMIN, null);
        const stranger = issueTestIdentity(other.services, e.id);
        return await checkin(s, buildPlist({ MessageType: 'Authenticate', UDID: 'X', Topic: FIXTURE_TOPIC }), stranger);
      },
      'MDM_SIGNATURE_INVALID',
    ],
    [
      'a DOCTYPE with entities',
      async (s: Setup) =>
        await checkin(
          s,
          '<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY u "X">]><plist><dict><key>UDID</key><string>&u;</string></dict></plist>',
        ),
      'MDM_BAD_REQUEST',
    ],
    ['random bytes', async (s: Setup) => await checkin(s, Buffer.from([0x01, 0xff, 0x80, 0x00])), 'MDM_BAD_REQUEST'],
    [
      'an unknown MessageType',
      async (s: Setup) => await checkin(s, buildPlist({ MessageType: 'Hello', UDID: 'X' })),
      'MDM_BAD_REQUEST',
    ],
    [
      'a foreign topic',
      async (s: Setup) =>
        await checkin(
          s,
          buildPlist({ MessageType: 'Authenticate', UDID: 'X', Topic: 'com.apple.mgmt.External.other' }),
        ),
      'MDM_BAD_REQUEST',
    ],
    ['TokenUpdate before Authenticate', async (s: Setup) => await tokenUpdate(s, 'NEVER-AUTH'), 'MDM_BAD_REQUEST'],
    [
      'a result without CommandUUID',
      async (s: Setup) => {
        await authenticate(s, 'U1');
        await tokenUpdate(s, 'U1');
        return connect(s, { UDID: 'U1', Status: 'Acknowledged' });
      },
      'MDM_BAD_REQUEST',
    ],
    [
      'another device’s UDID',
      async (s: Setup) => {
        await authenticate(s, 'U2');
        return connect(s, { UDID: 'SOMEONE-ELSE', Status: 'Idle' });
      },
      'MDM_BAD_REQUEST',
    ],
    [
      'an unknown Status',
      async (s: Setup) => {
        await authenticate(s, 'U3');
        return connect(s, { UDID: 'U3', Status: 'Done' });
      },
      'MDM_BAD_REQUEST',
    ],
  ])('refuses %s with a 400 code, never 401 or 403', async (_name, run, code) => {
    const s = await setup();
    const before = s.services.devices.list({}).total;
    let error: unknown;
    try {
      await run(s);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code, status: 400 });
    if (!['a result without CommandUUID', 'another device’s UDID', 'an unknown Status'].includes(_name))
      expect(s.services.devices.list({}).total).toBe(before);
  });
});

describe('MDM commands', () => {
  async function enrolled(platform: 'ios' | 'macos') {
    const s = await setup(platform);
    await authenticate(
      s,
      'CMD-UDID',
      platform === 'macos'
        ? { Model: 'Mac14,2', ModelName: 'MacBook Air', DeviceName: 'Mac' }
        : { ProductName: 'iPhone15,2' },
    );
    await tokenUpdate(s, 'CMD-UDID');
    const [device] = s.services.devices.list({}).items;
    // Deliver the enrollment DeviceInformation first.
    const first = parsePlist((await connect(s, { UDID: 'CMD-UDID', Status: 'Idle' })).body) as PlistDict;
    await connect(s, {
      UDID: 'CMD-UDID',
      Status: 'Acknowledged',
      CommandUUID: first.CommandUUID as string,
      QueryResponses: {},
    });
    return { s, deviceId: device?.id as string };
  }

  it.each([
    [{ type: 'ProfileList' }, 'commands/profile.list.yaml'],
    [
      {
        type: 'InstallProfile',
        payloadBase64: Buffer.from('<?xml version="1.0"?><plist><dict/></plist>').toString('base64'),
      },
      'commands/profile.install.yaml',
    ],
    [{ type: 'RemoveProfile', identifier: 'com.example.wifi' }, 'commands/profile.remove.yaml'],
    [
      { type: 'DeviceLock', message: '総務に連絡してください', phoneNumber: '+81 3-1234-5678' },
      'commands/device.lock.yaml',
    ],
    [{ type: 'EraseDevice', preserveDataPlan: true }, 'commands/device.erase.yaml'],
  ] as const)('sends %j shaped as Apple’s schema says', async (request, schema) => {
    const { s, deviceId } = await enrolled('ios');
    const queued = s.services.mdm.enqueue(deviceId, request as CommandRequest, TEST_ADMIN, null);
    expect(queued.status).toBe('queued');
    const sent = parsePlist((await connect(s, { UDID: 'CMD-UDID', Status: 'Idle' })).body) as PlistDict;
    expect(sent.CommandUUID).toBe(queued.uuid);
    const { RequestType, ...keys } = sent.Command as PlistDict;
    expect(RequestType).toBe(request.type);
    expect(validateDict(schemaKeys(schema), keys)).toEqual([]);
  });

  it('gives a Mac erase a 6-digit PIN and marks the device Wiped once acknowledged', async () => {
    const { s, deviceId } = await enrolled('macos');
    const queued = s.services.mdm.enqueue(deviceId, { type: 'EraseDevice' }, TEST_ADMIN, null);
    expect(queued.pin).toMatch(/^\d{6}$/);
    const sent = parsePlist((await connect(s, { UDID: 'CMD-UDID', Status: 'Idle' })).body) as PlistDict;
    expect((sent.Command as PlistDict).PIN).toBe(queued.pin);
    await connect(s, { UDID: 'CMD-UDID', Status: 'Acknowledged', CommandUUID: queued.uuid });
    expect(s.services.devices.get(deviceId).status).toBe('wiped');
    expect(() => s.services.mdm.enqueue(deviceId, { type: 'ProfileList' }, TEST_ADMIN, null)).toThrow(
      expect.objectContaining({ code: 'COMMAND_INVALID' }),
    );
  });

  it('retires a device when it acknowledges removal of the enrollment profile', async () => {
    const { s, deviceId } = await enrolled('ios');
    const identifier = enrollmentProfileIdentifier(s.services.settings.instanceId());
    const q = s.services.mdm.enqueue(deviceId, { type: 'RemoveProfile', identifier }, TEST_ADMIN, null);
    await connect(s, { UDID: 'CMD-UDID', Status: 'Idle' });
    await connect(s, { UDID: 'CMD-UDID', Status: 'Acknowledged', CommandUUID: q.uuid });
    expect(s.services.devices.get(deviceId).status).toBe('inactive');
  });

  it('skips commands answered NotNow for the rest of the connection and keeps them queued', async () => {
    const { s, deviceId } = await enrolled('ios');
    const a = s.services.mdm.enqueue(deviceId, { type: 'ProfileList' }, TEST_ADMIN, null);
    const b = s.services.mdm.enqueue(deviceId, { type: 'DeviceLock' }, TEST_ADMIN, null);
    expect((parsePlist((await connect(s, { UDID: 'CMD-UDID', Status: 'Idle' })).body) as PlistDict).CommandUUID).toBe(
      a.uuid,
    );
    expect(
      (parsePlist((await connect(s, { UDID: 'CMD-UDID', Status: 'NotNow', CommandUUID: a.uuid })).body) as PlistDict)
        .CommandUUID,
    ).toBe(b.uuid);
    expect((await connect(s, { UDID: 'CMD-UDID', Status: 'NotNow', CommandUUID: b.uuid })).body).toBe('');
    // The next connection starts over and offers the deferred commands again.
    expect((parsePlist((await connect(s, { UDID: 'CMD-UDID', Status: 'Idle' })).body) as PlistDict).CommandUUID).toBe(
      a.uuid,
    );
    await connect(s, { UDID: 'CMD-UDID', Status: 'CommandFormatError', CommandUUID: a.uuid });
    expect(s.services.mdm.commands(deviceId).find((c) => c.uuid === a.uuid)?.status).toBe('format_error');
  });

  it.each([
    [{ type: 'EraseDevice', pin: '12ab56' }, 'pin'],
    [{ type: 'RemoveProfile', identifier: 'has spaces' }, 'identifier'],
    [{ type: 'InstallProfile', payloadBase64: Buffer.from('hello').toString('base64') }, 'payloadBase64'],
    [{ type: 'DeviceInformation', queries: [] as string[] }, 'queries'],
  ] as const)('refuses %j naming %s', async (request, field) => {
    const { s, deviceId } = await enrolled('ios');
    expect(() => s.services.mdm.enqueue(deviceId, request as CommandRequest, TEST_ADMIN, null)).toThrow(
      expect.objectContaining({ code: 'COMMAND_INVALID', details: { field } }),
    );
  });
});
