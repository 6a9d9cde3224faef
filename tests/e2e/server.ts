// Starts the real server (`node bin/tsunagu.mjs serve`) for the browser tests, each in a fresh data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests/e2e/../..). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The git-ignored folder for test artefacts. */
export const TEST_OUTPUT = join(PROJECT_ROOT, 'test-output');

/** The CLI the tests start and run. */
export const CLI = join(PROJECT_ROOT, 'bin', 'tsunagu.mjs');

/** How long the server may take to print its URLs and setup token. */
const START_TIMEOUT_MS = 60_000;
/** How long it may take to stop after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 20_000;

/** A running `tsunagu serve` child process. */
export interface TsunaguServer {
  /** The admin console, e.g. http://127.0.0.1:41234/ */
  adminUrl: string;
  /** The one-time setup token printed at start. */
  setupToken: string;
  /** The data directory (under test-output/), shared with CLI runs such as `audit verify`. */
  dataDir: string;
  /** The environment the server runs with, for CLI commands on the same data. */
  env: Record<string, string>;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string;
  /** Sends SIGTERM and waits for the process to exit; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** The result of one CLI run. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a test server in `dataDir`: every port picked by the OS, devices on loopback. */
export function serverEnv(dataDir: string): Record<string, string> {
  return {
    TSUNAGU_DATA_DIR: dataDir,
    TSUNAGU_ADMIN_PORT: '0',
    TSUNAGU_DEVICE_PORT: '0',
    TSUNAGU_HTTP_PORT: '0',
    TSUNAGU_DEVICE_BIND: '127.0.0.1',
    TSUNAGU_HOSTNAMES: 'tsunagu.test',
    TSUNAGU_LOG_LEVEL: 'warn',
  };
}

/** A fresh, empty data directory under test-output/. */
export function freshDataDir(prefix: string): string {
  const parent = join(TEST_OUTPUT, 'e2e-data');
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `${prefix}-`));
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * Starts `node bin/tsunagu.mjs serve` in a fresh data directory and waits (up to 60 s) for the lines
 * `Admin console: <url>` and `Setup token: <token>`. The console must already be built (`npm run build`).
 */
export async function startTsunagu(prefix = 'console'): Promise<TsunaguServer> {
  const dataDir = freshDataDir(prefix);
  const env = serverEnv(dataDir);
  const child = spawn(process.execPath, [CLI, 'serve'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });

  const started = await new Promise<{ adminUrl: string; setupToken: string }>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`tsunagu serve ${why}.\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
    };
    const timer = setTimeout(
      () => fail(`did not print its admin URL and setup token within ${START_TIMEOUT_MS / 1000} s`),
      START_TIMEOUT_MS,
    );
    child.once('error', (err) => fail(`could not start (${err.message})`));
    child.once('exit', (code) => fail(`exited early with code ${code}`));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const adminUrl = /^Admin console: (\S+)$/m.exec(stdout)?.[1];
      const setupToken = /^Setup token: (\S+)$/m.exec(stdout)?.[1];
      if (adminUrl && setupToken && /^Ready\.$/m.test(stdout)) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.removeAllListeners('error');
        resolve({ adminUrl, setupToken });
      }
    });
  });

  let stopping: Promise<number | null> | null = null;
  return {
    ...started,
    dataDir,
    env,
    output: () => `${stdout}${stderr}`,
    stop() {
      stopping ??= (async () => {
        const exited = waitForExit(child);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        try {
          return await exited;
        } finally {
          clearTimeout(killer);
        }
      })();
      return stopping;
    },
  };
}

/** Runs `node bin/tsunagu.mjs ...args` with `env` and waits (bounded) for it to exit. */
export function runTsunagu(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tsunagu ${args.join(' ')} did not finish within ${timeoutMs / 1000} s\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
