// The app's side of the hosted server's channel (server/hosted.ts), whatever runs the process: Electron's utility
// process in the packaged app, a child `node` in development (electron/platform/). It sends `start` with the data key,
// waits for `ready`, hands on the status the tray shows, and stops the server by asking it to drain, killing it only
// when it does not exit in time.
import type { ServerStatusFacts } from '../server/contract/ipc.js';
import { parseServerMessage } from './server-facts.js';
import type { SupervisedServer } from './server-supervisor.js';

/** The enrollment server as the desktop app sees it: what it said when it became ready, how to stop it. */
export interface ServerHost extends SupervisedServer {
  /** The process id, once known. */
  readonly pid: number | undefined;
}

/** A running server process, whatever runs it: the messages both ways, its exit, and the last resort. */
export interface HostedProcess {
  readonly pid: number | undefined;
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null) => void): void;
  /** Ends the process at once (it did not drain in time, or never became ready). */
  kill(): void;
}

/** What the host needs besides the process. */
export interface HostOptions {
  /** The 32-byte data key, or null: the server uses its key file (or passphrase) as headless. */
  dataKey: Buffer | null;
  /** Every status the server sends (after ready, then each minute). */
  onStatus?(status: ServerStatusFacts): void;
  startTimeoutMs?: number;
  /** How long a stop may drain before the process is killed. */
  stopTimeoutMs?: number;
}

/** Starts the server in `proc`; resolves once it is ready, rejects with the reason when it cannot start. */
export function hostServer(proc: HostedProcess, options: HostOptions): Promise<ServerHost> {
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    let phase: 'starting' | 'running' | 'stopping' | 'exited' = 'starting';
    let onCrash: ((code: number | null) => void) | null = null;
    const exitWaiters: (() => void)[] = [];
    const fail = (error: Error) => {
      if (phase !== 'starting') return;
      phase = 'exited';
      clearTimeout(timer);
      proc.kill();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`The enrollment server did not start within ${Math.round(startTimeoutMs / 1000)} seconds.`)),
      startTimeoutMs,
    );
    proc.onExit((code) => {
      const before = phase;
      if (before === 'starting') fail(new Error(`The enrollment server exited (code ${code}).`));
      phase = 'exited';
      for (const done of exitWaiters.splice(0)) done();
      if (before === 'running') onCrash?.(code);
    });
    proc.onMessage((raw) => {
      let message;
      try {
        message = parseServerMessage(raw);
      } catch (error) {
        fail(error as Error);
        return;
      }
      if (!message) return;
      if (message.event === 'start-failed')
        fail(new Error(`The enrollment server could not start: ${message.message}`));
      else if (message.event === 'status') {
        if (phase === 'running') options.onStatus?.(message);
      } else if (message.event === 'ready' && phase === 'starting') {
        phase = 'running';
        clearTimeout(timer);
        resolve({
          facts: message,
          get pid() {
            return proc.pid;
          },
          stop: () =>
            new Promise<void>((done) => {
              if (phase === 'exited') return done();
              exitWaiters.push(done);
              if (phase === 'stopping') return;
              phase = 'stopping';
              const kill = setTimeout(() => proc.kill(), stopTimeoutMs);
              exitWaiters.push(() => clearTimeout(kill));
              proc.post({ type: 'stop' });
            }),
          onExit(listener) {
            onCrash = listener;
          },
        });
      }
    });
    proc.post({ type: 'start', dataKey: options.dataKey ? options.dataKey.toString('base64') : null });
  });
}
