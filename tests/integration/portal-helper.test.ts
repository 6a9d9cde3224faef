// The macOS helper from the portal's side (issue 11): the Mac section's `tsunagu://enroll` link (read with the
// helper's own parser, its token good for one sign-in, the office CA's SHA-256), and the helper download: shipped
// with the server (TSUNAGU_HELPER_BUILD), uploaded by the admin (streamed, checked, kept when a new one is refused),
// removed, and served on the device listener to anyone.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeepLink } from '../../electron/helper/deep-link.js';
import type { HelperBuildResponse } from '../../server/contract/index.js';
import { TEXT } from '../../server/i18n/index.js';
import { invitationLinkIn } from '../helpers/first-visit.js';
import { AdminClient, send } from '../helpers/http.js';
import { PortalClient } from '../helpers/portal-client.js';
import { local, startHarness, type Harness } from '../helpers/server-harness.js';
import { sinkSmtpSettings, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { tempDir } from '../helpers/temp-dir.js';

const MAC_SAFARI =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const PASSWORD = 'a long password for mac';
const ROUTE = '/api/settings/helper-build';

const shipped = Buffer.concat([Buffer.alloc(8192, 9), Buffer.from('koly', 'latin1'), Buffer.alloc(508)]);
const uploaded = Buffer.concat([Buffer.from('xar!', 'latin1'), Buffer.alloc(20_000, 4)]);
const zipBytes = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100)]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const files = tempDir('helper-shipped');
let h: Harness;
let smtp: SmtpSink;
let caPem: string;
let origin: string;
let key: string;

/** A Mac's Safari, signed in to the portal. */
async function signedInMac(lang = 'en-GB'): Promise<PortalClient> {
  const mac = new PortalClient(origin, caPem, MAC_SAFARI, lang);
  const res = await mac.post(`/e/${key}/go/sign-in`, { email: 'mac@example.com', secret: PASSWORD });
  expect(res.status).toBe(303);
  return mac;
}
const helperLinkIn = (page: string) => (/id="helper-link" href="([^"]+)"/.exec(page)?.[1] ?? '').replace(/&amp;/g, '&');
const downloadIn = (page: string) => /id="helper-download" href="([^"]+)"/.exec(page)?.[1] ?? null;
const upload = (bytes: Buffer, fileName: string, headers: Record<string, string> = {}) =>
  h.admin.call('PUT', `${ROUTE}?fileName=${encodeURIComponent(fileName)}`, bytes, {
    contentType: 'application/octet-stream',
    headers,
  });
const download = (path: string, headers: Record<string, string> = {}) =>
  send(`${origin}${path}`, { ca: caPem, headers });

beforeAll(async () => {
  writeFileSync(join(files.path, 'Tsunagu Helper.dmg'), shipped);
  smtp = await startSmtpSink();
  h = await startHarness({ env: { TSUNAGU_HELPER_BUILD: join(files.path, 'Tsunagu Helper.dmg') } });
  caPem = h.server.services.ca.caCertificate().pem;
  origin = local(h.server.enrollmentUrl).replace(/\/$/, '');
  key = h.server.services.urls.current().key;
  const res = await h.admin.call('POST', '/api/users', {
    email: 'mac@example.com',
    displayName: 'Mac User',
    password: PASSWORD,
    locale: 'en',
  });
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await h?.stop();
  await smtp?.close();
  files.remove();
});

describe('the Mac section’s helper link', () => {
  it('is read by the helper’s parser: this server’s HTTPS origin, the office CA’s SHA-256, a token', async () => {
    const mac = await signedInMac();
    const home = await mac.get(`/e/${key}/go/home`);
    expect(home.status).toBe(200);
    expect(home.text).toContain(TEXT.en.portal.openInHelper);
    expect(home.text).toContain(TEXT.en.portal.macManualTitle);
    const link = parseDeepLink(helperLinkIn(home.text));
    expect(link.server).toBe(new URL(h.server.enrollmentUrl).origin);
    const der = h.server.services.ca.caCertificate().der;
    expect(link.caSha256).toBe(createHash('sha256').update(der).digest('hex'));
    expect(link.token).toMatch(/^[\w-]{22,}$/);
  });

  it('carries a token that signs in exactly once', async () => {
    const mac = await signedInMac();
    const { token } = parseDeepLink(helperLinkIn((await mac.get(`/e/${key}/go/home`)).text));
    const helper = new PortalClient(origin, caPem, 'Tsunagu Helper', 'en');
    const first = await helper.get(`/e/${key}/go/t/${token}`);
    expect(first.status).toBe(303);
    const home = await helper.get(first.headers.location as string);
    expect(home.status).toBe(200);
    expect(home.text).toContain('Mac User');
    const again = await new PortalClient(origin, caPem, 'Tsunagu Helper', 'en').get(`/e/${key}/go/t/${token}`);
    expect(again.status).toBe(410);
    const audit = await h.admin.call('GET', '/api/audit?action=portal.helper_link_created');
    expect(audit.json<{ items: unknown[] }>().items.length).toBeGreaterThanOrEqual(2);
  });

  it('is not in the invitation mail, which links to the web portal (mail clients do not open custom schemes)', async () => {
    const smtpRes = await h.admin.call('PUT', '/api/mail/smtp', sinkSmtpSettings(smtp));
    expect(smtpRes.status).toBe(200);
    const res = await h.admin.call('POST', '/api/users', {
      email: 'invited@example.com',
      displayName: 'Invited',
      locale: 'en',
      sendInvitation: true,
    });
    expect(res.status).toBe(201);
    await h.server.services.tick();
    const [mail] = await smtp.waitFor(1);
    expect(invitationLinkIn(mail?.text ?? '')).toMatch(/^https?:\/\/tsunagu\.test:\d+\/e\/[\w-]+\/go/);
    expect(`${mail?.text ?? ''}${mail?.html || ''}`).not.toContain('tsunagu://');
  });
});

