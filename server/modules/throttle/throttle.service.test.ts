import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { migrate } from '../../db/migrate.js';
import { openDatabase } from '../../db/open.js';
import { createThrottle, DEFAULT_ADDRESS_LOCKOUT, DEFAULT_LOCKOUT, type Reserved } from './throttle.service.js';
import { createThrottleStore } from './throttle.store.js';

function throttle() {
  const db = openDatabase(':memory:');
  const clock = new FakeClock();
  migrate(db, undefined, clock.now());
  const store = createThrottleStore(db);
  return { clock, store, throttle: createThrottle({ store, clock }) };
}

const verdicts = (results: Reserved[]) => results.map((r) => (r.ok ? 'counted' : 'locked'));

describe('reserving attempts', () => {
  it.each([
    ['an account', 'email:a@example.com', DEFAULT_LOCKOUT.threshold],
    ['a PIN', 'pin:invitation-1', DEFAULT_LOCKOUT.threshold],
  ])('counts %s up to its threshold, then refuses without counting', (_name, key, threshold) => {
    const t = throttle();
    const results = Array.from({ length: threshold + 3 }, () => t.throttle.reserve([key]));
    expect(verdicts(results)).toEqual([
      ...Array<string>(threshold).fill('counted'),
      ...Array<string>(3).fill('locked'),
    ]);
    expect(t.store.get(key)?.failures).toBe(threshold);
    const last = results[threshold - 1];
    expect(last?.ok && last.reservation.lockStartedMs).toBe(30_000);
  });

  it('refuses all keys when one is locked, and counts none of them', () => {
    const t = throttle();
    for (let i = 0; i < DEFAULT_LOCKOUT.threshold; i++) t.throttle.reserve(['email:a@example.com']);
    expect(t.throttle.reserve(['email:a@example.com', 'addr:192.0.2.9'])).toEqual({ ok: false, retryAfterSeconds: 30 });
    expect(t.store.get('addr:192.0.2.9')).toBeUndefined();
  });

  it('unlocks by time, then the next failure locks for twice as long', () => {
    const t = throttle();
    for (let i = 0; i < DEFAULT_LOCKOUT.threshold; i++) t.throttle.reserve(['pin:p']);
    t.clock.advance(30_001);
    const next = t.throttle.reserve(['pin:p']);
    expect(next.ok && next.reservation.lockStartedMs).toBe(60_000);
    expect(t.throttle.reserve(['pin:p'])).toEqual({ ok: false, retryAfterSeconds: 60 });
  });

  it.each([
    ['an address', 'addr:192.0.2.1'],
    ['a portal address', 'portal-addr:192.0.2.1'],
  ])('counts %s only for failures, up to its threshold, then refuses', (_name, key) => {
    const t = throttle();
    const { threshold } = DEFAULT_ADDRESS_LOCKOUT;
    // Sign-ins in flight (a whole office behind one NAT address, or attempts a crash cut short) count nothing.
    const inFlight = Array.from({ length: threshold * 2 }, () => t.throttle.reserve([key]));
    expect(verdicts(inFlight)).toEqual(Array<string>(threshold * 2).fill('counted'));
    expect(t.store.get(key)).toBeUndefined();
    const locks = inFlight.slice(0, threshold).map((r) => (r.ok ? t.throttle.failed(r.reservation) : -1));
    expect(locks.slice(0, threshold - 1).every((ms) => ms === 0)).toBe(true);
    expect(locks[threshold - 1]).toBe(30_000);
    expect(t.store.get(key)?.failures).toBe(threshold);
    expect(t.throttle.reserve([key])).toEqual({ ok: false, retryAfterSeconds: 30 });
  });

  it('a refund clears the account and leaves the address as it was', () => {
    const t = throttle();
    const first = t.throttle.reserve(['email:a@example.com', 'addr:192.0.2.1']);
    if (!first.ok) throw new Error('refused');
    t.throttle.failed(first.reservation);
    const r = t.throttle.reserve(['email:a@example.com', 'addr:192.0.2.1']);
    if (!r.ok) throw new Error('refused');
    t.throttle.refund(r.reservation);
    expect(t.store.get('email:a@example.com')).toBeUndefined();
    expect(t.store.get('addr:192.0.2.1')?.failures).toBe(1);
  });

  it('forgets rows older than a day when purged', () => {
    const t = throttle();
    t.throttle.reserve(['email:old@example.com']);
    t.clock.advance(DEFAULT_LOCKOUT.forgetAfterMs + 1);
    t.throttle.reserve(['email:new@example.com']);
    expect(t.throttle.purge()).toBe(1);
    expect(t.store.get('email:old@example.com')).toBeUndefined();
    expect(t.store.get('email:new@example.com')?.failures).toBe(1);
  });
});
