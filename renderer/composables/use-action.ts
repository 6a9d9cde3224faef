// One request behind a button or a dialog: `busy` while it runs, its failure and its answer kept for the template,
// so the busy flag, try/catch and finally of every view and dialog live in one place.
import { ref, shallowRef, type Ref } from 'vue';

/** What a failure does besides being kept in `error` (a toast, errors beside fields, closing a dialog). */
export type ActionFailureHandler<Args extends unknown[]> = (err: unknown, ...args: Args) => void | Promise<void>;

/** The state of one kind of request, and starting it. */
export interface Action<Args extends unknown[], Result> {
  /** True from the start of a run until it ends. */
  busy: Ref<boolean>;
  /** The arguments of the run under way, or null: tells which row's button is busy. */
  running: Ref<Args | null>;
  /** The last run's failure; null while a run is under way and after a success. */
  error: Ref<unknown>;
  /** The last successful run's answer; null until then and after `reset`. */
  result: Ref<Result | null>;
  /** Runs the task; a failure goes to `error` and `onError` and is never thrown. Resolves whether it succeeded. */
  run(...args: Args): Promise<boolean>;
  /** Forgets the last error and answer, for a dialog or form that starts afresh. */
  reset(): void;
}

/** Options of `useAction`. */
export interface ActionOptions<Args extends unknown[]> {
  /** Called with the failure and the run's arguments, while `busy` is still true. */
  onError?: ActionFailureHandler<Args>;
}

/**
 * Wraps `task` for a view or dialog. Runs are neither queued nor refused, as the hand-written flags never were:
 * a second run started meanwhile takes over `running`, and whichever ends first clears `busy`. Callers that allow
 * one run at a time check `busy` first (dialogs also disable their button while busy).
 */
export function useAction<Args extends unknown[], Result>(
  task: (...args: Args) => Promise<Result>,
  options: ActionOptions<Args> = {},
): Action<Args, Result> {
  const busy = ref(false);
  const running: Ref<Args | null> = shallowRef(null);
  const error: Ref<unknown> = shallowRef(null);
  const result: Ref<Result | null> = shallowRef(null);

  async function run(...args: Args): Promise<boolean> {
    busy.value = true;
    running.value = args;
    error.value = null;
    try {
      result.value = await task(...args);
      return true;
    } catch (err) {
      error.value = err;
      await options.onError?.(err, ...args);
      return false;
    } finally {
      busy.value = false;
      running.value = null;
    }
  }

  function reset(): void {
    error.value = null;
    result.value = null;
  }

  return { busy, running, error, result, run, reset };
}
