// The macOS guided-install helper's window contract: what its screens show and the actions they send. The helper's
// main process runs the step machine (electron/helper/) and projects each state into a HelperScreen; the Vue screens
// (renderer/views/helper/) render it and answer with HelperActions. Plain data only: it crosses the IPC boundary.

/** Why an address (typed or from a link) could not be used. */
export type HelperAddressProblem = 'bad-url' | 'not-https' | 'bad-fingerprint' | 'bad-link';

/** Why the server refused a sign-in. */
export type HelperSignInProblem =
  | 'bad-credentials'
  | 'pin-expired'
  | 'token-used'
  | 'locked'
  | 'must-change-password'
  | 'password-rule'
  | 'session-expired'
  /** The directory could not check a network password: nothing is wrong with it, try again later. */
  | 'directory-unavailable'
  /** The network password is right, but the directory account may no longer sign in here. */
  | 'account-refused';

/** Where the enrollment profile waits on this Mac, and the English names of what the user clicks there. */
export interface HelperSettingsPane {
  /** macOS major version, e.g. 14 or 15. */
  major: number;
  /** "Privacy & Security > Profiles" (13–14) or "General > Device Management" (15 and later), as macOS names it. */
  paneName: string;
  /** Buttons in order; the last one is labelled one of two ways depending on the macOS release. */
  buttons: { continue: string; install: readonly [string, string] };
}

/** One helper screen. Every failure names the next step its button takes. */
export type HelperScreenState =
  | { kind: 'enter-address'; input: string; problem: HelperAddressProblem | null }
  | { kind: 'connecting'; host: string }
  | { kind: 'confirm-server'; organisation: string; host: string; caSha256: string }
  | { kind: 'sign-in'; submitting: boolean; problem: HelperSignInProblem | null; withLinkToken: boolean }
  | { kind: 'checking-mac' }
  | { kind: 'enrolled-elsewhere'; otherHost: string }
  | { kind: 'admin-needed-warning' }
  | { kind: 'downloading'; refreshing: boolean }
  | { kind: 'download-failed' }
  | {
      kind: 'installing';
      pane: HelperSettingsPane;
      /** When the server stops accepting this profile (epoch ms); the screen counts down to it. */
      expiresAt: number;
      /** True after a fresh profile replaced one that was about to expire. */
      replaced: boolean;
    }
  | { kind: 'waiting-for-server' }
  | { kind: 'enrolled'; how: 'installed' | 'already-enrolled-here' }
  | { kind: 'cancelled'; reason: 'user' | 'quit' | 'server-rejected' }
  | { kind: 'expired' }
  | { kind: 'network-lost' }
  | { kind: 'certificate-mismatch'; expected: string; presented: string }
  | { kind: 'server-unreachable'; detail: string }
  | { kind: 'status-unreadable'; detail: string }
  | { kind: 'unsupported-macos'; macosVersion: string; portalUrl: string | null };

/** What every screen can show besides its own state: who the server is, and this Mac's facts. */
export interface HelperScreen {
  state: HelperScreenState;
  /** The organisation and host once the server answered (null before, or on the address screen). */
  server: { organisation: string | null; host: string } | null;
  macosVersion: string;
  /** Whether the logged-in user is an administrator (a standard user needs an admin's name and password). */
  isAdmin: boolean;
  /** The user's language ('ja' or 'en'), from the system; the screens let the user switch. */
  locale: 'ja' | 'en';
}

/** A sign-in the user typed. */
export type HelperCredentials =
  | { method: 'password'; email: string; password: string }
  | { method: 'pin'; email: string; pin: string; newPassword: string };

/** What a screen's buttons send. */
export type HelperAction =
  | { type: 'start'; server: string }
  | { type: 'accept-server' }
  | { type: 'reject-server' }
  | { type: 'sign-in'; credentials: HelperCredentials }
  | { type: 'acknowledge' }
  | { type: 'retry' }
  | { type: 'cancel' }
  | { type: 'start-again' }
  | { type: 'reopen-settings' }
  | { type: 'open-portal' }
  | { type: 'quit' };

/** The helper window's bridge on `window.tsunaguHelper` (the helper preload; a test harness in Chromium). */
export interface HelperBridge {
  /** The screen to show now. */
  screen(): Promise<HelperScreen>;
  /** Sends a user action; resolves once the main process took it (the new screen arrives through onScreen). */
  send(action: HelperAction): Promise<void>;
  /** Calls `listener` with every new screen; returns the function that stops it. */
  onScreen(listener: (screen: HelperScreen) => void): () => void;
}

/** IPC channels of the helper window. */
export type HelperIpcChannel = 'helper:screen' | 'helper:send' | 'helper:screen-changed';
