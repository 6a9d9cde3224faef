// The server's data key (the SecretBox key that seals the CA, TLS and push keys and the SMTP password) in the desktop
// app: kept in userData wrapped by the OS keychain through Electron's safeStorage, and handed raw to the server process
// over its channel. Where safeStorage would only store plain text (Linux's basic_text backend, or no encryption at all)
// the server keeps its key file as headless, and the reason is logged. Runs in the main process after `ready`.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { SafeStorage } from 'electron';

/** Why the data key could not be had; the app shows the message and does not start the server. */
export class DataKeyError extends Error {
  constructor(
    readonly code: 'KEYCHAIN_UNAVAILABLE' | 'WRAPPED_KEY_UNREADABLE' | 'KEY_FILE_INVALID' | 'WRAP_NOT_VERIFIED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DataKeyError';
  }
}

/** What resolving the data key needs: the keychain, where the files are, and a log line sink. */
export interface DataKeyDeps {
  safeStorage: Pick<
    SafeStorage,
    'isEncryptionAvailable' | 'getSelectedStorageBackend' | 'encryptString' | 'decryptString'
  >;
  platform: NodeJS.Platform;
  /** The wrapped key in userData. */
  wrappedFile: string;
  /** The headless key file in the data directory (`secret.key`). */
  keyFile: string;
  /** TSUNAGU_SECRET_PASSPHRASE is set: the server derives its key from it, as headless. */
  passphraseSet: boolean;
  log(message: string): void;
  randomKey?: () => Buffer;
}

/** The key to hand to the server, or why the server keeps its key file. */
export type DataKeyDecision = { mode: 'safe-storage'; key: Buffer } | { mode: 'key-file'; reason: string };

/** Why safeStorage would not protect the key, or null when it does. */
function plainTextReason(deps: DataKeyDeps): string | null {
  if (!deps.safeStorage.isEncryptionAvailable())
    return 'the system keychain is not available to Tsunagu (safeStorage cannot encrypt)';
  // getSelectedStorageBackend exists only on Linux.
  if (deps.platform === 'linux' && deps.safeStorage.getSelectedStorageBackend() === 'basic_text')
    return 'no system keyring (GNOME Keyring, KWallet) is running, so safeStorage would store the key as plain text';
  return null;
}

function decodeKey(text: string): Buffer | null {
  const key = Buffer.from(text.trim(), 'base64');
  return key.length === 32 ? key : null;
}

function unwrap(deps: DataKeyDeps): Buffer {
  let key: Buffer | null;
  try {
    key = decodeKey(deps.safeStorage.decryptString(readFileSync(deps.wrappedFile)));
  } catch (err) {
    throw new DataKeyError(
      'WRAPPED_KEY_UNREADABLE',
      `The data key in ${deps.wrappedFile} could not be unwrapped by the system keychain. Restore the data from a backup with its key passphrase (tsunagu restore).`,
      { cause: err },
    );
  }
  if (!key) throw new DataKeyError('WRAPPED_KEY_UNREADABLE', `${deps.wrappedFile} does not hold a 32-byte data key.`);
  return key;
}

/** Wraps `key` into the wrapped file (atomically) and proves it unwraps to the same bytes. */
function wrapAndVerify(deps: DataKeyDeps, key: Buffer): void {
  const tmp = `${deps.wrappedFile}.tmp`;
  writeFileSync(tmp, deps.safeStorage.encryptString(key.toString('base64')), { mode: 0o600 });
  renameSync(tmp, deps.wrappedFile);
  let back: Buffer | null;
  try {
    back = unwrap(deps);
  } catch {
    back = null;
  }
  if (!back || !back.equals(key)) {
    rmSync(deps.wrappedFile, { force: true });
    throw new DataKeyError(
      'WRAP_NOT_VERIFIED',
      'The system keychain did not give the data key back unchanged; Tsunagu keeps using the key file.',
    );
  }
}

/**
 * Before a key file replaces a different wrapped key, the wrapped one is kept beside it: the key file may come from a
 * restore (wanted), or from a CLI command run on the app's data folder, which creates a fresh key (not wanted); no key
 * is ever thrown away.
 */
function keepReplacedKey(deps: DataKeyDeps, key: Buffer): void {
  let old: Buffer | null;
  try {
    old = unwrap(deps);
  } catch {
    old = null;
  }
  if (old?.equals(key)) return;
  const kept = `${deps.wrappedFile}.replaced-${Date.now()}`;
  renameSync(deps.wrappedFile, kept);
  deps.log(`The key file ${deps.keyFile} differs from the wrapped data key; the wrapped one is kept as ${kept}.`);
}

/**
 * The data key for the server. A key file in the data directory (an install from before, or a restore) becomes the
 * wrapped key, and is removed only after the wrapped one is shown to unwrap to the same key; without either a new
 * random key is wrapped. Throws DataKeyError when a wrapped key exists but cannot be unwrapped.
 */
export function resolveDataKey(deps: DataKeyDeps): DataKeyDecision {
  if (deps.passphraseSet)
    return { mode: 'key-file', reason: 'TSUNAGU_SECRET_PASSPHRASE is set: the server derives its key from it' };
  const why = plainTextReason(deps);
  if (why) {
    if (existsSync(deps.wrappedFile) && !existsSync(deps.keyFile))
      throw new DataKeyError(
        'KEYCHAIN_UNAVAILABLE',
        `The data key is kept in the system keychain, but ${why}. Start Tsunagu in a desktop session with the keychain unlocked.`,
      );
    deps.log(`The data key stays in the key file ${deps.keyFile}: ${why}.`);
    return { mode: 'key-file', reason: why };
  }
  if (existsSync(deps.keyFile)) {
    // The key file wins over an older wrapped key: a restore writes the key its database was sealed with there.
    const key = decodeKey(readFileSync(deps.keyFile, 'utf8'));
    if (!key)
      throw new DataKeyError(
        'KEY_FILE_INVALID',
        `${deps.keyFile} does not hold a 32-byte key; restore it from a backup, or remove it only if no secrets were stored yet.`,
      );
    if (existsSync(deps.wrappedFile)) keepReplacedKey(deps, key);
    wrapAndVerify(deps, key);
    rmSync(deps.keyFile);
    deps.log(`Moved the data key from ${deps.keyFile} into the system keychain (${deps.wrappedFile}).`);
    return { mode: 'safe-storage', key };
  }
  if (existsSync(deps.wrappedFile)) return { mode: 'safe-storage', key: unwrap(deps) };
  const key = (deps.randomKey ?? (() => randomBytes(32)))();
  wrapAndVerify(deps, key);
  deps.log(`Created the data key, kept by the system keychain (${deps.wrappedFile}).`);
  return { mode: 'safe-storage', key };
}
