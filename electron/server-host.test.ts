import { describe, expect, it, vi } from 'vitest';
import { hostServer, type HostedProcess } from './server-host.js';

const READY = {
  event: 'ready',
  adminUrl: 'http://127.0.0.1:8440/',
  entryUrl: 'http://mdm.office.lan:8080/go',
  enrollmentUrl: 'https://mdm.office.lan:8443/',
  bootstrapUrl: 'http://mdm.office.lan:8080/trust',
  setupToken: null,
};

/** A process played by hand: what the host posts, and a way to answer or exit. */
function fakeProcess() {
  const posted: unknown[] = [];
  let toHost: (m: unknown) => void = () => undefined;
  let exit: (code: number | null) => void = () => undefined;
  let killed = 0;
  const proc: HostedProcess = {
    pid: 42,
    post: (m) => posted.push(m),
    onMessage: (l) => (toHost = l),
    onExit: (l) => (exit = l),
    kill: () => killed++,
  };
  return { proc, posted, say: (m: unknown) => toHost(m), exit: (c: number | null) => exit(c), killed: () => killed };
}

describe('hostServer', () => {
  it('sends the key in the start message and resolves on ready; status goes to onStatus', async () => {
    const p = fakeProcess();
    const statuses: unknown[] = [];
    const hosting = hostServer(p.proc, { dataKey: Buffer.alloc(32, 7), onStatus: (s) => statuses.push(s) });
    expect(p.posted).toEqual([{ type: 'start', dataKey: Buffer.alloc(32, 7).toString('base64') }]);
    p.say({ level: 30, msg: 'a log line' });
    p.say(READY);
    const host = await hosting;
    expect(host.facts).toEqual(READY);
    p.say({ event: 'status', devicesEnrolledToday: 2, entryUrl: READY.entryUrl });
    expect(statuses).toEqual([{ event: 'status', devicesEnrolledToday: 2, entryUrl: READY.entryUrl }]);
  });

  it.each([
    [
      'start-failed',
      (p: ReturnType<typeof fakeProcess>) => p.say({ event: 'start-failed', message: 'bad' }),
      /could not start: bad/,
    ],
    ['an early exit', (p: ReturnType<typeof fakeProcess>) => p.exit(2), /exited \(code 2\)/],
    ['a bad ready', (p: ReturnType<typeof fakeProcess>) => p.say({ ...READY, adminUrl: 'file:///x' }), /adminUrl/],
  ])('rejects on %s and kills the process', async (_name, act, error) => {
    const p = fakeProcess();
    const hosting = hostServer(p.proc, { dataKey: null });
    act(p);
    await expect(hosting).rejects.toThrow(error);
    expect(p.killed()).toBe(1);
  });

  it('stop asks the server to drain and waits for its exit, which is no crash', async () => {
    const p = fakeProcess();
    const hosting = hostServer(p.proc, { dataKey: null });
    p.say(READY);
    const host = await hosting;
    let crashed = false;
    host.onExit(() => (crashed = true));
    const stopped = host.stop();
    expect(p.posted.at(-1)).toEqual({ type: 'stop' });
    p.exit(0);
    await stopped;
    expect(crashed).toBe(false);
    expect(p.killed()).toBe(0);
  });

  it('kills a server that does not exit within the stop timeout', async () => {
    vi.useFakeTimers();
    try {
      const p = fakeProcess();
      const hosting = hostServer(p.proc, { dataKey: null, stopTimeoutMs: 5_000 });
      p.say(READY);
      const host = await hosting;
      const stopped = host.stop();
      vi.advanceTimersByTime(4_999);
      expect(p.killed()).toBe(0);
      vi.advanceTimersByTime(1);
      expect(p.killed()).toBe(1);
      p.exit(null);
      await stopped;
    } finally {
      vi.useRealTimers();
    }
  });

  it('an exit without stop is a crash, reported with its code', async () => {
    const p = fakeProcess();
    const hosting = hostServer(p.proc, { dataKey: null });
    p.say(READY);
    const host = await hosting;
    const codes: (number | null)[] = [];
    host.onExit((c) => codes.push(c));
    p.exit(134);
    expect(codes).toEqual([134]);
  });
});
