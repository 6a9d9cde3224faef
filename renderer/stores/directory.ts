// Directory (LDAP): the connector settings (the bind password is write-only), the connection test, the preview before
// an import, import or sync now (with the confirmation a run asks for when it would disable many users), and the runs.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import {
  DIRECTORY_PRESET_USER_FILTERS,
  DIRECTORY_PRESETS,
  type DirectoryMapping,
  type DirectoryPreset,
  type DirectoryPreviewDto,
  type DirectoryRunDto,
  type DirectorySettingsDto,
  type DirectorySettingsUpdate,
  type DirectoryTestResult,
} from '../../server/contract/index.js';
import { isApiError, useApi } from '../api/index.js';

/** How many runs the page lists. */
export const DIRECTORY_RUNS_SHOWN = 20;

/** The connector form: the saved settings, a new bind password typed (blank keeps the saved one), or its removal. */
export interface DirectoryDraft {
  url: string;
  caPem: string;
  bindDn: string;
  bindPassword: string;
  removeBindPassword: boolean;
  baseDn: string;
  userFilter: string;
  groupFilter: string;
  preset: DirectoryPreset;
  mapping: DirectoryMapping;
  syncIntervalMinutes: number;
  maxDisablePercent: number;
}

/** The form filled from the saved settings; the password field starts blank. */
export function directoryDraftFrom(dto: DirectorySettingsDto): DirectoryDraft {
  return {
    url: dto.url,
    caPem: dto.caPem,
    bindDn: dto.bindDn,
    bindPassword: '',
    removeBindPassword: false,
    baseDn: dto.baseDn,
    userFilter: dto.userFilter,
    groupFilter: dto.groupFilter,
    preset: dto.preset,
    mapping: { ...dto.mapping },
    syncIntervalMinutes: dto.syncIntervalMinutes,
    maxDisablePercent: dto.maxDisablePercent,
  };
}

/**
 * The PUT body (and the settings a connection test checks): trimmed text; `bindPassword` absent keeps the saved one,
 * a string replaces it, null removes it. The password itself is sent as typed.
 */
export function directoryUpdate(draft: DirectoryDraft): DirectorySettingsUpdate {
  const update: DirectorySettingsUpdate = {
    url: draft.url.trim(),
    caPem: draft.caPem.trim(),
    bindDn: draft.bindDn.trim(),
    baseDn: draft.baseDn.trim(),
    userFilter: draft.userFilter.trim(),
    groupFilter: draft.groupFilter.trim(),
    preset: draft.preset,
    mapping: {
      uniqueId: draft.mapping.uniqueId.trim(),
      email: draft.mapping.email.trim(),
      displayName: draft.mapping.displayName.trim(),
      login: draft.mapping.login.trim(),
      groupMember: draft.mapping.groupMember.trim(),
      disabledFlag: draft.mapping.disabledFlag,
    },
    syncIntervalMinutes: draft.syncIntervalMinutes,
    maxDisablePercent: draft.maxDisablePercent,
  };
  if (draft.removeBindPassword) update.bindPassword = null;
  else if (draft.bindPassword !== '') update.bindPassword = draft.bindPassword;
  return update;
}

/**
 * Switches the form to a preset: its attribute mapping replaces the current one (still editable afterwards), and its
 * user filter replaces the filter when that was empty or another preset's suggestion (a filter the admin wrote stays).
 */
export function applyPreset(draft: DirectoryDraft, preset: DirectoryPreset): void {
  const filter = draft.userFilter.trim();
  if (!filter || Object.values(DIRECTORY_PRESET_USER_FILTERS).includes(filter))
    draft.userFilter = DIRECTORY_PRESET_USER_FILTERS[preset];
  draft.preset = preset;
  draft.mapping = { ...DIRECTORY_PRESETS[preset] };
}

/** A run the server stopped because it would disable more users than the settings allow without asking. */
export interface PendingConfirmation {
  /** How many users the run would disable (the number to confirm). */
  toDisable: number;
  /** Of how many enabled directory users. */
  of: number;
  /** The server's sentence, with the share and the limit. */
  message: string;
  /** The local users to link that the stopped run asked for, asked for again when confirmed. */
  link: string[];
}

