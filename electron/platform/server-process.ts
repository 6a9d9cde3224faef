import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ServerReadyFacts } from '../../server/contract/ipc.js';
import { lineSplitter, parseReadyLine } from '../server-facts.js';
import type { SupervisedServer } from '../server-supervisor.js';

/** The enrollment server as the desktop app sees it: what it said when it became ready, how to stop it. */
export interface ServerHost extends SupervisedServer {
  /** The child's process id. */
  pid: number | undefined;
}

/**
 * Runs `tsunagu serve --json` with the system's Node during development: the better-sqlite3 build in node_modules
 * targets Node's ABI, not Electron's, so the dev app must not load it in-process. The server says it is ready in
 * one JSON line (server-facts.ts), so nothing depends on the wording of the human banner.
 */
export function startServerChild(projectRoot: string, dataDir: string, nodeBinary: string): Promise<ServerHost> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(nodeBinary, [join(projectRoot, 'bin', 'tsunagu.mjs'), 'serve', '--json'], {
      env: { ...process.env, TSUNAGU_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error('The enrollment server did not start within 60 seconds.')), 60_000);
    child.once('exit', (code) => fail(new Error(`The enrollment server exited (code ${code}).`)));
    child.stdout?.setEncoding('utf8');
    child.stdout?.on(
      'data',
      lineSplitter((line) => {
        if (settled) return;
        let facts: ServerReadyFacts | null;
        try {
          facts = parseReadyLine(line);
        } catch (error) {
          fail(error as Error);
          return;
        }
        if (!facts) return;
        settled = true;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        let stopping = false;
        let onCrash: ((code: number | null) => void) | null = null;
        child.once('exit', (code) => {
          if (!stopping) onCrash?.(code);
        });
        resolve({
          facts,
          pid: child.pid,
          stop: () =>
            new Promise((done) => {
              stopping = true;
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
          onExit(listener) {
            onCrash = listener;
          },
        });
      }),
    );
  });
}
