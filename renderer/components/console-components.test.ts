// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import type {
  ClaimConflictDto,
  DeviceDetailDto,
  DeviceDto,
  DeviceReenrollDto,
  DeviceStatusReason,
  InvitationDto,
  UserDto,
} from '../../server/contract/index.js';
import en from '../i18n/en.js';
import { createTestI18n } from '../test-support/i18n.js';
import ja from '../i18n/ja.js';
import { API_KEY, ApiError, type Api } from '../api/index.js';
import ConfirmDialog from './ConfirmDialog.vue';
import DeviceActionDialog from './DeviceActionDialog.vue';
import DeviceClaimConflicts from './DeviceClaimConflicts.vue';
import DeviceDetailDrawer from './DeviceDetailDrawer.vue';
import DeviceReassignDialog from './DeviceReassignDialog.vue';
import DeviceReenrollDialog from './DeviceReenrollDialog.vue';
import DeviceStatusTag from './DeviceStatusTag.vue';
import DialogShell from './DialogShell.vue';
import InvitationProgress from './InvitationProgress.vue';
import InviteResultList from './InviteResultList.vue';
import UserPicker from './UserPicker.vue';
import DeviceTable from './DeviceTable.vue';
import { sampleDevice, sampleConflict } from '../test-support/sample-dtos.js';

const device = (n: number, extra: Partial<DeviceDto> = {}): DeviceDto =>
  sampleDevice(n, {
    udid: null,
    serialNumber: null,
    model: null,
    modelName: null,
    productName: null,
    osVersion: null,
    buildVersion: null,
    manufacturer: null,
    ...extra,
  });
const conflict = (n: number, extra: Partial<ClaimConflictDto> = {}): ClaimConflictDto =>
  sampleConflict(n, {
    claimantDisplayName: `Ben ${n}`,
    createdAt: '2026-04-02T09:00:00.000Z',
    lastAttemptAt: '2026-04-02T09:00:00.000Z',
    ...extra,
  });

function user(id: string, extra: Partial<UserDto> = {}): UserDto {
  return {
    id,
    email: `${id}@example.com`,
    displayName: `User ${id}`,
    locale: 'en',
    source: 'local',
    hasPassword: true,
    mustChangePassword: false,
    disabled: false,
    createdAt: '2026-04-01T00:00:00.000Z',
    updatedAt: '2026-04-01T00:00:00.000Z',
    ...extra,
  };
}

