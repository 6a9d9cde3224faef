import type { Clock } from '../../core/clock.js';
import type { ThrottleRow, ThrottleStore } from './throttle.store.js';

/** How sign-in failures turn into lockouts. */
export interface LockoutPolicy {
  /** Failures allowed before the first lock. */
  threshold: number;
  /** First lock length; each further failure doubles it. */
  baseLockMs: number;
  maxLockMs: number;
  /** Failures older than this are forgotten. */
  forgetAfterMs: number;
}

/** Five free attempts, then 30 s, 60 s, 120 s ... up to 15 minutes. */
export const DEFAULT_LOCKOUT: LockoutPolicy = Object.freeze({
  threshold: 5,
  baseLockMs: 30_000,
  maxLockMs: 15 * 60_000,
  forgetAfterMs: 24 * 3600_000,
});

/** How long a key stays locked after its `failures`-th failure, or 0 below the threshold. */
export function lockDuration(failures: number, policy: LockoutPolicy): number {
  if (failures < policy.threshold) return 0;
  return Math.min(policy.baseLockMs * 2 ** (failures - policy.threshold), policy.maxLockMs);
}

/** Counts failures per key (an account, an address) and locks with exponential backoff. */
export interface Throttle {
  /** Seconds until the first of `keys` unlocks, or 0 when none is locked. */
  retryAfter(keys: readonly string[]): number;
  /** Records a failure on every key; returns the longest lock it started, in ms (0 if none). */
  fail(keys: readonly string[]): number;
  clear(keys: readonly string[]): void;
}

/** Builds a throttle over the store with a policy. */
export function createThrottle(deps: { store: ThrottleStore; clock: Clock; policy?: LockoutPolicy }): Throttle {
  const policy = deps.policy ?? DEFAULT_LOCKOUT;
  const fresh = (row: ThrottleRow | undefined, now: Date) =>
    row && now.getTime() - new Date(row.updated_at).getTime() > policy.forgetAfterMs ? undefined : row;
  return {
    retryAfter(keys) {
      const now = deps.clock.now();
      let ms = 0;
      for (const key of keys) {
        const until = fresh(deps.store.get(key), now)?.locked_until;
        if (until) ms = Math.max(ms, new Date(until).getTime() - now.getTime());
      }
      return ms > 0 ? Math.ceil(ms / 1000) : 0;
    },
    fail(keys) {
      const now = deps.clock.now();
      let longest = 0;
      for (const key of keys) {
        const failures = (fresh(deps.store.get(key), now)?.failures ?? 0) + 1;
        const lock = lockDuration(failures, policy);
        longest = Math.max(longest, lock);
        deps.store.put({
          key,
          failures,
          locked_until: lock ? new Date(now.getTime() + lock).toISOString() : null,
          updated_at: now.toISOString(),
        });
      }
      return longest;
    },
    clear(keys) {
      for (const key of keys) deps.store.clear(key);
    },
  };
}
