import { describe, expect, it } from 'vitest';
import { macosMajor, PROFILE_PANE_IDS, settingsPaneFor } from './macos-settings.js';

describe('settingsPaneFor', () => {
  it('refuses macOS 12.7 as too old', () => {
    expect(settingsPaneFor('12.7')).toEqual({ supported: false, reason: 'too-old', major: 12 });
  });

  it.each(['13.6', '14.5'])('sends %s to Privacy & Security > Profiles', (version) => {
    const pane = settingsPaneFor(version);
    expect(pane.supported).toBe(true);
    if (!pane.supported) return;
    expect(pane.paneName).toBe('Privacy & Security > Profiles');
    expect(pane.buttons).toEqual({ continue: 'Continue', install: ['Install', 'Enroll'] });
    expect(pane.paneIds).toEqual(PROFILE_PANE_IDS);
  });

  it.each([
    ['15.2', 15],
    ['26.0', 26],
  ])('sends %s to General > Device Management', (version, major) => {
    const pane = settingsPaneFor(version);
    expect(pane).toMatchObject({ supported: true, major, paneName: 'General > Device Management' });
    if (!pane.supported) return;
    expect(pane.buttons.install).toEqual(['Enroll', 'Install']);
  });

  it('tries the Profiles extension, then the old pane id, then System Settings itself', () => {
    expect(PROFILE_PANE_IDS).toEqual([
      'x-apple.systempreferences:com.apple.Profiles-Settings.extension',
      'x-apple.systempreferences:com.apple.preferences.configurationprofiles',
      'x-apple.systempreferences:',
    ]);
  });

  it.each(['', 'fourteen', '14.', '14.5.1.2', '-14'])('treats %j as unparseable', (version) => {
    expect(settingsPaneFor(version)).toEqual({ supported: false, reason: 'unparseable', major: null });
  });

  it('reads three-part versions and surrounding whitespace', () => {
    expect(macosMajor(' 13.6.1\n')).toBe(13);
  });
});
