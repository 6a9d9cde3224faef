import { describe, expect, it } from 'vitest';
import type { DeviceDto } from '../../server/contract/index.js';
import {
  actionApplies,
  actionOutcomes,
  canReassign,
  canReenroll,
  canRevokeAgentToken,
  chartBars,
  claimantTarget,
  confirmationMatches,
  deviceLabel,
  isPendingCommand,
  ownerName,
  reenrollKeepsEntry,
  splitByAction,
  userTarget,
  wipeConfirmationWord,
  type DeviceAction,
} from './device-view.js';
import { sampleDevice } from '../test-support/sample-dtos.js';
const device = sampleDevice;

describe('deviceLabel', () => {
  it.each([
    [{}, 'iPhone 1'],
    [{ deviceName: null }, 'iPhone'],
    [{ deviceName: null, modelName: null }, 'iPhone15,2'],
    [{ deviceName: null, modelName: null, productName: null }, 'SN1'],
    [{ deviceName: null, modelName: null, productName: null, serialNumber: null, udid: null }, 'd1'],
  ] as const)('%j is called %s', (extra, label) => {
    expect(deviceLabel(device(1, extra))).toBe(label);
  });
});

describe('actionApplies', () => {
  const table: [DeviceDto['status'], Record<DeviceAction, boolean>][] = [
    ['active', { lock: true, retire: true, wipe: true, delete: true }],
    ['pending', { lock: false, retire: true, wipe: false, delete: true }],
    ['reset', { lock: false, retire: true, wipe: false, delete: true }],
    ['inactive', { lock: false, retire: false, wipe: false, delete: true }],
    ['wiped', { lock: false, retire: false, wipe: false, delete: true }],
  ];
  it.each(table)('a device that is %s', (status, expected) => {
    for (const [action, applies] of Object.entries(expected))
      expect(actionApplies({ status }, action as DeviceAction), action).toBe(applies);
  });

  it('splits a selection into targets and the devices left out', () => {
    const { targets, skipped } = splitByAction([device(1), device(2, { status: 'inactive' }), device(3)], 'wipe');
    expect([targets.map((d) => d.id), skipped.map((d) => d.id)]).toEqual([['d1', 'd3'], ['d2']]);
  });
});

describe('the wipe confirmation', () => {
  it.each([
    [[{ deviceName: '山田の iPhone' }], '山田の iPhone'],
    [[{ deviceName: '  Mac 4 ' }], 'Mac 4'],
    [[{ deviceName: null }], 'WIPE'],
    [[{ deviceName: 'a' }, { deviceName: 'b' }], 'WIPE'],
  ] as const)('%j asks for %s', (devices, word) => {
    expect(wipeConfirmationWord([...devices])).toBe(word);
  });

  it.each([
    ['WIPE', 'WIPE', true],
    [' wipe ', 'WIPE', true],
    ['ＷＩＰＥ', 'WIPE', true],
    ['wip', 'WIPE', false],
    ['山田の  iPhone', '山田の iPhone', true],
    ['', '', false],
  ] as const)('%j matches %j: %s', (typed, word, ok) => {
    expect(confirmationMatches(typed, word)).toBe(ok);
  });
});

describe('actionOutcomes', () => {
  it('names each device and keeps the PIN of a Mac and the error of a refusal', () => {
    const mac = device(2, { platform: 'macos', deviceName: 'Mac 2' });
    const out = actionOutcomes(
      {
        results: [
          { deviceId: 'd1', ok: true, commandUuid: 'c1', pin: null },
          { deviceId: 'd2', ok: true, commandUuid: 'c2', pin: '123456' },
          { deviceId: 'd9', ok: false, error: { code: 'DEVICE_NOT_FOUND', message: 'No device has this id.' } },
        ],
      },
      [device(1), mac],
    );
    expect(out).toEqual([
      { deviceId: 'd1', label: 'iPhone 1', platform: 'ios', ok: true, error: null, pin: null },
      { deviceId: 'd2', label: 'Mac 2', platform: 'macos', ok: true, error: null, pin: '123456' },
      {
        deviceId: 'd9',
        label: 'd9',
        platform: null,
        ok: false,
        error: { code: 'DEVICE_NOT_FOUND', message: 'No device has this id.' },
        pin: null,
      },
    ]);
  });
});

