// The configuration library's admin routes under attack: no session or CSRF token, bodies past the limit, uploads
// that are too large, carry entity declarations or our identifiers, and someone who copies the data directory looking
// for the Wi-Fi password and VPN shared secret (sealed per version; never in a response or the audit trail).
import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigurationInput } from '../../server/contract/index.js';
import { buildPlist } from '../../server/core/plist.js';
import { CONFIGURATION_BODY_LIMIT } from '../../server/modules/configurations/configurations.routes.js';
import { UPLOAD_MAX_BYTES } from '../../server/modules/configurations/uploaded-profile.js';
import { dataPaths } from '../../server/paths.js';
import { AdminClient } from '../helpers/http.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

let h: Harness;
const ID = '00000000-0000-0000-0000-000000000000';
const WIFI_PASSWORD = 'sealed-wifi-passphrase-7731';
const VPN_SECRET = 'sealed-vpn-shared-secret-5512';

const everyone = { scope: 'everyone' as const, userIds: [] };
const wifi: ConfigurationInput = {
  name: 'Office',
  platforms: ['ios'],
  assignment: everyone,
  settings: { kind: 'wifi', ssid: 'Office', security: 'wpa3-personal', password: WIFI_PASSWORD },
};
const upload = (xml: string): ConfigurationInput => ({
  name: 'Upload',
  platforms: ['ios'],
  assignment: everyone,
  settings: { kind: 'uploaded', profileBase64: Buffer.from(xml).toString('base64') },
});
const profileXml = (payloadIdentifier: string, extra = '') =>
  buildPlist({
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: 'com.example.p',
    PayloadUUID: '0B4E0C3A-7D0E-4E2B-8B76-4D1F0A9C2E11',
    PayloadContent: [
      {
        PayloadType: 'com.apple.wifi.managed',
        PayloadVersion: 1,
        PayloadIdentifier: payloadIdentifier,
        PayloadUUID: '6E1C7A5E-2B64-4C51-9F0E-1D2C3B4A5F60',
        SSID_STR: 'Guest',
        EncryptionType: 'None',
        Padding: extra,
      },
    ],
  });

const count = (table: string): number => {
  const db = new Database(dataPaths(h.dataDir).db, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};
const written = () => [count('configurations'), count('configuration_versions')];

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

describe('every configuration route needs a session and the CSRF token', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', '/api/configurations'],
    ['GET', '/api/configurations/restrictions'],
    ['GET', `/api/configurations/${ID}`],
    ['POST', '/api/configurations', wifi],
    ['PUT', `/api/configurations/${ID}`, wifi],
    ['DELETE', `/api/configurations/${ID}`],
  ];
  it.each(routes)('%s %s without a session: 401', async (method, path, body) => {
    const res = await new AdminClient(h.server.adminUrl).call(method, path, body);
    expect([res.status, res.json<{ code: string }>().code]).toEqual([401, 'AUTH_REQUIRED']);
  });
  it.each(routes.filter(([m]) => m !== 'GET'))('%s %s without the CSRF token: 403', async (method, path, body) => {
    const csrf = h.admin.csrf;
    h.admin.csrf = '';
    try {
      const res = await h.admin.call(method, path, body);
      expect([res.status, res.json<{ code: string }>().code]).toEqual([403, 'CSRF_INVALID']);
    } finally {
      h.admin.csrf = csrf;
    }
  });
});

describe('sizes and uploads', () => {
  it('a body past the limit gets 413 before it is read whole, and nothing is written', async () => {
    const before = written();
    const huge = { ...wifi, description: 'x'.repeat(CONFIGURATION_BODY_LIMIT) };
    const res = await h.admin.call('POST', '/api/configurations', huge);
    expect(res.status).toBe(413);
    expect(written()).toEqual(before);
  });

  it('an uploaded profile past UPLOAD_MAX_BYTES (its base64 inside the body limit) gets PROFILE_UPLOAD_TOO_LARGE', async () => {
    const before = written();
    const res = await h.admin.call(
      'POST',
      '/api/configurations',
      upload(profileXml('com.example.big', 'a'.repeat(UPLOAD_MAX_BYTES))),
    );
    expect([res.status, res.json<{ code: string }>().code]).toEqual([413, 'PROFILE_UPLOAD_TOO_LARGE']);
    expect(written()).toEqual(before);
  });

  it('an upload declaring entities is refused without expanding them', async () => {
    const before = written();
    const bomb = profileXml('com.example.bomb').replace(
      '<plist',
      '<!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><plist',
    );
    const res = await h.admin.call('POST', '/api/configurations', upload(bomb));
    expect([res.status, res.json<{ code: string }>().code]).toEqual([400, 'PROFILE_UPLOAD_INVALID']);
    expect(written()).toEqual(before);
  });

  it('an upload using our identifiers (to replace or remove what we install) is refused', async () => {
    const before = written();
    const res = await h.admin.call('POST', '/api/configurations', upload(profileXml('app.tsunagu.enrollment.x')));
    expect([res.status, res.json<{ code: string }>().code]).toEqual([400, 'PROFILE_UPLOAD_REFUSED']);
    expect(written()).toEqual(before);
  });

  it('assigning to more users than the limit is refused by the schema', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `user-${i}`);
    const res = await h.admin.call('POST', '/api/configurations', {
      ...wifi,
      assignment: { scope: 'users', userIds: ids },
    });
    expect(res.status).toBe(400);
  });
});

describe('secrets at rest', () => {
  it('the Wi-Fi password and the VPN shared secret are in no response, audit row, database or -wal byte', async () => {
    const created = await h.admin.call('POST', '/api/configurations', wifi);
    expect(created.status).toBe(201);
    const id = created.json<{ id: string }>().id;
    // An edit keeps the password (left out) and makes a new version, sealed under that version's label.
    const edited = await h.admin.call('PUT', `/api/configurations/${id}`, {
      ...wifi,
      settings: { kind: 'wifi', ssid: 'Office-2', security: 'wpa3-personal' },
    });
    expect(edited.json<{ version: number; settings: { hasPassword: boolean } }>()).toMatchObject({
      version: 2,
      settings: { hasPassword: true },
    });
    const vpn = await h.admin.call('POST', '/api/configurations', {
      name: 'VPN',
      platforms: ['ios', 'macos'],
      assignment: everyone,
      settings: {
        kind: 'vpn',
        name: 'Office VPN',
        remoteAddress: 'vpn.example.com',
        remoteIdentifier: 'vpn.example.com',
        localIdentifier: 'office-device',
        auth: 'shared-secret',
        sharedSecret: VPN_SECRET,
      },
    });
    expect(vpn.status, vpn.text).toBe(201);
    const answers = [created, edited, vpn];
    answers.push(await h.admin.call('GET', '/api/configurations'));
    answers.push(await h.admin.call('GET', `/api/configurations/${id}`));
    answers.push(await h.admin.call('GET', '/api/audit?limit=100'));
    for (const a of answers) {
      expect(a.text).not.toContain(WIFI_PASSWORD);
      expect(a.text).not.toContain(VPN_SECRET);
    }
    const file = dataPaths(h.dataDir).db;
    for (const f of [file, `${file}-wal`].filter((p) => existsSync(p))) {
      const bytes = readFileSync(f);
      expect(bytes.includes(Buffer.from(WIFI_PASSWORD)), f).toBe(false);
      expect(bytes.includes(Buffer.from(VPN_SECRET)), f).toBe(false);
    }
  });
});
