import { describe, expect, it } from 'vitest';
import { clock, fingerprintGroups, japaneseMacosName, minutesLeft, secondsLeft } from './format.js';
import { checkSignIn } from './sign-in.js';

describe('helper formatting', () => {
  it('groups a fingerprint in fours, upper case, ignoring colons and spaces', () => {
    expect(fingerprintGroups('ab:cd:ef:01 23 45 67 89')).toEqual(['ABCD', 'EF01', '2345', '6789']);
    expect(fingerprintGroups('a'.repeat(64))).toHaveLength(16);
  });

  it.each([
    [0, '00:00'],
    [59, '00:59'],
    [61, '01:01'],
    [14 * 60 + 32, '14:32'],
    [3600 + 5, '1:00:05'],
  ])('shows %i seconds as %s', (seconds, text) => {
    expect(clock(seconds)).toBe(text);
  });

  it('counts whole seconds down to zero and rounds minutes up', () => {
    expect(secondsLeft(10_500, 0)).toBe(11);
    expect(secondsLeft(0, 5_000)).toBe(0);
    expect([0, 1, 60, 61, 120].map(minutesLeft)).toEqual([0, 1, 1, 2, 2]);
  });

  it('names panes and buttons in Japanese only when every part is known', () => {
    expect(japaneseMacosName('General > Device Management')).toBe('一般 > デバイス管理');
    expect(japaneseMacosName('Privacy & Security > Profiles')).toBe('プライバシーとセキュリティ > プロファイル');
    expect(japaneseMacosName('Enroll')).toBe('登録');
    expect(japaneseMacosName('General > Something New')).toBeNull();
  });
});

describe('the helper sign-in check', () => {
  const empty = { email: '', password: '', pin: '', newPassword: '', confirm: '' };

  it('needs an email address and a password', () => {
    expect(checkSignIn('password', empty).errors).toEqual({
      email: 'helper.signIn.errors.required',
      password: 'helper.signIn.errors.required',
    });
    expect(checkSignIn('password', { ...empty, email: 'nobody', password: 'x' }).errors).toEqual({
      email: 'helper.signIn.errors.email',
    });
    expect(checkSignIn('password', { ...empty, email: ' a@b.example ', password: 'secret' }).credentials).toEqual({
      method: 'password',
      email: 'a@b.example',
      password: 'secret',
    });
  });

  it('needs a 6-8 digit PIN and a new password of 10 characters typed twice', () => {
    const form = { ...empty, email: 'a@b.example', pin: '12a', newPassword: 'short', confirm: 'other' };
    expect(checkSignIn('pin', form).errors).toEqual({
      pin: 'helper.signIn.errors.pin',
      newPassword: 'helper.signIn.errors.short',
      confirm: 'helper.signIn.errors.mismatch',
    });
    const ok = { ...form, pin: '123 456', newPassword: 'long enough!', confirm: 'long enough!' };
    expect(checkSignIn('pin', ok)).toEqual({
      credentials: { method: 'pin', email: 'a@b.example', pin: '123456', newPassword: 'long enough!' },
      errors: {},
    });
  });
});
