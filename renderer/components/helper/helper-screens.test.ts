// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import type { HelperAction, HelperBridge, HelperScreen, HelperSettingsPane } from '../../../server/contract/helper.js';
import { createTestI18n } from '../../test-support/i18n.js';
import HelperView from '../../views/HelperView.vue';
import CertificateMismatchScreen from './CertificateMismatchScreen.vue';
import ConfirmServerScreen from './ConfirmServerScreen.vue';
import InstallingScreen from './InstallingScreen.vue';
import SignInScreen from './SignInScreen.vue';

const SONOMA: HelperSettingsPane = {
  major: 14,
  paneName: 'Privacy & Security > Profiles',
  buttons: { continue: 'Continue', install: ['Install', 'Enroll'] },
};
const SEQUOIA: HelperSettingsPane = {
  major: 15,
  paneName: 'General > Device Management',
  buttons: { continue: 'Continue', install: ['Enroll', 'Install'] },
};
const CA = '3f9a1c0d5e7b2a4f6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d';

const i18n = (locale: 'ja' | 'en' = 'en') => ({
  global: { plugins: [createTestI18n(locale)] },
  attachTo: document.body,
});
const byTestId = (testId: string) => document.querySelector(`[data-testid="${testId}"]`) as HTMLElement | null;
const text = (testId: string) => byTestId(testId)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const buttons = () => [...document.querySelectorAll('button')].map((b) => b.textContent?.trim());

async function type(testId: string, value: string): Promise<void> {
  const input = document.querySelector(
    `input[data-testid="${testId}"], [data-testid="${testId}"] input`,
  ) as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event('input'));
  await nextTick();
}

async function submit(testId: string): Promise<void> {
  (document.querySelector(`form[data-testid="${testId}"]`) as HTMLFormElement).dispatchEvent(
    new Event('submit', { cancelable: true }),
  );
  // The form item shows its error after a watcher and a render.
  await flushPromises();
  await nextTick();
}

afterEach(() => {
  vi.useRealTimers();
  document.body.innerHTML = '';
});

