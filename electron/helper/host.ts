// The helper's shell logic: it owns the step machine's current state, runs the effects each transition asks for
// (server calls through the pinned client, `profiles status`, opening the profile and System Settings, timers,
// notifications, the login-item reminder) and feeds their results back as events. Everything it touches is
// injected, so the same host runs in the Electron helper and, with the fake platform, in tests and in Chromium.
import type { HelperAction, HelperScreen } from '../../server/contract/helper.js';
import { HelperApiError, type HelperApiClient } from './api-client.js';
import type { MacPlatform, PlatformNotification } from './platform-port.js';
import { parseProfilesStatus } from './profiles-status.js';
import { screenFor } from './screen.js';
import { startHelper, transition } from './step-machine.js';
import type {
  HelperEffect,
  HelperEvent,
  HelperStart,
  HelperState,
  NotifyMessage,
  RememberedServer,
  SignInFailure,
} from './step-types.js';

/** A cancellable timer. */
export interface Timer {
  cancel(): void;
}

/** What the host needs from its surroundings. */
export interface HelperHostDeps {
  platform: MacPlatform;
  /** A /helper/v1 client for a server, pinning whatever CA `pinned` names at the time of each call. */
  clientFor(serverUrl: string, pinned: () => string | null): HelperApiClient;
  /** Servers the user accepted before. */
  servers: { list(): RememberedServer[]; remember(server: RememberedServer & { organisation: string }): void };
  /** Where downloaded profiles are kept until installed. */
  profiles: { save(fileName: string, bytes: Buffer): Promise<string>; discard(path: string): Promise<void> };
  schedule(run: () => void, ms: number): Timer;
  now(): number;
  /** The notification text for a message in the user's language. */
  notificationText(message: NotifyMessage, locale: 'ja' | 'en'): PlatformNotification;
  /** The login item that brings a reminder back until the Mac is enrolled. */
  reminder: { schedule(serverUrl: string): void; clear(): void };
  quit(): void;
  locale: 'ja' | 'en';
  /** Diagnostics (never passwords or tokens). */
  log?(message: string): void;
}

/** The running helper, as its window and tests see it. */
export interface HelperHost {
  /** Starts from a deep link or a typed address; null shows the address screen (`linkProblem`: a refused link). */
  start(start: HelperStart | null, linkProblem?: { input: string }): Promise<void>;
  /** The screen to show now. */
  screen(): HelperScreen;
  /** Takes a user action from the window. */
  send(action: HelperAction): Promise<void>;
  /** Calls `listener` with every new screen; returns the function that stops it. */
  onScreen(listener: (screen: HelperScreen) => void): () => void;
  /** Resolves once no effect is running (tests wait on it). */
  idle(): Promise<void>;
  /** The state machine's current state (tests and diagnostics). */
  state(): HelperState | null;
  /** Stops timers; the host does nothing after it. */
  dispose(): void;
}

const SIGN_IN_FAILURES: Partial<Record<string, SignInFailure>> = {
  SIGN_IN_FAILED: 'bad-credentials',
  VALIDATION_FAILED: 'bad-credentials',
  SIGN_IN_LOCKED: 'locked',
  PIN_LOCKED: 'locked',
  PIN_EXPIRED: 'pin-expired',
  PIN_USED: 'pin-expired',
  LINK_OUTDATED: 'token-used',
  AUTH_PASSWORD_CHANGE_REQUIRED: 'must-change-password',
  PASSWORD_POLICY: 'password-rule',
  DIRECTORY_UNAVAILABLE: 'directory-unavailable',
  DIRECTORY_ACCESS_REVOKED: 'account-refused',
};

