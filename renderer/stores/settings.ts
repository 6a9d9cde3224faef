// User Settings: load, check against the server's limits, save; and the macOS helper build the portal offers.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { HelperBuildResponse, SettingLimits, UserSettingsDto } from '../../server/contract/index.js';
import { useApi } from '../api/index.js';
import { saveBlob } from '../composables/use-download.js';

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

/** Why a picked file cannot be a helper build, before it is sent: its extension or its size; null when it may be. */
export function helperFileProblem(
  file: { name: string; size: number },
  rules: Pick<HelperBuildResponse, 'kinds' | 'maxBytes'>,
): 'kind' | 'tooLarge' | 'empty' | null {
  const ext = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? '';
  if (!(rules.kinds as string[]).includes(ext)) return 'kind';
  if (file.size === 0) return 'empty';
  return file.size > rules.maxBytes ? 'tooLarge' : null;
}

/** The settings store: the saved User Settings and their limits, and the helper build. */
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

  const helper = ref<HelperBuildResponse | null>(null);

  async function loadHelper(): Promise<void> {
    helper.value = await api.settings.helperBuild();
  }

  async function uploadHelper(file: File): Promise<HelperBuildResponse> {
    helper.value = await api.settings.uploadHelperBuild(file, file.name);
    return helper.value;
  }

  async function removeHelper(): Promise<HelperBuildResponse> {
    helper.value = await api.settings.removeHelperBuild();
    return helper.value;
  }

  /** Downloads a backup sealed with `passphrase` and saves it; answers the file name it was saved under. */
  async function downloadBackup(passphrase: string): Promise<string> {
    const file = await api.backup.download(passphrase);
    const fileName = file.fileName ?? 'tsunagu.tsunagu-backup';
    saveBlob(fileName, file.blob);
    return fileName;
  }

  return {
    settings,
    limits,
    loading,
    load,
    save,
    helper,
    loadHelper,
    uploadHelper,
    removeHelper,
    downloadBackup,
  };
});
