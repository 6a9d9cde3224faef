/**
 * What the helper's shell needs from macOS. The real implementation (child_process, Electron notifications)
 * lives in the shell; tests and non-mac systems use FakeMacPlatform.
 */

/** Output of a command the platform ran. */
export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A notification shown by the system (already localised by the shell). */
export interface PlatformNotification {
  title: string;
  body: string;
}

/** Position and size of a window on screen, in points. */
export interface WindowBounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The macOS facilities the guided-install helper uses. */
export interface MacPlatform {
  /** Runs `profiles status -type enrollment` (parse stdout with parseProfilesStatus). */
  profilesStatus(): Promise<CommandOutput>;
  /** `sw_vers -productVersion`, trimmed, e.g. "14.5". */
  productVersion(): Promise<string>;
  /** `open <target>`: a downloaded profile's path or a URL such as an `x-apple.systempreferences:` pane id. */
  open(target: string): Promise<CommandOutput>;
  /** Shows a system notification. */
  notify(notification: PlatformNotification): Promise<void>;
  /** Whether the logged-in user is in the admin group. */
  isAdmin(): Promise<boolean>;
  /** Where the System Settings window is, so the helper can sit beside it; null when it is not open. */
  settingsWindowBounds(): Promise<WindowBounds | null>;
}
