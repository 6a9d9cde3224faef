/** The console languages; also a user's mail and portal language. */
export type Locale = 'ja' | 'en';

/** Where a user record came from. */
export type UserSource = 'local' | 'ldap';

/** A user as the console sees it; password hashes never leave the server. */
export interface UserDto {
  id: string;
  email: string;
  displayName: string;
  locale: Locale;
  source: UserSource;
  hasPassword: boolean;
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A new user. A `password` is optional; `temporaryPassword` forces a change at first sign-in. */
export interface UserCreateRequest {
  email: string;
  displayName: string;
  locale?: Locale;
  password?: string;
  temporaryPassword?: boolean;
  /** Also email the user an invitation (with the /go link and, when needed, a PIN). */
  sendInvitation?: boolean;
}

/** Changes to a user; absent fields stay as they are. `password: null` removes the password. */
export interface UserUpdateRequest {
  email?: string;
  displayName?: string;
  locale?: Locale;
  password?: string | null;
  temporaryPassword?: boolean;
  disabled?: boolean;
}

/** Several users at once: all are added or none. */
export interface UserBatchRequest {
  users: UserCreateRequest[];
}

/** The result of a batch add or CSV import that succeeded. */
export interface UserBatchResult {
  created: UserDto[];
  /** Invitations sent to users that asked for one. */
  invited?: number;
}

/** A user just added, with the invitation when one was sent. */
export type UserCreatedDto = UserDto & { invitationId?: string };

/** One page of users. */
export interface UserPage {
  items: UserDto[];
  nextCursor: string | null;
  total: number;
}

/** What the console can do to several selected users at once. */
export type UserBulkAction = 'disable' | 'enable' | 'delete';

/** Several users, one action: all of them change or none does. */
export interface UserBulkRequest {
  action: UserBulkAction;
  ids: string[];
}

/** What a bulk action (or a single delete through it) did. */
export interface UserBulkResult {
  action: UserBulkAction;
  /** Users that changed (already disabled users count as unchanged when disabling). */
  changed: number;
  unchanged: number;
  /** Open invitations withdrawn (deleting): their links and PINs stop working, queued emails are cancelled. */
  invitationsRevoked: number;
  /** Portal sessions ended (disabling or deleting). */
  sessionsEnded: number;
}

/** A temporary password the server chose: shown once, changed by the user at the next portal sign-in. */
export interface TemporaryPasswordResult {
  user: UserDto;
  password: string;
  sessionsEnded: number;
}

/** A password reset: the old password no longer works and an email with a link and a one-time PIN is on its way. */
export interface PasswordResetResult {
  user: UserDto;
  /** The invitation that carries the link and PIN (null when none could be sent, e.g. the user is disabled). */
  invitationId: string | null;
  sessionsEnded: number;
}

/** Query of the CSV import: whether each imported user also gets an invitation email. */
export interface UserImportOptions {
  sendInvitations?: boolean;
}
