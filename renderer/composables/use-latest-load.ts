// Loads where only the latest one counts: an answer that arrives after a newer load has started is dropped,
// so a slow page or search can never overwrite a newer one, and `loading` follows the newest load only.
import type { Ref } from 'vue';

/** Runs loads behind one `loading` flag, keeping only the latest load's answer. */
export interface LatestLoad {
  /**
   * Runs `load` and returns its answer; `apply` gets the answer only if no later load has started meanwhile.
   * When the latest load fails, `recover` runs (while `loading` is still set) before the error is rethrown.
   */
  run<T>(load: () => Promise<T>, apply: (answer: T) => void, recover?: (err: unknown) => Promise<void>): Promise<T>;
  /** Makes the load under way stale (its answer is dropped) and clears `loading`. */
  cancel(): void;
}

/** A latest-load guard over `loading`, for a store's list or detail or a view's search. */
export function useLatestLoad(loading: Ref<boolean>): LatestLoad {
  let generation = 0;
  return {
    async run(load, apply, recover) {
      const mine = ++generation;
      loading.value = true;
      try {
        const answer = await load();
        if (mine === generation) apply(answer);
        return answer;
      } catch (err) {
        if (mine === generation && recover) await recover(err);
        throw err;
      } finally {
        if (mine === generation) loading.value = false;
      }
    },
    cancel() {
      generation++;
      loading.value = false;
    },
  };
}
