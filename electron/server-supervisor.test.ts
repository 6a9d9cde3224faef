import { describe, expect, it } from 'vitest';
import type { ServerReadyFacts } from '../server/contract/ipc.js';
import { createServerSupervisor, type ServerExit, type SupervisedServer } from './server-supervisor.js';

const facts = (n: number): ServerReadyFacts => ({
  event: 'ready',
  adminUrl: `http://127.0.0.1:${8440 + n}/`,
  entryUrl: 'http://mdm.office.lan:8080/go',
  enrollmentUrl: 'https://mdm.office.lan:8443/',
  bootstrapUrl: 'http://mdm.office.lan:8080/trust',
  setupToken: null,
});

/** A fake world: servers that can crash, a timer list run by hand, a clock moved by hand. */
function world(options: { failStarts?: number[] } = {}) {
  let now = 0;
  let started = 0;
  const timers: { at: number; run: () => void; cancelled: boolean }[] = [];
  const servers: { crash(code: number): void; stopped: boolean }[] = [];
  const ready: [string, number][] = [];
  const exits: ServerExit[] = [];
  const supervisor = createServerSupervisor({
    async start() {
      const n = started++;
      if (options.failStarts?.includes(n)) throw new Error(`port 8440 is in use (start ${n})`);
      let listener: ((code: number | null) => void) | null = null;
      const record = {
        stopped: false,
        crash: (code: number) => listener?.(code),
      };
      servers.push(record);
      const server: SupervisedServer = {
        facts: facts(n),
        stop: async () => {
          record.stopped = true;
        },
        onExit: (l) => {
          listener = l;
        },
      };
      return server;
    },
    schedule(run, ms) {
      const timer = { at: now + ms, run, cancelled: false };
      timers.push(timer);
      return { cancel: () => (timer.cancelled = true) };
    },
    now: () => now,
    onReady: (f, restarts) => ready.push([f.adminUrl, restarts]),
    onExit: (exit) => exits.push(exit),
  });
  /** Moves the clock by `ms`, running the timers that come due. */
  const advance = async (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => x.at <= now && !x.cancelled)) {
      t.cancelled = true;
      t.run();
    }
    // Let the restarted server's start resolve.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { supervisor, servers, ready, exits, advance, started: () => started };
}

describe('the server supervisor', () => {
  it('starts the server and says it is ready', async () => {
    const w = world();
    expect(await w.supervisor.start()).toEqual(facts(0));
    expect(w.ready).toEqual([['http://127.0.0.1:8440/', 0]]);
  });

  it('starts a crashed server again after a delay that grows, and tells the admin each time', async () => {
    const w = world();
    await w.supervisor.start();
    w.servers[0]?.crash(1);
    expect(w.exits).toEqual([{ code: 1, restartInMs: 1000, exitsInWindow: 1, startError: null }]);
    await w.advance(999);
    expect(w.started()).toBe(1);
    await w.advance(1);
    expect(w.ready.at(-1)).toEqual(['http://127.0.0.1:8441/', 1]);
    w.servers[1]?.crash(134);
    expect(w.exits.at(-1)).toMatchObject({ code: 134, restartInMs: 2000, exitsInWindow: 2 });
    await w.advance(2000);
    expect(w.ready.at(-1)).toEqual(['http://127.0.0.1:8442/', 2]);
  });

  it('forgets exits older than the window', async () => {
    const w = world();
    await w.supervisor.start();
    w.servers[0]?.crash(1);
    await w.advance(11 * 60_000);
    w.servers[1]?.crash(1);
    expect(w.exits.at(-1)).toMatchObject({ restartInMs: 1000, exitsInWindow: 1 });
  });

  it('stays down after more than five exits in ten minutes, and says so', async () => {
    const w = world();
    await w.supervisor.start();
    for (let i = 0; i < 5; i++) {
      w.servers[i]?.crash(1);
      await w.advance(30_000);
    }
    expect(w.started()).toBe(6);
    w.servers[5]?.crash(1);
    expect(w.exits.at(-1)).toEqual({ code: 1, restartInMs: null, exitsInWindow: 6, startError: null });
    await w.advance(60 * 60_000);
    expect(w.started()).toBe(6);
  });

  it('counts a restart that cannot start as an exit, with the reason, and tries again', async () => {
    const w = world({ failStarts: [1] });
    await w.supervisor.start();
    w.servers[0]?.crash(1);
    await w.advance(1000);
    expect(w.exits.at(-1)).toEqual({
      code: null,
      restartInMs: 2000,
      exitsInWindow: 2,
      startError: 'port 8440 is in use (start 1)',
    });
    await w.advance(2000);
    expect(w.ready.at(-1)).toEqual(['http://127.0.0.1:8442/', 1]);
  });

  it('a first start that fails is the caller’s to report: nothing restarts', async () => {
    const w = world({ failStarts: [0] });
    await expect(w.supervisor.start()).rejects.toThrow('port 8440 is in use');
    await w.advance(60_000);
    expect(w.started()).toBe(1);
    expect(w.exits).toEqual([]);
  });

  it('stop stops the server and any restart still to come; an exit while stopping is no crash', async () => {
    const w = world();
    await w.supervisor.start();
    w.servers[0]?.crash(1);
    await w.supervisor.stop();
    await w.advance(60_000);
    expect(w.started()).toBe(1);

    const v = world();
    await v.supervisor.start();
    await v.supervisor.stop();
    expect(v.servers[0]?.stopped).toBe(true);
    v.servers[0]?.crash(0);
    expect(v.exits).toEqual([]);
  });
});
