// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import type { DeviceDto, DeviceReenrollDto, DeviceStatusReason, InvitationDto } from '../../server/contract/index.js';
import en from '../i18n/en.js';
import { createAppI18n } from '../i18n/index.js';
import ja from '../i18n/ja.js';
import { ApiError } from '../api/index.js';
import ConfirmDialog from './ConfirmDialog.vue';
import DeviceActionDialog from './DeviceActionDialog.vue';
import DeviceReenrollDialog from './DeviceReenrollDialog.vue';
import DeviceStatusTag from './DeviceStatusTag.vue';
import DialogShell from './DialogShell.vue';
import InvitationProgress from './InvitationProgress.vue';
import InviteResultList from './InviteResultList.vue';

function device(n: number, extra: Partial<DeviceDto> = {}): DeviceDto {
  return {
    id: `d${n}`,
    platform: 'ios',
    status: 'active',
    userId: 'u1',
    userEmail: 'a@example.com',
    userDisplayName: 'A',
    udid: null,
    serialNumber: null,
    hardwareId: null,
    deviceName: `iPhone ${n}`,
    model: null,
    modelName: null,
    productName: null,
    osVersion: null,
    buildVersion: null,
    enrolledAt: null,
    lastSeenAt: null,
    statusReason: null,
    apiLevel: null,
    manufacturer: null,
    createdAt: '2026-04-01T00:00:00.000Z',
    updatedAt: '2026-04-01T00:00:00.000Z',
    ...extra,
  };
}

const i18n = (locale: 'ja' | 'en' = 'en') => ({
  global: { plugins: [createAppI18n(locale)] },
  attachTo: document.body,
});
const button = (testId: string) => document.querySelector(`[data-testid="${testId}"]`) as HTMLButtonElement;

async function type(testId: string, value: string): Promise<void> {
  const input = document.querySelector(
    `input[data-testid="${testId}"], [data-testid="${testId}"] input`,
  ) as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event('input'));
  await nextTick();
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('DeviceActionDialog', () => {
  const props = { open: true, skipped: [], busy: false, phone: false, outcomes: null, error: null };

  it('does not let a wipe go until the device name is typed', async () => {
    const wrapper = mount(DeviceActionDialog, { props: { ...props, action: 'wipe', targets: [device(1)] }, ...i18n() });
    await nextTick();
    expect(document.body.textContent).toContain('This cannot be undone.');
    expect(button('device-action-confirm').disabled).toBe(true);
    await type('device-wipe-word', 'WIPE');
    expect(button('device-action-confirm').disabled).toBe(true);
    await type('device-wipe-word', 'iphone 1');
    expect(button('device-action-confirm').disabled).toBe(false);
    button('device-action-confirm').click();
    expect(wrapper.emitted('confirm')).toEqual([[{}]]);
    wrapper.unmount();
  });

  it('sends the lock message, and warns about the PIN only when a Mac is among the devices', async () => {
    const wrapper = mount(DeviceActionDialog, { props: { ...props, action: 'lock', targets: [device(1)] }, ...i18n() });
    await nextTick();
    expect(document.body.textContent).not.toContain('6-digit PIN');
    await wrapper.setProps({ targets: [device(1), device(2, { platform: 'macos', deviceName: 'Mac 2' })] });
    expect(document.body.textContent).toContain('A Mac gets a 6-digit PIN');
    await type('device-lock-message', '  Call IT  ');
    button('device-action-confirm').click();
    expect(wrapper.emitted('confirm')).toEqual([[{ message: 'Call IT' }]]);
    wrapper.unmount();
  });

  it('shows each Mac’s PIN and each refusal after sending', async () => {
    const wrapper = mount(DeviceActionDialog, {
      props: {
        ...props,
        action: 'lock',
        targets: [device(1), device(2)],
        outcomes: [
          { deviceId: 'd2', label: 'Mac 2', platform: 'macos', ok: true, error: null, pin: '123456' },
          {
            deviceId: 'd1',
            label: 'iPhone 1',
            platform: 'ios',
            ok: false,
            error: { code: 'COMMAND_INVALID', message: 'This device is not enrolled in MDM now.' },
            pin: null,
          },
        ],
      },
      ...i18n(),
    });
    await nextTick();
    expect(document.querySelector('[data-testid="device-action-pin"]')?.textContent).toBe('123456');
    const failed = document.querySelector('[data-testid="device-action-failed"]')?.textContent ?? '';
    expect(failed).toContain('This command cannot be sent to this device.');
    expect(failed).toContain('This device is not enrolled in MDM now.');
    wrapper.unmount();
  });
});

