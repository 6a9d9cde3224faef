/**
 * The guided-install helper's step machine: pure and deterministic. {@link startHelper} turns the start input
 * into the first step and {@link transition} maps (state, event) to the next state plus effects the shell
 * runs. No I/O, no timers, no clock: time arrives in `tick` events, and the shell sends a tick at least
 * every {@link POLL_INTERVAL_MS} while a profile is waiting to be installed.
 *
 * Order of the flow: connect (pinning the CA) → confirm a first-contact server → sign in → check whether this
 * Mac is enrolled already → warn a non-admin → download → install in System Settings (refreshing the profile
 * near expiry) → wait until the server has seen the device's TokenUpdate → enrolled. Sign-in comes before the
 * Mac check because the server answers enrollment questions only for a signed-in user.
 *
 * Events that make no sense in a state are ignored (same state, no effects). Terminal states (`enrolled`,
 * `cancelled`, `certificate-mismatch`, `invalid-address`, `unsupported-macos`) react only to `quit`.
 */
import { settingsPaneFor } from './macos-settings.js';
import { sameServerHost, type EnrollmentStatus } from './profiles-status.js';
import { normaliseFingerprint, parseServerAddress } from './server-address.js';
import {
  DEFAULT_EXPIRY_MARGIN_MS,
  POLL_INTERVAL_MS,
  type HelperContext,
  type HelperEffect,
  type HelperEnvironment,
  type HelperEvent,
  type HelperStart,
  type HelperState,
  type ResumableState,
  type Step,
} from './step-types.js';

const RESUMABLE: ReadonlySet<HelperState['kind']> = new Set([
  'connecting',
  'sign-in',
  'checking-mac',
  'downloading',
  'installing',
  'refreshing-profile',
  'waiting-for-server',
]);

const TERMINAL: ReadonlySet<HelperState['kind']> = new Set([
  'enrolled',
  'cancelled',
  'certificate-mismatch',
  'invalid-address',
  'unsupported-macos',
]);

/** Whether the helper has finished (successfully or not) and only `quit` still does something. */
export function isTerminal(state: HelperState): boolean {
  return TERMINAL.has(state.kind);
}

function isResumable(state: HelperState): state is ResumableState {
  return RESUMABLE.has(state.kind);
}

function stay(state: HelperState): Step {
  return { state, effects: [] };
}

/**
 * First step for a deep link or a typed address. Checks the macOS version first (older than 13 goes to the
 * portal's manual steps), then the address and the link's CA fingerprint, then asks the shell to connect.
 */
export function startHelper(start: HelperStart, env: HelperEnvironment): Step {
  const input = start.kind === 'deep-link' ? start.link.server : start.server;
  const address = parseServerAddress(input);
  if (!settingsPaneFor(env.macosVersion).supported) {
    const portalUrl = address.ok ? address.serverUrl : null;
    return stay({ kind: 'unsupported-macos', macosVersion: env.macosVersion, portalUrl, next: 'portal-manual-steps' });
  }
  if (!address.ok) return stay({ kind: 'invalid-address', input, reason: address.reason, next: 'retype' });
  let expectedCaSha256: string | null = null;
  if (start.kind === 'deep-link') {
    expectedCaSha256 = normaliseFingerprint(start.link.caSha256);
    if (expectedCaSha256 === null) {
      return stay({ kind: 'invalid-address', input, reason: 'bad-fingerprint', next: 'retype' });
    }
  }
  const ctx: HelperContext = {
    serverUrl: address.serverUrl,
    host: address.host,
    expectedCaSha256,
    token: start.kind === 'deep-link' ? start.link.token : null,
    macosVersion: env.macosVersion,
    isAdmin: env.isAdmin,
    expiryMarginMs: env.expiryMarginMs ?? DEFAULT_EXPIRY_MARGIN_MS,
    rememberedServers: env.rememberedServers,
    server: null,
    profile: null,
  };
  return { state: { kind: 'connecting', ctx }, effects: [{ kind: 'fetch-server-info', serverUrl: ctx.serverUrl }] };
}

