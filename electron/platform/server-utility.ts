import { hostServer, type HostedProcess, type HostOptions, type ServerHost } from '../server-host.js';

/** The part of Electron's UtilityProcess the host uses (injected, so this runs and is tested without Electron). */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'spawn', listener: () => void): unknown;
  kill(): boolean;
}

/** Electron's `utilityProcess.fork`, narrowed to what the host passes. */
export type ForkUtility = (
  modulePath: string,
  args: string[],
  options: { serviceName: string; stdio: 'inherit' | 'ignore'; env: Record<string, string | undefined> },
) => UtilityProcessLike;

/**
 * Runs the server (server/utility-entry.ts) on Electron's own Node in a utility process: a packaged app has no system
 * `node`, and its better-sqlite3 is built for Electron's ABI. The channel is `process.parentPort`.
 */
export function startServerUtility(
  fork: ForkUtility,
  entry: string,
  dataDir: string,
  options: HostOptions,
): Promise<ServerHost> {
  const child = fork(entry, [], {
    serviceName: 'Tsunagu enrollment server',
    stdio: 'inherit',
    env: { ...process.env, TSUNAGU_DATA_DIR: dataDir },
  });
  let exited = false;
  // Messages wait for the process to exist; the start message is the first thing it must hear.
  let queue: unknown[] | null = [];
  child.on('spawn', () => {
    const waiting = queue ?? [];
    queue = null;
    for (const message of waiting) child.postMessage(message);
  });
  child.on('exit', () => (exited = true));
  const proc: HostedProcess = {
    get pid() {
      return child.pid;
    },
    post: (message) => {
      if (queue) queue.push(message);
      else if (!exited) child.postMessage(message);
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => {
      if (!exited) child.kill();
    },
  };
  return hostServer(proc, options);
}
