// Turning API errors into words: one message per error code, and field- and row-level messages.
import { ElMessage } from 'element-plus';
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
      case 'email': return 'errors.emailInvalid';
      case 'displayName': return 'errors.displayNameInvalid';
      case 'locale': return 'errors.localeInvalid';
      case 'password': return 'errors.passwordPolicy';
      case 'temporaryPassword': return 'errors.temporaryPasswordValue';
      default: return null;
    }
  }
  return null;
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

  return { errorMessage, fieldMessage, rowMessage };
}

/** Success and failure toasts. */
export function useNotify() {
  const { errorMessage } = useErrorText();
  return {
    success(message: string): void {
      ElMessage({ type: 'success', message, showClose: true, grouping: true });
    },
    error(err: unknown): void {
      ElMessage({ type: 'error', message: errorMessage(err), showClose: true, grouping: true, duration: 6000 });
    },
  };
}