/** The API the device detail's configurations section reads: no device has any configuration here. */
const API = { configurations: { ofDevice: () => Promise.resolve([]) } } as unknown as Api;
const i18n = (locale: 'ja' | 'en' = 'en') => ({
  global: { plugins: [createTestI18n(locale)], provide: { [API_KEY as symbol]: API } },
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

describe('DeviceClaimConflicts', () => {
  const owner = 'A';

  it('says who tried to enroll the device, when and how often, and that it still belongs to its user', () => {
    const wrapper = mount(DeviceClaimConflicts, {
      props: {
        owner,
        conflicts: [
          conflict(1),
          conflict(2, {
            claimantDisplayName: null,
            attempts: 3,
            createdAt: '2026-04-01T09:00:00.000Z',
            lastAttemptAt: '2026-04-03T09:00:00.000Z',
          }),
        ],
      },
      ...i18n(),
    });
    expect(wrapper.find('h3').text()).toBe('2 other users tried to enroll this device');
    expect(wrapper.find('[data-testid="device-claim-intro"]').text()).toContain(
      'The enrollment was refused: the device still belongs to A, and nothing on it was changed.',
    );
    const rows = wrapper.findAll('[data-testid="device-claim-conflict"]');
    expect(rows.map((r) => r.attributes('data-claimant'))).toEqual(['b1@example.com', 'b2@example.com']);
    expect(rows[0]?.text()).toContain('Ben 1');
    expect(rows[0]?.text()).toContain('b1@example.com');
    expect(rows[0]?.find('[data-testid="device-claim-when"]').text()).toMatch(/^Tried once, on \d{2}\/04\/2026/);
    // Without a display name the email is the name, shown once.
    expect(rows[1]?.find('[data-testid="device-claim-claimant"]').text()).toBe('b2@example.com');
    expect(rows[1]?.text().split('b2@example.com')).toHaveLength(3); // the name and the Reassign button
    expect(rows[1]?.find('[data-testid="device-claim-when"]').text()).toMatch(
      /^Tried 3 times: first 01\/04\/2026.*, last 03\/04\/2026/,
    );
    wrapper.unmount();
  });

  it('emits the conflict from its Reassign and Dismiss buttons', async () => {
    const c = conflict(1);
    const wrapper = mount(DeviceClaimConflicts, { props: { owner, conflicts: [c] }, ...i18n() });
    const reassign = wrapper.find('[data-testid="device-claim-reassign"]');
    const dismiss = wrapper.find('[data-testid="device-claim-dismiss"]');
    expect([reassign.text(), dismiss.text(), dismiss.attributes('aria-label')]).toEqual([
      'Reassign to Ben 1',
      'Dismiss',
      'Dismiss the attempt by Ben 1',
    ]);
    await reassign.trigger('click');
    await dismiss.trigger('click');
    expect([wrapper.emitted('reassign'), wrapper.emitted('dismiss')]).toEqual([[[c]], [[c]]]);
    wrapper.unmount();
  });

  it('words it in Japanese, and shows names that look like HTML as text', () => {
    const wrapper = mount(DeviceClaimConflicts, {
      props: { owner: '山田 太郎', conflicts: [conflict(1, { claimantDisplayName: '<b>鈴木</b>', attempts: 2 })] },
      ...i18n('ja'),
    });
    expect(wrapper.find('h3').text()).toBe('別のユーザーがこのデバイスを登録しようとしました');
    expect(wrapper.text()).toContain('このデバイスは引き続き 山田 太郎 さんのもので');
    expect(wrapper.text()).toContain('2 回試みました');
    expect(wrapper.find('[data-testid="device-claim-reassign"]').text()).toBe('<b>鈴木</b> さんに割り当て直す');
    expect(wrapper.find('b').exists()).toBe(false);
    wrapper.unmount();
  });
});

describe('DeviceDetailDrawer', () => {
  const base = { open: true, loading: false, phone: false, busy: null, pushResult: null };
  const detail = (d: DeviceDto, claimConflicts: ClaimConflictDto[] = []): DeviceDetailDto => ({
    device: d,
    agentActions: [],
    channels: [],
    commands: [],
    claimConflicts,
  });

  it('shows refused claims before anything else, and asks to reassign to the claimant or to dismiss', async () => {
    const c = conflict(1, { attempts: 2 });
    const wrapper = mount(DeviceDetailDrawer, { props: { ...base, detail: detail(device(1), [c]) }, ...i18n() });
    await nextTick();
    const notice = document.querySelector('[data-testid="device-claim-conflicts"]') as HTMLElement;
    expect(notice.textContent).toContain('Another user tried to enroll this device');
    expect(notice.textContent).toContain('still belongs to A');
    expect(notice.textContent).toContain('Tried 2 times');
    // Above the buttons and the facts.
    const facts = document.querySelector('[data-testid="device-facts"]') as HTMLElement;
    expect(notice.compareDocumentPosition(facts) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    button('device-claim-reassign').click();
    button('device-claim-dismiss').click();
    expect(wrapper.emitted('reassign')).toEqual([[{ userId: 'u2', name: 'Ben 1', email: 'b1@example.com' }]]);
    expect(wrapper.emitted('dismiss-claim')).toEqual([[c]]);
    wrapper.unmount();
  });

  it('says whom a reassigned device waits for, in English and Japanese; not at all for other devices', async () => {
    const waiting = device(1, { reassignedTo: { userId: 'u7', email: 'kato@example.com', displayName: 'Kato <b>' } });
    for (const [locale, text] of [
      ['en', 'Reassigned to Kato <b>: the device moves to them when they enroll it. Until then it stays with A.'],
      ['ja', 'Kato <b> さんに割り当て直し済み'],
    ] as const) {
      const wrapper = mount(DeviceDetailDrawer, { props: { ...base, detail: detail(waiting) }, ...i18n(locale) });
      await nextTick();
      const alert = document.querySelector('[data-testid="device-reassigned"]') as HTMLElement;
      expect(alert.textContent).toContain(text);
      expect(alert.querySelector('b')).toBeNull();
      wrapper.unmount();
    }
    const noEmail = device(2, { reassignedTo: { userId: 'u8', email: 'x@example.com', displayName: null } });
    const wrapper = mount(DeviceDetailDrawer, { props: { ...base, detail: detail(noEmail) }, ...i18n() });
    await nextTick();
    expect(document.querySelector('[data-testid="device-reassigned"]')?.textContent).toContain(
      'Reassigned to x@example.com',
    );
    wrapper.unmount();
    const plain = mount(DeviceDetailDrawer, { props: { ...base, detail: detail(device(3)) }, ...i18n() });
    await nextTick();
    expect(document.querySelector('[data-testid="device-reassigned"]')).toBeNull();
    plain.unmount();
  });

  it.each([
    ['an active device of a user', device(1), true],
    ['a pending device of a user', device(2, { status: 'pending' }), true],
    ['a wiped device (anyone may enroll it)', device(3, { status: 'wiped' }), false],
    ['a device without a user', device(4, { userId: null, userEmail: null, userDisplayName: null }), false],
  ])('offers "Reassign to another user" for %s: %s', async (_what, d, offered) => {
    const wrapper = mount(DeviceDetailDrawer, { props: { ...base, detail: detail(d) }, ...i18n() });
    await nextTick();
    expect(document.querySelector('[data-testid="device-claim-conflicts"]')).toBeNull();
    const reassign = document.querySelector('[data-testid="device-reassign"]') as HTMLButtonElement | null;
    expect(reassign !== null).toBe(offered);
    reassign?.click();
    expect(wrapper.emitted('reassign')).toEqual(offered ? [[null]] : undefined);
    wrapper.unmount();
  });
});

describe('DeviceReassignDialog', () => {
  const props = {
    open: true,
    device: device(1),
    conflicts: [] as ClaimConflictDto[],
    options: [] as UserDto[],
    searching: false,
    busy: false,
    phone: false,
    done: null,
    error: null,
  };
  const text = () => document.body.textContent ?? '';

  it('reassigns to the person behind a refused claim: says the device moves to them when they enroll it', async () => {
    const target = { userId: 'u2', name: 'Ben 1', email: 'b1@example.com' };
    const wrapper = mount(DeviceReassignDialog, {
      props: { ...props, target, conflicts: [conflict(1)] },
      ...i18n(),
    });
    await nextTick();
    expect(text()).toContain('Reassign iPhone 1 to Ben 1?');
    expect(text()).toContain('Ben 1 may then enroll iPhone 1, and it moves to them when they do.');
    expect(text()).toContain('Until then it stays with A, and nothing is sent to the device.');
    expect(text()).toContain('The refused attempts by Ben 1 on this device are cleared.');
    expect(wrapper.findComponent(UserPicker).exists()).toBe(false);
    expect(button('device-reassign-confirm').textContent?.trim()).toBe('Reassign to Ben 1');
    button('device-reassign-confirm').click();
    expect(wrapper.emitted('confirm')).toEqual([[target]]);
    wrapper.unmount();
  });

  it('lets a user be picked, but not the one the device already belongs to', async () => {
    const wrapper = mount(DeviceReassignDialog, {
      props: { ...props, target: null, options: [user('u1'), user('u7')] },
      ...i18n(),
    });
    await nextTick();
    expect(text()).toContain('Reassign iPhone 1 to another user');
    expect(text()).toContain('Choose who may enroll iPhone 1 next.');
    expect(button('device-reassign-confirm').disabled).toBe(true);
    const picker = wrapper.findComponent(UserPicker);
    picker.vm.$emit('search', 'us');
    expect(wrapper.emitted('search')).toEqual([['us']]);

    picker.vm.$emit('picked', [user('u1', { displayName: 'A' })]);
    await nextTick();
    expect(document.querySelector('[data-testid="device-reassign-owner"]')?.textContent).toContain(
      'This device already belongs to A.',
    );
    expect(button('device-reassign-confirm').disabled).toBe(true);

    picker.vm.$emit('picked', [user('u7')]);
    await nextTick();
    expect(document.querySelector('[data-testid="device-reassign-owner"]')).toBeNull();
    expect(document.querySelector('[data-testid="device-reassign-notes"]')?.textContent).toContain(
      'Ask User u7 to enroll the device with their own account',
    );
    // No refused attempt of this user to clear.
    expect(text()).not.toContain('are cleared');
    button('device-reassign-confirm').click();
    expect(wrapper.emitted('confirm')).toEqual([[{ userId: 'u7', name: 'User u7', email: 'u7@example.com' }]]);
    wrapper.unmount();
  });

  it('once done, says whom the device now waits for; a failure shows the code in words', async () => {
    const wrapper = mount(DeviceReassignDialog, {
      props: { ...props, target: null, error: new ApiError('USER_NOT_FOUND', 'Choose an active user.', 404) },
      ...i18n('ja'),
    });
    await nextTick();
    expect(document.querySelector('[data-testid="device-reassign-error"]')?.textContent).toContain(
      ja.errors.codes.USER_NOT_FOUND,
    );
    await wrapper.setProps({ error: null, done: { userId: 'u7', name: '森 由美', email: 'mori@example.com' } });
    expect(text()).toContain('iPhone 1 を割り当て直しました');
    expect(document.querySelector('[data-testid="device-reassign-done"]')?.textContent).toContain(
      '森 由美 さんが iPhone 1 を登録できるようになりました。登録した時点でデバイスが移ります。それまでは A さんのままです。',
    );
    expect(document.querySelector('[data-testid="device-reassign-confirm"]')).toBeNull();
    button('device-reassign-close').click();
    expect(wrapper.emitted('close')).toHaveLength(1);
    wrapper.unmount();
  });
});

describe('DeviceTable', () => {
  const props = { selected: [] as string[] };
  it.each([false, true])('marks devices with refused enrollments waiting for the admin (phone: %s)', async (phone) => {
    const devices = [device(1, { openClaims: 2 }), device(2, { openClaims: 1 }), device(3)];
    const wrapper = mount(DeviceTable, { props: { ...props, devices, phone }, ...i18n() });
    // The table renders its rows after it has measured itself.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await nextTick();
    const rows = [...document.querySelectorAll('[data-testid="device-row"], .device-table .el-table__row')];
    const marks = rows.map((r) => r.querySelector('[data-testid="device-open-claims"]')?.textContent?.trim() ?? null);
    expect(marks).toEqual(['2 refused enrollments', 'Refused enrollment', null]);
    wrapper.unmount();
  });

  it('words the mark in Japanese', async () => {
    const wrapper = mount(DeviceTable, {
      props: { ...props, devices: [device(1, { openClaims: 3 })], phone: true },
      ...i18n('ja'),
    });
    await nextTick();
    expect(document.querySelector('[data-testid="device-open-claims"]')?.textContent?.trim()).toBe('登録拒否 3 件');
    wrapper.unmount();
  });
});
