/**
 * The vocabulary of the guided-install step machine: what starts it, the states the UI shows, the events the
 * shell feeds in and the effects it must carry out. Data only; the transitions live in step-machine.ts.
 */
import { type SupportedSettingsPane } from './macos-settings.js';
import { type EnrollmentStatus } from './profiles-status.js';

/** A parsed `tsunagu://enroll?server=…&ca=…&token=…` link (the parser lives in deep-link.ts). */
export interface EnrollLink {
  server: string;
  caSha256: string;
  token: string | null;
}

/** How the helper was started: from a deep link, or with an address the user typed. */
export type HelperStart = { kind: 'deep-link'; link: EnrollLink } | { kind: 'typed'; server: string };

/** A server the user accepted before: its host and the CA fingerprint it showed then. */
export interface RememberedServer {
  host: string;
  caSha256: string;
}

/** Facts about this Mac and user that the shell reads before starting. */
export interface HelperEnvironment {
  /** `sw_vers -productVersion`, e.g. "14.5". */
  macosVersion: string;
  /** Whether the logged-in user is an administrator (installing an MDM profile asks for an admin's password). */
  isAdmin: boolean;
  rememberedServers: readonly RememberedServer[];
  /** How long before `expiresAt` a profile is replaced by a fresh one; defaults to {@link DEFAULT_EXPIRY_MARGIN_MS}. */
  expiryMarginMs?: number;
}

/** Default for {@link HelperEnvironment.expiryMarginMs}: five minutes. */
export const DEFAULT_EXPIRY_MARGIN_MS = 5 * 60_000;

/** How often the shell re-runs `profiles status` while the user installs the profile. */
export const POLL_INTERVAL_MS = 2000;

/** A downloaded enrollment profile: where the shell saved it and when the server stops accepting it (epoch ms). */
export interface DownloadedProfile {
  path: string;
  expiresAt: number;
}

/** What the machine carries from state to state. */
export interface HelperContext {
  /** Normalised server origin, e.g. "https://mdm.example.com:8443". */
  serverUrl: string;
  /** Lower-case host of {@link serverUrl}. */
  host: string;
  /** CA fingerprint the link promised (lower-case hex), or null when the address was typed. */
  expectedCaSha256: string | null;
  /** Single-use token from the link, if any. */
  token: string | null;
  macosVersion: string;
  isAdmin: boolean;
  expiryMarginMs: number;
  rememberedServers: readonly RememberedServer[];
  /** Filled in once the server answered. */
  server: { organisation: string; caSha256: string } | null;
  /** The current profile once downloaded; replaced (never added to) when refreshed. */
  profile: DownloadedProfile | null;
}

/** Ways of signing in. */
export type SignInCredentials =
  | { method: 'password'; email: string; password: string }
  | { method: 'pin'; email: string; pin: string; newPassword: string }
  | { method: 'token'; token: string };

/** Why the server refused a sign-in. */
export type SignInFailure =
  | 'bad-credentials'
  | 'pin-expired'
  | 'token-used'
  | 'locked'
  | 'must-change-password'
  | 'password-rule'
  | 'session-expired'
  | 'directory-unavailable'
  | 'account-refused';

/** Why a start input could not be used. */
export type InvalidAddressReason = 'bad-url' | 'not-https' | 'bad-fingerprint';

/** States the machine can return to with "retry" after the network dropped. */
export type ResumableState = Extract<
  HelperState,
  {
    kind:
      | 'connecting'
      | 'sign-in'
      | 'checking-mac'
      | 'downloading'
      | 'installing'
      | 'refreshing-profile'
      | 'waiting-for-server';
  }
>;

