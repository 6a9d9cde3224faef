// RSA-2048 keys generated once per machine and handed out in the test processes instead of generating each one when
// it is needed (a 2048-bit key costs 0.1 to 0.4 s of CPU; a seeded office or an MDM test makes a handful). Each key
// is handed out at most once per process, so keys a test expects to differ still differ; beyond the pool, and for
// other sizes, keys are generated as before. The server itself always generates its keys (presetRsaKeysForTests is
// only called here), and the spawned `tsunagu serve` of the browser tests is not affected.
import { createPublicKey, generateKeyPair } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { presetRsaKeysForTests } from '../../server/pki/x509.js';
import { TEST_OUTPUT } from './temp-dir.js';

/** How many keys the pool holds: more than the keys one test file (or the whole browser suite) generates. */
export const KEY_POOL_SIZE = 160;

/** The pool file (git-ignored, under test-output/). */
export const KEY_POOL_FILE = join(TEST_OUTPUT, 'key-pool', `rsa-2048-x${KEY_POOL_SIZE}.pem`);

const PEM_BLOCK = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/g;

function readPool(): string[] {
  if (!existsSync(KEY_POOL_FILE)) return [];
  return readFileSync(KEY_POOL_FILE, 'utf8').match(PEM_BLOCK) ?? [];
}

/** Generates the pool file unless it is there (once per machine; the keys are generated in parallel). */
export async function ensureKeyPool(): Promise<void> {
  if (readPool().length >= KEY_POOL_SIZE) return;
  const generate = promisify(generateKeyPair);
  const keys = await Promise.all(
    Array.from({ length: KEY_POOL_SIZE }, () =>
      generate('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      }).then(({ privateKey }) => privateKey),
    ),
  );
  mkdirSync(join(TEST_OUTPUT, 'key-pool'), { recursive: true });
  const tmp = `${KEY_POOL_FILE}.${process.pid}.tmp`;
  writeFileSync(tmp, keys.join(''));
  renameSync(tmp, KEY_POOL_FILE);
}

let installed = false;

/** Makes generateRsaKeyPair in this process hand out the pool's keys first (if the pool file exists). */
export function useKeyPool(): void {
  if (installed) return;
  installed = true;
  const keys = readPool();
  let next = 0;
  presetRsaKeysForTests((bits) => {
    if (bits !== 2048 || next >= keys.length) return undefined;
    const privateKeyPem = keys[next++] as string;
    const publicKeyPem = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
    return { publicKeyPem, privateKeyPem };
  });
  if (process.env.KEY_POOL_REPORT)
    process.once('exit', () =>
      writeFileSync(process.env.KEY_POOL_REPORT as string, `${process.pid} ${next}\n`, { flag: 'a' }),
    );
}