/** The effects that (re)start the work of a state: used when entering it and when `retry` resumes it. */
export function resumeStep(state: ResumableState): Step {
  switch (state.kind) {
    case 'connecting':
      return { state, effects: [{ kind: 'fetch-server-info', serverUrl: state.ctx.serverUrl }] };
    case 'sign-in':
      return afterServerAccepted(state.ctx, []);
    case 'checking-mac':
      return { state, effects: [{ kind: 'read-enrollment-status' }] };
    case 'downloading':
    case 'refreshing-profile':
      return { state, effects: [{ kind: 'download-profile' }] };
    case 'installing':
      return { state, effects: [{ kind: 'poll-enrollment', everyMs: POLL_INTERVAL_MS }] };
    case 'waiting-for-server':
      return { state, effects: [{ kind: 'check-token-update', delayMs: 0 }] };
  }
}

/** Sign-in after the server is trusted: straight away with the link's token, else the form. */
function afterServerAccepted(ctx: HelperContext, before: HelperEffect[]): Step {
  if (ctx.token !== null) {
    return {
      state: { kind: 'sign-in', ctx, submitting: true, error: null },
      effects: [...before, { kind: 'sign-in', credentials: { method: 'token', token: ctx.token } }],
    };
  }
  return { state: { kind: 'sign-in', ctx, submitting: false, error: null }, effects: before };
}

function mismatch(ctx: HelperContext, expected: string, presented: string): Step {
  return {
    state: { kind: 'certificate-mismatch', ctx, expected, presented, next: 'contact-admin' },
    effects: [{ kind: 'stop-polling' }],
  };
}

function onConnected(ctx: HelperContext, caSha256: string, organisation: string): Step {
  const presented = normaliseFingerprint(caSha256);
  if (presented === null) return mismatch(ctx, ctx.expectedCaSha256 ?? '', caSha256);
  if (ctx.expectedCaSha256 !== null && ctx.expectedCaSha256 !== presented) {
    return mismatch(ctx, ctx.expectedCaSha256, presented);
  }
  const remembered = ctx.rememberedServers.find((server) => sameServerHost(server.host, ctx.host));
  const known = { ...ctx, server: { organisation, caSha256: presented } };
  if (remembered !== undefined) {
    const rememberedCa = normaliseFingerprint(remembered.caSha256) ?? remembered.caSha256;
    if (rememberedCa !== presented) return mismatch(ctx, rememberedCa, presented);
    return afterServerAccepted(known, []);
  }
  return stay({ kind: 'confirm-server', ctx: known, organisation, host: ctx.host, caSha256: presented });
}

/** Where the Mac check leads: download, the admin warning, success, or a refusal. */
function onStatusChecked(ctx: HelperContext, status: EnrollmentStatus): Step {
  if (!status.enrolled) {
    if (!ctx.isAdmin) return stay({ kind: 'admin-needed-warning', ctx });
    return { state: { kind: 'downloading', ctx }, effects: [{ kind: 'download-profile' }] };
  }
  if (status.serverHost === null) {
    return stay({ kind: 'status-unreadable', ctx, detail: 'enrolled without an MDM server', next: 'retry' });
  }
  if (sameServerHost(status.serverHost, ctx.host)) {
    return {
      state: { kind: 'enrolled', ctx, how: 'already-enrolled-here' },
      effects: [{ kind: 'notify', message: 'enrolled' }],
    };
  }
  return stay({ kind: 'enrolled-elsewhere', ctx, otherHost: status.serverHost, next: 'remove-other-then-retry' });
}

