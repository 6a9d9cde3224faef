// The helper window's one owner of the bridge: the screen the main process projects, and the actions sent back.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { HelperAction, HelperBridge, HelperScreen } from '../../server/contract/helper.js';
import { helperBridge } from '../helper/bridge.js';

/** Where the helper window is: no bridge (not in the app), waiting for the first screen, showing one, or failed. */
export type HelperStatus = 'idle' | 'unavailable' | 'loading' | 'ready' | 'failed';

/** Actions that go through even while another one is on its way (the user wants out). */
const ALWAYS_SENT: ReadonlySet<HelperAction['type']> = new Set(['cancel', 'quit']);

/** The helper store: connects to the bridge, keeps the newest screen, and sends the user's actions. */
export const useHelperStore = defineStore('helper', () => {
  const screen = shallowRef<HelperScreen | null>(null);
  const status = ref<HelperStatus>('idle');
  /** True while an action is on its way to the main process. */
  const sending = ref(false);
  /** True when the last action could not be delivered. */
  const sendFailed = ref(false);
  let bridge: HelperBridge | null = null;
  let unsubscribe: (() => void) | null = null;

  const state = computed(() => screen.value?.state ?? null);

  function show(next: HelperScreen): void {
    screen.value = next;
    status.value = 'ready';
  }

  /** Stops listening for screens and forgets the bridge. */
  function disconnect(): void {
    unsubscribe?.();
    unsubscribe = null;
    bridge = null;
  }

  /** Connects to `source` (the window's bridge by default): listens for new screens, then asks for the current one. */
  async function connect(source: HelperBridge | null = helperBridge()): Promise<void> {
    disconnect();
    sendFailed.value = false;
    if (source === null) {
      status.value = 'unavailable';
      return;
    }
    const current = source;
    bridge = current;
    status.value = 'loading';
    let pushed = false;
    unsubscribe = current.onScreen((next) => {
      if (bridge !== current) return;
      pushed = true;
      show(next);
    });
    try {
      const first = await current.screen();
      // A screen pushed while this one was on its way is newer: keep it.
      if (bridge === current && !pushed) show(first);
    } catch (err) {
      if (bridge === current && !pushed) status.value = 'failed';
      console.warn('The helper screen could not be read:', err);
    }
  }

  /** Sends one action; resolves true once the main process took it. A second action while one is on its way is dropped. */
  async function send(action: HelperAction): Promise<boolean> {
    if (bridge === null) return false;
    if (sending.value && !ALWAYS_SENT.has(action.type)) return false;
    sending.value = true;
    sendFailed.value = false;
    try {
      await bridge.send(action);
      return true;
    } catch (err) {
      sendFailed.value = true;
      console.warn('The helper action could not be sent:', err);
      return false;
    } finally {
      sending.value = false;
    }
  }

  return { screen, state, status, sending, sendFailed, connect, disconnect, send };
});
