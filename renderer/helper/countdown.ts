// A live countdown to an epoch-ms deadline for the helper's install screen: every second on screen, each minute aloud.
import { computed, onBeforeUnmount, onMounted, ref, watch, type ComputedRef, type Ref } from 'vue';
import { clock, minutesLeft, secondsLeft } from './format.js';

/** What a countdown shows: seconds left, the `mm:ss` text, and the whole minutes a screen reader announces. */
export interface Countdown {
  seconds: Ref<number>;
  text: ComputedRef<string>;
  minutes: ComputedRef<number>;
}

/** Counts down to `deadline()` (epoch ms), re-reading the clock twice a second so no second is skipped. */
export function useCountdown(deadline: () => number, now: () => number = () => Date.now()): Countdown {
  const seconds = ref(secondsLeft(deadline(), now()));
  const tick = (): void => {
    seconds.value = secondsLeft(deadline(), now());
  };
  let timer: ReturnType<typeof setInterval> | null = null;
  watch(deadline, tick);
  onMounted(() => {
    tick();
    timer = setInterval(tick, 500);
  });
  onBeforeUnmount(() => {
    if (timer !== null) clearInterval(timer);
  });
  return {
    seconds,
    text: computed(() => clock(seconds.value)),
    minutes: computed(() => minutesLeft(seconds.value)),
  };
}
