import { describe, expect, it } from 'vitest';
import type { SettingLimits, UserSettingsDto } from '../../server/contract/index.js';
import { helperFileProblem, settingsProblems } from './settings.js';

const LIMITS: SettingLimits = {
  pinLength: [6, 8],
  pinValidityHours: [1, 720],
  invitationValidityDays: [1, 90],
  profileValidityMinutes: [5, 60],
  deviceLimitPerUser: [1, 100],
  reminderDays: [1, 90],
  reminderCount: [0, 10],
  agentSilentDays: [7, 365],
};
const GOOD: UserSettingsDto = {
  requirePin: false,
  requirePinForDirectory: false,
  pinLength: 6,
  pinValidityHours: 72,
  invitationValidityDays: 14,
  profileValidityMinutes: 15,
  deviceLimitPerUser: 5,
  reminderDays: [2, 5],
  agentSilentDays: 30,
};

describe('settingsProblems', () => {
  it.each([
    ['the defaults', {}, []],
    ['no reminders', { reminderDays: [] }, []],
    [
      'profile validity below 5 minutes',
      { profileValidityMinutes: 4 },
      [['profileValidityMinutes', 'range', { min: 5, max: 60 }]],
    ],
    [
      'profile validity above 60 minutes',
      { profileValidityMinutes: 61 },
      [['profileValidityMinutes', 'range', { min: 5, max: 60 }]],
    ],
    [
      'a silent Android agent window under a week',
      { agentSilentDays: 6 },
      [['agentSilentDays', 'range', { min: 7, max: 365 }]],
    ],
    [
      'a silent Android agent window over a year',
      { agentSilentDays: 366 },
      [['agentSilentDays', 'range', { min: 7, max: 365 }]],
    ],
    ['a PIN length that is not whole', { pinLength: 6.5 }, [['pinLength', 'range', { min: 6, max: 8 }]]],
    ['reminders out of order', { reminderDays: [5, 2] }, [['reminderDays', 'reminderOrder', {}]]],
    ['the same reminder twice', { reminderDays: [2, 2] }, [['reminderDays', 'reminderOrder', {}]]],
    [
      'a reminder on the day the invitation expires',
      { invitationValidityDays: 5 },
      [['reminderDays', 'reminderBeforeExpiry', { days: 5 }]],
    ],
    ['a reminder day out of range', { reminderDays: [0] }, [['reminderDays', 'range', { min: 1, max: 90 }]]],
    [
      'too many reminders',
      { invitationValidityDays: 90, reminderDays: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] },
      [['reminderDays', 'reminderCount', { max: 10 }]],
    ],
  ] as const)('%s', (_what, change, expected) => {
    const problems = settingsProblems({ ...GOOD, ...change } as UserSettingsDto, LIMITS);
    expect(problems.map((p) => [p.field, p.key, p.params])).toEqual(expected);
  });
});

describe('helperFileProblem', () => {
  const rules = { kinds: ['dmg' as const, 'pkg' as const, 'zip' as const], maxBytes: 1000 };
  it.each([
    ['a disk image', 'Tsunagu Helper.dmg', 10, null],
    ['an upper-case .PKG', 'HELPER.PKG', 10, null],
    ['a zip at the limit', 'helper.zip', 1000, null],
    ['one byte over', 'helper.zip', 1001, 'tooLarge'],
    ['an empty file', 'helper.zip', 0, 'empty'],
    ['an app bundle', 'Tsunagu Helper.app', 10, 'kind'],
    ['no extension', 'helper', 10, 'kind'],
  ])('%s', (_name, name, size, problem) => {
    expect(helperFileProblem({ name, size }, rules)).toBe(problem);
  });
});
