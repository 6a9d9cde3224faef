import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataKeyError, resolveDataKey, type DataKeyDeps } from './data-key.js';

/** A keychain stand-in: "encrypts" by XOR with a secret byte; `broken` gives back other bytes. */
function keychain(options: { available?: boolean; backend?: string; broken?: boolean } = {}) {
  const calls: string[] = [];
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
  return {
    calls,
    safeStorage: {
      isEncryptionAvailable: () => options.available ?? true,
      getSelectedStorageBackend: () => {
        calls.push('backend');
        return (options.backend ?? 'gnome_libsecret') as 'gnome_libsecret';
      },
      encryptString: (text: string) => xor(Buffer.from(text)),
      decryptString: (data: Buffer) => (options.broken ? 'AAAA' : xor(data).toString()),
    },
  };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(options: Parameters<typeof keychain>[0] & { keyFile?: string; platform?: NodeJS.Platform } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'data-key-'));
  dirs.push(root);
  mkdirSync(join(root, 'data'));
  const keyFile = join(root, 'data', 'secret.key');
  if (options.keyFile !== undefined) writeFileSync(keyFile, options.keyFile);
  const k = keychain(options);
  const log: string[] = [];
  const deps: DataKeyDeps = {
    safeStorage: k.safeStorage,
    platform: options.platform ?? 'linux',
    wrappedFile: join(root, 'data-key.bin'),
    keyFile,
    passphraseSet: false,
    log: (line) => log.push(line),
  };
  return { deps, log, keyFile, wrapped: deps.wrappedFile, calls: k.calls };
}

describe('resolveDataKey', () => {
  it('creates a wrapped key on first run and unwraps the same key afterwards; no key file is written', () => {
    const s = setup();
    const first = resolveDataKey(s.deps);
    expect(first.mode).toBe('safe-storage');
    expect(existsSync(s.wrapped)).toBe(true);
    expect(existsSync(s.keyFile)).toBe(false);
    // The wrapped file is not the key in the clear.
    const key = (first as { key: Buffer }).key;
    expect(readFileSync(s.wrapped).toString()).not.toContain(key.toString('base64'));
    expect(resolveDataKey(s.deps)).toEqual(first);
  });

  it('moves an existing key file into the keychain, removing the file only once the wrapped key is verified', () => {
    const key = randomBytes(32);
    const s = setup({ keyFile: key.toString('base64') });
    expect(resolveDataKey(s.deps)).toEqual({ mode: 'safe-storage', key });
    expect(existsSync(s.keyFile)).toBe(false);
    expect(s.log.join('\n')).toMatch(/Moved the data key/);
    expect(resolveDataKey(s.deps)).toEqual({ mode: 'safe-storage', key });
  });

  it('keeps the key file when the keychain does not give the key back unchanged', () => {
    const key = randomBytes(32);
    const s = setup({ keyFile: key.toString('base64'), broken: true });
    expect(() => resolveDataKey(s.deps)).toThrow(expect.objectContaining({ code: 'WRAP_NOT_VERIFIED' }));
    expect(readFileSync(s.keyFile, 'utf8')).toBe(key.toString('base64'));
    expect(existsSync(s.wrapped)).toBe(false);
  });

  it('a key file written by a restore replaces the older wrapped key', () => {
    const s = setup();
    resolveDataKey(s.deps);
    const restored = randomBytes(32);
    writeFileSync(s.keyFile, restored.toString('base64'));
    expect(resolveDataKey(s.deps)).toEqual({ mode: 'safe-storage', key: restored });
    expect(existsSync(s.keyFile)).toBe(false);
    // The replaced key is kept, not thrown away (the key file might have been a stray one).
    const kept = readdirSync(dirname(s.wrapped)).filter((f) => f.startsWith('data-key.bin.replaced-'));
    expect(kept).toHaveLength(1);
    expect(s.log.join('\n')).toMatch(/differs from the wrapped data key/);
  });

  it.each([
    ['Linux with only basic_text', { backend: 'basic_text' }, /plain text/],
    ['no encryption at all', { available: false }, /keychain is not available/],
  ])('keeps the key file on %s, and says why in the log', (_name, options, reason) => {
    const s = setup(options);
    const decision = resolveDataKey(s.deps);
    expect(decision).toEqual({ mode: 'key-file', reason: expect.stringMatching(reason) });
    expect(s.log[0]).toMatch(reason);
    expect(existsSync(s.wrapped)).toBe(false);
  });

  it('asks for the storage backend only on Linux (it exists nowhere else)', () => {
    const s = setup({ platform: 'darwin' });
    expect(resolveDataKey(s.deps).mode).toBe('safe-storage');
    expect(s.calls).toEqual([]);
  });

  it('leaves the key to TSUNAGU_SECRET_PASSPHRASE when it is set', () => {
    const s = setup();
    expect(resolveDataKey({ ...s.deps, passphraseSet: true })).toMatchObject({ mode: 'key-file' });
    expect(existsSync(s.wrapped)).toBe(false);
  });

  it.each([
    ['a wrapped key while the keychain is gone', 'KEYCHAIN_UNAVAILABLE'],
    ['a wrapped key the keychain cannot unwrap', 'WRAPPED_KEY_UNREADABLE'],
    ['a key file that is not a key', 'KEY_FILE_INVALID'],
  ] as const)('refuses %s with a stable code', (_name, code) => {
    const s = setup();
    if (code === 'KEY_FILE_INVALID') writeFileSync(s.keyFile, 'short');
    else resolveDataKey(s.deps);
    const deps =
      code === 'KEYCHAIN_UNAVAILABLE'
        ? { ...s.deps, safeStorage: keychain({ available: false }).safeStorage }
        : code === 'WRAPPED_KEY_UNREADABLE'
          ? { ...s.deps, safeStorage: keychain({ broken: true }).safeStorage }
          : s.deps;
    let error: unknown;
    try {
      resolveDataKey(deps);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DataKeyError);
    expect((error as DataKeyError).code).toBe(code);
  });
});
