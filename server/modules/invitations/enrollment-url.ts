import type { Clock } from '../../core/clock.js';
import { newToken } from '../../core/ids.js';
import type { Random } from '../../core/random.js';
import type { SettingsStore } from '../settings/settings.store.js';

/** The current enrollment URL key and the keys it replaced. */
interface StoredUrl {
  version: number;
  key: string;
  retired: { version: number; key: string; retiredAt: string }[];
}

/** What a URL key in a request refers to. */
export type UrlKeyState =
  { state: 'current'; version: number } | { state: 'old'; version: number } | { state: 'unknown' };

/** Versioned enrollment URLs (`/e/<key>/go`): regenerating refuses links of older versions. */
export interface EnrollmentUrls {
  current(): { version: number; key: string };
  regenerate(): { version: number; key: string; previous: number };
  resolve(key: string): UrlKeyState;
}

const KEY = 'enrollment-url';

/** Builds the URL-version keeper over the settings store. */
export function createEnrollmentUrls(deps: { store: SettingsStore; clock: Clock; random: Random }): EnrollmentUrls {
  const newKey = () => newToken(deps.random, 6);
  const read = (): StoredUrl => {
    const saved = deps.store.get(KEY) as StoredUrl | undefined;
    if (saved) return saved;
    const first = { version: 1, key: newKey(), retired: [] };
    deps.store.put(KEY, first, deps.clock.now().toISOString());
    return first;
  };
  return {
    current: () => {
      const s = read();
      return { version: s.version, key: s.key };
    },
    regenerate() {
      const s = read();
      const next: StoredUrl = {
        version: s.version + 1,
        key: newKey(),
        retired: [...s.retired, { version: s.version, key: s.key, retiredAt: deps.clock.now().toISOString() }].slice(
          -50,
        ),
      };
      deps.store.put(KEY, next, deps.clock.now().toISOString());
      return { version: next.version, key: next.key, previous: s.version };
    },
    resolve(key) {
      const s = read();
      if (key === s.key) return { state: 'current', version: s.version };
      const old = s.retired.find((r) => r.key === key);
      return old ? { state: 'old', version: old.version } : { state: 'unknown' };
    },
  };
}