/** Builds the host; call {@link HelperHost.start} next. */
export function createHelperHost(deps: HelperHostDeps): HelperHost {
  let state: HelperState | null = null;
  let started: HelperStart | null = null;
  let env = { macosVersion: '', isAdmin: true };
  let addressProblem: { input: string } | null = null;
  let replaced = false;
  let movedOnce = false;
  let session: string | null = null;
  let enrollmentId: string | null = null;
  let client: HelperApiClient | null = null;
  let poll: Timer | null = null;
  const timers = new Set<Timer>();
  const running = new Set<Promise<void>>();
  const listeners = new Set<(screen: HelperScreen) => void>();
  let disposed = false;

  const screen = (): HelperScreen => {
    const s = screenFor(state, { ...env, locale: deps.locale, replaced });
    if (state === null && addressProblem)
      s.state = { kind: 'enter-address', input: addressProblem.input, problem: 'bad-link' };
    return s;
  };
  const emit = () => {
    const s = screen();
    for (const listener of listeners) listener(s);
  };
  const log = (message: string) => deps.log?.(message);

  const ctxOf = () => (state !== null && 'ctx' in state ? state.ctx : null);
  const pin = () => {
    const ctx = ctxOf();
    return ctx?.server?.caSha256 ?? ctx?.expectedCaSha256 ?? null;
  };
  const api = (): HelperApiClient => {
    if (client === null) throw new Error('The helper has no server yet.');
    return client;
  };
  const later = (run: () => void, ms: number) => {
    const timer = deps.schedule(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
    return timer;
  };
  const track = (work: Promise<void>) => {
    const p = work.catch((err: unknown) => log(`helper effect failed: ${(err as Error).message}`));
    running.add(p);
    void p.finally(() => running.delete(p));
  };

  const dispatch = (event: HelperEvent) => {
    if (disposed || state === null) return;
    const step = transition(state, event);
    const before = state;
    state = step.state;
    if (state.kind === 'enrolled' && before.kind !== 'enrolled') deps.reminder.clear();
    // A fresh profile that voids an earlier one: the screen says so from its first frame.
    if (step.effects.some((effect) => effect.kind === 'discard-profile')) replaced = true;
    if (state !== before) emit();
    if (step.effects.length > 0) track(runEffects(step.effects));
  };

  /** Turns a failed call into the event the machine understands, or null when `onHttp` decides. */
  const failureEvent = (err: unknown): HelperEvent | null => {
    if (!(err instanceof HelperApiError)) return { type: 'network-error' };
    if (err.failure.kind === 'network') return { type: 'network-error' };
    if (err.failure.kind === 'tls-mismatch') {
      return { type: 'tls-fingerprint-mismatch', presented: err.failure.presentedCaSha256 };
    }
    return null;
  };

  const signIn = async (effect: Extract<HelperEffect, { kind: 'sign-in' }>) => {
    try {
      const opened = await api().signIn(effect.credentials);
      session = opened.token;
      enrollmentId = null;
      dispatch({ type: 'sign-in-ok' });
    } catch (err) {
      const event = failureEvent(err);
      if (event) return dispatch(event);
      const code = err instanceof HelperApiError && err.failure.kind === 'http' ? err.failure.code : '';
      dispatch({ type: 'sign-in-failed', reason: SIGN_IN_FAILURES[code] ?? 'bad-credentials' });
    }
  };

  const download = async (retried = false): Promise<void> => {
    try {
      if (session === null) return dispatch({ type: 'profile-download-failed', reason: 'session-expired' });
      enrollmentId ??= (await api().openEnrollment(session)).enrollmentId;
      const profile = await api().profile(session, enrollmentId);
      const path = await deps.profiles.save(profile.fileName, Buffer.from(profile.profile, 'base64'));
      // The Mac's clock may be off: the profile expires `validSeconds` from now, whatever the clocks say.
      dispatch({ type: 'profile-downloaded', path, expiresAt: deps.now() + profile.validSeconds * 1000 });
    } catch (err) {
      const event = failureEvent(err);
      if (event)
        return dispatch(
          event.type === 'network-error' ? { type: 'profile-download-failed', reason: 'network' } : event,
        );
      const code = err instanceof HelperApiError && err.failure.kind === 'http' ? err.failure.code : '';
      if (code === 'AUTH_REQUIRED' || code === 'AUTH_PASSWORD_CHANGE_REQUIRED') {
        session = null;
        return dispatch({ type: 'profile-download-failed', reason: 'session-expired' });
      }
      // The enrollment closed meanwhile (abandoned, or closed by the admin): open a new one, once.
      if (!retried && ['ENROLLMENT_CLOSED', 'ENROLLMENT_NOT_FOUND', 'ENROLLMENT_EXPIRED'].includes(code)) {
        enrollmentId = null;
        return download(true);
      }
      log(`profile download refused: ${(err as Error).message}`);
      dispatch({ type: 'profile-download-failed', reason: 'server-error' });
    }
  };

  const readStatus = async () => {
    const out = await deps.platform.profilesStatus();
    if (out.exitCode !== 0) {
      return dispatch({ type: 'enrollment-status-unreadable', detail: out.stderr.trim() || `exit ${out.exitCode}` });
    }
    const parsed = parseProfilesStatus(out.stdout);
    dispatch(
      parsed.ok
        ? { type: 'enrollment-status', status: parsed.status }
        : { type: 'enrollment-status-unreadable', detail: parsed.error },
    );
  };

  const openPane = async (paneIds: readonly string[]) => {
    for (const id of paneIds) {
      const out = await deps.platform.open(id);
      if (out.exitCode === 0) return;
      log(`could not open ${id}: ${out.stderr.trim()}`);
    }
  };

  const stopPolling = () => {
    poll?.cancel();
    if (poll) timers.delete(poll);
    poll = null;
  };

  const startPolling = (everyMs: number) => {
    stopPolling();
    const round = () => {
      poll = later(() => {
        dispatch({ type: 'tick', now: deps.now() });
        if (state?.kind !== 'installing') return;
        track(readStatus().finally(() => state?.kind === 'installing' && poll !== null && round()));
      }, everyMs);
    };
    round();
  };

  const checkTokenUpdate = async () => {
    try {
      if (session === null || enrollmentId === null) return dispatch({ type: 'token-update-not-yet' });
      const status = await api().status(session, enrollmentId);
      dispatch({ type: status.tokenUpdateSeen ? 'token-update-seen' : 'token-update-not-yet' });
    } catch (err) {
      dispatch(failureEvent(err) ?? { type: 'token-update-not-yet' });
    }
  };

  const runEffect = async (effect: HelperEffect): Promise<void> => {
    switch (effect.kind) {
      case 'fetch-server-info':
        try {
          const { info, caSha256 } = await api().serverInfo();
          const moved = canonicalStart(info.server);
          if (moved) return begin(moved);
          dispatch({ type: 'connected', caSha256, organisation: info.organisation });
        } catch (err) {
          const event = failureEvent(err);
          if (event?.type === 'tls-fingerprint-mismatch') return dispatch(event);
          dispatch({ type: 'server-unreachable', detail: (err as Error).message });
        }
        return;
      case 'remember-server':
        deps.servers.remember({ host: effect.host, caSha256: effect.caSha256, organisation: effect.organisation });
        return;
      case 'sign-in':
        return signIn(effect);
      case 'read-enrollment-status':
        return readStatus();
      case 'download-profile':
        return download();
      case 'discard-profile':
        return deps.profiles.discard(effect.path);
      case 'open-profile': {
        const out = await deps.platform.open(effect.path);
        if (out.exitCode !== 0) log(`could not open the profile: ${out.stderr.trim()}`);
        return;
      }
      case 'open-settings-pane':
        return openPane(effect.paneIds);
      case 'poll-enrollment':
        return startPolling(effect.everyMs);
      case 'stop-polling':
        return stopPolling();
      case 'check-token-update':
        if (effect.delayMs <= 0) return checkTokenUpdate();
        later(() => track(checkTokenUpdate()), effect.delayMs);
        return;
      case 'notify':
        return deps.platform.notify(deps.notificationText(effect.message, deps.locale));
      case 'schedule-reminder': {
        const ctx = ctxOf();
        if (ctx) deps.reminder.schedule(ctx.serverUrl);
        return;
      }
      case 'quit':
        return deps.quit();
    }
  };

  const runEffects = async (effects: readonly HelperEffect[]) => {
    for (const effect of effects) {
      if (disposed) return;
      await runEffect(effect);
    }
  };

  /**
   * The same start under the server's own address when the user reached it by another (an IP address, another
   * name): enrollment profiles name that address, and `profiles status` is compared with it. Once per start, so
   * a server cannot send the helper around in circles; the user then confirms the host the server named.
   */
  const canonicalStart = (serverUrl: string): HelperStart | null => {
    const ctx = ctxOf();
    if (ctx === null || started === null || movedOnce) return null;
    let origin: string;
    try {
      const url = new URL(serverUrl);
      if (url.protocol !== 'https:') return null;
      origin = url.origin;
    } catch {
      return null;
    }
    if (origin === ctx.serverUrl) return null;
    movedOnce = true;
    log(`the server names itself ${origin}; continuing there`);
    return started.kind === 'deep-link'
      ? { ...started, link: { ...started.link, server: origin } }
      : { kind: 'typed', server: origin };
  };

  const begin = async (start: HelperStart | null, linkProblem?: { input: string }) => {
    stopPolling();
    started = start;
    addressProblem = linkProblem ?? null;
    session = null;
    enrollmentId = null;
    replaced = false;
    if (start === null) {
      state = null;
      emit();
      return;
    }
    const step = startHelper(start, { ...env, rememberedServers: deps.servers.list() });
    state = step.state;
    const ctx = ctxOf();
    client = ctx ? deps.clientFor(ctx.serverUrl, pin) : null;
    emit();
    track(runEffects(step.effects));
    await Promise.resolve();
  };

  return {
    async start(start, linkProblem) {
      env = { macosVersion: await deps.platform.productVersion(), isAdmin: await deps.platform.isAdmin() };
      movedOnce = false;
      await begin(start, linkProblem);
    },
    screen,
    async send(action) {
      switch (action.type) {
        case 'start':
          movedOnce = false;
          return begin({ kind: 'typed', server: action.server });
        case 'start-again':
          // A link's token is single-use: starting again from a link signs in by hand.
          return begin(started?.kind === 'deep-link' ? { ...started, link: { ...started.link, token: null } } : null);
        case 'sign-in':
          return dispatch({ type: 'sign-in-submitted', credentials: action.credentials });
        case 'reopen-settings':
          if (state?.kind === 'installing') track(openPane(state.pane.paneIds));
          return;
        case 'open-portal':
          if (state?.kind === 'unsupported-macos' && state.portalUrl)
            track(deps.platform.open(state.portalUrl).then(() => undefined));
          return;
        case 'quit':
          if (state === null) return deps.quit();
          return dispatch({ type: 'quit' });
        default:
          return dispatch({ type: action.type });
      }
    },
    onScreen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    state: () => state,
    dispose() {
      disposed = true;
      for (const timer of timers) timer.cancel();
      timers.clear();
      listeners.clear();
    },
  };
}
