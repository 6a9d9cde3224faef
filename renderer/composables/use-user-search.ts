// The search behind a user picker (whom to enroll a device for, whom to invite): typing fires searches faster
// than they answer, so the options follow the latest search only.
import { ref, type Ref } from 'vue';
import type { UserDto } from '../../server/contract/index.js';
import { useLatestLoad } from './use-latest-load.js';

/** A user picker's search: the options offered, whether a search is under way, and starting one. */
export interface UserSearch {
  options: Ref<UserDto[]>;
  searching: Ref<boolean>;
  /** Searches for `q`; a failure goes to the error handler instead of being thrown. */
  search(q: string): Promise<void>;
}

/** Searches users with `find` (a store action) for a picker; every failure is handed to `onError`. */
export function useUserSearch(find: (q: string) => Promise<UserDto[]>, onError: (err: unknown) => void): UserSearch {
  const options = ref<UserDto[]>([]);
  const searching = ref(false);
  const loads = useLatestLoad(searching);

  async function search(q: string): Promise<void> {
    try {
      await loads.run(
        () => find(q),
        (users) => {
          options.value = users;
        },
      );
    } catch (err) {
      onError(err);
    }
  }

  return { options, searching, search };
}
