/** An administrator as the console sees it. */
export interface AdminDto {
  id: string;
  email: string;
  displayName: string;
  createdAt: string;
  lastLoginAt: string | null;
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
