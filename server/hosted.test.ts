import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ServerToHostMessage } from './contract/ipc.js';
import { localMidnight, parseHostMessage, runHostedServer, type HostChannel } from './hosted.js';
import type { RunningServer } from './start.js';

/** A channel driven by hand, and a server whose start and close are recorded. */
function world(options: { failStart?: boolean } = {}) {
  const sent: ServerToHostMessage[] = [];
  const calls: string[] = [];
  let deliver: (m: unknown) => void = () => undefined;
  let hangUp: () => void = () => undefined;
  const froms: string[] = [];
  let dataKey: Buffer | undefined;
  const channel: HostChannel = {
    send: (m) => sent.push(m),
    onMessage: (l) => (deliver = l),
    onClose: (l) => (hangUp = l),
    close: () => calls.push('channel closed'),
  };
  const server = {
    adminUrl: 'http://127.0.0.1:8440/',
    entryUrl: 'http://192.168.1.20:8080/go',
    enrollmentUrl: 'https://192.168.1.20:8443/',
    bootstrapUrl: 'http://192.168.1.20:8080/trust',
    setupToken: null,
    services: {
      enrollment: {
        enrolledPerDay: (from: string) => {
          froms.push(from);
          return [
            { day: '2026-12-05', count: 2 },
            { day: '2026-12-06', count: 1 },
          ];
        },
      },
    },
    logger: { error: () => undefined },
    close: async () => {
      calls.push('server closed');
    },
  } as unknown as RunningServer;
  const done = runHostedServer(channel, {
    start: async (s) => {
      calls.push('started');
      dataKey = s;
      if (options.failStart) throw new Error('port 8440 is in use');
      return server;
    },
    now: () => new Date(2026, 11, 6, 9, 30),
    statusEveryMs: 60_000,
  });
  return {
    sent,
    calls,
    froms,
    done,
    deliver: (m: unknown) => deliver(m),
    hangUp: () => hangUp(),
    dataKey: () => dataKey,
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('runHostedServer', () => {
  it('starts on the start message with the key it carries, says ready, then the status of today', async () => {
    const w = world();
    const key = randomBytes(32);
    w.deliver({ type: 'start', dataKey: key.toString('base64') });
    await tick();
    expect(w.sent.map((m) => m.event)).toEqual(['ready', 'status']);
    expect(w.sent[1]).toEqual({ event: 'status', devicesEnrolledToday: 3, entryUrl: 'http://192.168.1.20:8080/go' });
    expect(w.froms).toEqual([localMidnight(new Date(2026, 11, 6, 9, 30))]);
    // The server got that key.
    expect(w.dataKey()?.equals(key)).toBe(true);
    w.deliver({ type: 'stop' });
    expect(await w.done).toBe(0);
    expect(w.sent.at(-1)).toEqual({ event: 'stopping' });
    expect(w.calls).toEqual(['started', 'server closed', 'channel closed']);
  });

  it('without a key the server keeps its key file (no key is passed)', async () => {
    const w = world();
    w.deliver({ type: 'start', dataKey: null });
    await tick();
    expect(w.calls).toEqual(['started']);
    expect(w.dataKey()).toBeUndefined();
    w.hangUp();
    expect(await w.done).toBe(0);
  });

  it('a stop before the start ends at once, starting nothing', async () => {
    const w = world();
    w.deliver({ type: 'stop' });
    expect(await w.done).toBe(0);
    expect(w.calls).toEqual(['channel closed']);
  });

  it('a start that fails says why and ends with 1', async () => {
    const w = world({ failStart: true });
    w.deliver({ type: 'start', dataKey: null });
    expect(await w.done).toBe(1);
    expect(w.sent).toEqual([{ event: 'start-failed', message: 'port 8440 is in use' }]);
  });
});

describe('parseHostMessage', () => {
  it.each([
    [{ type: 'stop' }, { type: 'stop' }],
    [
      { type: 'start', dataKey: null },
      { type: 'start', dataKey: null },
    ],
    [{ type: 'start', dataKey: randomBytes(16).toString('base64') }, null],
    [{ type: 'start' }, null],
    [{ type: 'restart' }, null],
    ['stop', null],
  ])('%j → %j', (message, expected) => {
    expect(parseHostMessage(message)).toEqual(expected);
  });
});

describe('localMidnight', () => {
  it('is the start of the local day', () => {
    const midnight = new Date(localMidnight(new Date(2026, 11, 6, 23, 59)));
    expect([midnight.getFullYear(), midnight.getMonth(), midnight.getDate(), midnight.getHours()]).toEqual([
      2026, 11, 6, 0,
    ]);
  });
});
