import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Encrypts secrets at rest (CA keys, push certificate key, SMTP password). */
export interface SecretBox {
  /** Encrypts `plain`; `label` is bound as associated data so a sealed value cannot be moved to another slot. */
  seal(plain: Buffer | string, label: string): string;
  open(sealed: string, label: string): Buffer;
}

const VERSION = 'v1';

/** A SecretBox over a 32-byte key with AES-256-GCM; the sealed form is `v1.<iv>.<tag>.<ciphertext>` (base64url). */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('The secret key must be 32 bytes.');
  return {
    seal(plain, label) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(label));
      const data = Buffer.concat([
        cipher.update(typeof plain === 'string' ? Buffer.from(plain) : plain),
        cipher.final(),
      ]);
      return [
        VERSION,
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        data.toString('base64url'),
      ].join('.');
    },
    open(sealed, label) {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || data === undefined)
        throw new Error('The stored secret is not in a known format.');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(label));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
      } catch (err) {
        throw new Error(
          'A stored secret could not be decrypted: the key file or TSUNAGU_SECRET_PASSPHRASE does not match the one it was written with.',
          { cause: err },
        );
      }
    },
  };
}

/**
 * The headless key: from TSUNAGU_SECRET_PASSPHRASE (scrypt with a salt file), else a random key file
 * created with mode 0600 on first use.
 */
export function loadOrCreateKey(keyFile: string, passphrase: string | null): Buffer {
  mkdirSync(dirname(keyFile), { recursive: true });
  if (passphrase) {
    const saltFile = `${keyFile}.salt`;
    if (!existsSync(saltFile)) writeFileSync(saltFile, randomBytes(16).toString('hex'), { mode: 0o600, flag: 'wx' });
    const salt = Buffer.from(readFileSync(saltFile, 'utf8').trim(), 'hex');
    return scryptSync(passphrase, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  }
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  const key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
  if (key.length !== 32)
    throw new Error(
      `${keyFile} does not hold a 32-byte key; restore it from a backup, or remove it only if no secrets were stored yet.`,
    );
  return key;
}