describe('chartBars', () => {
  it('scales to the busiest day', () => {
    expect(
      chartBars([
        { day: '2026-04-01', count: 0 },
        { day: '2026-04-02', count: 2 },
        { day: '2026-04-03', count: 4 },
      ]),
    ).toEqual({
      bars: [
        { day: '2026-04-01', count: 0, percent: 0 },
        { day: '2026-04-02', count: 2, percent: 50 },
        { day: '2026-04-03', count: 4, percent: 100 },
      ],
      max: 4,
      total: 6,
    });
  });

  it('keeps an empty month flat', () => {
    expect(chartBars([{ day: '2026-04-01', count: 0 }])).toEqual({
      bars: [{ day: '2026-04-01', count: 0, percent: 0 }],
      max: 0,
      total: 0,
    });
  });
});

describe('re-enrollment', () => {
  it.each([
    ['ios', null, true],
    ['macos', null, true],
    ['android', 28, true],
    ['android', 26, true],
    ['android', 29, false],
    ['android', 34, false],
    ['android', null, false],
  ] as const)('a %s device at API level %s keeps its entry: %s', (platform, apiLevel, keeps) => {
    expect(reenrollKeepsEntry({ platform, apiLevel })).toBe(keeps);
  });

  it('is offered for a device with a user, whatever its platform and status', () => {
    expect([
      canReenroll(device(1)),
      canReenroll(device(2, { status: 'wiped', platform: 'android' })),
      canReenroll(device(3, { userId: null })),
    ]).toEqual([true, true, false]);
  });
});

describe('canRevokeAgentToken', () => {
  const table: [DeviceDto['platform'], DeviceDto['status'], boolean][] = [
    ['android', 'active', true],
    ['android', 'pending', true],
    ['android', 'reset', true],
    ['android', 'inactive', false],
    ['android', 'wiped', false],
    ['ios', 'active', false],
    ['macos', 'active', false],
  ];
  it.each(table)('a %s device that is %s: %s', (platform, status, offered) => {
    expect(canRevokeAgentToken({ platform, status })).toBe(offered);
  });
});

describe('isPendingCommand', () => {
  it.each([
    ['queued', true],
    ['notnow', true],
    ['sent', false],
    ['acknowledged', false],
    ['error', false],
    ['format_error', false],
    ['cancelled', false],
  ] as const)('a %s command can be cancelled: %s', (status, pending) => {
    expect(isPendingCommand({ status })).toBe(pending);
  });
});

describe('canReassign', () => {
  const table: [DeviceDto['status'], string | null, boolean][] = [
    ['active', 'u1', true],
    ['pending', 'u1', true],
    ['inactive', 'u1', false],
    ['wiped', 'u1', false],
    ['reset', 'u1', false],
    ['active', null, false],
  ];
  it.each(table)('a device that is %s, of user %s: %s', (status, userId, offered) => {
    expect(canReassign({ status, userId })).toBe(offered);
  });
});

describe('reassignment targets and owners', () => {
  it('names the person behind a claim by display name, else email, else id', () => {
    const c = { claimantUserId: 'u2', claimantDisplayName: 'Ben', claimantEmail: 'ben@example.com' };
    expect(claimantTarget(c)).toEqual({ userId: 'u2', name: 'Ben', email: 'ben@example.com' });
    expect(claimantTarget({ ...c, claimantDisplayName: null }).name).toBe('ben@example.com');
    expect(claimantTarget({ ...c, claimantDisplayName: null, claimantEmail: null }).name).toBe('u2');
  });

  it('names a picked user, and the owner of a device', () => {
    expect(userTarget({ id: 'u3', displayName: 'Cleo', email: 'cleo@example.com' })).toEqual({
      userId: 'u3',
      name: 'Cleo',
      email: 'cleo@example.com',
    });
    expect(ownerName(device(1))).toBe('A');
    expect(ownerName(device(1, { userDisplayName: null }))).toBe('a@example.com');
    expect(ownerName(device(1, { userDisplayName: null, userEmail: null }))).toBeNull();
  });
});
