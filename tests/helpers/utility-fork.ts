import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ForkUtility, UtilityProcessLike } from '../../electron/platform/server-utility.js';

const SHIM = fileURLToPath(new URL('./parent-port-shim.mjs', import.meta.url));

/**
 * Electron's `utilityProcess.fork` played by Node: a child with an IPC channel and `process.parentPort` shimmed over
 * it, so the real utility entry runs as it would in the packaged app. `exits` collects the exit codes.
 */
export function nodeUtilityFork(exits: (number | null)[] = []): ForkUtility {
  return (modulePath, args, options) => {
    const child = fork(modulePath, args, {
      env: options.env,
      execArgv: ['--import', SHIM],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('exit', (code) => exits.push(code));
    const utility: UtilityProcessLike = {
      get pid() {
        return child.pid;
      },
      postMessage: (message) => {
        if (child.connected) child.send(message as object);
      },
      on(event: 'message' | 'exit' | 'spawn', listener: (...args: never[]) => void) {
        if (event === 'exit') child.on('exit', (code) => (listener as (code: number) => void)(code ?? -1));
        else child.on(event, listener as (...args: unknown[]) => void);
        return utility;
      },
      kill: () => child.kill('SIGKILL'),
    };
    return utility;
  };
}
