import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testFoundation, TEST_ADMIN, type TestFoundation } from '../../../tests/helpers/foundation.js';
import { tempDir } from '../../../tests/helpers/temp-dir.js';
import { isAppError } from '../../core/errors.js';
import { installErrorHandler } from '../../http/error-handler.js';
import { createSettingsStore } from '../settings/settings.store.js';
import { helperDownloadRoutes } from './helper-build.routes.js';
import { createHelperBuildService, type HelperBuildService } from './helper-build.service.js';

/** Test files of each kind: the magic bytes where the kind has them, filler elsewhere. */
const FILES = {
  zip: () => Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(3000, 1)]),
  pkg: () => Buffer.concat([Buffer.from('xar!', 'latin1'), Buffer.alloc(3000, 2)]),
  dmg: () => Buffer.concat([Buffer.alloc(4000, 3), Buffer.from('koly', 'latin1'), Buffer.alloc(508)]),
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A body streamed in small chunks, as a request would arrive. */
const stream = (b: Buffer) =>
  Readable.from(Array.from({ length: Math.ceil(b.length / 1000) }, (_, i) => b.subarray(i * 1000, (i + 1) * 1000)));

let f: TestFoundation;
let dir: { path: string; remove: () => void };
let helper: HelperBuildService;

/** A small limit, so the refusal of a large file is tested without writing 300 MB. */
const LIMIT = 64 * 1024;

function build(bundled: string | null = null): HelperBuildService {
  const s = f.services;
  return createHelperBuildService({
    dir: join(dir.path, 'helper'),
    bundled,
    store: createSettingsStore(f.db),
    deviceBaseUrl: () => 'https://mdm.office.lan:8443',
    audit: s.audit,
    clock: f.clock,
    random: { bytes: (n) => Buffer.alloc(n), uuid: () => `u${Math.random().toString(36).slice(2)}`, int: () => 0 },
    transaction: (fn) => f.db.transaction(fn).immediate(),
    maxBytes: LIMIT,
  });
}

const put = (bytes: Buffer, fileName: string, declared: number | null = bytes.length) =>
  helper.upload(stream(bytes), { fileName, declaredBytes: declared }, TEST_ADMIN, '127.0.0.1');
const stored = () => readdirSync(join(dir.path, 'helper')).sort();

beforeEach(() => {
  f = testFoundation();
  dir = tempDir('helper-build');
  helper = build();
});
afterEach(() => {
  f.db.close();
  dir.remove();
});

describe('uploading a helper build', () => {
  it.each(Object.entries(FILES))('takes a %s: stored, offered, audited', async (kind, make) => {
    const bytes = make();
    const res = await put(bytes, `Tsunagu Helper.${kind}`);
    expect(res.build).toMatchObject({
      source: 'upload',
      fileName: `Tsunagu Helper.${kind}`,
      kind,
      size: bytes.length,
      sha256: sha(bytes),
      uploadedAt: f.clock.now().toISOString(),
      downloadUrl: `https://mdm.office.lan:8443/downloads/tsunagu-helper.${kind}`,
    });
    expect(helper.offer()).toEqual({ kind, size: bytes.length, path: `/downloads/tsunagu-helper.${kind}` });
    const file = await helper.file(kind as 'dmg');
    expect(file && readFileSync(file.path).equals(bytes)).toBe(true);
    expect(stored()).toEqual([file && file.path.split('/').at(-1)]);
    const [event] = f.services.audit.list({ action: 'helper_build.uploaded' }).items;
    expect(event).toMatchObject({
      actorLabel: TEST_ADMIN.label,
      details: { kind, size: bytes.length, sha256: sha(bytes) },
    });
  });

  it.each([
    ['another extension', FILES.zip(), 'helper.exe', 'HELPER_BUILD_INVALID', 'extension'],
    ['no extension', FILES.zip(), 'helper', 'HELPER_BUILD_INVALID', 'extension'],
    ['a zip named .dmg', FILES.zip(), 'helper.dmg', 'HELPER_BUILD_INVALID', 'content'],
    ['a disk image named .pkg', FILES.dmg(), 'helper.pkg', 'HELPER_BUILD_INVALID', 'content'],
    ['an empty file', Buffer.alloc(0), 'helper.zip', 'HELPER_BUILD_INVALID', 'empty'],
  ] as const)('refuses %s, and keeps the previous build', async (_name, bytes, fileName, code, reason) => {
    const before = FILES.pkg();
    await put(before, 'old.pkg');
    const err = await put(bytes, fileName).catch((e: unknown) => e);
    expect(isAppError(err, code)).toBe(true);
    expect((err as { details: { reason: string } }).details.reason).toBe(reason);
    expect((await helper.status()).build).toMatchObject({ fileName: 'old.pkg', sha256: sha(before) });
    expect(stored()).toHaveLength(1);
  });

  it.each([
    ['by its declared size', LIMIT + 1],
    ['while it streams (no declared size)', null],
  ])('refuses a file too large %s, and keeps the previous build', async (_name, declared) => {
    await put(FILES.zip(), 'old.zip');
    // A file one byte over the limit, streamed in small chunks.
    const big = stream(Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(LIMIT - 3)]));
    const err = await helper
      .upload(big, { fileName: 'big.zip', declaredBytes: declared }, TEST_ADMIN, null)
      .catch((e: unknown) => e);
    expect(isAppError(err, 'BODY_TOO_LARGE')).toBe(true);
    expect((await helper.status()).build).toMatchObject({ fileName: 'old.zip' });
    expect(stored()).toHaveLength(1);
  });

  it('replaces the previous build and removes its file', async () => {
    await put(FILES.zip(), 'a.zip');
    const next = FILES.dmg();
    await put(next, 'b.dmg');
    expect(stored()).toEqual([`helper-${sha(next).slice(0, 32)}.dmg`]);
    expect(await helper.file('zip')).toBeNull();
    const [event] = f.services.audit.list({ action: 'helper_build.uploaded' }).items;
    expect(event?.details).toMatchObject({ replaced: sha(FILES.zip()) });
  });

  it('shows a file name without folders or control characters', async () => {
    const res = await put(FILES.zip(), 'C:\\Users\\x\\Downloads\\Tsunagu\u0007 Helper.zip');
    expect(res.build?.fileName).toBe('Tsunagu Helper.zip');
  });
});