describe('DialogShell', () => {
  const props = { open: true, title: 'Send?', submitLabel: 'Send', submitTestId: 'shell-submit' };
  const footerButtons = () =>
    [...document.querySelectorAll('.el-dialog__footer button')].map((b) => b.textContent?.trim());

  it('has Cancel and the primary button, which spins while busy and is the only one disabled by submitDisabled', async () => {
    const wrapper = mount(DialogShell, { props: { ...props, submitDisabled: true }, ...i18n() });
    await nextTick();
    expect(footerButtons()).toEqual(['Cancel', 'Send']);
    expect(button('shell-submit').disabled).toBe(true);
    await wrapper.setProps({ submitDisabled: false, busy: true });
    expect(button('shell-submit').classList.contains('is-loading')).toBe(true);
    const cancel = [...document.querySelectorAll('.el-dialog__footer button')][0] as HTMLButtonElement;
    expect(cancel.disabled).toBe(false);
    await wrapper.setProps({ cancelDisabled: true });
    expect(cancel.disabled).toBe(true);
    wrapper.unmount();
  });

  it('emits submit and close from its buttons', async () => {
    const wrapper = mount(DialogShell, { props, ...i18n() });
    await nextTick();
    button('shell-submit').click();
    (document.querySelector('.el-dialog__footer button') as HTMLButtonElement).click();
    expect([wrapper.emitted('submit'), wrapper.emitted('close')]).toEqual([[[]], [[]]]);
    wrapper.unmount();
  });

  it('shows a worded error as it is and a request error in words, and neither once done', async () => {
    const wrapper = mount(DialogShell, {
      props: { ...props, error: 'Fix the rows below.', errorTestId: 'shell-error', closeTestId: 'shell-close' },
      slots: { intro: '<p class="intro">Intro.</p>', default: '<p class="body">Body.</p>' },
      ...i18n(),
    });
    await nextTick();
    const order = () =>
      [...(document.querySelector('.el-dialog__body')?.children ?? [])].map((el) =>
        el.getAttribute('data-testid') === 'shell-error' ? 'error' : el.className,
      );
    expect(document.querySelector('[data-testid="shell-error"]')?.textContent).toContain('Fix the rows below.');
    expect(order()).toEqual(['intro', 'error', 'body']);
    await wrapper.setProps({ error: new ApiError('NETWORK', 'Failed to fetch', 0), errorAt: 'bottom' });
    expect(document.querySelector('[data-testid="shell-error"]')?.textContent).toContain(en.errors.codes.NETWORK);
    expect(order()).toEqual(['intro', 'body', 'error']);
    await wrapper.setProps({ done: true });
    expect(document.querySelector('[data-testid="shell-error"]')).toBeNull();
    expect(footerButtons()).toEqual(['Close']);
    button('shell-close').click();
    expect(wrapper.emitted('close')).toHaveLength(1);
    wrapper.unmount();
  });
});

