import { describe, expect, it } from 'vitest';
import type { RestrictionOptionDto } from '../../server/contract/index.js';
import {
  checkDraft,
  emptyDraft,
  fieldOfServerError,
  hostNameOk,
  inputOf,
  restrictionAvailability,
} from './configuration-form.js';

describe('fieldOfServerError', () => {
  it.each([
    ['ssid', 'CONFIGURATION_INVALID', 'ssid'],
    ['settings.password', 'CONFIGURATION_INVALID', 'password'],
    ['settings.name', 'CONFIGURATION_INVALID', 'vpnName'],
    ['name', 'CONFIGURATION_INVALID', 'name'],
    ['values.allowCamera', 'CONFIGURATION_INVALID', 'restrictions'],
    ['assignment.userIds', 'CONFIGURATION_INVALID', 'assignment'],
    ['macChannel', 'CONFIGURATION_INVALID', 'platforms'],
    ['iconBase64', 'CONFIGURATION_INVALID', 'icon'],
    ['maxFailedAttempts', 'CONFIGURATION_INVALID', 'maxFailedAttempts'],
    [undefined, 'CONFIGURATION_SUPERVISION_REQUIRED', 'restrictions'],
    [undefined, 'PROFILE_UPLOAD_REFUSED', 'profile'],
    ['something-else', 'CONFIGURATION_INVALID', null],
    [undefined, 'CONFIGURATION_INVALID', null],
  ])('%s (%s) belongs beside %s', (field, code, expected) => {
    expect(fieldOfServerError(field, code)).toBe(expected);
  });
});

describe('restrictionAvailability', () => {
  const r = (ios: RestrictionOptionDto['ios'], macos: RestrictionOptionDto['macos']): RestrictionOptionDto => ({
    key: 'k',
    default: true,
    ios,
    macos,
  });
  it.each([
    [r('yes', 'yes'), ['ios', 'macos'], 'yes'],
    [r('supervised', 'yes'), ['ios', 'macos'], 'supervised'],
    [r('supervised', 'yes'), ['macos'], 'yes'],
    [r('deprecated', 'no'), ['ios', 'macos'], 'deprecated'],
    [r('deprecated', 'yes'), ['ios', 'macos'], 'yes'],
    [r('no', 'yes'), ['ios'], 'no'],
    [r('yes', 'yes'), ['android'], 'no'],
  ] as const)('%o on %o: %s', (option, platforms, expected) => {
    expect(restrictionAvailability(option, [...platforms])).toBe(expected);
  });
});

describe('hostNameOk', () => {
  it('takes host names, wildcards only before the last two labels, and addresses when asked', () => {
    expect(hostNameOk('radius.example.com')).toBe(true);
    expect(hostNameOk('radius.*.example.com', { wildcards: true })).toBe(true);
    expect(hostNameOk('*.com', { wildcards: true })).toBe(false);
    expect(hostNameOk('*.example.com', { wildcards: true })).toBe(true);
    expect(hostNameOk('radius.example.*', { wildcards: true })).toBe(false);
    expect(hostNameOk('radius.*.example.com')).toBe(false);
    expect(hostNameOk('192.0.2.1', { ip: true })).toBe(true);
    expect(hostNameOk('2001:db8::1', { ip: true })).toBe(true);
    expect(hostNameOk('not a host', { ip: true })).toBe(false);
    expect(hostNameOk('-bad.example.com')).toBe(false);
  });
});

describe('checkDraft and inputOf', () => {
  it('leaves out platforms a kind cannot use and the Mac channel without a Mac', () => {
    const d = emptyDraft('passcode');
    d.name = 'Passcode';
    d.platforms = ['ios', 'android'];
    expect(checkDraft(d, null)).toEqual([]);
    expect(inputOf(d)).toEqual({
      name: 'Passcode',
      platforms: ['ios'],
      assignment: { scope: 'everyone', userIds: [] },
      settings: { kind: 'passcode', requirePasscode: true, allowSimple: true, requireAlphanumeric: false },
    });
  });

  it('refuses Android alone for a kind Android cannot take, and an SSID over 32 bytes', () => {
    const d = emptyDraft('wifi');
    d.name = 'x';
    d.platforms = ['android'];
    d.wifi.security = 'wpa2-enterprise';
    d.wifi.trustedServerNames = 'radius.example.com';
    d.wifi.ssid = 'ネットワーク名がとても長い'; // 13 characters, 39 bytes
    expect(checkDraft(d, null).map((p) => p.field)).toEqual(['platforms', 'ssid']);
  });
});
