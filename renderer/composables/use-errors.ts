// Turning API errors into words: one message per error code, and field- and row-level messages.
import { ElMessage } from 'element-plus';
import { h } from 'vue';
import { useI18n } from 'vue-i18n';
import type { RowError } from '../../server/contract/index.js';
import { ApiError } from '../api/index.js';

/** The i18n key of a field-level problem, from the error code and the field; null when none fits. */
export function fieldProblemKey(code: string, field: string | undefined): string | null {
  if (code === 'EMAIL_TAKEN') return field === 'email' || field === undefined ? 'errors.emailTakenRow' : null;
  if (code === 'PASSWORD_POLICY') return 'errors.passwordPolicy';
  if (code === 'SETUP_TOKEN_INVALID') return 'errors.codes.SETUP_TOKEN_INVALID';
  if (code === 'ADMIN_EXISTS') return 'errors.codes.ADMIN_EXISTS';
  if (code === 'VALIDATION_FAILED') {
    switch (field) {
      case 'email':
        return 'errors.emailInvalid';
      case 'displayName':
        return 'errors.displayNameInvalid';
      case 'locale':
        return 'errors.localeInvalid';
      case 'password':
        return 'errors.passwordPolicy';
      case 'temporaryPassword':
        return 'errors.temporaryPasswordValue';
      default:
        return null;
    }
  }
  return null;
}

/** An error as the console shows it: a sentence for the code, and the server's exact message. */
export interface ErrorParts {
  title: string;
  detail: string | null;
}

/** Messages for errors, in the current language. */
export function useErrorText() {
  const { t, te } = useI18n();

  /** A sentence for any failure: the code's message, or the error's own text for unexpected ones. */
  function errorMessage(err: unknown): string {
    if (err instanceof ApiError) {
      const key = `errors.codes.${err.code}`;
      return te(key) ? t(key) : err.message;
    }
    return t('errors.unexpected', { message: err instanceof Error ? err.message : String(err) });
  }

  /**
   * The code's sentence as a title, and the server's own message as the detail (null when it adds nothing):
   * the code says what kind of problem it is in the console language, the server says exactly what was wrong.
   */
  function errorParts(err: unknown): ErrorParts {
    const title = errorMessage(err);
    if (!(err instanceof ApiError) || err.code === 'NETWORK' || err.code === 'BAD_RESPONSE')
      return { title, detail: null };
    const detail = err.message.trim();
    return { title, detail: detail && detail !== title ? detail : null };
  }

  /** The message to show beside the field the server blamed. */
  function fieldMessage(err: ApiError): string {
    if (err.code === 'EMAIL_TAKEN') return t('errors.emailTaken');
    const key = fieldProblemKey(err.code, err.field);
    return key ? t(key) : err.message;
  }

  /** The message for one row of a batch or CSV import. */
  function rowMessage(row: RowError): string {
    const key = fieldProblemKey(row.code, row.field);
    if (key) return t(key);
    return t('errors.withDetail', { message: row.message });
  }

  return { errorMessage, errorParts, fieldMessage, rowMessage };
}

/** Success and failure toasts. */
export function useNotify() {
  const { errorParts } = useErrorText();
  return {
    success(message: string): void {
      ElMessage({ type: 'success', message, showClose: true, grouping: true });
    },
    /** Something the admin should know that is neither a success nor an error (e.g. what to do instead). */
    info(message: string): void {
      ElMessage({ type: 'info', message, showClose: true, grouping: true, duration: 6000 });
    },
    /** The code's sentence, and the server's message on a second line when it says more. */
    error(err: unknown): void {
      const { title, detail } = errorParts(err);
      const message = detail
        ? h('span', { class: 'message-lines' }, [h('span', title), h('span', { class: 'message-detail' }, detail)])
        : title;
      ElMessage({ type: 'error', message, showClose: true, grouping: true, duration: 8000 });
    },
  };
}
