// Keeps the enrollment server running under the desktop app: when it exits without being asked to, it is started
// again after a growing delay and the admin is told; after too many exits in a short time it stays down and the
// admin is told that instead. Pure over its ports (start, a timer, a clock), so it is tested without processes.
import type { ServerReadyFacts } from '../server/contract/ipc.js';

/** A running server as the supervisor needs it. */
export interface SupervisedServer {
  facts: ServerReadyFacts;
  stop(): Promise<void>;
  /** Calls `listener` once if the server exits without `stop()` (a crash), with its exit code. */
  onExit(listener: (code: number | null) => void): void;
}

/** How often and how soon the supervisor starts a server again. */
export interface RestartPolicy {
  /** Delay before the first, second, ... restart within the window; the last one repeats. */
  delaysMs: readonly number[];
  /** Exits older than this are forgotten. */
  windowMs: number;
  /** More exits than this within the window: the server stays down. */
  maxExits: number;
}

/** One second, then longer; at most five exits in ten minutes. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  delaysMs: [1_000, 2_000, 5_000, 10_000, 30_000],
  windowMs: 10 * 60_000,
  maxExits: 5,
};

/** What happened, for the admin: an exit, and whether (and when) the server starts again. */
export interface ServerExit {
  code: number | null;
  /** Null when the server stays down (too many exits, or it could not start). */
  restartInMs: number | null;
  exitsInWindow: number;
  /** Why it could not start, when that is what failed. */
  startError: string | null;
}

/** The supervisor's ports. */
export interface SupervisorDeps {
  start(): Promise<SupervisedServer>;
  schedule(run: () => void, ms: number): { cancel(): void };
  now(): number;
  /** The server is ready (again): `restarts` counts the starts after the first. */
  onReady(facts: ServerReadyFacts, restarts: number): void;
  onExit(exit: ServerExit): void;
  policy?: RestartPolicy;
}

/** The supervisor the app holds. */
export interface ServerSupervisor {
  /** Starts the server the first time; rejects when that fails (the app cannot open without it). */
  start(): Promise<ServerReadyFacts>;
  /** Stops the server and any restart still to come. */
  stop(): Promise<void>;
}

/** Builds a supervisor over `deps`. */
export function createServerSupervisor(deps: SupervisorDeps): ServerSupervisor {
  const policy = deps.policy ?? DEFAULT_RESTART_POLICY;
  let current: SupervisedServer | null = null;
  let pending: { cancel(): void } | null = null;
  let stopping = false;
  let starts = 0;
  let exits: number[] = [];

  const launch = async (): Promise<ServerReadyFacts> => {
    const server = await deps.start();
    if (stopping) {
      await server.stop();
      return server.facts;
    }
    current = server;
    server.onExit((code) => {
      if (current === server) current = null;
      if (!stopping) exited(code, null);
    });
    deps.onReady(server.facts, starts++);
    return server.facts;
  };

  const exited = (code: number | null, startError: string | null) => {
    const now = deps.now();
    exits = [...exits.filter((t) => now - t < policy.windowMs), now];
    const giveUp = exits.length > policy.maxExits;
    const delay = policy.delaysMs[Math.min(exits.length, policy.delaysMs.length) - 1] ?? 0;
    deps.onExit({ code, restartInMs: giveUp ? null : delay, exitsInWindow: exits.length, startError });
    if (giveUp) return;
    pending = deps.schedule(() => {
      pending = null;
      if (stopping) return;
      launch().catch((error: unknown) => exited(null, (error as Error).message));
    }, delay);
  };

  return {
    start: () => launch(),
    async stop() {
      stopping = true;
      pending?.cancel();
      pending = null;
      const server = current;
      current = null;
      await server?.stop();
    },
  };
}
