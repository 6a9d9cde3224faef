// Configurations: the library (every configuration with its delivery counts), the restriction catalogue, the open
// configuration's detail (its state on each device), adding, editing and deleting.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type {
  ConfigurationDetailDto,
  ConfigurationDto,
  ConfigurationInput,
  RestrictionOptionDto,
  UserDto,
} from '../../server/contract/index.js';
import { isApiError, useApi } from '../api/index.js';

/** The configurations store: the list, the catalogue and one open detail. */
export const useConfigurationsStore = defineStore('configurations', () => {
  const api = useApi();
  const items = ref<ConfigurationDto[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  const restrictions = ref<RestrictionOptionDto[] | null>(null);
  const detail = ref<ConfigurationDetailDto | null>(null);
  const detailLoading = ref(false);
  let listRun = 0;
  let detailRun = 0;

  /** Reads the list again (a slower earlier read never overwrites a later one). */
  async function reload(): Promise<void> {
    const run = ++listRun;
    loading.value = true;
    try {
      const answer = await api.configurations.list();
      if (run !== listRun) return;
      items.value = answer.items;
      loaded.value = true;
    } finally {
      if (run === listRun) loading.value = false;
    }
  }

  /** The restriction catalogue, read once. */
  async function loadRestrictions(): Promise<RestrictionOptionDto[]> {
    restrictions.value ??= (await api.configurations.restrictions()).items;
    return restrictions.value;
  }

  function upsert(c: ConfigurationDto): void {
    const i = items.value.findIndex((x) => x.id === c.id);
    if (i >= 0) items.value = items.value.map((x) => (x.id === c.id ? c : x));
    else items.value = [...items.value, c];
  }

  /** Adds a configuration; it goes to the assigned devices at once. */
  async function create(input: ConfigurationInput): Promise<ConfigurationDto> {
    const c = await api.configurations.create(input);
    upsert(c);
    return c;
  }

  /** Saves an edit (a settings change makes a new version that the devices install in place). */
  async function update(id: string, input: ConfigurationInput): Promise<ConfigurationDto> {
    const c = await api.configurations.update(id, input);
    upsert(c);
    if (detail.value?.configuration.id === id) await openDetail(id);
    return c;
  }

  /** Deletes a configuration: the server removes it from every device. */
  async function remove(id: string): Promise<void> {
    await api.configurations.remove(id);
    items.value = items.value.filter((x) => x.id !== id);
    if (detail.value?.configuration.id === id) detail.value = null;
  }

  /** Opens one configuration with its state on every device. */
  async function openDetail(id: string): Promise<void> {
    const run = ++detailRun;
    detailLoading.value = true;
    try {
      const answer = await api.configurations.detail(id);
      if (run === detailRun) detail.value = answer;
    } catch (err) {
      // Deleted meanwhile (elsewhere): close rather than show what no longer exists.
      if (run === detailRun && isApiError(err, 'CONFIGURATION_NOT_FOUND')) detail.value = null;
      throw err;
    } finally {
      if (run === detailRun) detailLoading.value = false;
    }
  }

  /** Reads the open detail again, when one is open. */
  async function refreshDetail(): Promise<void> {
    const id = detail.value?.configuration.id;
    if (id) await openDetail(id);
  }

  function closeDetail(): void {
    detailRun++;
    detail.value = null;
    detailLoading.value = false;
  }

  /** Users whose email or name matches `q`, for choosing whom a configuration goes to. */
  async function findUsers(q: string): Promise<UserDto[]> {
    return (await api.users.list({ q: q.trim() || undefined, limit: 20 })).items;
  }

  return {
    items,
    loading,
    loaded,
    restrictions,
    detail,
    detailLoading,
    reload,
    loadRestrictions,
    create,
    update,
    remove,
    openDetail,
    refreshDetail,
    closeDetail,
    findUsers,
  };
});
