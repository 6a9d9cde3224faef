// The dashboard: the server's answer as it came, the time it was read, and what went wrong reading it.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { CertificateExpiryDto, DashboardDto } from '../../server/contract/index.js';
import { useApi } from '../api/index.js';

/** The console page where the admin acts on a watched certificate. */
export function certificatePage(certificate: CertificateExpiryDto['certificate']): 'push-settings' | 'tls-settings' {
  return certificate === 'push' ? 'push-settings' : 'tls-settings';
}

/** The dashboard store. */
export const useDashboardStore = defineStore('dashboard', () => {
  const api = useApi();
  const data = ref<DashboardDto | null>(null);
  const loading = ref(false);
  const error = ref<unknown>(null);

  /** Things that need the admin now: certificate warnings, a missing push certificate or SMTP, failed mail. */
  const attention = computed(() => {
    const d = data.value;
    if (!d) return 0;
    return (
      d.warnings.length + (d.pushConfigured ? 0 : 1) + (d.mail.smtpConfigured ? 0 : 1) + (d.mail.failed > 0 ? 1 : 0)
    );
  });

  /** Reads the dashboard; `quiet` (a live update) leaves the refresh button still. */
  async function load(quiet = false): Promise<void> {
    if (!quiet) loading.value = true;
    try {
      data.value = await api.dashboard.get();
      error.value = null;
    } catch (err) {
      error.value = err;
    } finally {
      if (!quiet) loading.value = false;
    }
  }

  return { data, loading, error, attention, load };
});
