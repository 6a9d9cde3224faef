import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HelperBuildDto, HelperBuildResponse } from '../../contract/settings.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import type { SettingsStore } from '../settings/settings.store.js';
import {
  HELPER_CONTENT_TYPES,
  HELPER_FILE_KINDS,
  HELPER_MAX_BYTES,
  HELPER_TAIL_BYTES,
  kindOfName,
  looksLike,
  servedName,
  type HelperFileKind,
} from './helper-file.js';

/** The build the device listener serves: where it is, and what to send with it. */
export interface HelperBuildFile {
  path: string;
  kind: HelperFileKind;
  /** The stable name it is served under, e.g. `tsunagu-helper.dmg`. */
  servedName: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** What the portal's Mac page needs to offer the download. */
export interface HelperOffer {
  kind: HelperFileKind;
  size: number;
  /** The device listener path, e.g. `/downloads/tsunagu-helper.dmg`. */
  path: string;
}

/** The macOS helper builds: the admin's upload (kept in the data directory) or the shipped one, and serving it. */
export interface HelperBuildService {
  /** The offered build, the shipped one's presence and the upload rules, for the console. */
  status(): Promise<HelperBuildResponse>;
  /** The download the portal offers now, or null; cheap (no hashing), for every page view. */
  offer(): HelperOffer | null;
  /** The file to serve for a kind, or null when the offered build is not of that kind (or there is none). */
  file(kind: HelperFileKind): Promise<HelperBuildFile | null>;
  /**
   * Stores an upload streamed from `body`: checks the name, the size (at most HELPER_MAX_BYTES, while it streams) and
   * the bytes, writes a temporary file, renames it into place and only then switches to it; any refusal leaves the
   * previous build in place. Audited.
   */
  upload(
    body: Readable,
    input: { fileName: string; declaredBytes: number | null },
    actor: Actor,
    sourceAddress: string | null,
  ): Promise<HelperBuildResponse>;
  /** Removes the upload (the shipped build, if any, is offered again). Audited when there was one. */
  remove(actor: Actor, sourceAddress: string | null): Promise<HelperBuildResponse>;
}

/** Dependencies of the helper build service. */
export interface HelperBuildDeps {
  /** Where uploads are kept (a folder in the data directory); null where there is none (in-memory tests). */
  dir: string | null;
  /** The build shipped with the server (config `helperBuild`), or null. */
  bundled: string | null;
  store: SettingsStore;
  /** Base URL of the device listener, e.g. https://mdm.office.lan:8443 */
  deviceBaseUrl: () => string;
  audit: AuditService;
  clock: Clock;
  random: Random;
  transaction: <T>(fn: () => T) => T;
  /** Largest build taken; HELPER_MAX_BYTES unless a test needs less. */
  maxBytes?: number;
}

/** The upload as the settings table records it. */
interface StoredUpload {
  fileName: string;
  /** The file's name in `dir`: its SHA-256 and kind, so a new upload never overwrites the one being served. */
  storedName: string;
  kind: HelperFileKind;
  size: number;
  sha256: string;
  uploadedAt: string;
}

const KEY = 'helper-build';

/** What each kind is called in a refusal. */
const KIND_NAMES: Readonly<Record<HelperFileKind, string>> = {
  dmg: 'disk image',
  pkg: 'macOS installer package',
  zip: 'zip archive',
};

function isStoredUpload(v: unknown): v is StoredUpload {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.fileName === 'string' &&
    typeof o.storedName === 'string' &&
    basename(o.storedName) === o.storedName &&
    (HELPER_FILE_KINDS as readonly unknown[]).includes(o.kind) &&
    typeof o.size === 'number' &&
    typeof o.sha256 === 'string' &&
    typeof o.uploadedAt === 'string'
  );
}

