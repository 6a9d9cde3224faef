/** An administrator as the console sees it. */
export interface AdminDto {
  id: string;
  email: string;
  displayName: string;
  createdAt: string;
  lastLoginAt: string | null;
  /** The password was set by another admin: until it is changed, only the password change is open. */
  mustChangePassword?: boolean;
}

/** The signed-in session: who, and the CSRF token to send as `x-csrf-token` on state-changing requests. */
export interface SessionDto {
  admin: AdminDto;
  csrfToken: string;
  expiresAt: string;
}

/** Whether the first-run admin setup is still open. */
export interface SetupStatusDto {
  setupRequired: boolean;
}

/** First-run setup: the one-time token printed by `tsunagu serve` and the first admin's account. */
export interface SetupRequest {
  setupToken: string;
  email: string;
  displayName: string;
  password: string;
}

/** Sign-in with email and password. */
export interface LoginRequest {
  email: string;
  password: string;
}

/** A new administrator: with the password they start with, or none for a generated temporary one. */
export interface AdminCreateRequest {
  email: string;
  displayName: string;
  password?: string;
}

/** The answer to adding an admin or resetting one's password; the temporary password is shown once, never stored. */
export interface AdminCreatedDto {
  admin: AdminDto;
  /** The generated password to hand over (to be changed at first sign-in), or null when one was given. */
  temporaryPassword: string | null;
}

/** The answer to resetting another admin's password. */
export interface AdminPasswordResetDto {
  temporaryPassword: string;
}

/** Changing one's own password: the current one proves it is really the admin at the keyboard. */
export interface PasswordChangeRequest {
  currentPassword: string;
  newPassword: string;
}

/**
 * Where the admin console can be reached from: on the LAN (over HTTPS, with the device listener's certificate) or on
 * this machine only. The saved choice applies when Tsunagu next starts; TSUNAGU_LAN_ADMIN, when set, decides instead.
 */
export interface ConsoleAccessDto {
  lanAdminNow: boolean;
  lanAdminSaved: boolean;
  fromEnv: boolean;
  /** The saved choice differs from how the server listens now: it applies at the next start. */
  restartNeeded: boolean;
}

/** Body of PUT /api/console-access. */
export interface ConsoleAccessRequest {
  lanAdmin: boolean;
}
