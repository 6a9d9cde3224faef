// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import type { DeviceDto, InvitationDto } from '../../server/contract/index.js';
import { createAppI18n } from '../i18n/index.js';
import ConfirmDialog from './ConfirmDialog.vue';
import DeviceActionDialog from './DeviceActionDialog.vue';
import DeviceStatusTag from './DeviceStatusTag.vue';
import InvitationProgress from './InvitationProgress.vue';

function device(n: number, extra: Partial<DeviceDto> = {}): DeviceDto {
  return {
    id: `d${n}`, platform: 'ios', status: 'active', userId: 'u1', userEmail: 'a@example.com', userDisplayName: 'A', udid: null, serialNumber: null, hardwareId: null,
    deviceName: `iPhone ${n}`, model: null, modelName: null, productName: null, osVersion: null, buildVersion: null, enrolledAt: null, lastSeenAt: null,
    statusReason: null, apiLevel: null, manufacturer: null, createdAt: '2026-04-01T00:00:00.000Z', updatedAt: '2026-04-01T00:00:00.000Z', ...extra,
  };
}

const i18n = () => ({ global: { plugins: [createAppI18n('en')] }, attachTo: document.body });
const button = (testId: string) => document.querySelector(`[data-testid="${testId}"]`) as HTMLButtonElement;

async function type(testId: string, value: string): Promise<void> {
  const input = document.querySelector(`input[data-testid="${testId}"], [data-testid="${testId}"] input`) as HTMLInputElement;
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
        ...props, action: 'lock', targets: [device(1), device(2)],
        outcomes: [
          { deviceId: 'd2', label: 'Mac 2', platform: 'macos', ok: true, error: null, pin: '123456' },
          { deviceId: 'd1', label: 'iPhone 1', platform: 'ios', ok: false, error: { code: 'COMMAND_INVALID', message: 'This device is not enrolled in MDM now.' }, pin: null },
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

describe('ConfirmDialog', () => {
  it('emits confirm at once without a word, and only after the word with one', async () => {
    const wrapper = mount(ConfirmDialog, { props: { open: true, title: 'Sure?', confirmLabel: 'Do it', confirmWord: 'WIPE' }, slots: { default: '<p>What happens.</p>' }, ...i18n() });
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
  it.each([
    ['retired (enrollment profile removed)', 'Retired: no longer managed'],
    ['a reason the console does not know', 'a reason the console does not know'],
  ])('words the reason %j as %j, keeping the server’s words as the tooltip', (reason, shown) => {
    const wrapper = mount(DeviceStatusTag, { props: { status: 'inactive', reason }, ...i18n() });
    const el = wrapper.find('[data-testid="device-status-reason"]');
    expect([el.text(), el.attributes('title')]).toEqual([shown, reason]);
    expect(wrapper.text()).toContain('Inactive');
    wrapper.unmount();
  });
});

describe('InvitationProgress', () => {
  it('shows how far a revoked invitation got', () => {
    const invitation = { status: 'revoked', sentAt: 'x', openedAt: 'x', pinVerifiedAt: null, profileDownloadedAt: null, enrolledAt: null } as InvitationDto;
    const wrapper = mount(InvitationProgress, { props: { invitation }, ...i18n() });
    expect(wrapper.text()).toContain('Revoked');
    expect(wrapper.text()).toContain('Got as far as: Opened');
    expect(wrapper.findAll('.seg.done')).toHaveLength(3);
    expect(wrapper.find('[role="img"]').attributes('aria-label')).toBe('Step 3 of 6: Opened');
    wrapper.unmount();
  });
});
