// Live updates: the one open stream from the server (server-sent events), its state for the header's indicator, and
// the pages that follow it. The stream says only what kind of record changed and its id; each page reads the record
// again through the API, so what it shows is always the server's answer. Reconnects by itself, resuming after the
// last event it had; when the server cannot replay what was missed it says `reset`, and the pages reload.
import { defineStore } from 'pinia';
import { onBeforeUnmount, onMounted, ref } from 'vue';
import { LIVE_EVENT_TYPES, type LiveEventDto, type LiveHelloDto } from '../../server/contract/index.js';
import { useApi } from '../api/index.js';
import { LIVE_CLOSED, type LiveConnection } from '../api/live.js';

/** Off (signed out), connecting for the first time, live, or waiting to connect again. */
export type LiveState = 'off' | 'connecting' | 'live' | 'reconnecting';

/** What a page hears: a change, or `reset` (changes were missed: reload everything shown). */
export type LiveNotice = LiveEventDto | { type: 'reset' };

/** The longest wait between two connection attempts. */
const MAX_RETRY_MS = 30_000;

/** The live store: the stream, its state, and the pages listening. */
export const useLiveStore = defineStore('live', () => {
  const api = useApi();
  const state = ref<LiveState>('off');
  const listeners = new Set<(notice: LiveNotice) => void>();
  let connection: LiveConnection | null = null;
  let lastSeq: number | null = null;
  let attempts = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let wanted = false;

  function emit(notice: LiveNotice): void {
    for (const listener of [...listeners]) listener(notice);
  }

  function parse<T>(event: MessageEvent<string>): T | null {
    try {
      return JSON.parse(event.data) as T;
    } catch {
      return null;
    }
  }

  function drop(): void {
    connection?.close();
    connection = null;
  }

  /** Connects again after a pause that grows with each failure; first asks whether the session still stands. */
  function retry(): void {
    drop();
    if (!wanted || retryTimer) return;
    state.value = 'reconnecting';
    const delay = Math.min(MAX_RETRY_MS, 1000 * 2 ** attempts);
    attempts++;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      // A session that ended sends the console to sign-in (the API client's handler), which stops the stream.
      void api.auth
        .session()
        .then(() => connect())
        .catch(() => retry());
    }, delay);
  }

  function connect(): void {
    if (!wanted || connection) return;
    const c = api.live.open(lastSeq);
    connection = c;
    c.addEventListener('hello', (event) => {
      const hello = parse<LiveHelloDto>(event);
      state.value = 'live';
      attempts = 0;
      if (lastSeq === null && hello) lastSeq = hello.head;
    });
    c.addEventListener('reset', (event) => {
      const hello = parse<LiveHelloDto>(event);
      state.value = 'live';
      attempts = 0;
      lastSeq = hello?.head ?? null;
      emit({ type: 'reset' });
    });
    for (const type of LIVE_EVENT_TYPES) {
      c.addEventListener(type, (event) => {
        const change = parse<LiveEventDto>(event);
        if (!change) return;
        if (change.seq !== null) lastSeq = change.seq;
        emit(change);
      });
    }
    // Signed out (in another tab), or the server is closing: retry() first asks whether the session still stands,
    // and a session that ended leads to sign-in.
    c.addEventListener('bye', () => retry());
    c.onerror = () => {
      // The browser reconnects by itself (with Last-Event-ID) unless the server refused the stream.
      if (c.readyState === LIVE_CLOSED) retry();
      else state.value = 'reconnecting';
    };
  }

  /** Opens the stream (signed in); nothing happens when it is already open. */
  function start(): void {
    if (wanted) return;
    wanted = true;
    attempts = 0;
    state.value = 'connecting';
    connect();
  }

  /** Closes the stream and forgets where it was (signed out). */
  function stop(): void {
    wanted = false;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    drop();
    lastSeq = null;
    state.value = 'off';
  }

  /** Listens to every notice; returns the function that stops listening. */
  function subscribe(listener: (notice: LiveNotice) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  return { state, start, stop, subscribe };
});

/**
 * Follows the live stream while the calling component is mounted: the notices that `wants` picks are gathered for
 * `waitMs` (a burst of changes makes one reload, not many) and handed over together.
 */
export function useLiveUpdates(
  wants: (notice: LiveNotice) => boolean,
  handle: (notices: LiveNotice[]) => void,
  waitMs = 300,
): void {
  const live = useLiveStore();
  let pending: LiveNotice[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopListening: (() => void) | null = null;
  onMounted(() => {
    stopListening = live.subscribe((notice) => {
      if (notice.type !== 'reset' && !wants(notice)) return;
      pending.push(notice);
      timer ??= setTimeout(() => {
        timer = null;
        const batch = pending;
        pending = [];
        handle(batch);
      }, waitMs);
    });
  });
  onBeforeUnmount(() => {
    stopListening?.();
    if (timer) clearTimeout(timer);
    timer = null;
    pending = [];
  });
}
