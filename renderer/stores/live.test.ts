import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from 'vue';
import { API_KEY, ApiError, type Api } from '../api/index.js';
import { LIVE_CLOSED, type LiveConnection } from '../api/live.js';
import { useLiveStore, type LiveNotice } from './live.js';

/** A stand-in EventSource: the test plays the server's side. */
class FakeConnection implements LiveConnection {
  readyState = 1;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  private readonly listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();
  constructor(readonly since: number | null) {}
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
  }
  send(type: string, data: unknown): void {
    for (const l of this.listeners.get(type) ?? []) l({ data: JSON.stringify(data) } as MessageEvent<string>);
  }
}

function storeWith(session: () => Promise<unknown>) {
  const opened: FakeConnection[] = [];
  const api = {
    live: { open: (since: number | null) => opened[opened.push(new FakeConnection(since)) - 1] as FakeConnection },
    auth: { session: vi.fn(session) },
  } as unknown as Api;
  const app = createApp({});
  app.provide(API_KEY, api);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return { opened, api, store: useLiveStore() };
}

const change = (seq: number) => ({
  seq,
  type: 'device.status',
  action: 'device.retired',
  at: '2026-06-01T00:00:00.000Z',
  subjectType: 'device',
  subjectId: 'd1',
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the live store', () => {
  it('connects, goes live at hello, hands each change to the listeners, and resumes after the last one', async () => {
    vi.useFakeTimers();
    const { opened, store } = storeWith(async () => ({}));
    const heard: LiveNotice[] = [];
    store.subscribe((n) => heard.push(n));
    store.start();
    expect(store.state).toBe('connecting');
    expect(opened[0]?.since).toBeNull();
    opened[0]?.send('hello', { head: 5 });
    expect(store.state).toBe('live');
    opened[0]?.send('device.status', change(6));
    expect(heard).toEqual([change(6)]);

    // The server refuses the browser's own reconnect: the store waits, checks the session, and resumes after seq 6.
    (opened[0] as FakeConnection).readyState = LIVE_CLOSED;
    opened[0]?.onerror?.(new Event('error'));
    expect(store.state).toBe('reconnecting');
    expect(opened[0]?.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(opened[1]?.since).toBe(6);
    opened[1]?.send('reset', { head: 40 });
    expect(store.state).toBe('live');
    expect(heard.at(-1)).toEqual({ type: 'reset' });

    store.stop();
    expect(store.state).toBe('off');
    expect(opened[1]?.closed).toBe(true);
  });

  it('after bye, a session that ended does not reconnect', async () => {
    vi.useFakeTimers();
    const { opened, store, api } = storeWith(async () => {
      throw new ApiError('AUTH_REQUIRED', 'Sign in first.', 401);
    });
    store.start();
    opened[0]?.send('hello', { head: 1 });
    opened[0]?.send('bye', { reason: 'signed_out' });
    expect(store.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    expect(api.auth.session).toHaveBeenCalledTimes(1);
    expect(opened).toHaveLength(1);
    // (The API client's sign-in handler stops the store; the test does it here.)
    store.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(opened).toHaveLength(1);
  });
});
