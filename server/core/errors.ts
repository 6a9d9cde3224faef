import type { ErrorCode } from '../contract/errors.js';

/** HTTP status for each error code; the one error mapper reads this table. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  VALIDATION_FAILED: 400,
  CA_IN_USE: 409,
  UNKNOWN_FIELD: 400,
  MALFORMED_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BODY_TOO_LARGE: 413,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  AUTH_REQUIRED: 401,
  AUTH_INVALID_CREDENTIALS: 401,
  AUTH_LOCKED: 429,
  AUTH_PASSWORD_CHANGE_REQUIRED: 403,
  CSRF_INVALID: 403,
  ORIGIN_REFUSED: 403,
  SETUP_ALREADY_DONE: 409,
  SETUP_TOKEN_INVALID: 403,
  PASSWORD_POLICY: 400,
  EMAIL_TAKEN: 409,
  ADMIN_EXISTS: 409,
  ADMIN_NOT_FOUND: 404,
  ADMIN_REMOVE_SELF: 409,
  LAST_ADMIN: 409,
  RESTORE_INVALID: 400,
  RESTORE_UNAVAILABLE: 503,
  RESTORE_TOO_LARGE: 413,
  USER_NOT_FOUND: 404,
  USER_DELETED: 410,
  CSV_INVALID: 400,
  BATCH_INVALID: 400,
  CURSOR_INVALID: 400,
  SETTINGS_INVALID: 400,
  HELPER_BUILD_INVALID: 400,
  RATE_LIMITED: 429,
  ENROLLMENT_NOT_FOUND: 404,
  ENROLLMENT_EXPIRED: 410,
  ENROLLMENT_CLOSED: 409,
  PUSH_NOT_CONFIGURED: 409,
  PUSH_SERVICE_FAILED: 502,
  DEVICE_NOT_FOUND: 404,
  COMMAND_INVALID: 400,
  COMMAND_NOT_FOUND: 404,
  MDM_BAD_REQUEST: 400,
  MDM_SIGNATURE_INVALID: 400,
  INVITATION_NOT_FOUND: 404,
  INVITATION_CLOSED: 409,
  PIN_LOCKED: 423,
  PIN_EXPIRED: 410,
  PIN_USED: 410,
  LINK_OUTDATED: 410,
  SIGN_IN_FAILED: 401,
  SIGN_IN_LOCKED: 429,
  PASSWORD_CHANGE_REFUSED: 403,
  DEVICE_LIMIT: 409,
  AGENT_TOKEN_INVALID: 401,
  AGENT_DEVICE_MISMATCH: 409,
  DEVICE_CLAIM_REFUSED: 409,
  DEVICE_STATE_INVALID: 409,
  CLAIM_CONFLICT_NOT_FOUND: 404,
  AGENT_ACTION_NOT_FOUND: 404,
  DB_NEWER_VERSION: 500,
  DB_INTEGRITY: 500,
  BACKUP_KEY_REFUSED: 400,
  BACKUP_INVALID: 400,
  BACKUP_IN_PROGRESS: 409,
  MISDIRECTED_REQUEST: 421,
  BACKUP_UNAVAILABLE: 503,
  CONFIG_INVALID: 500,
  DIRECTORY_NOT_CONFIGURED: 409,
  DIRECTORY_UNAVAILABLE: 502,
  DIRECTORY_CONFIRM_REQUIRED: 409,
  DIRECTORY_BUSY: 409,
  DIRECTORY_MANAGED: 409,
  DIRECTORY_ACCESS_REVOKED: 403,
  CONFIGURATION_INVALID: 400,
  CONFIGURATION_SUPERVISION_REQUIRED: 400,
  PROFILE_UPLOAD_INVALID: 400,
  PROFILE_UPLOAD_REFUSED: 400,
  PROFILE_UPLOAD_TOO_LARGE: 413,
  CONFIGURATION_NOT_FOUND: 404,
  INTERNAL: 500,
});

/** A failure the caller can act on, with a stable code, a readable message and optional details. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  /** The HTTP status this error maps to. */
  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

/** True when `err` is an AppError, optionally with the given code. */
export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
