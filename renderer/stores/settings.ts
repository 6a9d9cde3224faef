// User Settings: load, check against the server's limits, save.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { SettingLimits, UserSettingsDto } from '../../server/contract/index.js';
import { useApi } from '../api/index.js';

/** The numeric settings that have a [min, max] range in the limits. */
export const RANGED_SETTINGS = [
  'pinLength',
  'pinValidityHours',
  'invitationValidityDays',
  'profileValidityMinutes',
  'deviceLimitPerUser',
  'agentSilentDays',
] as const;

/** One of the ranged settings. */
export type RangedSetting = (typeof RANGED_SETTINGS)[number];

/** A problem with one setting, as an i18n key under `settings.errors` and its parameters. */
export interface SettingProblem {
  field: RangedSetting | 'reminderDays';
  key: 'range' | 'reminderOrder' | 'reminderBeforeExpiry' | 'reminderCount';
  params: Record<string, number>;
}

/** The same checks the server makes, so the form can point at the field before saving. */
export function settingsProblems(s: UserSettingsDto, limits: SettingLimits): SettingProblem[] {
  const problems: SettingProblem[] = [];
  for (const field of RANGED_SETTINGS) {
    const [min, max] = limits[field];
    const v = s[field];
    if (!Number.isInteger(v) || v < min || v > max) problems.push({ field, key: 'range', params: { min, max } });
  }
  const days = s.reminderDays;
  const [dayMin, dayMax] = limits.reminderDays;
  if (days.length > limits.reminderCount[1]) {
    problems.push({ field: 'reminderDays', key: 'reminderCount', params: { max: limits.reminderCount[1] } });
  } else if (days.some((d) => !Number.isInteger(d) || d < dayMin || d > dayMax)) {
    problems.push({ field: 'reminderDays', key: 'range', params: { min: dayMin, max: dayMax } });
  } else if (days.some((d, i) => i > 0 && d <= (days[i - 1] as number))) {
    problems.push({ field: 'reminderDays', key: 'reminderOrder', params: {} });
  } else if (days.length > 0 && (days[days.length - 1] as number) >= s.invitationValidityDays) {
    problems.push({ field: 'reminderDays', key: 'reminderBeforeExpiry', params: { days: s.invitationValidityDays } });
  }
  return problems;
}

/** The settings store: the saved User Settings and their limits. */
export const useSettingsStore = defineStore('settings', () => {
  const api = useApi();
  const settings = ref<UserSettingsDto | null>(null);
  const limits = ref<SettingLimits | null>(null);
  const loading = ref(false);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      const response = await api.settings.userSettings();
      settings.value = response.settings;
      limits.value = response.limits;
    } finally {
      loading.value = false;
    }
  }

  async function save(next: UserSettingsDto): Promise<UserSettingsDto> {
    const response = await api.settings.saveUserSettings(next);
    settings.value = response.settings;
    limits.value = response.limits;
    return response.settings;
  }

  return { settings, limits, loading, load, save };
});