describe('InstallingScreen', () => {
  const props = { pane: SONOMA, replaced: false, isAdmin: true, busy: false };

  it('counts down every second and announces only whole minutes', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(1_000_000);
    const wrapper = mount(InstallingScreen, { props: { ...props, expiresAt: 1_000_000 + 125_000 }, ...i18n() });
    await nextTick();
    expect(text('installing-countdown')).toBe('02:05');
    expect(text('installing-countdown-live')).toBe('3 minutes left to install the profile');
    expect(byTestId('installing-countdown-live')?.getAttribute('aria-live')).toBe('polite');
    vi.advanceTimersByTime(1_000);
    await nextTick();
    expect(text('installing-countdown')).toBe('02:04');
    expect(text('installing-countdown-live')).toBe('3 minutes left to install the profile');
    vi.advanceTimersByTime(4_000);
    await nextTick();
    expect(text('installing-countdown')).toBe('02:00');
    expect(text('installing-countdown-live')).toBe('2 minutes left to install the profile');
    vi.advanceTimersByTime(200_000);
    await nextTick();
    expect(text('installing-countdown')).toBe('00:00');
    wrapper.unmount();
  });

  it.each([
    [
      SONOMA,
      [
        'In System Settings, open “Privacy & Security > Profiles”.',
        'In the “Downloaded” section, double-click the “Tsunagu” profile.',
        'Click “Continue”.',
        'Click “Install” (on some macOS versions it is called “Enroll”).',
      ],
    ],
    [
      SEQUOIA,
      [
        'In System Settings, open “General > Device Management”.',
        'Click “Profile Downloaded” in the sidebar (or double-click the “Tsunagu” profile in “General > Device Management”).',
        'Click “Continue”.',
        'Click “Enroll” (on some macOS versions it is called “Install”).',
      ],
    ],
  ])('names the pane and the buttons of macOS %#', async (pane, steps) => {
    const wrapper = mount(InstallingScreen, { props: { ...props, pane, expiresAt: Date.now() + 60_000 }, ...i18n() });
    const items = [...document.querySelectorAll('[data-testid="installing-steps"] > li')].map((li) =>
      li.textContent?.replace(/\s+/g, ' ').trim(),
    );
    expect(items.slice(0, 4)).toEqual(steps);
    expect(items).toHaveLength(5);
    wrapper.unmount();
  });

  it('adds the Japanese macOS names in Japanese', async () => {
    const wrapper = mount(InstallingScreen, {
      props: { ...props, pane: SEQUOIA, expiresAt: Date.now() + 60_000 },
      ...i18n('ja'),
    });
    const steps = text('installing-steps');
    expect(steps).toContain('「システム設定」で「一般 > デバイス管理」（“General > Device Management”）を開きます。');
    expect(steps).toContain('「続ける」（“Continue”）をクリックします。');
    expect(steps).toContain(
      '「登録」（“Enroll”）をクリックします（macOS のバージョンによっては「インストール」（“Install”）',
    );
    wrapper.unmount();
  });

  it('warns a standard user before the password step, says when the profile was replaced, and reopens Settings', async () => {
    const wrapper = mount(InstallingScreen, {
      props: { ...props, isAdmin: false, replaced: true, expiresAt: Date.now() + 60_000 },
      ...i18n(),
    });
    const step5 = document.querySelector('[data-testid="installing-steps"] > li:last-child') as HTMLElement;
    expect(step5.firstElementChild?.getAttribute('data-testid')).toBe('installing-password-warning');
    expect(step5.textContent).toContain('You are a standard user: your administrator must type them.');
    expect(text('installing-replaced')).toContain('Use the newest profile.');
    byTestId('installing-reopen')?.click();
    byTestId('helper-cancel')?.click();
    expect(wrapper.emitted('send')).toEqual([[{ type: 'reopen-settings' }], [{ type: 'cancel' }]]);
    wrapper.unmount();
  });
});

describe('SignInScreen', () => {
  const props = { submitting: false, problem: null, withLinkToken: false };

  it('does not send an incomplete form', async () => {
    const wrapper = mount(SignInScreen, { props, ...i18n() });
    await submit('sign-in-form');
    expect(wrapper.emitted('send')).toBeUndefined();
    await vi.waitFor(() => expect(document.body.textContent).toContain('Fill in this field.'));
    await type('sign-in-email', 'hanako@example.com');
    await type('sign-in-password', 'secret');
    await submit('sign-in-form');
    expect(wrapper.emitted('send')).toEqual([
      [{ type: 'sign-in', credentials: { method: 'password', email: 'hanako@example.com', password: 'secret' } }],
    ]);
    wrapper.unmount();
  });

  it('signs in with a one-time PIN and a new password typed twice', async () => {
    const wrapper = mount(SignInScreen, { props, ...i18n() });
    (byTestId('method-pin')?.querySelector('input') as HTMLInputElement).click();
    await nextTick();
    expect(byTestId('sign-in-password')).toBeNull();
    await type('sign-in-email', 'hanako@example.com');
    await type('sign-in-pin', '123456');
    await type('sign-in-new-password', 'a good long password');
    await type('sign-in-confirm', 'a good long passwort');
    await submit('sign-in-form');
    await vi.waitFor(() => expect(document.body.textContent).toContain('The two passwords are different.'));
    expect(wrapper.emitted('send')).toBeUndefined();
    await type('sign-in-confirm', 'a good long password');
    await submit('sign-in-form');
    expect(wrapper.emitted('send')).toEqual([
      [
        {
          type: 'sign-in',
          credentials: {
            method: 'pin',
            email: 'hanako@example.com',
            pin: '123456',
            newPassword: 'a good long password',
          },
        },
      ],
    ]);
    wrapper.unmount();
  });

  it('says why the server refused, and turns to the PIN form when a new password is needed', async () => {
    const wrapper = mount(SignInScreen, { props, ...i18n() });
    await wrapper.setProps({ problem: 'must-change-password' });
    expect(text('sign-in-problem')).toContain('You must choose a new password');
    expect(byTestId('sign-in-pin')).not.toBeNull();
    wrapper.unmount();
  });

  it('shows only the invitation-link message while the link signs in', () => {
    const wrapper = mount(SignInScreen, { props: { ...props, submitting: true, withLinkToken: true }, ...i18n() });
    expect(text('sign-in-link')).toBe('Signing you in with your invitation link…');
    expect(byTestId('sign-in-form')).toBeNull();
    wrapper.unmount();
  });
});

