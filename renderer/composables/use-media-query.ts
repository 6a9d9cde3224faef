// Reactive media queries, for the phone layout (collapsed navigation, cards instead of tables).
import { onBeforeUnmount, ref, type Ref } from 'vue';

/** The width below which the console uses its phone layout. */
export const PHONE_QUERY = '(max-width: 767px)';

/** A ref that follows a CSS media query for the lifetime of the calling component. */
export function useMediaQuery(query: string): Ref<boolean> {
  const list =
    typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia(query) : null;
  const matches = ref(list?.matches ?? false);
  if (list) {
    const update = (event: MediaQueryListEvent) => {
      matches.value = event.matches;
    };
    list.addEventListener('change', update);
    onBeforeUnmount(() => list.removeEventListener('change', update));
  }
  return matches;
}

/** True on phone-sized screens. */
export function useIsPhone(): Ref<boolean> {
  return useMediaQuery(PHONE_QUERY);
}
