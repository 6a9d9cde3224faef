import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The enrollment server as the desktop app sees it. */
export interface ServerHost {
  adminUrl: string;
  setupToken: string | null;
  stop(): Promise<void>;
}

/**
 * Runs `tsunagu serve` with the system's Node during development: the better-sqlite3 build in node_modules
 * targets Node's ABI, not Electron's, so the dev app must not load it in-process.
 */
export function startServerChild(projectRoot: string, dataDir: string, nodeBinary: string): Promise<ServerHost> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(nodeBinary, [join(projectRoot, 'bin', 'tsunagu.mjs'), 'serve'], {
      env: { ...process.env, TSUNAGU_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const fields: Record<string, string> = {};
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('The enrollment server did not start within 60 seconds.'));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The enrollment server exited (code ${code}).`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      // `serve` ends its start-up block with "Ready."; until then the setup token may still be on its way.
      if (!/^Ready\.$/m.test(out)) return;
      for (const line of out.split('\n')) {
        const m = /^(Admin console|Setup token|Certificate trust page): (\S+)$/.exec(line.trim());
        if (m) fields[m[1] as string] = m[2] as string;
      }
      if (fields['Admin console'] && fields['Certificate trust page']) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({
          adminUrl: fields['Admin console'],
          setupToken: fields['Setup token'] ?? null,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
  });
}
