import { describe, expect, it, vi } from 'vitest';
import { useAction } from './use-action.js';

/** A promise with its resolve and reject exposed, so tests choose when and how a request ends. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('useAction', () => {
  it('is busy while the task runs, then keeps its answer', async () => {
    const answer = deferred<{ sent: number }>();
    const task = vi.fn((_ids: string[]) => answer.promise);
    const action = useAction(task);
    expect([action.busy.value, action.result.value, action.error.value]).toEqual([false, null, null]);
    const done = action.run(['u1', 'u2']);
    expect(action.busy.value).toBe(true);
    expect(action.running.value).toEqual([['u1', 'u2']]);
    expect(task).toHaveBeenCalledWith(['u1', 'u2']);
    answer.resolve({ sent: 2 });
    await expect(done).resolves.toBe(true);
    expect([action.busy.value, action.running.value, action.error.value]).toEqual([false, null, null]);
    expect(action.result.value).toEqual({ sent: 2 });
  });

  it('keeps a failure instead of throwing it, and hands it to onError with the arguments while still busy', async () => {
    const failure = new Error('refused');
    const seen: unknown[] = [];
    const action = useAction((_id: string, _kind: 'ios' | 'macos') => Promise.reject(failure), {
      onError: (err, id, kind) => {
        seen.push(err, id, kind, action.busy.value);
      },
    });
    await expect(action.run('u1', 'macos')).resolves.toBe(false);
    expect(seen).toEqual([failure, 'u1', 'macos', true]);
    expect(action.error.value).toBe(failure);
    expect([action.busy.value, action.result.value]).toEqual([false, null]);
  });

  it('waits for an async onError before it stops being busy', async () => {
    const handled = deferred<void>();
    const action = useAction(() => Promise.reject(new Error('x')), { onError: () => handled.promise });
    const done = action.run();
    await Promise.resolve();
    await Promise.resolve();
    expect(action.busy.value).toBe(true);
    handled.resolve();
    await done;
    expect(action.busy.value).toBe(false);
  });

  it('clears the last error when it runs again, and keeps the last answer until a new one arrives', async () => {
    let fail = true;
    const action = useAction(async (n: number) => {
      if (fail) throw new Error('first');
      return n * 2;
    });
    await action.run(1);
    expect(action.error.value).toBeInstanceOf(Error);
    fail = false;
    const again = action.run(2);
    expect(action.error.value).toBeNull();
    await again;
    expect(action.result.value).toBe(4);
    fail = true;
    await action.run(3);
    expect(action.result.value).toBe(4);
  });

  it('forgets the error and the answer on reset', async () => {
    const action = useAction(async () => 'link');
    await action.run();
    action.error.value = new Error('shown');
    action.reset();
    expect([action.error.value, action.result.value]).toEqual([null, null]);
  });

  it('lets runs overlap: the latest one names the busy row, and the first to end clears busy', async () => {
    const first = deferred<void>();
    const second = deferred<void>();
    const action = useAction((key: string) => (key === 'push' ? first.promise : second.promise));
    const a = action.run('push');
    const b = action.run('info');
    expect(action.running.value).toEqual(['info']);
    first.resolve();
    await a;
    expect([action.busy.value, action.running.value]).toEqual([false, null]);
    second.resolve();
    await b;
    expect(action.busy.value).toBe(false);
  });
});
