import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { lineSplitter } from '../server-facts.js';
import { hostServer, type HostedProcess, type HostOptions, type ServerHost } from '../server-host.js';

export type { ServerHost } from '../server-host.js';

/**
 * Runs `tsunagu serve --hosted` with the system's Node during development: the better-sqlite3 build in node_modules
 * targets Node's ABI, not Electron's, so the dev app must not load it in-process. The channel is JSON lines: the
 * `start` message (with the data key) and `stop` on stdin, the server's messages on stdout; never argv or env.
 */
export function startServerChild(
  projectRoot: string,
  dataDir: string,
  nodeBinary: string,
  options: HostOptions = { dataKey: null },
): Promise<ServerHost> {
  const child: ChildProcess = spawn(nodeBinary, [join(projectRoot, 'bin', 'tsunagu.mjs'), 'serve', '--hosted'], {
    env: { ...process.env, TSUNAGU_DATA_DIR: dataDir },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // A child that exits before reading its stdin must not crash the app with EPIPE.
  child.stdin?.on('error', () => undefined);
  child.stdout?.setEncoding('utf8');
  const proc: HostedProcess = {
    get pid() {
      return child.pid;
    },
    post(message) {
      if (child.stdin?.writable) child.stdin.write(`${JSON.stringify(message)}\n`);
    },
    onMessage(listener) {
      child.stdout?.on(
        'data',
        lineSplitter((line) => {
          if (!line.trim().startsWith('{')) return;
          try {
            listener(JSON.parse(line));
          } catch {
            /* not a whole JSON line: not a message */
          }
        }),
      );
    },
    onExit(listener) {
      child.once('exit', (code) => listener(code));
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  return hostServer(proc, options);
}
