import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { HelperAction, HelperBridge, HelperScreen, HelperScreenState } from '../../server/contract/helper.js';
import { helperBridge } from '../helper/bridge.js';
import { useHelperStore } from './helper.js';

const screenOf = (state: HelperScreenState): HelperScreen => ({
  state,
  server: null,
  macosVersion: '15.3',
  isAdmin: true,
  locale: 'en',
});

/** A bridge whose screen() and send() resolve when the test says so, with a push() for new screens. */
function fakeBridge(first: HelperScreen) {
  const listeners = new Set<(s: HelperScreen) => void>();
  let answer: (s: HelperScreen) => void = () => undefined;
  const sent: HelperAction[] = [];
  const pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  const bridge: HelperBridge = {
    screen: vi.fn(
      () =>
        new Promise<HelperScreen>((resolve) => {
          answer = resolve;
        }),
    ),
    send: vi.fn(
      (action: HelperAction) =>
        new Promise<void>((resolve, reject) => {
          sent.push(action);
          pending.push({ resolve, reject });
        }),
    ),
    onScreen: vi.fn((listener: (s: HelperScreen) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    }),
  };
  return {
    bridge,
    sent,
    pending,
    listeners,
    answer: () => answer(first),
    push: (s: HelperScreen) => listeners.forEach((l) => l(s)),
  };
}

beforeEach(() => {
  setActivePinia(createPinia());
});

describe('the helper bridge lookup', () => {
  it('finds a complete bridge and nothing else', () => {
    const { bridge } = fakeBridge(screenOf({ kind: 'checking-mac' }));
    expect(helperBridge({ tsunaguHelper: bridge })).toBe(bridge);
    expect(helperBridge({})).toBeNull();
    expect(helperBridge(undefined)).toBeNull();
    expect(helperBridge({ tsunaguHelper: { screen: () => null } as unknown as HelperBridge })).toBeNull();
  });
});

describe('the helper store', () => {
  it('says so when there is no bridge', async () => {
    const helper = useHelperStore();
    await helper.connect(null);
    expect(helper.status).toBe('unavailable');
    expect(await helper.send({ type: 'quit' })).toBe(false);
  });

  it('shows the current screen, then every screen the main process pushes', async () => {
    const fake = fakeBridge(screenOf({ kind: 'checking-mac' }));
    const helper = useHelperStore();
    const connecting = helper.connect(fake.bridge);
    expect(helper.status).toBe('loading');
    fake.answer();
    await connecting;
    expect(helper.status).toBe('ready');
    expect(helper.state).toEqual({ kind: 'checking-mac' });
    fake.push(screenOf({ kind: 'downloading', refreshing: false }));
    expect(helper.state).toEqual({ kind: 'downloading', refreshing: false });
  });

  it('keeps a screen pushed while the first one was on its way (it is newer)', async () => {
    const fake = fakeBridge(screenOf({ kind: 'checking-mac' }));
    const helper = useHelperStore();
    const connecting = helper.connect(fake.bridge);
    fake.push(screenOf({ kind: 'admin-needed-warning' }));
    fake.answer();
    await connecting;
    expect(helper.state).toEqual({ kind: 'admin-needed-warning' });
  });

  it('reports a screen that cannot be read', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const fake = fakeBridge(screenOf({ kind: 'checking-mac' }));
    fake.bridge.screen = () => Promise.reject(new Error('no main process'));
    const helper = useHelperStore();
    await helper.connect(fake.bridge);
    expect(helper.status).toBe('failed');
    vi.restoreAllMocks();
  });

  it('sends actions one at a time, but lets cancel and quit through', async () => {
    const fake = fakeBridge(screenOf({ kind: 'download-failed' }));
    const helper = useHelperStore();
    const connecting = helper.connect(fake.bridge);
    fake.answer();
    await connecting;
    const retry = helper.send({ type: 'retry' });
    expect(helper.sending).toBe(true);
    expect(await helper.send({ type: 'retry' })).toBe(false);
    const cancel = helper.send({ type: 'cancel' });
    expect(fake.sent).toEqual([{ type: 'retry' }, { type: 'cancel' }]);
    fake.pending.forEach((p) => p.resolve());
    expect(await retry).toBe(true);
    expect(await cancel).toBe(true);
    expect(helper.sending).toBe(false);
  });

  it('says when an action could not be delivered', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const fake = fakeBridge(screenOf({ kind: 'download-failed' }));
    const helper = useHelperStore();
    void helper.connect(fake.bridge);
    const retry = helper.send({ type: 'retry' });
    fake.pending[0]?.reject(new Error('gone'));
    expect(await retry).toBe(false);
    expect(helper.sendFailed).toBe(true);
    vi.restoreAllMocks();
  });

  it('stops listening when disconnected', async () => {
    const fake = fakeBridge(screenOf({ kind: 'checking-mac' }));
    const helper = useHelperStore();
    void helper.connect(fake.bridge);
    expect(fake.listeners.size).toBe(1);
    helper.disconnect();
    expect(fake.listeners.size).toBe(0);
    expect(await helper.send({ type: 'quit' })).toBe(false);
  });
});
