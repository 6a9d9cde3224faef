import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI entry point. */
export const CLI = fileURLToPath(new URL('../../bin/tsunagu.mjs', import.meta.url));

/** The outcome of one CLI run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tsunagu ...args` with the given environment and optional stdin; resolves when it exits (bounded). */
export function runTsunagu(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
  timeoutMs = 60_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tsunagu ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin ?? '');
  });
}

/** A `tsunagu serve` child process and the lines it printed at start. */
export interface ServeProcess {
  child: ChildProcess;
  lines: Record<string, string>;
  stderr: () => string;
  /** Sends a signal and waits for the exit code, or the signal that ended the process (bounded: SIGKILL after 20 s). */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

const live = new Set<ChildProcess>();

/** Kills every `serve` child still running, so a failed test cannot leave one holding a data directory. */
export function killAllServes(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/** Starts `tsunagu serve` and waits for its `Ready.` line, which follows the URLs (and the setup token, when there is one). */
export function startServe(env: Record<string, string>, timeoutMs = 60_000): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const lines: Record<string, string> = {};
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start in ${timeoutMs} ms\n${out}\n${err}`));
    }, timeoutMs);
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const onEarlyExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}\n${out}\n${err}`));
    };
    child.on('exit', onEarlyExit);
    live.add(child);
    child.once('exit', () => live.delete(child));
    const onData = (c: Buffer) => {
      out += c.toString();
      if (!/^Ready\.$/m.test(out)) return;
      child.stdout.off('data', onData);
      for (const line of out.split('\n')) {
        const m = /^([A-Za-z ()]+): (\S+)$/.exec(line.trim());
        if (m) lines[m[1] as string] = m[2] as string;
      }
      clearTimeout(timer);
      child.removeListener('exit', onEarlyExit);
      resolve({
        child,
        lines,
        stderr: () => err,
        stop: (signal = 'SIGTERM') =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode ?? child.signalCode);
            const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
            child.once('exit', (code, ended) => {
              clearTimeout(kill);
              done(code ?? ended);
            });
            child.kill(signal);
          }),
      });
    };
    child.stdout.on('data', onData);
  });
}
