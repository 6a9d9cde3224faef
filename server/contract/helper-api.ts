// The helper API, /helper/v1 on the HTTPS device listener: what the macOS guided-install helper sends and receives.
// JSON only; docs/helper-api.md describes it and docs/helper-api.schema.json is its published JSON Schema.

/** GET /helper/v1/server: who this server is, so the helper can show it and check the pinned CA. */
export interface HelperServerInfo {
  /** The API's version; the helper refuses a server whose version it does not know. */
  api: 1;
  /** The organisation the enrollment profile names. */
  organisation: string;
  /** The device listener's HTTPS origin (the address enrollment profiles point Macs to). */
  server: string;
  /** SHA-256 of the office CA certificate's DER, lower-case hex without separators. */
  caSha256: string;
  /** The oldest macOS the helper guides ("13.0"); older Macs use the portal's manual steps. */
  minimumMacos: string;
  /** The portal page with the manual steps, for Macs the helper cannot guide. */
  portalUrl: string;
}

/** POST /helper/v1/sessions: signs a Mac user in. */
export type HelperSignInRequest =
  | { method: 'password'; email: string; password: string }
  | { method: 'pin'; email: string; pin: string; newPassword: string }
  | { method: 'token'; token: string };

/** A helper session: send it as `Authorization: Bearer <token>`. */
export interface HelperSession {
  token: string;
  expiresAt: string;
  user: { email: string; displayName: string };
}

/** POST /helper/v1/enrollments: the signed-in user's pending Mac enrollment (opened, or the open one reused). */
export interface HelperEnrollment {
  enrollmentId: string;
  status: 'pending' | 'enrolled' | 'closed';
  /** When the enrollment itself closes (the profile inside expires much sooner). */
  expiresAt: string;
}

/** POST /helper/v1/enrollments/:id/profile: a fresh signed profile; the previous one's challenge is void. */
export interface HelperProfile {
  enrollmentId: string;
  /** When the profile's one-time SCEP challenge expires. */
  expiresAt: string;
  /** Seconds from now until `expiresAt`, by the server's clock: the helper counts down from it, so a Mac whose clock is off still shows the right time. */
  validSeconds: number;
  /** A file name for the profile, ending in .mobileconfig. */
  fileName: string;
  /** The signed profile (DER CMS), base64. */
  profile: string;
}

/** GET /helper/v1/enrollments/:id: whether the Mac has enrolled (the server saw its first TokenUpdate). */
export interface HelperEnrollmentStatus {
  enrollmentId: string;
  status: 'pending' | 'enrolled' | 'closed';
  /** True once the device's first TokenUpdate arrived: enrollment is complete. */
  tokenUpdateSeen: boolean;
  /** Where the newest profile stands. */
  profile: { state: 'none' | 'valid' | 'expired' | 'used' | 'enrolled'; expiresAt: string | null; secondsLeft: number };
}
