import { describe, expect, it } from 'vitest';
import { testFoundation, TEST_ADMIN } from '../../../tests/helpers/foundation.js';
import { DEFAULT_USER_SETTINGS } from './settings.schemas.js';

describe('user settings', () => {
  it('starts with the defaults (profile validity 15 minutes)', () => {
    const { services } = testFoundation();
    expect(services.settings.userSettings()).toEqual(DEFAULT_USER_SETTINGS);
    expect(services.settings.userSettings().profileValidityMinutes).toBe(15);
  });

  it('saves valid settings and audits only what changed', () => {
    const { services } = testFoundation();
    const next = { ...DEFAULT_USER_SETTINGS, requirePin: true, pinLength: 8, reminderDays: [1, 3, 7] };
    expect(services.settings.updateUserSettings(next, TEST_ADMIN, null)).toEqual(next);
    expect(services.settings.userSettings()).toEqual(next);
    const [event] = services.audit.list({ action: 'settings.updated' }).items;
    expect(Object.keys(event?.details.changed as object).sort()).toEqual(['pinLength', 'reminderDays', 'requirePin']);
    services.settings.updateUserSettings(next, TEST_ADMIN, null);
    expect(services.audit.list({ action: 'settings.updated' }).items).toHaveLength(1);
  });

  it.each([
    [{ pinLength: 5 }, 'pinLength'],
    [{ pinLength: 9 }, 'pinLength'],
    [{ profileValidityMinutes: 4 }, 'profileValidityMinutes'],
    [{ profileValidityMinutes: 61 }, 'profileValidityMinutes'],
    [{ invitationValidityDays: 0 }, 'invitationValidityDays'],
    [{ deviceLimitPerUser: 0 }, 'deviceLimitPerUser'],
    [{ reminderDays: [3, 2] }, 'reminderDays'],
    [{ reminderDays: [2, 2] }, 'reminderDays'],
    [{ reminderDays: [20], invitationValidityDays: 14 }, 'reminderDays'],
    [{ reminderDays: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }, 'reminderDays'],
  ])('refuses %j naming %s, and keeps the old settings', (change, field) => {
    const { services } = testFoundation();
    expect(() =>
      services.settings.updateUserSettings({ ...DEFAULT_USER_SETTINGS, ...change }, TEST_ADMIN, null),
    ).toThrow(expect.objectContaining({ code: 'SETTINGS_INVALID', details: expect.objectContaining({ field }) }));
    expect(services.settings.userSettings()).toEqual(DEFAULT_USER_SETTINGS);
  });
});
