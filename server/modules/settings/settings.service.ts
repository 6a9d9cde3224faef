import type { UserSettingsDto, UserSettingsUpdate } from '../../contract/settings.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import { DEFAULT_USER_SETTINGS, USER_SETTING_LIMITS } from './settings.schemas.js';
import type { SettingsStore } from './settings.store.js';

/** Reads and changes the User Settings; every enrollment feature reads them from here. */
export interface SettingsService {
  userSettings(): UserSettingsDto;
  updateUserSettings(next: UserSettingsUpdate, actor: Actor, sourceAddress: string | null): UserSettingsDto;
  /** This installation's stable random id (it names the enrollment profile); created on first use. */
  instanceId(): string;
}

/** Dependencies of the settings service. */
export interface SettingsDeps {
  store: SettingsStore;
  newId: () => string;
  audit: AuditService;
  clock: Clock;
  transaction: <T>(fn: () => T) => T;
}

const KEY = 'user-settings';

/** Checks the cross-field rules the schema cannot express; returns the normalized settings. */
export function validateUserSettings(s: UserSettingsDto): UserSettingsDto {
  const L = USER_SETTING_LIMITS;
  const ranges = [
    'pinLength',
    'pinValidityHours',
    'invitationValidityDays',
    'profileValidityMinutes',
    'deviceLimitPerUser',
    'agentSilentDays',
  ] as const;
  for (const field of ranges) {
    const [min, max] = L[field];
    const v = s[field];
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new AppError('SETTINGS_INVALID', `${field} must be a whole number from ${min} to ${max}.`, {
        field,
        min,
        max,
      });
    }
  }
  const days = s.reminderDays;
  if (days.length > L.reminderCount[1]) {
    throw new AppError('SETTINGS_INVALID', `At most ${L.reminderCount[1]} reminders can be scheduled.`, {
      field: 'reminderDays',
    });
  }
  for (let i = 0; i < days.length; i++) {
    const d = days[i] as number;
    if (!Number.isInteger(d) || d < L.reminderDays[0] || d > L.reminderDays[1]) {
      throw new AppError(
        'SETTINGS_INVALID',
        `Reminder days must be whole numbers from ${L.reminderDays[0]} to ${L.reminderDays[1]}.`,
        { field: 'reminderDays' },
      );
    }
    if (i > 0 && d <= (days[i - 1] as number)) {
      throw new AppError(
        'SETTINGS_INVALID',
        'Reminder days must go up, each one later than the one before (for example 2, 5, 10).',
        { field: 'reminderDays' },
      );
    }
  }
  if (days.length > 0 && (days[days.length - 1] as number) >= s.invitationValidityDays) {
    throw new AppError(
      'SETTINGS_INVALID',
      `The last reminder (day ${days[days.length - 1]}) must come before the invitation expires (day ${s.invitationValidityDays}).`,
      { field: 'reminderDays' },
    );
  }
  return { ...s, reminderDays: [...days] };
}

/** Builds the settings service. */
export function createSettingsService(deps: SettingsDeps): SettingsService {
  const read = (): UserSettingsDto => ({
    ...DEFAULT_USER_SETTINGS,
    reminderDays: [...DEFAULT_USER_SETTINGS.reminderDays],
    ...((deps.store.get(KEY) as Partial<UserSettingsDto> | undefined) ?? {}),
  });
  return {
    instanceId() {
      const saved = deps.store.get('instance') as { id?: string } | undefined;
      if (saved?.id) return saved.id;
      const id = deps.newId();
      deps.store.put('instance', { id }, deps.clock.now().toISOString());
      return id;
    },
    userSettings: read,
    updateUserSettings(next, actor, sourceAddress) {
      return deps.transaction(() => {
        const before = read();
        const valid = validateUserSettings({ ...before, ...next });
        const changed: Record<string, { from: unknown; to: unknown }> = {};
        for (const key of Object.keys(valid) as (keyof UserSettingsDto)[]) {
          if (JSON.stringify(before[key]) !== JSON.stringify(valid[key]))
            changed[key] = { from: before[key], to: valid[key] };
        }
        deps.store.put(KEY, valid, deps.clock.now().toISOString());
        if (Object.keys(changed).length > 0) {
          deps.audit.record({
            actor,
            action: 'settings.updated',
            subject: { type: 'settings', id: KEY, label: 'User settings' },
            details: { changed },
            sourceAddress,
          });
        }
        return valid;
      });
    },
  };
}
