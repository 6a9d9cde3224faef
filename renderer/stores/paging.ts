// Lists loaded page by page: appending a page without repeating rows, and the offset-paged list that the
// devices and invitations stores share (the users and audit lists page by cursor instead).
import { computed, ref, type ComputedRef, type Ref } from 'vue';
import { useLatestLoad } from '../composables/use-latest-load.js';

// The server's largest page; a reload asks for at most this many rows however many were shown.
const MAX_PAGE_SIZE = 500;

/** `rows` followed by the rows of `more` not already among them (by id): a page shifted by new rows repeats none. */
export function appendNew<T extends { id: string }>(rows: T[], more: T[]): T[] {
  const known = new Set(rows.map((r) => r.id));
  return [...rows, ...more.filter((r) => !known.has(r.id))];
}

/** One page of an offset-paged list, and how many rows match in all. */
export interface OffsetPage<T> {
  items: T[];
  total: number;
}

/** An offset-paged list as a store holds it: the rows shown so far, the total, and loading them. */
export interface OffsetList<T> {
  items: Ref<T[]>;
  total: Ref<number>;
  loading: Ref<boolean>;
  /** True once the first page has arrived. */
  loaded: Ref<boolean>;
  hasMore: ComputedRef<boolean>;
  /** Loads the first page, replacing the list (keeping as many rows as were shown). */
  reload(): Promise<void>;
  /** Appends the next page (newer rows may shift it; rows already shown are not repeated). */
  loadMore(): Promise<void>;
}

/** An offset-paged list over `fetchPage` (which applies the store's own filters); only the latest load counts. */
export function useOffsetList<T extends { id: string }>(
  fetchPage: (limit: number, offset: number) => Promise<OffsetPage<T>>,
  pageSize: number,
): OffsetList<T> {
  const items = ref([]) as Ref<T[]>;
  const total = ref(0);
  const loading = ref(false);
  const loaded = ref(false);
  const loads = useLatestLoad(loading);

  const hasMore = computed(() => items.value.length < total.value);

  async function reload(): Promise<void> {
    await loads.run(
      () => fetchPage(Math.min(Math.max(pageSize, items.value.length), MAX_PAGE_SIZE), 0),
      (page) => {
        items.value = page.items;
        total.value = page.total;
        loaded.value = true;
      },
    );
  }

  async function loadMore(): Promise<void> {
    await loads.run(
      () => fetchPage(pageSize, items.value.length),
      (page) => {
        items.value = appendNew(items.value, page.items);
        total.value = page.total;
      },
    );
  }

  return { items, total, loading, loaded, hasMore, reload, loadMore };
}
