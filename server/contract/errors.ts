/** Every stable error code the server answers with; the console switches on these, never on messages. */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'CA_IN_USE'
  | 'UNKNOWN_FIELD'
  | 'MALFORMED_JSON'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'BODY_TOO_LARGE'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'AUTH_REQUIRED'
  | 'AUTH_INVALID_CREDENTIALS'
  | 'AUTH_LOCKED'
  | 'AUTH_PASSWORD_CHANGE_REQUIRED'
  | 'CSRF_INVALID'
  | 'ORIGIN_REFUSED'
  | 'SETUP_ALREADY_DONE'
  | 'SETUP_TOKEN_INVALID'
  | 'PASSWORD_POLICY'
  | 'EMAIL_TAKEN'
  | 'ADMIN_EXISTS'
  | 'ADMIN_NOT_FOUND'
  | 'ADMIN_REMOVE_SELF'
  | 'LAST_ADMIN'
  | 'RESTORE_INVALID'
  | 'RESTORE_UNAVAILABLE'
  | 'RESTORE_TOO_LARGE'
  | 'USER_NOT_FOUND'
  | 'USER_DELETED'
  | 'CSV_INVALID'
  | 'BATCH_INVALID'
  | 'CURSOR_INVALID'
  | 'SETTINGS_INVALID'
  | 'HELPER_BUILD_INVALID'
  | 'RATE_LIMITED'
  | 'ENROLLMENT_NOT_FOUND'
  | 'ENROLLMENT_EXPIRED'
  | 'ENROLLMENT_CLOSED'
  | 'PUSH_NOT_CONFIGURED'
  | 'DEVICE_NOT_FOUND'
  | 'COMMAND_INVALID'
  | 'COMMAND_NOT_FOUND'
  | 'MDM_BAD_REQUEST'
  | 'MDM_SIGNATURE_INVALID'
  | 'INVITATION_NOT_FOUND'
  | 'INVITATION_CLOSED'
  | 'PIN_LOCKED'
  | 'PIN_EXPIRED'
  | 'PIN_USED'
  | 'LINK_OUTDATED'
  | 'SIGN_IN_FAILED'
  | 'SIGN_IN_LOCKED'
  | 'PASSWORD_CHANGE_REFUSED'
  | 'DEVICE_LIMIT'
  | 'AGENT_TOKEN_INVALID'
  | 'AGENT_DEVICE_MISMATCH'
  | 'AGENT_ACTION_NOT_FOUND'
  | 'DEVICE_CLAIM_REFUSED'
  | 'DEVICE_STATE_INVALID'
  | 'CLAIM_CONFLICT_NOT_FOUND'
  | 'DB_NEWER_VERSION'
  | 'DB_INTEGRITY'
  | 'BACKUP_KEY_REFUSED'
  | 'BACKUP_INVALID'
  | 'BACKUP_IN_PROGRESS'
  | 'MISDIRECTED_REQUEST'
  | 'BACKUP_UNAVAILABLE'
  | 'CONFIG_INVALID'
  | 'INTERNAL';

/** The body of every error response. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** One problem in a batch or CSV import: the 1-based row (CSV rows count the header as row 1). */
export interface RowError {
  row: number;
  field?: string;
  code: ErrorCode;
  message: string;
}
