// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import type { TlsCertificateDto, TlsStatusDto } from '../../server/contract/index.js';
import { createTestI18n } from '../test-support/i18n.js';
import TlsCertificatePanel from './TlsCertificatePanel.vue';
import TlsModeConfirm from './TlsModeConfirm.vue';
import TlsModeSummary from './TlsModeSummary.vue';

const DAY = 86_400_000;

function certificate(names: string[], days = 300): TlsCertificateDto {
  return {
    subject: `CN=${names[0]?.replace(/^\w+( Address)?:/, '') ?? 'x'}`,
    issuer: 'CN=Issuer',
    names,
    notAfter: new Date(Date.now() + days * DAY + 3_600_000).toISOString(),
    fingerprint256: 'AB:CD',
  };
}

const OFFICE: TlsStatusDto = {
  mode: 'office',
  publicName: null,
  deviceBaseUrl: 'https://192.168.1.20:8443',
  officeBaseUrl: 'https://192.168.1.20:8443',
  office: certificate(['DNS:mdm.office.lan', 'IP Address:192.168.1.20']),
  imported: null,
  sharedNames: [],
  caFingerprint256: '01:02',
};

const PUBLIC: TlsStatusDto = {
  ...OFFICE,
  mode: 'public',
  publicName: 'mdm.example.org',
  deviceBaseUrl: 'https://mdm.example.org:8443',
  imported: certificate(['DNS:mdm.example.org'], 20),
};

const i18n = (locale: 'ja' | 'en' = 'en') => ({
  global: { plugins: [createTestI18n(locale)] },
  attachTo: document.body,
});
const byTestId = (testId: string) => document.querySelector(`[data-testid="${testId}"]`);

afterEach(() => {
  document.body.innerHTML = '';
});

describe('TlsModeSummary', () => {
  it('office mode: the office address for links, the trust step, profiles that pin the office CA', () => {
    const wrapper = mount(TlsModeSummary, { props: { status: OFFICE }, ...i18n() });
    expect(byTestId('tls-mode')?.getAttribute('data-mode')).toBe('office');
    expect(byTestId('tls-mode')?.textContent).toBe('Office CA mode');
    expect(byTestId('tls-link-url')?.textContent).toBe('https://192.168.1.20:8443');
    expect(byTestId('tls-office-url')).toBeNull();
    const sees = byTestId('tls-devices-see')?.textContent ?? '';
    expect(sees).toContain('Devices trust the office CA once: the first-visit page walks them through it.');
    expect(sees).toContain('Enrollment profiles carry the office CA and pin it.');
    wrapper.unmount();
  });

  it('public mode: the public name for links, the office address for devices enrolled before, no trust step', () => {
    const wrapper = mount(TlsModeSummary, { props: { status: PUBLIC }, ...i18n() });
    expect(byTestId('tls-mode')?.getAttribute('data-mode')).toBe('public');
    expect(document.body.textContent).toContain('A certificate from a public authority for mdm.example.org is in use.');
    expect(byTestId('tls-link-url')?.textContent).toBe('https://mdm.example.org:8443');
    expect(byTestId('tls-office-url')?.textContent).toBe('https://192.168.1.20:8443');
    const sees = byTestId('tls-devices-see')?.textContent ?? '';
    expect(sees).toContain('there is no trust step');
    expect(sees).toContain('New enrollment profiles carry no root certificate and no pinning.');
    expect(sees).toContain('Devices enrolled before keep using the office address');
    expect(byTestId('tls-shared-names')).toBeNull();
    wrapper.unmount();
  });

  it('in Japanese, and warns about an office host name the public certificate covers', () => {
    const wrapper = mount(TlsModeSummary, {
      props: { status: { ...PUBLIC, sharedNames: ['mdm.office.lan'] } },
      ...i18n('ja'),
    });
    expect(byTestId('tls-mode')?.textContent).toBe('公開証明書モード');
    expect(byTestId('tls-devices-see')?.textContent).toContain('信頼の手順は不要です');
    expect(byTestId('tls-shared-names')?.textContent).toContain('mdm.office.lan');
    wrapper.unmount();
  });

  it('says when an imported certificate is stored but not used', () => {
    const wrapper = mount(TlsModeSummary, {
      props: { status: { ...OFFICE, imported: certificate(['IP Address:203.0.113.5']) } },
      ...i18n(),
    });
    expect(byTestId('tls-unused-import')?.textContent).toContain('stored but not used');
    wrapper.unmount();
  });
});

describe('TlsModeConfirm', () => {
  it.each([
    [
      'public',
      OFFICE,
      'tls-public-confirm',
      [
        'Switch to the public certificate?',
        'change at once from https://192.168.1.20:8443 to the certificate’s DNS name',
        'new enrollment profiles carry no root certificate and no pinning',
        'Enrolled devices keep working: they use https://192.168.1.20:8443',
      ],
    ],
    [
      'replace',
      PUBLIC,
      'tls-public-confirm',
      ['Replace the public certificate?', 'devices enrolled under mdm.example.org'],
    ],
    [
      'office',
      PUBLIC,
      'tls-generated-confirm',
      [
        'Go back to office CA mode?',
        'use https://192.168.1.20:8443 again',
        'Devices enrolled before the public certificate was in use keep working unchanged.',
        'Devices enrolled while it was in use reach mdm.example.org',
      ],
    ],
  ] as const)('%s: says what changes for links and enrolled devices', async (change, status, testId, lines) => {
    const wrapper = mount(TlsModeConfirm, { props: { open: true, change, status }, ...i18n() });
    await nextTick();
    const dialog = byTestId(testId)?.textContent ?? '';
    for (const line of lines) expect(dialog).toContain(line);
    (byTestId(`${testId}-confirm`) as HTMLButtonElement).click();
    expect(wrapper.emitted('confirm')).toHaveLength(1);
    wrapper.unmount();
  });

  it('in Japanese', async () => {
    const wrapper = mount(TlsModeConfirm, { props: { open: true, change: 'office', status: PUBLIC }, ...i18n('ja') });
    await nextTick();
    expect(byTestId('tls-generated-confirm')?.textContent).toContain('社内 CA モードに戻しますか？');
    wrapper.unmount();
  });
});

describe('TlsCertificatePanel', () => {
  it('shows the names and facts, and warns before an imported certificate expires, saying the admin renews it', () => {
    const wrapper = mount(TlsCertificatePanel, {
      props: { certificate: certificate(['DNS:mdm.example.org'], 20), source: 'imported', testId: 'tls-public' },
      ...i18n(),
    });
    expect(byTestId('tls-public-names')?.textContent).toBe('mdm.example.org');
    expect(byTestId('tls-public-warning')?.textContent).toContain('This certificate expires in 20 days.');
    expect(byTestId('tls-public-warning')?.textContent).toContain('Import a renewed certificate below');
    expect(byTestId('tls-ca-fingerprint')).toBeNull();
    wrapper.unmount();
  });

  it('shows the office CA fingerprint with the office certificate', () => {
    const wrapper = mount(TlsCertificatePanel, {
      props: { certificate: OFFICE.office, source: 'generated', caFingerprint: 'abcd', testId: 'tls-office' },
      ...i18n(),
    });
    expect(byTestId('tls-office-names')?.textContent).toBe('mdm.office.lan192.168.1.20');
    expect(byTestId('tls-ca-fingerprint')?.textContent).toBe('AB:CD');
    expect(byTestId('tls-office-warning')).toBeNull();
    wrapper.unmount();
  });
});
