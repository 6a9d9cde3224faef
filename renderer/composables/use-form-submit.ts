// Sending a form: a busy flag while the request runs, and the form's general error for failures it does not place.
import { ref, type Ref } from 'vue';
import { useErrorText } from './use-errors.js';

/** Deals with a failure the form knows (a field error, a lockout) and returns true; false leaves it to the general error. */
export type SubmitFailureHandler = (err: unknown) => boolean | Promise<boolean>;

/**
 * `busy` while `run` works, one run at a time. A failure `onFailure` does not take becomes the error's sentence
 * in `general` (the form's general error, e.g. `useFormErrors().general`).
 */
export function useFormSubmit(general: Ref<string>) {
  const { errorMessage } = useErrorText();
  const busy = ref(false);

  async function run(task: () => Promise<void>, onFailure: SubmitFailureHandler): Promise<void> {
    if (busy.value) return;
    busy.value = true;
    try {
      await task();
    } catch (err) {
      if (!(await onFailure(err))) general.value = errorMessage(err);
    } finally {
      busy.value = false;
    }
  }

  return { busy, run };
}