describe('ConfirmDialog', () => {
  it('emits confirm at once without a word, and only after the word with one', async () => {
    const wrapper = mount(ConfirmDialog, {
      props: { open: true, title: 'Sure?', confirmLabel: 'Do it', confirmWord: 'WIPE' },
      slots: { default: '<p>What happens.</p>' },
      ...i18n(),
    });
    await nextTick();
    expect(document.body.textContent).toContain('What happens.');
    button('confirm-dialog-confirm').click();
    expect(wrapper.emitted('confirm')).toBeUndefined();
    await type('confirm-dialog-word', 'wipe');
    button('confirm-dialog-confirm').click();
    expect(wrapper.emitted('confirm')).toHaveLength(1);
    wrapper.unmount();
  });
});

describe('DeviceStatusTag', () => {
  const codes = Object.keys(en.devices.reasons) as DeviceStatusReason[];

  it.each([
    ['en', en],
    ['ja', ja],
  ] as const)('words every reason code in %s', (locale, messages) => {
    for (const code of codes) {
      const wrapper = mount(DeviceStatusTag, { props: { status: 'inactive', reason: code }, ...i18n(locale) });
      const el = wrapper.find('[data-testid="device-status-reason"]');
      expect([el.text(), el.attributes('data-reason')], code).toEqual([messages.devices.reasons[code], code]);
      wrapper.unmount();
    }
  });

  it.each([
    ['retired', 'Retired: no longer managed'],
    [
      'push_token_gone',
      'Apple no longer knows this device: it was reset or its profile was removed without telling us',
    ],
    ['a_code_from_a_newer_server', 'a_code_from_a_newer_server'],
  ])('shows %j as %j, with the same words as the tooltip', (reason, shown) => {
    const wrapper = mount(DeviceStatusTag, {
      props: { status: 'inactive', reason: reason as DeviceStatusReason },
      ...i18n(),
    });
    const el = wrapper.find('[data-testid="device-status-reason"]');
    expect([el.text(), el.attributes('title')]).toEqual([shown, shown]);
    expect(wrapper.text()).toContain('Inactive');
    wrapper.unmount();
  });

  it('shows no reason line without a reason', () => {
    const wrapper = mount(DeviceStatusTag, { props: { status: 'active', reason: null }, ...i18n() });
    expect(wrapper.find('[data-testid="device-status-reason"]').exists()).toBe(false);
    wrapper.unmount();
  });
});