/** A (new) profile arrived: void the previous one, open the new one and System Settings, poll. */
function onProfileDownloaded(state: HelperState & { ctx: HelperContext }, path: string, expiresAt: number): Step {
  const pane = settingsPaneFor(state.ctx.macosVersion);
  if (!pane.supported) {
    return stay({
      kind: 'unsupported-macos',
      macosVersion: state.ctx.macosVersion,
      portalUrl: state.ctx.serverUrl,
      next: 'portal-manual-steps',
    });
  }
  const old = state.ctx.profile;
  const ctx: HelperContext = { ...state.ctx, profile: { path, expiresAt } };
  const effects: HelperEffect[] = [];
  if (old !== null && old.path !== path) effects.push({ kind: 'discard-profile', path: old.path });
  effects.push(
    { kind: 'open-profile', path },
    { kind: 'open-settings-pane', paneIds: pane.paneIds },
    { kind: 'poll-enrollment', everyMs: POLL_INTERVAL_MS },
  );
  if (old !== null) effects.push({ kind: 'notify', message: 'profile-replaced' });
  return { state: { kind: 'installing', ctx, pane, expiresAt }, effects };
}

function onDownloadFailed(state: ResumableState, reason: 'network' | 'session-expired' | 'server-error'): Step {
  const ctx = state.ctx;
  if (reason === 'network') return lostNetwork(state);
  if (reason === 'session-expired') {
    return { state: { kind: 'sign-in', ctx, submitting: false, error: 'session-expired' }, effects: [] };
  }
  return stay({ kind: 'download-failed', ctx, next: 'retry' });
}

function lostNetwork(state: ResumableState): Step {
  return {
    state: { kind: 'network-lost', ctx: state.ctx, resume: state, next: 'retry' },
    effects: [{ kind: 'stop-polling' }],
  };
}

function onInstallingEvent(state: Extract<HelperState, { kind: 'installing' }>, event: HelperEvent): Step {
  const ctx = state.ctx;
  switch (event.type) {
    case 'tick':
      if (event.now >= state.expiresAt) {
        return {
          state: { kind: 'expired', ctx, next: 'retry' },
          effects: [{ kind: 'stop-polling' }, { kind: 'notify', message: 'profile-expired' }],
        };
      }
      if (event.now >= state.expiresAt - ctx.expiryMarginMs) {
        return {
          state: { kind: 'refreshing-profile', ctx, voidedPath: ctx.profile?.path ?? '' },
          effects: [{ kind: 'stop-polling' }, { kind: 'download-profile' }],
        };
      }
      return stay(state);
    case 'enrollment-status': {
      if (!event.status.enrolled) return stay(state);
      const next = onStatusChecked(ctx, event.status);
      if (next.state.kind === 'enrolled') {
        return {
          state: { kind: 'waiting-for-server', ctx },
          effects: [{ kind: 'stop-polling' }, { kind: 'check-token-update', delayMs: 0 }],
        };
      }
      return { state: next.state, effects: [{ kind: 'stop-polling' }, ...next.effects] };
    }
    case 'enrollment-status-unreadable':
      return {
        state: { kind: 'status-unreadable', ctx, detail: event.detail, next: 'retry' },
        effects: [{ kind: 'stop-polling' }],
      };
    default:
      return stay(state);
  }
}

/** Events every live state handles the same way: cancel, quit, a pinned-CA failure, a dropped network. */
function commonTransition(state: HelperState, event: HelperEvent): Step | null {
  if (event.type === 'quit') {
    if (isTerminal(state)) return { state, effects: [{ kind: 'quit' }] };
    const ctx = 'ctx' in state ? state.ctx : null;
    const effects: HelperEffect[] = [{ kind: 'stop-polling' }];
    if (ctx?.profile != null) effects.push({ kind: 'schedule-reminder', reason: 'unfinished-install' });
    effects.push({ kind: 'quit' });
    return { state: { kind: 'cancelled', ctx, reason: 'quit', next: 'start-again' }, effects };
  }
  if (isTerminal(state)) return stay(state);
  if (event.type === 'cancel') {
    const ctx = 'ctx' in state ? state.ctx : null;
    return {
      state: { kind: 'cancelled', ctx, reason: 'user', next: 'start-again' },
      effects: [{ kind: 'stop-polling' }],
    };
  }
  if (event.type === 'tls-fingerprint-mismatch' && 'ctx' in state && state.ctx !== null) {
    const expected = state.ctx.server?.caSha256 ?? state.ctx.expectedCaSha256 ?? '';
    return mismatch(state.ctx, expected, normaliseFingerprint(event.presented) ?? event.presented);
  }
  if (event.type === 'network-error' && isResumable(state)) return lostNetwork(state);
  return null;
}

