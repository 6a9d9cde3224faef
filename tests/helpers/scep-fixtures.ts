import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { fixturePath } from './fixtures.js';
import { generateRsaKeyPair } from '../../server/pki/x509.js';

// Real SCEP bytes from tests/fixtures/scep (micromdm/scep testdata, MIT; provenance in its README) and small
// helpers the SCEP tests share.

const FIXTURE_DIR = fixturePath('scep');

/** The transactionID inside the fixture PKCSReq. */
export const FIXTURE_TRANSACTION_ID = 'A13090761A30F66664F85D37433D2065E1112BA1';

/** An instant when the fixture CA (valid 2016-05-29 to 2026-05-29) was valid. */
export const FIXTURE_NOW = '2026-01-15T09:00:00.000Z';

/** The fixture PKCSReq and the CA it is encrypted to (key decrypted from its empty-passphrase PEM). */
export function loadScepFixture(): { pkcsReq: Buffer; ca: { certPem: string; keyPem: string } } {
  const key = forge.pki.decryptRsaPrivateKey(readFileSync(join(FIXTURE_DIR, 'ca.key'), 'utf8'), '');
  return {
    pkcsReq: readFileSync(join(FIXTURE_DIR, 'PKCSReq.der')),
    ca: { certPem: readFileSync(join(FIXTURE_DIR, 'ca.pem'), 'utf8'), keyPem: forge.pki.privateKeyToPem(key) },
  };
}

const keyCache = new Map<string, string>();

/** An RSA private key (PKCS#8 PEM), generated once per name and size for the test run. */
export function testKey(name: string, bits = 2048): string {
  const id = `${name}/${bits}`;
  let pem = keyCache.get(id);
  if (!pem) {
    pem = generateRsaKeyPair(bits).privateKeyPem;
    keyCache.set(id, pem);
  }
  return pem;
}

/** Runs `fn` with a fresh temporary directory and removes it afterwards. */
export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'tsunagu-scep-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the openssl CLI with bounded time; returns stdout and stderr, throws with stderr on a non-zero exit. */
export function openssl(args: string[]): { stdout: Buffer; stderr: string } {
  const result = spawnSync('openssl', args, { timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = result.stderr?.toString('utf8') ?? '';
  if (result.status !== 0)
    throw new Error(`openssl ${args[0] ?? ''} failed (${result.status ?? result.signal ?? 'no status'}): ${stderr}`);
  return { stdout: result.stdout, stderr };
}

/** Writes files into `dir` and returns their paths. */
export function writeFiles(dir: string, files: Record<string, string | Buffer>): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name], content);
  }
  return paths;
}