describe('DeviceReenrollDialog', () => {
  const props = { open: true, busy: false, phone: false, result: null, error: null };
  const text = () => document.body.textContent ?? '';
  const expiresAt = '2026-04-02T09:30:00.000Z';

  it.each([
    [
      'an iPhone',
      device(1),
      'Makes a one-time profile link',
      'The device keeps its entry and its history.',
      'The link works once',
      'Make the link',
    ],
    [
      'an Android 9 phone',
      device(2, { platform: 'android', apiLevel: 28 }),
      'Makes a one-time QR code',
      'The device keeps its entry and its history.',
      'The QR code works once',
      'Make the QR code',
    ],
    [
      'an Android 14 phone',
      device(3, { platform: 'android', apiLevel: 34 }),
      'Makes a one-time QR code',
      'this entry turns Inactive and keeps its history',
      'The QR code works once',
      'Make the QR code',
    ],
  ])(
    'for %s, says what happens before anything is made, then emits confirm',
    async (_what, d, what, entry, once, buttonText) => {
      const wrapper = mount(DeviceReenrollDialog, { props: { ...props, device: d }, ...i18n() });
      await nextTick();
      expect(text()).toContain(`Re-enroll ${d.deviceName}?`);
      for (const part of [what, entry, 'It does not count against the user’s device limit.', once])
        expect(text()).toContain(part);
      expect(button('device-reenroll-confirm').textContent?.trim()).toBe(buttonText);
      button('device-reenroll-confirm').click();
      expect(wrapper.emitted('confirm')).toEqual([[]]);
      wrapper.unmount();
    },
  );

  it('hands over an Apple profile link to copy, to open in Safari on the device', async () => {
    const result: DeviceReenrollDto = {
      profileUrl: 'https://mdm.example:8443/profile/abc',
      agentQr: null,
      agentQrImage: null,
      expiresAt,
    };
    const wrapper = mount(DeviceReenrollDialog, { props: { ...props, device: device(1), result }, ...i18n() });
    await nextTick();
    expect((document.querySelector('input[data-testid="device-reenroll-url"]') as HTMLInputElement).value).toBe(
      result.profileUrl,
    );
    expect(text()).toContain('Open it on iPhone 1 itself, in Safari');
    expect(text()).toContain('It works once, until');
    expect(text()).toContain('Anyone with this link can enroll a device as A. Send it only to them.');
    expect(document.querySelector('[data-testid="device-reenroll-qr"]')).toBeNull();
    expect(document.querySelector('[data-testid="device-reenroll-confirm"]')).toBeNull();
    wrapper.unmount();
  });

  it('shows an Android agent QR code as an image to scan', async () => {
    const result: DeviceReenrollDto = {
      profileUrl: null,
      agentQr: '{"token":"t"}',
      agentQrImage: 'data:image/png;base64,iVBORw0KGgo=',
      expiresAt,
    };
    const wrapper = mount(DeviceReenrollDialog, {
      props: { ...props, device: device(2, { platform: 'android', deviceName: 'Pixel' }), result },
      ...i18n('ja'),
    });
    await nextTick();
    const img = document.querySelector('[data-testid="device-reenroll-qr"]') as HTMLImageElement;
    expect([img.getAttribute('src'), img.getAttribute('alt')]).toEqual([
      result.agentQrImage,
      'Pixel のエージェント登録用 QR コード',
    ]);
    expect(text()).toContain('デバイスで Tsunagu エージェントを開き、このコードを読み取ります。');
    expect(text()).toContain('このコードを読み取れば、誰でも A さんとしてデバイスを登録できます。');
    expect(document.querySelector('[data-testid="device-reenroll-url"]')).toBeNull();
    wrapper.unmount();
  });
});

describe('InviteResultList', () => {
  const skipped = [
    {
      userId: 'u1',
      label: 'Hana <hana@example.com>',
      reason: 'disabled' as const,
      message: 'hana@example.com is disabled.',
    },
    { userId: 'u9', label: null, reason: 'not_found' as const, message: 'No such user.' },
  ];

  it.each([
    ['en', ['Hana <hana@example.com>', 'This user is disabled.'], ['User u9', 'This user no longer exists']],
    ['ja', ['Hana <hana@example.com>', 'このユーザーは無効です。'], ['ユーザー u9', 'このユーザーは存在しません。']],
  ] as const)('words each reason in %s, with the user’s name and email when known', (locale, first, second) => {
    const wrapper = mount(InviteResultList, { props: { skipped }, ...i18n(locale) });
    const rows = wrapper.findAll('[data-testid="invite-skipped-row"]').map((r) => r.text());
    for (const part of first) expect(rows[0]).toContain(part);
    for (const part of second) expect(rows[1]).toContain(part);
    expect(wrapper.text()).not.toContain('No such user.');
    wrapper.unmount();
  });
});

describe('InvitationProgress', () => {
  it('shows how far a revoked invitation got', () => {
    const invitation = {
      status: 'revoked',
      sentAt: 'x',
      openedAt: 'x',
      pinVerifiedAt: null,
      profileDownloadedAt: null,
      enrolledAt: null,
    } as InvitationDto;
    const wrapper = mount(InvitationProgress, { props: { invitation }, ...i18n() });
    expect(wrapper.text()).toContain('Revoked');
    expect(wrapper.text()).toContain('Got as far as: Opened');
    expect(wrapper.findAll('.seg.done')).toHaveLength(3);
    expect(wrapper.find('[role="img"]').attributes('aria-label')).toBe('Step 3 of 6: Opened');
    wrapper.unmount();
  });
});
