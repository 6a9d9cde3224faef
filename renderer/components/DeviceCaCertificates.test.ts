// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import type { DeviceCaReportDto, DeviceDetailDto } from '../../server/contract/index.js';
import { API_KEY, type Api } from '../api/index.js';
import { createTestI18n } from '../test-support/i18n.js';
import { sampleDevice } from '../test-support/sample-dtos.js';
import DeviceDetailDrawer from './DeviceDetailDrawer.vue';

afterEach(() => {
  document.body.innerHTML = '';
});

/** The API the drawer's configurations section reads: the device has none. */
const API = { configurations: { ofDevice: () => Promise.resolve([]) } } as unknown as Api;

const report: DeviceCaReportDto = {
  reportedAt: '2026-04-02T09:00:00.000Z',
  officeCaInstalled: true,
  certificates: [
    {
      subject: 'CN=Tsunagu Office CA',
      issuer: 'CN=Tsunagu Office CA',
      sha256: 'ab'.repeat(32),
      notAfter: '2036-01-01T00:00:00.000Z',
      kind: 'office',
      firstSeenAt: '2026-04-01T09:00:00.000Z',
    },
    {
      subject: 'CN=<b>Proxy</b>',
      issuer: 'CN=Root',
      sha256: 'cd'.repeat(32),
      notAfter: '2030-01-01T00:00:00.000Z',
      kind: 'unknown',
      firstSeenAt: '2026-04-02T09:00:00.000Z',
    },
  ],
};

const open = async (platform: 'android' | 'ios', caReport: DeviceCaReportDto | null, locale: 'ja' | 'en' = 'en') => {
  const detail: DeviceDetailDto = {
    device: sampleDevice(1, { platform }),
    agentActions: [],
    channels: [],
    commands: [],
    claimConflicts: [],
    caReport,
  };
  const wrapper = mount(DeviceDetailDrawer, {
    props: { open: true, loading: false, phone: false, busy: null, pushResult: null, detail },
    global: { plugins: [createTestI18n(locale)], provide: { [API_KEY as symbol]: API } },
    attachTo: document.body,
  });
  await nextTick();
  return { wrapper, section: document.querySelector('[data-testid="device-ca-certificates"]') as HTMLElement | null };
};

describe('the CA certificates of an Android device', () => {
  it('flags every CA but the office CA and says the user must remove it, since that needs a device owner', async () => {
    const { wrapper, section } = await open('android', report);
    const certs = [...document.querySelectorAll('[data-testid="device-ca-certificate"]')] as HTMLElement[];
    expect(certs.map((c) => c.dataset.kind)).toEqual(['office', 'unknown']);
    expect(certs[0]?.textContent).toContain('Office CA');
    expect(certs[1]?.textContent).toContain('Unknown CA');
    // Device-reported text is text.
    expect(certs[1]?.textContent).toContain('CN=<b>Proxy</b>');
    expect(section?.querySelector('b')).toBeNull();
    expect(certs[1]?.textContent).toContain(`SHA-256 ${Array(32).fill('CD').join(':')}`);
    const alert = document.querySelector('[data-testid="device-ca-unknown"]') as HTMLElement;
    expect(alert.textContent).toContain('An unknown CA certificate is installed');
    expect(alert.textContent).toContain('device owner (Android Enterprise)');
    expect(alert.textContent).toContain('Trusted credentials > User');
    expect(document.querySelector('[data-testid="device-ca-office-missing"]')).toBeNull();
    wrapper.unmount();
  });

  it('speaks Japanese, and says when the office CA is missing', async () => {
    const { wrapper } = await open(
      'android',
      {
        ...report,
        officeCaInstalled: false,
        certificates: report.certificates.slice(1),
      },
      'ja',
    );
    expect(document.querySelector('[data-testid="device-ca-unknown"]')?.textContent).toContain(
      '不明な CA 証明書がインストールされています',
    );
    expect(document.querySelector('[data-testid="device-ca-unknown"]')?.textContent).toContain('デバイスオーナー');
    expect(document.querySelector('[data-testid="device-ca-office-missing"]')?.textContent).toContain(
      '社内 CA がインストールされていません',
    );
    wrapper.unmount();
  });

  it('says when nothing was reported yet, and is not shown for Apple devices', async () => {
    const android = await open('android', null);
    expect(android.section?.textContent).toContain('has not reported');
    android.wrapper.unmount();
    const apple = await open('ios', null);
    expect(apple.section).toBeNull();
    apple.wrapper.unmount();
  });
});