/** The next state and effects for an event. Pure: the same inputs always give the same step. */
export function transition(state: HelperState, event: HelperEvent): Step {
  const common = commonTransition(state, event);
  if (common !== null) return common;
  switch (state.kind) {
    case 'connecting':
      if (event.type === 'connected') return onConnected(state.ctx, event.caSha256, event.organisation);
      if (event.type === 'server-unreachable') {
        return stay({ kind: 'server-unreachable', ctx: state.ctx, detail: event.detail, next: 'retry' });
      }
      return stay(state);
    case 'confirm-server':
      if (event.type === 'accept-server') {
        return afterServerAccepted(state.ctx, [
          { kind: 'remember-server', host: state.host, caSha256: state.caSha256, organisation: state.organisation },
        ]);
      }
      if (event.type === 'reject-server') {
        return stay({ kind: 'cancelled', ctx: state.ctx, reason: 'server-rejected', next: 'start-again' });
      }
      return stay(state);
    case 'sign-in':
      if (event.type === 'sign-in-submitted' && !state.submitting) {
        return {
          state: { ...state, submitting: true, error: null },
          effects: [{ kind: 'sign-in', credentials: event.credentials }],
        };
      }
      if (event.type === 'sign-in-ok' && state.submitting) {
        return { state: { kind: 'checking-mac', ctx: state.ctx }, effects: [{ kind: 'read-enrollment-status' }] };
      }
      if (event.type === 'sign-in-failed' && state.submitting) {
        // A link token is single-use: after any failure the user signs in by hand.
        return stay({ kind: 'sign-in', ctx: { ...state.ctx, token: null }, submitting: false, error: event.reason });
      }
      return stay(state);
    case 'checking-mac':
      if (event.type === 'enrollment-status') return onStatusChecked(state.ctx, event.status);
      if (event.type === 'enrollment-status-unreadable') {
        return stay({ kind: 'status-unreadable', ctx: state.ctx, detail: event.detail, next: 'retry' });
      }
      return stay(state);
    case 'admin-needed-warning':
      if (event.type === 'acknowledge') return resumeStep({ kind: 'downloading', ctx: state.ctx });
      return stay(state);
    case 'downloading':
    case 'refreshing-profile':
      if (event.type === 'profile-downloaded') return onProfileDownloaded(state, event.path, event.expiresAt);
      if (event.type === 'profile-download-failed') return onDownloadFailed(state, event.reason);
      return stay(state);
    case 'installing':
      return onInstallingEvent(state, event);
    case 'waiting-for-server':
      if (event.type === 'token-update-seen') {
        return {
          state: { kind: 'enrolled', ctx: state.ctx, how: 'installed' },
          effects: [{ kind: 'notify', message: 'enrolled' }],
        };
      }
      if (event.type === 'token-update-not-yet') {
        return { state, effects: [{ kind: 'check-token-update', delayMs: POLL_INTERVAL_MS }] };
      }
      return stay(state);
    case 'network-lost':
      return event.type === 'retry' ? resumeStep(state.resume) : stay(state);
    case 'server-unreachable':
      return event.type === 'retry' ? resumeStep({ kind: 'connecting', ctx: state.ctx }) : stay(state);
    case 'download-failed':
    case 'expired':
      return event.type === 'retry' ? resumeStep({ kind: 'downloading', ctx: state.ctx }) : stay(state);
    case 'status-unreadable':
    case 'enrolled-elsewhere':
      return event.type === 'retry' ? resumeStep({ kind: 'checking-mac', ctx: state.ctx }) : stay(state);
    default:
      return stay(state);
  }
}

/** Runs a sequence of events from a start step, collecting every effect in order (for tests and replay). */
export function runEvents(first: Step, events: readonly HelperEvent[]): Step {
  return events.reduce<Step>(
    (acc, event) => {
      const next = transition(acc.state, event);
      return { state: next.state, effects: [...acc.effects, ...next.effects] };
    },
    { state: first.state, effects: [...first.effects] },
  );
}
