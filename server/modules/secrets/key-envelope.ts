// The data key sealed under a passphrase, for a backup that must restore on another machine (where the key file, the
// passphrase's salt or the desktop app's keychain are not). scrypt derives the wrapping key; AES-256-GCM seals the data
// key and authenticates the parameters too, so a changed parameter fails like a wrong passphrase.
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { MIN_BACKUP_PASSPHRASE } from '../../contract/backup.js';
import { AppError } from '../../core/errors.js';

const FORMAT = 'tsunagu-data-key';

/** The scrypt cost a new envelope uses: about 100 ms and 32 MiB. */
export const ENVELOPE_SCRYPT = Object.freeze({ N: 2 ** 15, r: 8, p: 1 });

/** The shortest passphrase a backup's key may be sealed with (shared with the console through the contract). */
export { MIN_BACKUP_PASSPHRASE } from '../../contract/backup.js';

interface Header {
  format: typeof FORMAT;
  version: 1;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: { name: 'aes-256-gcm'; iv: string };
}

/** The envelope as stored (one JSON object). */
interface Envelope extends Header {
  tag: string;
  data: string;
}

function derive(passphrase: string, kdf: Header['kdf']): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      passphrase.normalize('NFC'),
      Buffer.from(kdf.salt, 'base64'),
      32,
      { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 128 * kdf.N * kdf.r * kdf.p + 16 * 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

/** The bytes the tag covers besides the key: every parameter, in a fixed order, however the file orders them. */
function associatedData(h: Header): Buffer {
  return Buffer.from(
    JSON.stringify([
      h.format,
      h.version,
      h.kdf.name,
      h.kdf.N,
      h.kdf.r,
      h.kdf.p,
      h.kdf.salt,
      h.cipher.name,
      h.cipher.iv,
    ]),
  );
}

/** Seals the 32-byte `key` under `passphrase`; returns the envelope's text (JSON). */
export async function sealKey(key: Buffer, passphrase: string, cost = ENVELOPE_SCRYPT): Promise<string> {
  if (key.length !== 32) throw new Error('The data key must be 32 bytes.');
  if (passphrase.length < MIN_BACKUP_PASSPHRASE)
    throw new AppError('VALIDATION_FAILED', `Use a passphrase of at least ${MIN_BACKUP_PASSPHRASE} characters.`);
  const header: Header = {
    format: FORMAT,
    version: 1,
    kdf: { name: 'scrypt', ...cost, salt: randomBytes(16).toString('base64') },
    cipher: { name: 'aes-256-gcm', iv: randomBytes(12).toString('base64') },
  };
  const cipher = createCipheriv(
    'aes-256-gcm',
    await derive(passphrase, header.kdf),
    Buffer.from(header.cipher.iv, 'base64'),
  );
  cipher.setAAD(associatedData(header));
  const data = Buffer.concat([cipher.update(key), cipher.final()]);
  const envelope: Envelope = { ...header, tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

/** True when `text` is an envelope (not a plain key file from an older backup). */
export function isKeyEnvelope(text: string): boolean {
  try {
    return (JSON.parse(text) as { format?: unknown }).format === FORMAT;
  } catch {
    return false;
  }
}

function refused(what: string): AppError {
  return new AppError('BACKUP_KEY_REFUSED', `${what}; nothing was restored.`);
}

/** Reads and bounds the envelope's fields, so a crafted file cannot ask scrypt for unbounded memory. */
function parseEnvelope(text: string): Envelope {
  let v: Envelope;
  try {
    v = JSON.parse(text) as Envelope;
  } catch {
    throw refused('The backup’s key file is not a sealed data key');
  }
  const k = v?.kdf;
  const ok =
    v.format === FORMAT &&
    v.version === 1 &&
    k?.name === 'scrypt' &&
    Number.isInteger(k.N) &&
    k.N >= 2 ** 14 &&
    k.N <= 2 ** 20 &&
    (k.N & (k.N - 1)) === 0 &&
    Number.isInteger(k.r) &&
    k.r >= 1 &&
    k.r <= 32 &&
    Number.isInteger(k.p) &&
    k.p >= 1 &&
    k.p <= 4 &&
    typeof k.salt === 'string' &&
    v.cipher?.name === 'aes-256-gcm' &&
    typeof v.cipher.iv === 'string' &&
    typeof v.tag === 'string' &&
    typeof v.data === 'string';
  if (!ok) throw refused('The backup’s key file is not a sealed data key this Tsunagu can read');
  return v;
}

/**
 * Opens the envelope with `passphrase`: the 32-byte data key, or AppError BACKUP_KEY_REFUSED (a wrong passphrase and a
 * changed file look the same, by design).
 */
export async function openKey(text: string, passphrase: string): Promise<Buffer> {
  const envelope = parseEnvelope(text);
  const decipher = createDecipheriv(
    'aes-256-gcm',
    await derive(passphrase, envelope.kdf),
    Buffer.from(envelope.cipher.iv, 'base64'),
  );
  decipher.setAAD(associatedData(envelope));
  decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
  let key: Buffer;
  try {
    key = Buffer.concat([decipher.update(Buffer.from(envelope.data, 'base64')), decipher.final()]);
  } catch {
    throw refused('The passphrase does not open the backup’s data key (or the key file was changed)');
  }
  if (key.length !== 32) throw refused('The backup’s key file does not hold a 32-byte data key');
  return key;
}
