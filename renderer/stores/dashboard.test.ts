import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from 'vue';
import type { DashboardDto } from '../../server/contract/index.js';
import { API_KEY, ApiError, type Api } from '../api/index.js';
import { certificatePage, useDashboardStore } from './dashboard.js';

const EXPIRING = {
  certificate: 'push',
  name: 'com.apple.mgmt.External.x',
  notAfter: '2026-07-01T00:00:00.000Z',
  daysLeft: 12,
  state: 'expiring',
} as const;

function dashboard(change: Partial<DashboardDto> = {}): DashboardDto {
  return {
    generatedAt: '2026-06-19T00:00:00.000Z',
    devices: { total: 0, byStatus: {} as never, byPlatform: {} as never, enrollmentsPerDay: [] },
    invitations: { waiting: { created: 0, sent: 0, opened: 0, pin_verified: 0, profile_downloaded: 0 }, open: 0 },
    pushConfigured: true,
    certificates: [EXPIRING],
    warnings: [EXPIRING],
    mail: { smtpConfigured: true, failed: 0, queued: 0, recentFailures: [] },
    addresses: { entryUrl: 'http://mdm.test:8080/go', deviceBaseUrl: 'https://mdm.test:8443', lanAddresses: [] },
    listeners: [],
    recentAudit: [],
    ...change,
  };
}

function storeWith(get: () => Promise<DashboardDto>) {
  const app = createApp({});
  app.provide(API_KEY, { dashboard: { get: vi.fn(get) } } as unknown as Api);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return useDashboardStore();
}

describe('the dashboard store', () => {
  it.each([
    ['a certificate warning', {}, 1],
    [
      'no push certificate, no SMTP, failed mail, a warning',
      { pushConfigured: false, mail: { smtpConfigured: false, failed: 2, queued: 0, recentFailures: [] } },
      4,
    ],
    ['nothing', { warnings: [] }, 0],
  ] as const)('counts what needs the admin: %s', async (_name, change, n) => {
    const store = storeWith(async () => dashboard(change as Partial<DashboardDto>));
    await store.load();
    expect(store.attention).toBe(n);
    expect(store.error).toBeNull();
  });

  it('keeps the last picture and the error when a reload fails', async () => {
    let fail = false;
    const store = storeWith(async () => {
      if (fail) throw new ApiError('AUTH_REQUIRED', 'Sign in first.', 401);
      return dashboard();
    });
    await store.load();
    fail = true;
    await store.load();
    expect(store.data?.generatedAt).toBe('2026-06-19T00:00:00.000Z');
    expect(store.error).toBeInstanceOf(ApiError);
    expect(store.loading).toBe(false);
  });

  it.each([
    ['push', 'push-settings'],
    ['ca', 'tls-settings'],
    ['tls_office', 'tls-settings'],
    ['tls_public', 'tls-settings'],
  ] as const)('a %s warning leads to %s', (certificate, page) => {
    expect(certificatePage(certificate)).toBe(page);
  });
});