/** Every screen of the helper. Failure states name the next step the UI offers. */
export type HelperState =
  | { kind: 'connecting'; ctx: HelperContext }
  | { kind: 'confirm-server'; ctx: HelperContext; organisation: string; host: string; caSha256: string }
  | { kind: 'sign-in'; ctx: HelperContext; submitting: boolean; error: SignInFailure | null }
  | { kind: 'checking-mac'; ctx: HelperContext }
  | { kind: 'enrolled-elsewhere'; ctx: HelperContext; otherHost: string; next: 'remove-other-then-retry' }
  | { kind: 'admin-needed-warning'; ctx: HelperContext }
  | { kind: 'downloading'; ctx: HelperContext }
  | { kind: 'download-failed'; ctx: HelperContext; next: 'retry' }
  | { kind: 'installing'; ctx: HelperContext; pane: SupportedSettingsPane; expiresAt: number }
  | { kind: 'refreshing-profile'; ctx: HelperContext; voidedPath: string }
  | { kind: 'waiting-for-server'; ctx: HelperContext }
  | { kind: 'enrolled'; ctx: HelperContext; how: 'installed' | 'already-enrolled-here' }
  | { kind: 'cancelled'; ctx: HelperContext | null; reason: 'user' | 'quit' | 'server-rejected'; next: 'start-again' }
  | { kind: 'expired'; ctx: HelperContext; next: 'retry' }
  | { kind: 'network-lost'; ctx: HelperContext; resume: ResumableState; next: 'retry' }
  | { kind: 'certificate-mismatch'; ctx: HelperContext; expected: string; presented: string; next: 'contact-admin' }
  | { kind: 'server-unreachable'; ctx: HelperContext; detail: string; next: 'retry' }
  | { kind: 'status-unreadable'; ctx: HelperContext; detail: string; next: 'retry' }
  | { kind: 'invalid-address'; input: string; reason: InvalidAddressReason; next: 'retype' }
  | { kind: 'unsupported-macos'; macosVersion: string; portalUrl: string | null; next: 'portal-manual-steps' };

/** Inputs to the machine: user actions first, then results the shell reports. */
export type HelperEvent =
  | { type: 'accept-server' }
  | { type: 'reject-server' }
  | { type: 'sign-in-submitted'; credentials: SignInCredentials }
  | { type: 'acknowledge' }
  | { type: 'retry' }
  | { type: 'cancel' }
  | { type: 'quit' }
  | { type: 'connected'; caSha256: string; organisation: string }
  | { type: 'server-unreachable'; detail: string }
  | { type: 'sign-in-ok' }
  | { type: 'sign-in-failed'; reason: SignInFailure }
  | { type: 'enrollment-status'; status: EnrollmentStatus }
  | { type: 'enrollment-status-unreadable'; detail: string }
  | { type: 'profile-downloaded'; path: string; expiresAt: number }
  | { type: 'profile-download-failed'; reason: 'network' | 'session-expired' | 'server-error' }
  | { type: 'tick'; now: number }
  | { type: 'token-update-seen' }
  | { type: 'token-update-not-yet' }
  | { type: 'network-error' }
  | { type: 'tls-fingerprint-mismatch'; presented: string };

/** Messages the shell shows as notifications (it localises them). */
export type NotifyMessage = 'profile-replaced' | 'enrolled' | 'profile-expired';

/** What the shell must do after a transition, in order. */
export type HelperEffect =
  | { kind: 'fetch-server-info'; serverUrl: string }
  | { kind: 'remember-server'; host: string; caSha256: string; organisation: string }
  | { kind: 'sign-in'; credentials: SignInCredentials }
  | { kind: 'read-enrollment-status' }
  | { kind: 'download-profile' }
  | { kind: 'discard-profile'; path: string }
  | { kind: 'open-profile'; path: string }
  | { kind: 'open-settings-pane'; paneIds: readonly string[] }
  | { kind: 'poll-enrollment'; everyMs: number }
  | { kind: 'stop-polling' }
  | { kind: 'check-token-update'; delayMs: number }
  | { kind: 'notify'; message: NotifyMessage }
  | { kind: 'schedule-reminder'; reason: 'unfinished-install' }
  | { kind: 'quit' };

/** A transition's result: the next state and the effects to run. */
export interface Step {
  state: HelperState;
  effects: HelperEffect[];
}
