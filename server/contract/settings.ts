/** The User Settings every enrollment feature reads. */
export interface UserSettingsDto {
  /** Require a one-time registration PIN even for users who have a password. */
  requirePin: boolean;
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
export type UserSettingsUpdate = Omit<UserSettingsDto, 'agentSilentDays'> &
  Partial<Pick<UserSettingsDto, 'agentSilentDays'>>;

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