describe('the server screens', () => {
  it('shows the CA fingerprint in groups of four and sends accept or reject', () => {
    const wrapper = mount(ConfirmServerScreen, {
      props: { organisation: 'Sample <b>Co</b>', host: 'enroll.example.com', caSha256: CA, busy: false },
      ...i18n(),
    });
    expect(text('confirm-fingerprint')).toBe(
      '3F9A 1C0D 5E7B 2A4F 6C8D 0E1F 2A3B 4C5D 6E7F 8091 A2B3 C4D5 E6F7 0819 2A3B 4C5D',
    );
    expect(text('confirm-organisation')).toBe('Sample <b>Co</b>');
    byTestId('confirm-accept')?.click();
    byTestId('confirm-reject')?.click();
    expect(wrapper.emitted('send')).toEqual([[{ type: 'accept-server' }], [{ type: 'reject-server' }]]);
    wrapper.unmount();
  });

  it('offers no way forward on a certificate mismatch, only Close', () => {
    const other = CA.replace('6e7f8091', '00000000');
    const wrapper = mount(CertificateMismatchScreen, { props: { expected: CA, presented: other }, ...i18n() });
    expect(buttons()).toEqual(['Close']);
    expect(
      [...document.querySelectorAll('[data-testid="mismatch-presented"] .differs')].map((g) => g.textContent),
    ).toEqual(['0000', '0000']);
    byTestId('helper-close')?.click();
    expect(wrapper.emitted('send')).toEqual([[{ type: 'quit' }]]);
    wrapper.unmount();
  });
});

describe('HelperView', () => {
  function withBridge(screen: HelperScreen | null) {
    const sent: HelperAction[] = [];
    const bridge: HelperBridge = {
      screen: async () => screen as HelperScreen,
      send: async (action) => {
        sent.push(action);
      },
      onScreen: () => () => undefined,
    };
    if (screen) window.tsunaguHelper = bridge;
    else delete window.tsunaguHelper;
    return sent;
  }

  it('shows the Mac’s language and screen, focuses its heading, and sends what the buttons say', async () => {
    const sent = withBridge({
      state: { kind: 'expired' },
      server: { organisation: 'Sample Co', host: 'enroll.example.com' },
      macosVersion: '14.6',
      isAdmin: true,
      locale: 'ja',
    });
    const plugin = createTestI18n('en');
    const wrapper = mount(HelperView, { global: { plugins: [createPinia(), plugin] }, attachTo: document.body });
    await vi.waitFor(() => expect(text('helper-heading')).toBe('プロファイルの有効期限が切れました'));
    await vi.waitFor(() => expect(document.activeElement?.id).toBe('helper-heading'));
    expect(text('helper-server')).toContain('enroll.example.com');
    byTestId('helper-retry')?.click();
    expect(sent).toEqual([{ type: 'retry' }]);
    wrapper.unmount();
    delete window.tsunaguHelper;
  });

  it('says the page only works in the helper app when there is no bridge', async () => {
    withBridge(null);
    const wrapper = mount(HelperView, {
      global: { plugins: [createPinia(), createTestI18n('en')] },
      attachTo: document.body,
    });
    await vi.waitFor(() => expect(text('helper-unavailable')).toContain('only works inside the Tsunagu Helper app'));
    wrapper.unmount();
  });
});
