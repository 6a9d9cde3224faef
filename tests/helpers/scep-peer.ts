import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Drives Debian's micromdm `scepclient` 2.1.0 (stack.md §9): one directory per enrollment, because it
// writes and then reuses csr.pem beside the key; keys in PKCS#1 PEM (`openssl genrsa -traditional`).

/** The outcome of one scepclient run. */
export interface ScepclientRun {
  exitCode: number;
  output: string;
  certPem: string | null;
}

/** A fresh directory holding a PKCS#1 RSA key for one scepclient enrollment. */
export function enrollmentDir(bits = 2048): { dir: string; keyPath: string; certPath: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tsunagu-scepclient-'));
  const keyPath = join(dir, 'key.pem');
  execFileSync('openssl', ['genrsa', '-traditional', '-out', keyPath, String(bits)], {
    stdio: 'ignore',
    timeout: 30_000,
  });
  return { dir, keyPath, certPath: join(dir, 'cert.pem'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs scepclient against `serverUrl` with a bounded time; never rejects. */
export function runScepclient(o: {
  serverUrl: string;
  keyPath: string;
  certPath: string;
  challenge?: string;
  cn?: string;
  /** `-ca-fingerprint`: the SHA-256 (hex) the CA certificate must have; scepclient encrypts to no other. */
  caFingerprint?: string;
  timeoutMs?: number;
}): Promise<ScepclientRun> {
  const args = [
    '-server-url',
    o.serverUrl,
    '-private-key',
    o.keyPath,
    '-certificate',
    o.certPath,
    '-cn',
    o.cn ?? 'dev-1',
    '-debug',
  ];
  if (o.challenge !== undefined) args.push('-challenge', o.challenge);
  if (o.caFingerprint !== undefined) args.push('-ca-fingerprint', o.caFingerprint);
  return new Promise((resolve) => {
    execFile('scepclient', args, { timeout: o.timeoutMs ?? 30_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const exitCode = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : -1
        : 0;
      resolve({
        exitCode,
        output: `${stdout}${stderr}`,
        certPem: exitCode === 0 && existsSync(o.certPath) ? readFileSync(o.certPath, 'utf8') : null,
      });
    });
  });
}
