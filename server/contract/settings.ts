/** The User Settings every enrollment feature reads. */
export interface UserSettingsDto {
  /** Require a one-time registration PIN even for users who have a password. */
  requirePin: boolean;
  /**
   * Send directory (LDAP) users a one-time PIN too. Off by default: their invitation tells them to sign in with their
   * network password. A PUT that leaves it out keeps the stored value.
   */
  requirePinForDirectory: boolean;
  /** Digits in a registration PIN, 6-8. */
  pinLength: number;
  /** Hours a PIN stays valid, 1-720. */
  pinValidityHours: number;
  /** Days an invitation stays valid, 1-90. */
  invitationValidityDays: number;
  /** Minutes a downloaded enrollment profile (and its SCEP challenge) stays valid, 5-60. */
  profileValidityMinutes: number;
  /** Devices one user may enroll, 1-100. */
  deviceLimitPerUser: number;
  /** Days after the invitation when reminders go out while it is not enrolled; ascending, at most 10. */
  reminderDays: number[];
  /**
   * Days an Android agent may stay silent before another user may enroll the same device without the admin (it
   * was most likely reset and handed on), 7-365.
   */
  agentSilentDays: number;
}

/** What PUT /api/settings/users takes: the settings, where a setting left out keeps its value. */
export type UserSettingsUpdate = Omit<UserSettingsDto, 'agentSilentDays' | 'requirePinForDirectory'> &
  Partial<Pick<UserSettingsDto, 'agentSilentDays' | 'requirePinForDirectory'>>;

/** Limits for each numeric setting, shared by the server's validation and the console's inputs. */
export interface SettingLimits {
  pinLength: [number, number];
  pinValidityHours: [number, number];
  invitationValidityDays: [number, number];
  profileValidityMinutes: [number, number];
  deviceLimitPerUser: [number, number];
  reminderDays: [number, number];
  reminderCount: [number, number];
  agentSilentDays: [number, number];
}

/** GET and PUT /api/settings/users answer with the settings and their limits. */
export interface UserSettingsResponse {
  settings: UserSettingsDto;
  limits: SettingLimits;
}

/** The kinds of macOS helper build the server serves. */
export type HelperBuildKind = 'dmg' | 'pkg' | 'zip';

/** The build of the macOS helper the portal's Mac page offers. */
export interface HelperBuildDto {
  /** An admin's upload, or the build shipped with the server (TSUNAGU_HELPER_BUILD). */
  source: 'upload' | 'bundled';
  /** The file's name as uploaded (or as shipped). */
  fileName: string;
  kind: HelperBuildKind;
  size: number;
  /** SHA-256 of the file, lower-case hex. */
  sha256: string;
  /** When it was uploaded; null for the shipped build. */
  uploadedAt: string | null;
  /**
   * Where devices download it: the device listener's stable address, e.g.
   * https://mdm.office.lan:8443/downloads/tsunagu-helper.dmg.
   */
  downloadUrl: string;
}

/** GET, PUT and DELETE /api/settings/helper-build answer with the offered build and the upload rules. */
export interface HelperBuildResponse {
  /** The build offered now, or null when there is none. */
  build: HelperBuildDto | null;
  /** Whether a shipped build is there: it is offered when no upload is. */
  bundledAvailable: boolean;
  /** Largest upload taken, in bytes. */
  maxBytes: number;
  /** The file name extensions taken, without the dot. */
  kinds: HelperBuildKind[];
}
