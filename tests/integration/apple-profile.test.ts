import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlist, type PlistDict } from '../../server/core/plist.js';
import { verifyCms } from '../../server/pki/cms.js';
import { send } from '../helpers/http.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { local, startHarness, type Harness } from '../helpers/server-harness.js';

const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
let h: Harness;
let caPem: string;
let profileUrl: string;

beforeAll(async () => {
  h = await startHarness();
  caPem = h.server.services.ca.caCertificate().pem;
  const pki = fakePushCertificate();
  expect(
    (await h.admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem }))
      .status,
  ).toBe(200);
  const user = (
    await h.admin.call('POST', '/api/users', { email: 'ichiro@example.com', displayName: 'Ichiro', locale: 'en' })
  ).json<{ id: string }>();
  const created = await h.admin.call('POST', '/api/enrollments', { userId: user.id, platform: 'ios' });
  expect(created.status).toBe(201);
  profileUrl = local(created.json<{ profileUrl: string }>().profileUrl);
});
afterAll(async () => {
  await h.stop();
});

describe('the enrollment profile download', () => {
  it('is a signed profile that OpenSSL verifies and plistlib and plistutil both parse', async () => {
    const res = await send(profileUrl, { ca: caPem, headers: { 'user-agent': IPHONE_UA } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-apple-aspen-config');
    expect(res.headers['content-disposition']).toMatch(/\.mobileconfig"/);
    const dir = h.dataDir;
    writeFileSync(join(dir, 'profile.der'), res.body);
    writeFileSync(join(dir, 'ca.pem'), caPem);
    const xml = execFileSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-inform',
        'DER',
        '-in',
        join(dir, 'profile.der'),
        '-CAfile',
        join(dir, 'ca.pem'),
        '-purpose',
        'any',
        '-out',
        join(dir, 'profile.plist'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    void xml;
    const py = execFileSync('python3', [
      '-c',
      [
        'import plistlib, sys, json',
        `p = plistlib.load(open(${JSON.stringify(join(dir, 'profile.plist'))}, "rb"))`,
        'scep = p["PayloadContent"][1]["PayloadContent"]',
        'mdm = p["PayloadContent"][2]',
        'print(json.dumps({"type": p["PayloadType"], "target": p["TargetDeviceType"], "keysize": scep["Keysize"], "keytype": scep["Key Type"], "usage": scep["Key Usage"], "subject": scep["Subject"], "sign": mdm["SignMessage"], "rights": mdm["AccessRights"], "ca": len(p["PayloadContent"][0]["PayloadContent"])}))',
      ].join('\n'),
    ]).toString();
    expect(JSON.parse(py)).toMatchObject({
      type: 'Configuration',
      target: 1,
      keysize: 2048,
      keytype: 'RSA',
      usage: 5,
      sign: true,
      rights: 8191,
    });
    expect(JSON.parse(py).subject[1][0][0]).toBe('CN');
    // plistutil converts to binary and back: it must read every element we wrote.
    execFileSync('plistutil', ['-i', join(dir, 'profile.plist'), '-o', join(dir, 'profile.bplist'), '-f', 'bin']);
    const roundTrip = execFileSync('plistutil', ['-i', join(dir, 'profile.bplist'), '-f', 'xml']).toString();
    expect(roundTrip).toContain('<key>Key Usage</key>');
    expect(roundTrip).toContain('<string>com.apple.security.scep</string>');
  });

  it('records each download and says plainly when a link is no good', async () => {
    const events = (await h.admin.call('GET', '/api/audit?action=profile.downloaded')).json<{
      items: { details: { deviceHint: string } }[];
    }>();
    expect(events.items[0]?.details.deviceHint).toBe(IPHONE_UA);
    const bad = await send(profileUrl.replace(/\/profile\/.+$/, '/profile/not-a-real-token'), {
      ca: caPem,
      headers: { 'accept-language': 'en' },
    });
    expect(bad.status).toBe(404);
    expect(bad.headers['content-type']).toMatch(/text\/html/);
    expect(bad.text).toContain('This enrollment link is not valid');
  });
});

describe('the profile follows its enrollment, not the User-Agent', () => {
  // iPadOS Safari asks for desktop sites and says it is a Mac.
  const IPAD_DESKTOP_UA =
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
  const MAC_UA = IPAD_DESKTOP_UA;

  it.each([
    ['an iPhone/iPad enrollment downloaded by an iPad that says Macintosh', 'ios', IPAD_DESKTOP_UA, 1],
    ['an iPhone/iPad enrollment downloaded by an iPhone', 'ios', IPHONE_UA, 1],
    ['a Mac enrollment downloaded by a Mac', 'macos', MAC_UA, 5],
    ['a Mac enrollment downloaded with an iPhone User-Agent', 'macos', IPHONE_UA, 5],
  ])('%s gets the %s profile', async (_name, platform, ua, targetDeviceType) => {
    const user = (
      await h.admin.call('POST', '/api/users', {
        email: `target-${platform}-${targetDeviceType}-${ua.length}@example.com`,
        displayName: 'Target',
        locale: 'en',
      })
    ).json<{ id: string }>();
    const url = local(
      (await h.admin.call('POST', '/api/enrollments', { userId: user.id, platform })).json<{ profileUrl: string }>()
        .profileUrl,
    );
    const res = await send(url, { ca: caPem, headers: { 'user-agent': ua } });
    expect(res.status).toBe(200);
    const profile = parsePlist(verifyCms(res.body).content) as PlistDict;
    expect(profile.TargetDeviceType).toBe(targetDeviceType);
  });
});

describe('the MDM endpoints over HTTPS', () => {
  const base = () => local(h.server.enrollmentUrl).replace(/\/$/, '');

  it.each([
    ['/mdm/checkin', 'application/x-apple-aspen-mdm-checkin', '<plist><dict/></plist>', 400],
    ['/mdm/connect', 'application/x-apple-aspen-mdm', '<plist><dict/></plist>', 400],
    ['/mdm/checkin', 'application/json', '{}', 415],
    ['/mdm/connect', 'application/x-apple-aspen-mdm-checkin', '<plist/>', 415],
    ['/mdm/checkin', 'application/x-apple-aspen-mdm-checkin', 'x'.repeat(2 * 1024 * 1024), 413],
  ])('PUT %s as %s answers %i (never 401 or 403)', async (path, type, body, status) => {
    const res = await send(`${base()}${path}`, { method: 'PUT', ca: caPem, headers: { 'content-type': type }, body });
    expect(res.status).toBe(status);
    expect(res.json()).toMatchObject({ code: expect.any(String) });
  });
});

describe('/trust', () => {
  it('offers a CA-only profile signed by the server', async () => {
    const res = await send(local(h.server.bootstrapUrl).replace('/trust', '/trust/ca.mobileconfig'));
    expect(res.headers['content-type']).toBe('application/x-apple-aspen-config');
    writeFileSync(join(h.dataDir, 'trust.der'), res.body);
    const out = execFileSync('openssl', [
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-in',
      join(h.dataDir, 'trust.der'),
      '-noverify',
    ]).toString();
    expect(out).toContain('com.apple.security.root');
  });
});
