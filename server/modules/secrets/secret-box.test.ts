import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretBox, loadOrCreateKey } from './secret-box.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('secret box', () => {
  it('round-trips, binds the label, and detects tampering', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.seal('-----BEGIN PRIVATE KEY-----', 'pki:office-ca');
    expect(sealed).not.toContain('PRIVATE');
    expect(box.open(sealed, 'pki:office-ca').toString()).toBe('-----BEGIN PRIVATE KEY-----');
    expect(() => box.open(sealed, 'pki:tls')).toThrow(/could not be decrypted/);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'pki:office-ca')).toThrow(/could not be decrypted/);
    expect(() => createSecretBox(randomBytes(32)).open(sealed, 'pki:office-ca')).toThrow(
      /key file or TSUNAGU_SECRET_PASSPHRASE/,
    );
  });

  it('creates a private key file once, or derives the key from a passphrase', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsunagu-key-'));
    dirs.push(dir);
    const file = join(dir, 'secret.key');
    const k1 = loadOrCreateKey(file, null);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateKey(file, null).equals(k1)).toBe(true);
    const p1 = loadOrCreateKey(join(dir, 'p.key'), 'a long passphrase');
    expect(loadOrCreateKey(join(dir, 'p.key'), 'a long passphrase').equals(p1)).toBe(true);
    expect(loadOrCreateKey(join(dir, 'p.key'), 'another passphrase').equals(p1)).toBe(false);
  });
});
