// The configuration library through the admin API on a real server and SQLite file: create, edit (a new version only
// when what the device gets changes), assignment, secrets sealed and never sent back, uploads checked, delete.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigurationDetailDto, ConfigurationDto, ConfigurationInput } from '../../server/contract/index.js';
import { buildPlist, type PlistDict } from '../../server/core/plist.js';
import { dataPaths } from '../../server/paths.js';
import { addUser, startHarness, type Harness } from '../helpers/server-harness.js';

const PASSWORD = 'office wifi passphrase 42';
let h: Harness;
let userId: string;

const wifi = (over: Partial<ConfigurationInput> = {}, settings: Record<string, unknown> = {}): ConfigurationInput => ({
  name: 'Office Wi-Fi',
  platforms: ['ios', 'macos', 'android'],
  assignment: { scope: 'everyone', userIds: [] },
  ...over,
  settings: { kind: 'wifi', ssid: 'Office', security: 'wpa2-personal', password: PASSWORD, ...settings } as never,
});

async function create(input: ConfigurationInput): Promise<ConfigurationDto> {
  const res = await h.admin.call('POST', '/api/configurations', input);
  expect(res.status, res.text).toBe(201);
  return res.json<ConfigurationDto>();
}

function rows<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(dataPaths(h.dataDir).db, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const mobileconfig = (payload: PlistDict): string =>
  Buffer.from(
    buildPlist({
      PayloadType: 'Configuration',
      PayloadVersion: 1,
      PayloadIdentifier: 'com.example.guest',
      PayloadUUID: '0B4E0C3A-7D0E-4E2B-8B76-4D1F0A9C2E11',
      PayloadDisplayName: 'Guest network',
      PayloadContent: [
        {
          PayloadVersion: 1,
          PayloadUUID: '6E1C7A5E-2B64-4C51-9F0E-1D2C3B4A5F60',
          PayloadIdentifier: 'com.example.guest.wifi',
          ...payload,
        },
      ],
    }),
  ).toString('base64');

beforeAll(async () => {
  h = await startHarness();
  userId = await addUser(h, 'config-user@example.com');
});
afterAll(async () => {
  await h.stop();
});

describe('the configuration library', () => {
  it('creates a Wi-Fi network: version 1, the password sealed at rest and never sent back, audited', async () => {
    const created = await create(wifi());
    expect(created).toMatchObject({
      kind: 'wifi',
      version: 1,
      platforms: ['ios', 'macos', 'android'],
      macChannel: 'device',
      settings: { kind: 'wifi', ssid: 'Office', security: 'wpa2-personal', hasPassword: true },
      counts: { pending: 0, installed: 0, failed: 0, removing: 0 },
    });
    const list = await h.admin.call('GET', '/api/configurations');
    const detail = await h.admin.call('GET', `/api/configurations/${created.id}`);
    const audit = await h.admin.call('GET', '/api/audit?limit=50');
    for (const res of [list, detail, audit]) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(PASSWORD);
    }
    expect(detail.json<ConfigurationDetailDto>().configuration.id).toBe(created.id);
    expect(audit.text).toContain('configuration.created');
    const [stored] = rows<{ spec: string; secrets_sealed: string }>(
      'SELECT spec, secrets_sealed FROM configuration_versions WHERE configuration_id = ?',
      created.id,
    );
    expect(stored!.spec).toContain('<string>Office</string>');
    expect(stored!.spec).not.toContain(PASSWORD);
    expect(stored!.secrets_sealed).toMatch(/^v1\./);
    expect(Buffer.from(stored!.secrets_sealed.split('.')[3]!, 'base64url').toString('latin1')).not.toContain('office');
  });

  it('makes a new version only when what the device gets changes; a kept password stays', async () => {
    const c = await create(wifi({ name: 'Versions' }));
    const put = (input: ConfigurationInput) => h.admin.call('PUT', `/api/configurations/${c.id}`, input);
    // The same settings with the password left out: nothing changed.
    let res = await put(wifi({ name: 'Versions' }, { password: undefined }));
    expect(res.status, res.text).toBe(200);
    expect(res.json<ConfigurationDto>()).toMatchObject({ version: 1, settings: { hasPassword: true } });
    // Assigned to one user and Macs only: who gets it changes, the profile does not.
    res = await put(
      wifi({ name: 'Versions', platforms: ['macos'], assignment: { scope: 'users', userIds: [userId] } }),
    );
    expect(res.json<ConfigurationDto>()).toMatchObject({
      version: 1,
      platforms: ['macos'],
      assignment: { scope: 'users', userIds: [userId], users: [{ id: userId, email: 'config-user@example.com' }] },
    });
    // A new network name: version 2; a new name on the device: version 3.
    res = await put(wifi({ name: 'Versions' }, { ssid: 'Office-5G', password: undefined }));
    expect(res.json<ConfigurationDto>()).toMatchObject({
      version: 2,
      settings: { ssid: 'Office-5G', hasPassword: true },
    });
    res = await put(wifi({ name: 'Versions renamed' }, { ssid: 'Office-5G', password: undefined }));
    expect(res.json<ConfigurationDto>().version).toBe(3);
    const versions = rows<{ version: number }>(
      'SELECT version FROM configuration_versions WHERE configuration_id = ? ORDER BY version',
      c.id,
    );
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('refuses what devices cannot use, naming the field, and writes nothing', async () => {
    const before = rows<{ n: number }>('SELECT count(*) AS n FROM configurations')[0]!.n;
    const cases: [ConfigurationInput, string, string][] = [
      // Android's agent can only suggest Personal networks.
      [
        wifi({}, { security: 'wpa2-enterprise', password: undefined, trustedServerNames: ['radius.example.com'] }),
        'CONFIGURATION_INVALID',
        'platforms',
      ],
      [wifi({}, { password: 'short' }), 'CONFIGURATION_INVALID', 'settings.password'],
      [
        wifi({ assignment: { scope: 'users', userIds: ['no-such-user'] } }),
        'CONFIGURATION_INVALID',
        'assignment.userIds',
      ],
      [wifi({ assignment: { scope: 'users', userIds: [] } }), 'CONFIGURATION_INVALID', 'assignment.userIds'],
      [
        {
          name: 'Clip',
          platforms: ['macos'],
          macChannel: 'device',
          assignment: { scope: 'everyone', userIds: [] },
          settings: { kind: 'webclip', url: 'https://intranet.example.com/', label: 'Intranet' },
        },
        'CONFIGURATION_INVALID',
        'macChannel',
      ],
      [
        {
          name: 'R',
          platforms: ['ios'],
          assignment: { scope: 'everyone', userIds: [] },
          settings: { kind: 'restrictions', values: { allowCloudDocumentSync: false } },
        },
        'CONFIGURATION_SUPERVISION_REQUIRED',
        '',
      ],
    ];
    for (const [input, code, field] of cases) {
      const res = await h.admin.call('POST', '/api/configurations', input);
      expect(res.status, res.text).toBe(400);
      const body = res.json<{ code: string; message: string; details?: { field?: string } }>();
      expect(body.code).toBe(code);
      if (field) expect(body.details?.field).toBe(field);
      expect(body.message.length).toBeGreaterThan(10);
    }
    expect(rows<{ n: number }>('SELECT count(*) AS n FROM configurations')[0]!.n).toBe(before);
    expect(
      rows<{ n: number }>(
        'SELECT count(*) AS n FROM configuration_versions WHERE configuration_id NOT IN (SELECT id FROM configurations)',
      )[0]!.n,
    ).toBe(0);
  });

  it('keeps a configuration’s kind', async () => {
    const c = await create(wifi({ name: 'Kind' }));
    const res = await h.admin.call('PUT', `/api/configurations/${c.id}`, {
      name: 'Kind',
      platforms: ['ios'],
      assignment: { scope: 'everyone', userIds: [] },
      settings: { kind: 'office-ca' },
    });
    expect(res.status).toBe(400);
    expect(res.json<{ details: { field: string } }>().details.field).toBe('settings.kind');
  });

  it('takes an uploaded .mobileconfig, shows its payloads, keeps it on an edit, and refuses an MDM payload', async () => {
    const ok = await create({
      name: 'Guest',
      platforms: ['ios', 'macos'],
      assignment: { scope: 'everyone', userIds: [] },
      settings: {
        kind: 'uploaded',
        profileBase64: mobileconfig({
          PayloadType: 'com.apple.wifi.managed',
          SSID_STR: 'Guest',
          EncryptionType: 'None',
        }),
      },
    });
    expect(ok.settings).toEqual({
      kind: 'uploaded',
      displayName: 'Guest network',
      identifier: 'com.example.guest',
      wasSigned: false,
      payloads: [{ type: 'com.apple.wifi.managed', identifier: 'com.example.guest.wifi', displayName: null }],
    });
    const kept = await h.admin.call('PUT', `/api/configurations/${ok.id}`, {
      name: 'Guest',
      platforms: ['ios', 'macos'],
      assignment: { scope: 'everyone', userIds: [] },
      settings: { kind: 'uploaded' },
    });
    expect(kept.json<ConfigurationDto>()).toMatchObject({ version: 1, settings: { identifier: 'com.example.guest' } });
    const refused = await h.admin.call('POST', '/api/configurations', {
      name: 'MDM',
      platforms: ['ios'],
      assignment: { scope: 'everyone', userIds: [] },
      settings: { kind: 'uploaded', profileBase64: mobileconfig({ PayloadType: 'com.apple.mdm' }) },
    });
    expect(refused.status).toBe(400);
    expect(refused.json<{ code: string }>().code).toBe('PROFILE_UPLOAD_REFUSED');
  });

  it('deletes: gone from the list, 404 after, audited', async () => {
    const c = await create(wifi({ name: 'Short-lived' }));
    expect((await h.admin.call('DELETE', `/api/configurations/${c.id}`)).status).toBe(204);
    const after = await h.admin.call('GET', `/api/configurations/${c.id}`);
    expect(after.status).toBe(404);
    expect(after.json<{ code: string }>().code).toBe('CONFIGURATION_NOT_FOUND');
    expect((await h.admin.call('DELETE', `/api/configurations/${c.id}`)).status).toBe(404);
    const list = (await h.admin.call('GET', '/api/configurations')).json<{ items: ConfigurationDto[] }>();
    expect(list.items.map((i) => i.id)).not.toContain(c.id);
    expect((await h.admin.call('GET', '/api/audit?limit=5')).text).toContain('configuration.deleted');
  });

  it('offers the restrictions with their support per platform', async () => {
    const res = await h.admin.call('GET', '/api/configurations/restrictions');
    const items = res.json<{ items: { key: string; ios: string; macos: string }[] }>().items;
    expect(items.find((i) => i.key === 'allowCloudDocumentSync')).toMatchObject({ ios: 'supervised', macos: 'yes' });
    expect(items.length).toBeGreaterThan(10);
  });
});
