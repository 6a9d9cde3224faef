// The server as the desktop app hosts it: it waits for the app's `start` message (which may carry the data key, so the
// key never passes through argv, env or a file the app did not choose), says it is ready and reports its status over a
// typed channel, and drains on `stop` exactly as `serve` does on SIGTERM. The channel is Electron's parentPort in the
// packaged app and JSON lines over stdio in development; this module sees only the HostChannel port, never Electron.
import type { Readable } from 'node:stream';
import type { HostToServerMessage, ServerReadyFacts, ServerToHostMessage } from './contract/ipc.js';
import type { RunningServer } from './start.js';

/** A two-way message channel to the desktop app. */
export interface HostChannel {
  send(message: ServerToHostMessage): void;
  /** Calls `listener` with every message from the app (unchecked: parsed here). */
  onMessage(listener: (message: unknown) => void): void;
  /** Calls `listener` once if the app goes away (its end of the channel closed). */
  onClose(listener: () => void): void;
  /** Stops listening, so the process can exit. */
  close(): void;
}

/** What `runHostedServer` needs. */
export interface HostedDeps {
  /** Starts the server; `dataKey` is undefined when the app sent no key (the key file or passphrase is used). */
  start(dataKey: Buffer | undefined): Promise<RunningServer>;
  now(): Date;
  /** How often the status goes out after the first one. */
  statusEveryMs?: number;
  /** Subscribes to the process's stop signals (SIGTERM, SIGINT); returns the unsubscribe. */
  onSignal?(listener: (signal: string) => void): () => void;
}

/** The start of this local day, as the ISO timestamp the stores compare with. */
export function localMidnight(now: Date): string {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
}

/** Parses a message from the app, or null when it is not one (wrong shape, or a key that is not 32 bytes). */
export function parseHostMessage(value: unknown): HostToServerMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.type === 'stop') return { type: 'stop' };
  if (v.type !== 'start') return null;
  if (v.dataKey === null) return { type: 'start', dataKey: null };
  if (typeof v.dataKey !== 'string' || Buffer.from(v.dataKey, 'base64').length !== 32) return null;
  return { type: 'start', dataKey: v.dataKey };
}

/** The enrollments marked enrolled since local midnight: one indexed sum over today's rows of the per-day count. */
function devicesEnrolledToday(server: RunningServer, now: Date): number {
  return server.services.enrollment.enrolledPerDay(localMidnight(now)).reduce((sum, day) => sum + day.count, 0);
}

/**
 * Runs the hosted server until the app says stop (or goes away, or a stop signal comes); resolves with the exit code:
 * 0 after a clean stop, 1 when it could not start.
 */
export function runHostedServer(channel: HostChannel, deps: HostedDeps): Promise<number> {
  return new Promise<number>((resolve) => {
    let server: RunningServer | null = null;
    let state: 'waiting' | 'starting' | 'running' | 'stopping' | 'done' = 'waiting';
    let stopWanted = false;
    let timer: ReturnType<typeof setInterval> | null = null;
    let unsubscribe = () => {};
    const finish = (code: number) => {
      if (state === 'done') return;
      state = 'done';
      if (timer) clearInterval(timer);
      unsubscribe();
      channel.close();
      resolve(code);
    };
    const sendStatus = () => {
      if (!server || state !== 'running') return;
      try {
        channel.send({
          event: 'status',
          devicesEnrolledToday: devicesEnrolledToday(server, deps.now()),
          entryUrl: server.entryUrl,
        });
      } catch (err) {
        server.logger.error({ err }, 'could not count the devices enrolled today');
      }
    };
    const stop = () => {
      stopWanted = true;
      if (state === 'waiting') return finish(0);
      if (state !== 'running' || !server) return; // a start in progress stops once it is up
      state = 'stopping';
      if (timer) clearInterval(timer);
      channel.send({ event: 'stopping' });
      // The same drain as `serve` on SIGTERM: stop accepting, finish requests in flight, close the database.
      void server.close().then(
        () => finish(0),
        () => finish(1),
      );
    };
    const begin = (dataKey: string | null) => {
      state = 'starting';
      deps.start(dataKey === null ? undefined : Buffer.from(dataKey, 'base64')).then(
        (running) => {
          server = running;
          state = 'running';
          const facts: ServerReadyFacts = {
            event: 'ready',
            adminUrl: running.adminUrl,
            entryUrl: running.entryUrl,
            enrollmentUrl: running.enrollmentUrl,
            bootstrapUrl: running.bootstrapUrl,
            setupToken: running.setupToken,
          };
          channel.send(facts);
          sendStatus();
          timer = setInterval(sendStatus, deps.statusEveryMs ?? 60_000);
          timer.unref();
          if (stopWanted) stop();
        },
        (err: unknown) => {
          channel.send({ event: 'start-failed', message: (err as Error).message });
          finish(1);
        },
      );
    };
    unsubscribe = deps.onSignal?.(() => stop()) ?? unsubscribe;
    channel.onClose(() => stop());
    channel.onMessage((raw) => {
      const message = parseHostMessage(raw);
      if (!message) return;
      if (message.type === 'stop') stop();
      else if (state === 'waiting') begin(message.dataKey);
    });
  });
}

/** The channel over stdio for the development child: JSON lines in on `input`, out through `writeLine`. */
export function stdioChannel(input: Readable, writeLine: (line: string) => void): HostChannel {
  let rest = '';
  let closed = false;
  const listeners: ((message: unknown) => void)[] = [];
  const closeListeners: (() => void)[] = [];
  const onData = (chunk: Buffer | string) => {
    rest += chunk.toString();
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      for (const listener of listeners) listener(value);
    }
  };
  const onEnd = () => {
    if (!closed) for (const listener of closeListeners) listener();
  };
  input.on('data', onData);
  input.once('end', onEnd);
  return {
    send: (message) => writeLine(JSON.stringify(message)),
    onMessage: (listener) => listeners.push(listener),
    onClose: (listener) => closeListeners.push(listener),
    close() {
      closed = true;
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
      // stdin keeps the event loop alive until it is destroyed.
      (input as Readable & { destroy?: () => void }).destroy?.();
    },
  };
}

/** Electron's `process.parentPort` as the server sees it (typed here: server code never imports Electron). */
export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  off?(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** The channel over Electron's parentPort in the utility process. */
export function parentPortChannel(port: ParentPortLike): HostChannel {
  const handlers: ((event: { data: unknown }) => void)[] = [];
  return {
    send: (message) => port.postMessage(message),
    onMessage(listener) {
      const handler = (event: { data: unknown }) => listener(event.data);
      handlers.push(handler);
      port.on('message', handler);
    },
    // The utility process ends with its parent; there is no close to hear.
    onClose: () => undefined,
    close() {
      for (const handler of handlers) port.off?.('message', handler);
    },
  };
}

/** SIGTERM and SIGINT of this process, for `HostedDeps.onSignal`. */
export function processSignals(listener: (signal: string) => void): () => void {
  const onTerm = () => listener('SIGTERM');
  const onInt = () => listener('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  return () => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  };
}
