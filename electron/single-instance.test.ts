import { describe, expect, it } from 'vitest';
import { bringToFront, claimSingleInstance, type InstanceApp } from './single-instance.js';

/** An `app` whose lock is free or taken; `launch` plays a second launch reaching the first. */
function fakeApp(lockFree: boolean) {
  const calls: string[] = [];
  let listener: Parameters<InstanceApp['on']>[1] | null = null;
  let sent: unknown;
  const app: InstanceApp = {
    requestSingleInstanceLock(data) {
      sent = data;
      calls.push('lock');
      return lockFree;
    },
    on(_event, l) {
      listener = l;
      return app;
    },
    quit: () => calls.push('quit'),
  };
  return {
    app,
    calls,
    sent: () => sent,
    launch: (argv: string[], data: unknown) => listener?.({}, argv, '/', data),
    listening: () => listener !== null,
  };
}

describe('claimSingleInstance', () => {
  it('the first instance starts and hears later launches, with the arguments they forward', () => {
    const f = fakeApp(true);
    const seen: string[][] = [];
    expect(claimSingleInstance(f.app, ['tsunagu'], (argv) => seen.push(argv))).toBe('primary');
    expect(f.calls).toEqual(['lock']);
    f.launch(['tsunagu', '--mangled'], { argv: ['tsunagu', 'tsunagu://open'] });
    f.launch(['tsunagu', '--plain'], null);
    expect(seen).toEqual([
      ['tsunagu', 'tsunagu://open'],
      ['tsunagu', '--plain'],
    ]);
  });

  it('a later instance forwards its arguments and quits, starting nothing', () => {
    const f = fakeApp(false);
    expect(claimSingleInstance(f.app, ['tsunagu', 'x'], () => undefined)).toBe('secondary');
    expect(f.sent()).toEqual({ argv: ['tsunagu', 'x'] });
    expect(f.calls).toEqual(['lock', 'quit']);
    expect(f.listening()).toBe(false);
  });
});

describe('bringToFront', () => {
  it.each([
    [true, ['restore', 'show', 'focus']],
    [false, ['show', 'focus']],
  ])('minimized: %s', (minimized, expected) => {
    const calls: string[] = [];
    const win = {
      isMinimized: () => minimized,
      restore: () => calls.push('restore'),
      show: () => calls.push('show'),
      focus: () => calls.push('focus'),
    };
    expect(bringToFront(win)).toBe(true);
    expect(calls).toEqual(expected);
  });

  it('says when there is no window', () => {
    expect(bringToFront(undefined)).toBe(false);
  });
});
