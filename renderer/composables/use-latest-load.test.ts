import { describe, expect, it } from 'vitest';
import { ref } from 'vue';
import { useLatestLoad } from './use-latest-load.js';

/** A promise with its resolve and reject exposed, so tests choose the order answers arrive in. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('useLatestLoad', () => {
  it('applies only the latest answer and clears loading when the latest load ends', async () => {
    const loading = ref(false);
    const guard = useLatestLoad(loading);
    const applied: string[] = [];
    const slow = deferred<string>();
    const fast = deferred<string>();
    const first = guard.run(
      () => slow.promise,
      (a) => applied.push(a),
    );
    const second = guard.run(
      () => fast.promise,
      (a) => applied.push(a),
    );
    expect(loading.value).toBe(true);
    fast.resolve('new');
    await second;
    expect(loading.value).toBe(false);
    slow.resolve('old');
    await expect(first).resolves.toBe('old');
    expect(applied).toEqual(['new']);
    expect(loading.value).toBe(false);
  });

  it('drops the answer of a cancelled load', async () => {
    const loading = ref(false);
    const guard = useLatestLoad(loading);
    const d = deferred<number>();
    const applied: number[] = [];
    const run = guard.run(
      () => d.promise,
      (a) => applied.push(a),
    );
    guard.cancel();
    expect(loading.value).toBe(false);
    d.resolve(1);
    await run;
    expect(applied).toEqual([]);
  });

  it('recovers only from the latest load failing, with loading still set, and rethrows', async () => {
    const loading = ref(false);
    const guard = useLatestLoad(loading);
    const recovered: unknown[] = [];
    const recover = async (err: unknown) => {
      recovered.push([err, loading.value]);
    };
    const stale = deferred<number>();
    const staleRun = guard.run(
      () => stale.promise,
      () => undefined,
      recover,
    );
    const latest = guard.run(
      () => Promise.reject(new Error('latest')),
      () => undefined,
      recover,
    );
    await expect(latest).rejects.toThrow('latest');
    stale.reject(new Error('stale'));
    await expect(staleRun).rejects.toThrow('stale');
    expect(recovered).toEqual([[new Error('latest'), true]]);
    expect(loading.value).toBe(false);
  });
});
