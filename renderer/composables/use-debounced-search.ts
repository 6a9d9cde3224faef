// A search box that asks only once typing pauses: each keystroke would otherwise send a request of its own.
import { onScopeDispose, ref, watch, type Ref } from 'vue';

/** How long typing must pause before a search starts, in milliseconds. */
export const SEARCH_DELAY_MS = 300;

/**
 * The text of a search box, starting at `initial`: `search` gets it once it has stayed the same for `delayMs`.
 * A search still waiting when the view goes away is dropped.
 */
export function useDebouncedSearch(
  initial: string,
  search: (q: string) => void,
  delayMs: number = SEARCH_DELAY_MS,
): Ref<string> {
  const text = ref(initial);
  let timer: ReturnType<typeof setTimeout> | null = null;

  function cancel(): void {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  watch(text, (q) => {
    cancel();
    timer = setTimeout(() => {
      timer = null;
      search(q);
    }, delayMs);
  });
  onScopeDispose(cancel);

  return text;
}
