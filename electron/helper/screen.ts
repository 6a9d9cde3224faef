// Projects the step machine's state into the screen the helper window shows (server/contract/helper.ts): plain data,
// no paths or tokens, so nothing the renderer should not hold crosses the IPC boundary.
import type { HelperScreen, HelperScreenState } from '../../server/contract/helper.js';
import type { HelperState } from './step-types.js';

/** Facts the shell adds to every screen. */
export interface ScreenFacts {
  macosVersion: string;
  isAdmin: boolean;
  locale: 'ja' | 'en';
  /** A fresh profile replaced an earlier one during this install. */
  replaced: boolean;
}

function stateOf(state: HelperState, facts: ScreenFacts): HelperScreenState {
  switch (state.kind) {
    case 'connecting':
      return { kind: 'connecting', host: state.ctx.host };
    case 'confirm-server':
      return { kind: 'confirm-server', organisation: state.organisation, host: state.host, caSha256: state.caSha256 };
    case 'sign-in':
      return {
        kind: 'sign-in',
        submitting: state.submitting,
        problem: state.error,
        withLinkToken: state.ctx.token !== null,
      };
    case 'checking-mac':
      return { kind: 'checking-mac' };
    case 'enrolled-elsewhere':
      return { kind: 'enrolled-elsewhere', otherHost: state.otherHost };
    case 'admin-needed-warning':
      return { kind: 'admin-needed-warning' };
    case 'downloading':
      return { kind: 'downloading', refreshing: false };
    case 'refreshing-profile':
      return { kind: 'downloading', refreshing: true };
    case 'download-failed':
      return { kind: 'download-failed' };
    case 'installing':
      return {
        kind: 'installing',
        pane: { major: state.pane.major, paneName: state.pane.paneName, buttons: state.pane.buttons },
        expiresAt: state.expiresAt,
        replaced: facts.replaced,
      };
    case 'waiting-for-server':
      return { kind: 'waiting-for-server' };
    case 'enrolled':
      return { kind: 'enrolled', how: state.how };
    case 'cancelled':
      return { kind: 'cancelled', reason: state.reason };
    case 'expired':
      return { kind: 'expired' };
    case 'network-lost':
      return { kind: 'network-lost' };
    case 'certificate-mismatch':
      return { kind: 'certificate-mismatch', expected: state.expected, presented: state.presented };
    case 'server-unreachable':
      return { kind: 'server-unreachable', detail: state.detail };
    case 'status-unreadable':
      return { kind: 'status-unreadable', detail: state.detail };
    case 'invalid-address':
      return { kind: 'enter-address', input: state.input, problem: state.reason };
    case 'unsupported-macos':
      return { kind: 'unsupported-macos', macosVersion: state.macosVersion, portalUrl: state.portalUrl };
  }
}

/** The screen for a state (null: the helper has not started, and asks for the server's address). */
export function screenFor(state: HelperState | null, facts: ScreenFacts): HelperScreen {
  const ctx = state !== null && 'ctx' in state ? state.ctx : null;
  return {
    state: state === null ? { kind: 'enter-address', input: '', problem: null } : stateOf(state, facts),
    server: ctx ? { organisation: ctx.server?.organisation ?? null, host: ctx.host } : null,
    macosVersion: facts.macosVersion,
    isAdmin: facts.isAdmin,
    locale: facts.locale,
  };
}