function sizeOf(path: string): number | null {
  try {
    const s = statSync(path);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A file name as shown and audited: no folders, no control characters, at most 200 characters. */
function cleanName(fileName: string): string {
  const printable = [...basename(fileName.replace(/\\/g, '/'))].filter((ch) => {
    const code = ch.charCodeAt(0);
    return code >= 0x20 && code !== 0x7f;
  });
  return (printable.join('').trim() || 'helper').slice(0, 200);
}

/** Builds the helper build service. */
export function createHelperBuildService(deps: HelperBuildDeps): HelperBuildService {
  const { store, audit, clock, transaction } = deps;
  const maxBytes = deps.maxBytes ?? HELPER_MAX_BYTES;
  // The shipped build's SHA-256, computed once per size and modification time.
  let bundledHash: { key: string; sha256: string } | null = null;

  const upload = (): (StoredUpload & { path: string }) | null => {
    const row = store.get(KEY);
    if (!deps.dir || !isStoredUpload(row)) return null;
    const path = join(deps.dir, row.storedName);
    return sizeOf(path) === row.size ? { ...row, path } : null;
  };

  // What a crash may have left: a temporary upload, or a build the settings no longer name (a crash between the
  // switch and the removal of the old file). Swept once, at start.
  if (deps.dir) {
    const keep = upload()?.storedName;
    let names: string[] = [];
    try {
      names = readdirSync(deps.dir);
    } catch {
      // No folder yet: nothing to sweep.
    }
    for (const name of names)
      if ((name.startsWith('.upload-') && name.endsWith('.part')) || (name.startsWith('helper-') && name !== keep))
        try {
          unlinkSync(join(deps.dir, name));
        } catch {
          // Left for the next start.
        }
  }

  const bundledFile = (): { path: string; kind: HelperFileKind; size: number; mtimeMs: number } | null => {
    const path = deps.bundled;
    const kind = path ? kindOfName(path) : null;
    if (!path || !kind) return null;
    try {
      const s = statSync(path);
      return s.isFile() && s.size <= maxBytes ? { path, kind, size: s.size, mtimeMs: s.mtimeMs } : null;
    } catch {
      return null;
    }
  };

  const bundledSha = async (b: { path: string; size: number; mtimeMs: number }): Promise<string> => {
    const key = `${b.size}:${b.mtimeMs}`;
    if (bundledHash?.key !== key) bundledHash = { key, sha256: await sha256Of(b.path) };
    return bundledHash.sha256;
  };

  const downloadPath = (kind: HelperFileKind) => `/downloads/${servedName(kind)}`;

  const current = async (): Promise<HelperBuildDto | null> => {
    const u = upload();
    const url = (kind: HelperFileKind) => `${deps.deviceBaseUrl()}${downloadPath(kind)}`;
    if (u)
      return {
        source: 'upload',
        fileName: u.fileName,
        kind: u.kind,
        size: u.size,
        sha256: u.sha256,
        uploadedAt: u.uploadedAt,
        downloadUrl: url(u.kind),
      };
    const b = bundledFile();
    if (!b) return null;
    return {
      source: 'bundled',
      fileName: basename(b.path),
      kind: b.kind,
      size: b.size,
      sha256: await bundledSha(b),
      uploadedAt: null,
      downloadUrl: url(b.kind),
    };
  };

  const status = async (): Promise<HelperBuildResponse> => ({
    build: await current(),
    bundledAvailable: bundledFile() !== null,
    maxBytes,
    kinds: [...HELPER_FILE_KINDS],
  });

  const invalid = (reason: 'extension' | 'content' | 'empty', message: string) =>
    new AppError('HELPER_BUILD_INVALID', message, { reason, kinds: [...HELPER_FILE_KINDS] });
  const tooLarge = () =>
    new AppError(
      'BODY_TOO_LARGE',
      `The helper build is larger than ${Math.round(maxBytes / 1024 / 1024)} MB, the most the server takes.`,
      { maxBytes },
    );

  return {
    status,

    offer() {
      const u = upload();
      if (u) return { kind: u.kind, size: u.size, path: downloadPath(u.kind) };
      const b = bundledFile();
      return b ? { kind: b.kind, size: b.size, path: downloadPath(b.kind) } : null;
    },

    async file(kind) {
      const u = upload();
      const b = u ? null : bundledFile();
      const from = u ?? b;
      if (!from || from.kind !== kind) return null;
      return {
        path: from.path,
        kind,
        servedName: servedName(kind),
        contentType: HELPER_CONTENT_TYPES[kind],
        size: from.size,
        sha256: u ? u.sha256 : await bundledSha(b as NonNullable<typeof b>),
      };
    },

    async upload(body, input, actor, sourceAddress) {
      const fileName = cleanName(input.fileName);
      const kind = kindOfName(fileName);
      if (!kind) {
        body.resume();
        throw invalid('extension', 'The helper build must be a .dmg, .pkg or .zip file.');
      }
      if (input.declaredBytes !== null && input.declaredBytes > maxBytes) {
        body.resume();
        throw tooLarge();
      }
      if (!deps.dir) throw new AppError('INTERNAL', 'This server has no data directory to keep a helper build in.');
      mkdirSync(deps.dir, { recursive: true, mode: 0o700 });
      const temp = join(deps.dir, `.upload-${deps.random.uuid()}.part`);
      const hash = createHash('sha256');
      let size = 0;
      let head = Buffer.alloc(0);
      let tail = Buffer.alloc(0);
      let over = false;
      try {
        await pipeline(
          body,
          async function* (source: AsyncIterable<Buffer>) {
            for await (const chunk of source) {
              size += chunk.length;
              if (size > maxBytes) {
                over = true;
                throw tooLarge();
              }
              hash.update(chunk);
              if (head.length < 8) head = Buffer.concat([head, chunk.subarray(0, 8 - head.length)]);
              tail = Buffer.concat([tail, chunk]).subarray(-HELPER_TAIL_BYTES);
              yield chunk;
            }
          },
          createWriteStream(temp, { mode: 0o600, flush: true }),
        );
      } catch (err) {
        await unlink(temp).catch(() => undefined);
        if (over) body.resume();
        throw err;
      }
      const refuse = async (err: AppError) => {
        await unlink(temp).catch(() => undefined);
        return err;
      };
      if (size === 0) throw await refuse(invalid('empty', 'The helper build file is empty.'));
      if (!looksLike(kind, head, tail, size))
        throw await refuse(
          invalid('content', `This file is not a ${KIND_NAMES[kind]}, though its name ends in .${kind}.`),
        );
      const sha256 = hash.digest('hex');
      const storedName = `helper-${sha256.slice(0, 32)}.${kind}`;
      await rename(temp, join(deps.dir, storedName));
      const previous = upload();
      const row: StoredUpload = { fileName, storedName, kind, size, sha256, uploadedAt: clock.now().toISOString() };
      transaction(() => {
        store.put(KEY, row, row.uploadedAt);
        audit.record({
          actor,
          action: 'helper_build.uploaded',
          subject: { type: 'helper_build', id: sha256, label: fileName },
          details: { kind, size, sha256, ...(previous ? { replaced: previous.sha256 } : {}) },
          sourceAddress,
        });
      });
      if (previous && previous.storedName !== storedName) await unlink(previous.path).catch(() => undefined);
      return status();
    },

    async remove(actor, sourceAddress) {
      const previous = upload();
      const row = store.get(KEY);
      if (row !== undefined && row !== null)
        transaction(() => {
          store.put(KEY, null, clock.now().toISOString());
          if (previous)
            audit.record({
              actor,
              action: 'helper_build.removed',
              subject: { type: 'helper_build', id: previous.sha256, label: previous.fileName },
              details: { kind: previous.kind, size: previous.size, sha256: previous.sha256 },
              sourceAddress,
            });
        });
      if (previous) await unlink(previous.path).catch(() => undefined);
      return status();
    },
  };
}