describe('starting again', () => {
  it('sweeps what a crash left (a temporary upload, a build no longer named) and keeps the build in use', async () => {
    const bytes = FILES.zip();
    await put(bytes, 'a.zip');
    writeFileSync(join(dir.path, 'helper', '.upload-123.part'), 'half');
    writeFileSync(join(dir.path, 'helper', 'helper-0123456789abcdef.dmg'), 'old');
    helper = build();
    expect(stored()).toEqual([`helper-${sha(bytes).slice(0, 32)}.zip`]);
    expect((await helper.status()).build).toMatchObject({ fileName: 'a.zip' });
  });
});

describe('removing it', () => {
  it('removes the file, audits, and offers nothing again', async () => {
    await put(FILES.zip(), 'a.zip');
    const res = await helper.remove(TEST_ADMIN, null);
    expect(res.build).toBeNull();
    expect(helper.offer()).toBeNull();
    expect(stored()).toEqual([]);
    expect(f.services.audit.list({ action: 'helper_build.removed' }).items).toHaveLength(1);
    // Removing nothing is not an error, and not audited.
    await helper.remove(TEST_ADMIN, null);
    expect(f.services.audit.list({ action: 'helper_build.removed' }).items).toHaveLength(1);
  });
});

describe('the shipped build', () => {
  it('is offered when there is no upload, and again after the upload is removed', async () => {
    const bundled = join(dir.path, 'Tsunagu Helper.dmg');
    const bytes = FILES.dmg();
    writeFileSync(bundled, bytes);
    helper = build(bundled);
    expect(await helper.status()).toMatchObject({
      bundledAvailable: true,
      build: { source: 'bundled', fileName: 'Tsunagu Helper.dmg', kind: 'dmg', sha256: sha(bytes), uploadedAt: null },
    });
    await put(FILES.zip(), 'newer.zip');
    expect((await helper.status()).build).toMatchObject({ source: 'upload', kind: 'zip' });
    expect(await helper.file('dmg')).toBeNull();
    await helper.remove(TEST_ADMIN, null);
    expect((await helper.file('dmg'))?.path).toBe(bundled);
  });

  it('is not offered when its file is gone', async () => {
    helper = build(join(dir.path, 'missing.pkg'));
    expect(await helper.status()).toMatchObject({ build: null, bundledAvailable: false });
  });
});

describe('GET /downloads/tsunagu-helper.<kind>', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = Fastify();
    installErrorHandler(app);
    await app.register(helperDownloadRoutes, { helper });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
  });

  it('streams the build as an attachment, with its type, length and ETag; a matching If-None-Match gets 304', async () => {
    const bytes = FILES.pkg();
    await put(bytes, 'helper.pkg');
    const res = await app.inject({ url: '/downloads/tsunagu-helper.pkg' });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(bytes)).toBe(true);
    expect(res.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-length': String(bytes.length),
      'content-disposition': 'attachment; filename="tsunagu-helper.pkg"',
      etag: `"${sha(bytes)}"`,
      'cache-control': 'no-cache',
    });
    const again = await app.inject({
      url: '/downloads/tsunagu-helper.pkg',
      headers: { 'if-none-match': `"${sha(bytes)}"` },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const head = await app.inject({ method: 'HEAD', url: '/downloads/tsunagu-helper.pkg' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(String(bytes.length));
    expect(head.body).toBe('');
  });

  it.each([
    ['no build', null, '/downloads/tsunagu-helper.dmg'],
    ['a build of another kind', 'zip', '/downloads/tsunagu-helper.dmg'],
  ] as const)('answers 404 with %s', async (_name, kind, url) => {
    if (kind) await put(FILES[kind](), `helper.${kind}`);
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});