describe('the helper download', () => {
  it('offers the build shipped with the server when the admin uploaded none', async () => {
    const status = (await h.admin.call('GET', ROUTE)).json<HelperBuildResponse>();
    expect(status).toMatchObject({
      bundledAvailable: true,
      build: { source: 'bundled', fileName: 'Tsunagu Helper.dmg', kind: 'dmg', size: shipped.length },
    });
    expect(status.build?.sha256).toBe(sha(shipped));
    const home = await (await signedInMac()).get(`/e/${key}/go/home`);
    expect(downloadIn(home.text)).toBe('/downloads/tsunagu-helper.dmg');
    // Not signed in: the download is not secret.
    const res = await download('/downloads/tsunagu-helper.dmg');
    expect(res.status).toBe(200);
    expect(res.body.equals(shipped)).toBe(true);
    expect(res.headers['content-type']).toBe('application/x-apple-diskimage');
  });

  it('uploads a build, which then replaces the shipped one: bytes and headers', async () => {
    const res = await upload(uploaded, 'Tsunagu Helper 1.2.pkg');
    expect(res.status).toBe(200);
    const body = res.json<HelperBuildResponse>();
    expect(body.build).toMatchObject({
      source: 'upload',
      fileName: 'Tsunagu Helper 1.2.pkg',
      kind: 'pkg',
      size: uploaded.length,
      sha256: sha(uploaded),
    });
    expect(body.build?.downloadUrl).toBe(`${h.server.enrollmentUrl.replace(/\/$/, '')}/downloads/tsunagu-helper.pkg`);
    const got = await download('/downloads/tsunagu-helper.pkg');
    expect(got.status).toBe(200);
    expect(got.body.equals(uploaded)).toBe(true);
    expect(got.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-length': String(uploaded.length),
      'content-disposition': 'attachment; filename="tsunagu-helper.pkg"',
      etag: `"${sha(uploaded)}"`,
    });
    expect((await download('/downloads/tsunagu-helper.pkg', { 'if-none-match': `"${sha(uploaded)}"` })).status).toBe(
      304,
    );
    expect((await download('/downloads/tsunagu-helper.dmg')).status).toBe(404);
    const home = await (await signedInMac()).get(`/e/${key}/go/home`);
    expect(downloadIn(home.text)).toBe('/downloads/tsunagu-helper.pkg');
    const audit = await h.admin.call('GET', '/api/audit?action=helper_build.uploaded');
    expect(audit.json<{ items: { actorLabel: string }[] }>().items[0]?.actorLabel).toBe('admin@example.com');
  });

  it.each([
    ['a zip named .dmg', zipBytes, 'helper.dmg', {}, 400, 'HELPER_BUILD_INVALID'],
    ['another kind of file', zipBytes, 'helper.exe', {}, 400, 'HELPER_BUILD_INVALID'],
    [
      'a file over 300 MB',
      zipBytes,
      'helper.zip',
      { 'content-length': String(300 * 1024 * 1024 + 1) },
      413,
      'BODY_TOO_LARGE',
    ],
  ] as const)(
    'refuses %s with a clear error, and keeps the previous build',
    async (_name, bytes, name, headers, status, code) => {
      // The refusal by the declared size comes before the body is read, and closes the connection after answering.
      const res = await upload(bytes, name, headers);
      expect(res.status).toBe(status);
      expect(res.json()).toMatchObject({ code });
      expect(res.json<{ message: string }>().message).toMatch(
        /\.dmg, \.pkg or \.zip|not a disk image|larger than 300 MB/,
      );
      const build = (await h.admin.call('GET', ROUTE)).json<HelperBuildResponse>().build;
      expect(build).toMatchObject({ source: 'upload', sha256: sha(uploaded) });
      expect((await download('/downloads/tsunagu-helper.pkg')).body.equals(uploaded)).toBe(true);
    },
  );

  it('takes uploads from a signed-in admin only', async () => {
    const stranger = new AdminClient(h.server.adminUrl);
    const res = await stranger.call('PUT', `${ROUTE}?fileName=x.zip`, zipBytes, {
      contentType: 'application/octet-stream',
    });
    expect(res.status).toBe(401);
    expect((await h.admin.call('GET', ROUTE)).json<HelperBuildResponse>().build?.sha256).toBe(sha(uploaded));
  });

  it('removes the upload: the shipped build is offered again', async () => {
    const res = await h.admin.call('DELETE', ROUTE);
    expect(res.status).toBe(200);
    expect(res.json<HelperBuildResponse>().build).toMatchObject({ source: 'bundled', kind: 'dmg' });
    expect((await download('/downloads/tsunagu-helper.pkg')).status).toBe(404);
    expect((await download('/downloads/tsunagu-helper.dmg')).body.equals(shipped)).toBe(true);
    const audit = await h.admin.call('GET', '/api/audit?action=helper_build.removed');
    expect(audit.json<{ items: unknown[] }>().items).toHaveLength(1);
  });
});
