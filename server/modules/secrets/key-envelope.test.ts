import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isKeyEnvelope, openKey, sealKey } from './key-envelope.js';

const key = randomBytes(32);
const passphrase = 'correct horse battery';

describe('the data key sealed under a passphrase', () => {
  it('opens with the passphrase it was sealed with, and stores its parameters, not the key', async () => {
    const text = await sealKey(key, passphrase);
    expect(isKeyEnvelope(text)).toBe(true);
    expect(text).not.toContain(key.toString('base64'));
    expect(JSON.parse(text)).toMatchObject({
      kdf: { name: 'scrypt', N: 32768, r: 8, p: 1 },
      cipher: { name: 'aes-256-gcm' },
    });
    expect((await openKey(text, passphrase)).equals(key)).toBe(true);
  });

  it.each<[string, (envelope: Record<string, Record<string, unknown> | string>) => void, string]>([
    ['a wrong passphrase', () => undefined, 'wrong passphrase'],
    [
      'a changed salt',
      (e) => ((e.kdf as Record<string, unknown>).salt = randomBytes(16).toString('base64')),
      passphrase,
    ],
    ['a lowered cost', (e) => ((e.kdf as Record<string, unknown>).N = 2 ** 14), passphrase],
    [
      'a changed iv',
      (e) => ((e.cipher as Record<string, unknown>).iv = randomBytes(12).toString('base64')),
      passphrase,
    ],
    ['a changed key', (e) => (e.data = randomBytes(32).toString('base64')), passphrase],
  ])('refuses %s with BACKUP_KEY_REFUSED', async (_name, change, tried) => {
    const envelope = JSON.parse(await sealKey(key, passphrase)) as Record<string, Record<string, unknown> | string>;
    change(envelope);
    await expect(openKey(JSON.stringify(envelope), tried)).rejects.toMatchObject({
      code: 'BACKUP_KEY_REFUSED',
      message: expect.stringMatching(/nothing was restored/),
    });
  });

  it.each([
    ['scrypt asked for unbounded memory', { N: 2 ** 30 }],
    ['a cost that is not a power of two', { N: 30_000 }],
    ['another KDF', { name: 'pbkdf2' }],
  ])('refuses %s before deriving anything', async (_name, kdf) => {
    const envelope = JSON.parse(await sealKey(key, passphrase)) as { kdf: object };
    envelope.kdf = { ...envelope.kdf, ...kdf };
    await expect(openKey(JSON.stringify(envelope), passphrase)).rejects.toMatchObject({
      code: 'BACKUP_KEY_REFUSED',
      message: expect.stringMatching(/not a sealed data key this Tsunagu can read/),
    });
  });

  it('takes no short passphrase, and tells an old plain key file from an envelope', async () => {
    await expect(sealKey(key, 'short')).rejects.toThrow(/at least 12 characters/);
    expect(isKeyEnvelope(key.toString('base64'))).toBe(false);
  });
});
