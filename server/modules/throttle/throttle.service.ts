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

/** Five free attempts, then 30 s, 60 s, 120 s ... up to 15 minutes: for one account (or one PIN). */
export const DEFAULT_LOCKOUT: LockoutPolicy = Object.freeze({
  threshold: 5,
  baseLockMs: 30_000,
  maxLockMs: 15 * 60_000,
  forgetAfterMs: 24 * 3600_000,
});

/**
 * For one source address: a whole office may sit behind one NAT address, so one person's typos (or one attacker)
 * must not lock everybody out at once. A hundred failures, then 30 s doubling up to 5 minutes; the per-account locks
 * are what stop guessing at one account.
 */
export const DEFAULT_ADDRESS_LOCKOUT: LockoutPolicy = Object.freeze({
  threshold: 100,
  baseLockMs: 30_000,
  maxLockMs: 5 * 60_000,
  forgetAfterMs: 24 * 3600_000,
});

/** How long a key stays locked after its `failures`-th failure, or 0 below the threshold. */
export function lockDuration(failures: number, policy: LockoutPolicy): number {
  if (failures < policy.threshold) return 0;
  return Math.min(policy.baseLockMs * 2 ** (failures - policy.threshold), policy.maxLockMs);
}

/** The throttle key of a portal user's email (portal sign-in, the agent, the helper, the password change). */
export function portalEmailKey(normalizedEmail: string): string {
  return `portal-email:${normalizedEmail}`;
}

/** Whether a key counts a source address ('addr:…', 'portal-addr:…') rather than an account. */
export function isAddressKey(key: string): boolean {
  return /^([a-z]+-)?addr:/.test(key);
}

/** An attempt counted before its secret is checked; refunded when the secret was right. */
export interface Reservation {
  readonly keys: readonly string[];
  /** The longest lock this attempt started on an account key, in ms (0 if none). */
  readonly lockStartedMs: number;
}

/** What `reserve` answers: the attempt may go ahead, or a key is locked for so many seconds. */
export type Reserved = { ok: true; reservation: Reservation } | { ok: false; retryAfterSeconds: number };

/** Counts attempts per key (an account, an address, a PIN) and locks with exponential backoff. */
export interface Throttle {
  /**
   * Before the (slow, awaited) secret check, in one transaction: refused when any key is locked (then nothing is
   * counted); else the attempt is counted on every account key, possibly starting a lock, so a burst of concurrent
   * guesses at one account gets at most the free attempts through. Address keys are only checked here: they are
   * counted by `failed`, so the sign-ins in flight of a whole office behind one NAT address (or attempts cut short
   * by a crash) never add up to a lock.
   */
  reserve(keys: readonly string[]): Reserved;
  /** The secret was right: account keys are cleared. */
  refund(reservation: Reservation): void;
  /**
   * The secret was wrong: the failure is counted on the address keys too. Returns the longest lock this attempt
   * started on any key, in ms (0 if none), to audit once.
   */
  failed(reservation: Reservation): number;
  /** Seconds until the first of `keys` unlocks, or 0 when none is locked. */
  retryAfter(keys: readonly string[]): number;
  clear(keys: readonly string[]): void;
  /** Forgets rows no policy remembers any more; returns how many. */
  purge(): number;
}

/** Builds a throttle over the store with a policy for accounts and one for addresses. */
export function createThrottle(deps: {
  store: ThrottleStore;
  clock: Clock;
  policy?: LockoutPolicy;
  addressPolicy?: LockoutPolicy;
}): Throttle {
  const { store, clock } = deps;
  const account = deps.policy ?? DEFAULT_LOCKOUT;
  const address = deps.addressPolicy ?? DEFAULT_ADDRESS_LOCKOUT;
  const policyOf = (key: string) => (isAddressKey(key) ? address : account);
  const fresh = (key: string, now: Date): ThrottleRow | undefined => {
    const row = store.get(key);
    return row && now.getTime() - new Date(row.updated_at).getTime() > policyOf(key).forgetAfterMs ? undefined : row;
  };
  const lockedMs = (row: ThrottleRow | undefined, now: Date) =>
    row?.locked_until ? Math.max(0, new Date(row.locked_until).getTime() - now.getTime()) : 0;
  const retryAfter = (keys: readonly string[], now: Date) => {
    const ms = Math.max(0, ...keys.map((key) => lockedMs(fresh(key, now), now)));
    return ms > 0 ? Math.ceil(ms / 1000) : 0;
  };

  /** Counts one failure on each key; returns the longest lock that started (ms). Call inside a transaction. */
  const count = (keys: readonly string[], now: Date): number => {
    let longest = 0;
    for (const key of keys) {
      const failures = (fresh(key, now)?.failures ?? 0) + 1;
      const lock = lockDuration(failures, policyOf(key));
      longest = Math.max(longest, lock);
      store.put({
        key,
        failures,
        locked_until: lock ? new Date(now.getTime() + lock).toISOString() : null,
        updated_at: now.toISOString(),
      });
    }
    return longest;
  };

  return {
    reserve(keys) {
      return store.atomically((): Reserved => {
        const now = clock.now();
        const wait = retryAfter(keys, now);
        if (wait > 0) return { ok: false, retryAfterSeconds: wait };
        const lockStartedMs = count(
          keys.filter((key) => !isAddressKey(key)),
          now,
        );
        return { ok: true, reservation: { keys: [...keys], lockStartedMs } };
      });
    },

    refund(reservation) {
      store.atomically(() => {
        for (const key of reservation.keys) if (!isAddressKey(key)) store.clear(key);
      });
    },

    failed(reservation) {
      return store.atomically(() =>
        Math.max(reservation.lockStartedMs, count(reservation.keys.filter(isAddressKey), clock.now())),
      );
    },

    retryAfter: (keys) => retryAfter(keys, clock.now()),

    clear(keys) {
      for (const key of keys) store.clear(key);
    },

    purge() {
      const horizon = Math.max(account.forgetAfterMs, address.forgetAfterMs, account.maxLockMs, address.maxLockMs);
      return store.purge(new Date(clock.now().getTime() - horizon).toISOString());
    },
  };
}
