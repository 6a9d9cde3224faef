import { Type } from 'typebox';
import type { SettingLimits, UserSettingsDto } from '../../contract/settings.js';

/** Allowed range for each user setting. */
export const USER_SETTING_LIMITS: Readonly<SettingLimits> = Object.freeze<SettingLimits>({
  pinLength: [6, 8],
  pinValidityHours: [1, 720],
  invitationValidityDays: [1, 90],
  profileValidityMinutes: [5, 60],
  deviceLimitPerUser: [1, 100],
  reminderDays: [1, 90],
  reminderCount: [0, 10],
  agentSilentDays: [7, 365],
});

/** The settings a new installation starts with. */
export const DEFAULT_USER_SETTINGS: Readonly<UserSettingsDto> = Object.freeze({
  requirePin: false,
  requirePinForDirectory: false,
  pinLength: 6,
  pinValidityHours: 72,
  invitationValidityDays: 14,
  profileValidityMinutes: 15,
  deviceLimitPerUser: 5,
  reminderDays: [2, 5],
  agentSilentDays: 30,
});

const L = USER_SETTING_LIMITS;
const int = (r: readonly [number, number]) => Type.Integer({ minimum: r[0], maximum: r[1] });

/** Wire schema of the User Settings. */
export const UserSettingsSchema = Type.Object(
  {
    requirePin: Type.Boolean(),
    requirePinForDirectory: Type.Optional(Type.Boolean()),
    pinLength: int(L.pinLength),
    pinValidityHours: int(L.pinValidityHours),
    invitationValidityDays: int(L.invitationValidityDays),
    profileValidityMinutes: int(L.profileValidityMinutes),
    deviceLimitPerUser: int(L.deviceLimitPerUser),
    reminderDays: Type.Array(int(L.reminderDays), { minItems: L.reminderCount[0], maxItems: L.reminderCount[1] }),
    agentSilentDays: Type.Optional(int(L.agentSilentDays)),
  },
  { additionalProperties: false },
);