/** The directory store: settings, the last test and preview, the runs, and a run waiting for confirmation. */
export const useDirectoryStore = defineStore('directory', () => {
  const api = useApi();
  const settings = ref<DirectorySettingsDto | null>(null);
  const lastTest = ref<DirectoryTestResult | null>(null);
  const preview = ref<DirectoryPreviewDto | null>(null);
  const runs = ref<DirectoryRunDto[]>([]);
  const runsLoaded = ref(false);
  const pending = ref<PendingConfirmation | null>(null);

  /** The newest run when it failed or stopped to ask: the page shows it first. */
  const lastProblem = computed(() => {
    const last = runs.value[0];
    return last && last.status !== 'succeeded' ? last : null;
  });
  /** True once any run succeeded: "Sync now" instead of the first import. */
  const imported = computed(() => runs.value.some((r) => r.status === 'succeeded'));

  /** Loads the connector settings. */
  async function load(): Promise<DirectorySettingsDto> {
    settings.value = await api.directory.settings();
    return settings.value;
  }

  /** Saves the form; a test result of other settings no longer applies. */
  async function save(draft: DirectoryDraft): Promise<DirectorySettingsDto> {
    settings.value = await api.directory.save(directoryUpdate(draft));
    lastTest.value = null;
    return settings.value;
  }

  /** Tests the form's settings as typed (nothing saved); the answer is kept to show. */
  async function test(draft: DirectoryDraft): Promise<DirectoryTestResult> {
    lastTest.value = null;
    lastTest.value = await api.directory.test(directoryUpdate(draft));
    return lastTest.value;
  }

  /** What an import would do now, with these local users linked; changes nothing. */
  async function loadPreview(link: string[] = []): Promise<DirectoryPreviewDto> {
    preview.value = await api.directory.preview(link.length ? { link } : {});
    return preview.value;
  }

  /** Loads the newest runs. */
  async function loadRuns(): Promise<DirectoryRunDto[]> {
    runs.value = (await api.directory.runs(DIRECTORY_RUNS_SHOWN)).items;
    runsLoaded.value = true;
    return runs.value;
  }

  /**
   * Imports or syncs now. When the server stops the run to ask (DIRECTORY_CONFIRM_REQUIRED) the answer is null and
   * `pending` says how many users it would disable; {@link confirm} runs it again with that number. Other failures
   * are thrown. The runs are read again either way (a failed or stopped run is recorded too).
   */
  async function sync(link: string[] = [], confirmDisable?: number): Promise<DirectoryRunDto | null> {
    pending.value = null;
    try {
      const run = await api.directory.sync({
        ...(link.length ? { link } : {}),
        ...(confirmDisable !== undefined ? { confirmDisable } : {}),
      });
      preview.value = null;
      return run;
    } catch (err) {
      if (isApiError(err, 'DIRECTORY_CONFIRM_REQUIRED')) {
        const toDisable = Number(err.details.confirmDisable ?? err.details.toDisable);
        pending.value = { toDisable, of: Number(err.details.of ?? 0), message: err.message, link };
        return null;
      }
      throw err;
    } finally {
      await loadRuns().catch(() => undefined);
    }
  }

  /** Runs the stopped run again, confirming the number of users it may disable. */
  async function confirm(): Promise<DirectoryRunDto | null> {
    const p = pending.value;
    if (!p) return null;
    return sync(p.link, p.toDisable);
  }

  /** Forgets the run waiting for confirmation (the admin went back to check the filters). */
  function dismissPending(): void {
    pending.value = null;
  }

  return {
    settings,
    lastTest,
    preview,
    runs,
    runsLoaded,
    pending,
    lastProblem,
    imported,
    load,
    save,
    test,
    loadPreview,
    loadRuns,
    sync,
    confirm,
    dismissPending,
  };
});
