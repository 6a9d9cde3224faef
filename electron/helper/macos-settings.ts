/**
 * Where System Settings keeps the pane that installs an enrollment profile, per macOS version.
 * Pure data: the shell opens the pane ids in order until one works, and the UI names the pane and buttons.
 */

/** The oldest macOS major version the guided install supports (macOS 13 Ventura). */
export const MINIMUM_MACOS_MAJOR = 13;

/**
 * Pane URLs to try, best first: the Profiles extension (macOS 13+), the older preference pane id that
 * System Settings still forwards, then System Settings itself so the user at least lands in the app.
 */
export const PROFILE_PANE_IDS: readonly string[] = [
  'x-apple.systempreferences:com.apple.Profiles-Settings.extension',
  'x-apple.systempreferences:com.apple.preferences.configurationprofiles',
  'x-apple.systempreferences:',
];

/** A macOS version the guided install can walk through. */
export interface SupportedSettingsPane {
  supported: true;
  /** Major version, e.g. 15 for "15.2", 26 for "26.0". */
  major: number;
  /** Where the profile appears, as the user reads it in System Settings (English names). */
  paneName: string;
  /**
   * Buttons the user clicks, in order. The last click is labelled "Install" on some versions and "Enroll"
   * on others (Apple has changed the wording for MDM profiles), so both labels are named, most likely first.
   */
  buttons: { continue: string; install: readonly [string, string] };
  /** Pane URLs to open, in order of preference (see {@link PROFILE_PANE_IDS}). */
  paneIds: readonly string[];
}

/** A version the helper cannot guide: the user is sent to the portal's manual steps. */
export interface UnsupportedSettingsPane {
  supported: false;
  reason: 'too-old' | 'unparseable';
  /** The major version when it could be read. */
  major: number | null;
}

/** Result of {@link settingsPaneFor}. */
export type SettingsPane = SupportedSettingsPane | UnsupportedSettingsPane;

/** Reads the major version of `sw_vers -productVersion` output ("13.6.1" → 13); null when it is not a version. */
export function macosMajor(version: string): number | null {
  const match = /^(\d{1,3})(?:\.\d{1,3}){0,2}$/.exec(version.trim());
  return match?.[1] === undefined ? null : Number(match[1]);
}

/**
 * The System Settings pane, button names and pane ids for a macOS version.
 * 13–14: Privacy & Security > Profiles; 15 and later (including 26): General > Device Management.
 * Versions below 13, and anything that is not a version number, are unsupported.
 */
export function settingsPaneFor(macosVersion: string): SettingsPane {
  const major = macosMajor(macosVersion);
  if (major === null) return { supported: false, reason: 'unparseable', major: null };
  if (major < MINIMUM_MACOS_MAJOR) return { supported: false, reason: 'too-old', major };
  if (major <= 14) {
    return {
      supported: true,
      major,
      paneName: 'Privacy & Security > Profiles',
      buttons: { continue: 'Continue', install: ['Install', 'Enroll'] },
      paneIds: PROFILE_PANE_IDS,
    };
  }
  return {
    supported: true,
    major,
    paneName: 'General > Device Management',
    buttons: { continue: 'Continue', install: ['Enroll', 'Install'] },
    paneIds: PROFILE_PANE_IDS,
  };
}
