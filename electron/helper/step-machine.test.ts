import { describe, expect, it } from 'vitest';
import { PROFILE_PANE_IDS } from './macos-settings.js';
import { isTerminal, runEvents, startHelper, transition } from './step-machine.js';
import { type EnrollmentStatus } from './profiles-status.js';
import {
  type HelperEnvironment,
  type HelperEvent,
  type HelperStart,
  type HelperState,
  type Step,
} from './step-types.js';

const CA = 'a1'.repeat(32);
const OTHER_CA = 'b2'.repeat(32);
const MINUTE = 60_000;

const link = (token: string | null = null, ca = CA): HelperStart => ({
  kind: 'deep-link',
  link: { server: 'https://mdm.example.com:8443', caSha256: ca, token },
});
const env = (over: Partial<HelperEnvironment> = {}): HelperEnvironment => ({
  macosVersion: '14.5',
  isAdmin: true,
  rememberedServers: [],
  ...over,
});

const connected: HelperEvent = { type: 'connected', caSha256: CA, organisation: 'Example KK' };
const status = (enrolled: boolean, serverHost: string | null = null): HelperEvent => ({
  type: 'enrollment-status',
  status: { enrolled, serverHost, userApproved: enrolled } satisfies EnrollmentStatus,
});
const signIn: HelperEvent = {
  type: 'sign-in-submitted',
  credentials: { method: 'password', email: 'hanako@example.com', password: 'pw' },
};
const downloaded = (path: string, expiresAt: number): HelperEvent => ({ type: 'profile-downloaded', path, expiresAt });

/** From a fresh link to the given point of the happy path. */
const toSignIn = [connected, { type: 'accept-server' }] as const satisfies HelperEvent[];
const toChecking = [...toSignIn, signIn, { type: 'sign-in-ok' }] as const satisfies HelperEvent[];
const toDownloading = [...toChecking, status(false)] as const satisfies HelperEvent[];
const toInstalling = [...toDownloading, downloaded('/tmp/p1.mobileconfig', 60 * MINUTE)] as const;

function run(events: readonly HelperEvent[], start: HelperStart = link(), environment = env()): Step {
  return runEvents(startHelper(start, environment), events);
}

function kinds(step: Step): string[] {
  return step.effects.map((effect) => effect.kind);
}

describe('start', () => {
  it('connects to the link’s server', () => {
    const step = startHelper(link(), env());
    expect(step.state.kind).toBe('connecting');
    expect(step.effects).toEqual([{ kind: 'fetch-server-info', serverUrl: 'https://mdm.example.com:8443' }]);
  });

  it('accepts a typed address without a fingerprint', () => {
    const step = startHelper({ kind: 'typed', server: 'mdm.example.com' }, env());
    expect(step.state).toMatchObject({ kind: 'connecting', ctx: { expectedCaSha256: null, host: 'mdm.example.com' } });
  });

  it('sends macOS 12 to the portal’s manual steps', () => {
    const step = startHelper(link(), env({ macosVersion: '12.7' }));
    expect(step.state).toEqual({
      kind: 'unsupported-macos',
      macosVersion: '12.7',
      portalUrl: 'https://mdm.example.com:8443',
      next: 'portal-manual-steps',
    });
    expect(step.effects).toEqual([]);
  });

  it('refuses an http address, a bad link fingerprint and garbage', () => {
    expect(startHelper({ kind: 'typed', server: 'http://mdm.example.com' }, env()).state).toMatchObject({
      kind: 'invalid-address',
      reason: 'not-https',
    });
    expect(startHelper(link(null, 'abc'), env()).state).toMatchObject({
      kind: 'invalid-address',
      reason: 'bad-fingerprint',
    });
    expect(startHelper({ kind: 'typed', server: '  ' }, env()).state).toMatchObject({ reason: 'bad-url' });
  });
});

describe('connecting and confirming the server', () => {
  it('shows organisation, host and fingerprint on first contact', () => {
    const step = run([connected]);
    expect(step.state).toMatchObject({
      kind: 'confirm-server',
      organisation: 'Example KK',
      host: 'mdm.example.com',
      caSha256: CA,
    });
  });

  it('remembers an accepted server and shows the sign-in form', () => {
    const step = transition(run([connected]).state, { type: 'accept-server' });
    expect(step.state).toMatchObject({ kind: 'sign-in', submitting: false, error: null });
    expect(step.effects).toEqual([
      { kind: 'remember-server', host: 'mdm.example.com', caSha256: CA, organisation: 'Example KK' },
    ]);
  });

  it('skips the confirmation for a remembered server with the same CA', () => {
    const remembered = env({ rememberedServers: [{ host: 'MDM.example.com', caSha256: CA.toUpperCase() }] });
    const step = run([connected], link(), remembered);
    expect(step.state).toMatchObject({ kind: 'sign-in', submitting: false });
    expect(kinds(step)).not.toContain('remember-server');
  });

  it('refuses a remembered server whose CA changed', () => {
    const remembered = env({ rememberedServers: [{ host: 'mdm.example.com', caSha256: OTHER_CA }] });
    const step = run([connected], { kind: 'typed', server: 'mdm.example.com' }, remembered);
    expect(step.state).toMatchObject({ kind: 'certificate-mismatch', expected: OTHER_CA, presented: CA });
  });

  it('refuses a server whose CA is not the link’s and never signs in', () => {
    const step = run(
      [{ type: 'connected', caSha256: OTHER_CA, organisation: 'Evil' }, { type: 'accept-server' }, signIn],
      link('tok'),
    );
    expect(step.state).toMatchObject({ kind: 'certificate-mismatch', expected: CA, presented: OTHER_CA });
    expect(kinds(step)).not.toContain('sign-in');
    expect(transition(step.state, { type: 'retry' }).state).toBe(step.state);
  });

  it('treats a malformed presented fingerprint as a mismatch', () => {
    expect(run([{ type: 'connected', caSha256: 'zz', organisation: 'x' }]).state.kind).toBe('certificate-mismatch');
  });

  it('goes to certificate-mismatch when TLS pinning fails later on', () => {
    const step = run([...toDownloading, { type: 'tls-fingerprint-mismatch', presented: OTHER_CA }]);
    expect(step.state).toMatchObject({ kind: 'certificate-mismatch', expected: CA, presented: OTHER_CA });
  });

  it('cancels when the user rejects the server', () => {
    const step = run([connected, { type: 'reject-server' }]);
    expect(step.state).toMatchObject({ kind: 'cancelled', reason: 'server-rejected' });
  });

  it('reports an unreachable server and retries the connection', () => {
    const down = run([{ type: 'server-unreachable', detail: 'ECONNREFUSED' }]);
    expect(down.state).toMatchObject({ kind: 'server-unreachable', detail: 'ECONNREFUSED', next: 'retry' });
    const again = transition(down.state, { type: 'retry' });
    expect(again.state.kind).toBe('connecting');
    expect(kinds(again)).toEqual(['fetch-server-info']);
  });
});

describe('sign-in', () => {
  it('submits the form, then checks the Mac', () => {
    const submitted = run([...toSignIn, signIn]);
    expect(submitted.state).toMatchObject({ kind: 'sign-in', submitting: true });
    expect(submitted.effects.at(-1)).toEqual({ kind: 'sign-in', credentials: signIn.credentials });
    const ok = transition(submitted.state, { type: 'sign-in-ok' });
    expect(ok.state.kind).toBe('checking-mac');
    expect(ok.effects).toEqual([{ kind: 'read-enrollment-status' }]);
  });

  it('signs in with the link’s token at once, and falls back to the form when it was used', () => {
    const step = run(toSignIn, link('tok-1'));
    expect(step.state).toMatchObject({ kind: 'sign-in', submitting: true });
    expect(step.effects.at(-1)).toEqual({ kind: 'sign-in', credentials: { method: 'token', token: 'tok-1' } });
    const failed = transition(step.state, { type: 'sign-in-failed', reason: 'token-used' });
    expect(failed.state).toMatchObject({
      kind: 'sign-in',
      submitting: false,
      error: 'token-used',
      ctx: { token: null },
    });
  });

  it('takes a PIN with a new password', () => {
    const credentials = { method: 'pin', email: 'a@example.com', pin: '123456', newPassword: 'new' } as const;
    const step = run([...toSignIn, { type: 'sign-in-submitted', credentials }]);
    expect(step.effects.at(-1)).toEqual({ kind: 'sign-in', credentials });
  });

  it('shows the failure reason and does not keep the password in the state', () => {
    const step = run([...toSignIn, signIn, { type: 'sign-in-failed', reason: 'bad-credentials' }]);
    expect(step.state).toMatchObject({ kind: 'sign-in', submitting: false, error: 'bad-credentials' });
    expect(JSON.stringify(step.state)).not.toContain('"pw"');
  });

  it('ignores a second submit while one is in flight', () => {
    const step = run([...toSignIn, signIn, signIn]);
    expect(kinds(step).filter((kind) => kind === 'sign-in')).toHaveLength(1);
  });
});

describe('checking the Mac', () => {
  it('refuses a Mac enrolled in another MDM, naming its host', () => {
    const step = run([...toChecking, status(true, 'mdm.other.example')]);
    expect(step.state).toMatchObject({ kind: 'enrolled-elsewhere', otherHost: 'mdm.other.example' });
    expect(kinds(step)).not.toContain('download-profile');
  });

  it('lets the user retry after removing the other MDM', () => {
    const step = run([...toChecking, status(true, 'mdm.other.example'), { type: 'retry' }, status(false)]);
    expect(step.state.kind).toBe('downloading');
  });

  it('finishes at once when the Mac is already enrolled here', () => {
    const step = run([...toChecking, status(true, 'MDM.example.com')]);
    expect(step.state).toMatchObject({ kind: 'enrolled', how: 'already-enrolled-here' });
    expect(kinds(step)).not.toContain('download-profile');
  });

  it('downloads straight away for an admin', () => {
    const step = run(toDownloading);
    expect(step.state.kind).toBe('downloading');
    expect(step.effects.at(-1)).toEqual({ kind: 'download-profile' });
  });

  it('warns a standard user that an administrator is needed before downloading', () => {
    const warned = run(toDownloading, link(), env({ isAdmin: false }));
    expect(warned.state.kind).toBe('admin-needed-warning');
    expect(kinds(warned)).not.toContain('download-profile');
    const go = transition(warned.state, { type: 'acknowledge' });
    expect(go.state.kind).toBe('downloading');
    expect(go.effects).toEqual([{ kind: 'download-profile' }]);
  });

  it('stops on unreadable status output and retries the check', () => {
    const step = run([...toChecking, { type: 'enrollment-status-unreadable', detail: 'no MDM enrollment line' }]);
    expect(step.state).toMatchObject({ kind: 'status-unreadable', next: 'retry' });
    expect(transition(step.state, { type: 'retry' }).effects).toEqual([{ kind: 'read-enrollment-status' }]);
  });

  it('treats enrolled-without-a-server as unreadable', () => {
    expect(run([...toChecking, status(true, null)]).state.kind).toBe('status-unreadable');
  });
});

describe('downloading and installing', () => {
  it('opens the profile and the settings pane, and polls', () => {
    const step = transition(run(toDownloading).state, downloaded('/tmp/p1.mobileconfig', 60 * MINUTE));
    expect(step.state).toMatchObject({ kind: 'installing', expiresAt: 60 * MINUTE });
    expect(step.effects).toEqual([
      { kind: 'open-profile', path: '/tmp/p1.mobileconfig' },
      { kind: 'open-settings-pane', paneIds: PROFILE_PANE_IDS },
      { kind: 'poll-enrollment', everyMs: 2000 },
    ]);
  });

  it('names the pane for the Mac’s version', () => {
    const step = run(toInstalling, link(), env({ macosVersion: '15.2' }));
    expect(step.state).toMatchObject({ kind: 'installing', pane: { paneName: 'General > Device Management' } });
  });

  it('goes back to sign-in when the session expired, and to download-failed on a server error', () => {
    const expired = transition(run(toDownloading).state, {
      type: 'profile-download-failed',
      reason: 'session-expired',
    });
    expect(expired.state).toMatchObject({ kind: 'sign-in', error: 'session-expired', submitting: false });
    const failed = transition(run(toDownloading).state, { type: 'profile-download-failed', reason: 'server-error' });
    expect(failed.state.kind).toBe('download-failed');
    expect(transition(failed.state, { type: 'retry' }).effects).toEqual([{ kind: 'download-profile' }]);
  });

  it('keeps installing while not enrolled and before the refresh margin', () => {
    const installing = run(toInstalling).state;
    expect(transition(installing, status(false))).toEqual({ state: installing, effects: [] });
    expect(transition(installing, { type: 'tick', now: 54 * MINUTE })).toEqual({ state: installing, effects: [] });
  });

  it('refreshes a profile near expiry; the new one replaces the old, which is never opened again', () => {
    const refreshing = run([...toInstalling, { type: 'tick', now: 55 * MINUTE }]);
    expect(refreshing.state).toMatchObject({ kind: 'refreshing-profile', voidedPath: '/tmp/p1.mobileconfig' });
    expect(refreshing.effects.slice(-2)).toEqual([{ kind: 'stop-polling' }, { kind: 'download-profile' }]);

    const renewed = transition(refreshing.state, downloaded('/tmp/p2.mobileconfig', 120 * MINUTE));
    expect(renewed.state).toMatchObject({
      kind: 'installing',
      expiresAt: 120 * MINUTE,
      ctx: { profile: { path: '/tmp/p2.mobileconfig', expiresAt: 120 * MINUTE } },
    });
    expect(renewed.effects).toContainEqual({ kind: 'discard-profile', path: '/tmp/p1.mobileconfig' });
    expect(renewed.effects).toContainEqual({ kind: 'open-profile', path: '/tmp/p2.mobileconfig' });
    expect(renewed.effects).toContainEqual({ kind: 'notify', message: 'profile-replaced' });
    expect(renewed.effects).not.toContainEqual({ kind: 'open-profile', path: '/tmp/p1.mobileconfig' });

    // The old expiry no longer applies.
    const later = transition(renewed.state, { type: 'tick', now: 61 * MINUTE });
    expect(later.state).toBe(renewed.state);
  });

  it('honours a custom margin', () => {
    const step = run(
      [...toInstalling, { type: 'tick', now: 50 * MINUTE }],
      link(),
      env({ expiryMarginMs: 10 * MINUTE }),
    );
    expect(step.state.kind).toBe('refreshing-profile');
  });

  it('expires when a tick arrives after expiry (the Mac slept), then a retry downloads afresh', () => {
    const expired = run([...toInstalling, { type: 'tick', now: 61 * MINUTE }]);
    expect(expired.state).toMatchObject({ kind: 'expired', next: 'retry' });
    expect(expired.effects.slice(-2)).toEqual([
      { kind: 'stop-polling' },
      { kind: 'notify', message: 'profile-expired' },
    ]);
    const again = runEvents(transition(expired.state, { type: 'retry' }), [
      downloaded('/tmp/p3.mobileconfig', 200 * MINUTE),
    ]);
    expect(again.state.kind).toBe('installing');
    expect(again.effects).toContainEqual({ kind: 'discard-profile', path: '/tmp/p1.mobileconfig' });
  });

  it('moves to waiting-for-server once profiles status shows our server', () => {
    const step = transition(run(toInstalling).state, status(true, 'mdm.example.com'));
    expect(step.state.kind).toBe('waiting-for-server');
    expect(step.effects).toEqual([{ kind: 'stop-polling' }, { kind: 'check-token-update', delayMs: 0 }]);
  });

  it('refuses when another MDM appears during the install', () => {
    const step = transition(run(toInstalling).state, status(true, 'mdm.other.example'));
    expect(step.state.kind).toBe('enrolled-elsewhere');
    expect(kinds(step)).toContain('stop-polling');
  });

  it('stops on unreadable status output while polling', () => {
    const step = transition(run(toInstalling).state, { type: 'enrollment-status-unreadable', detail: '?' });
    expect(step.state.kind).toBe('status-unreadable');
  });
});

describe('waiting for the server', () => {
  const waiting = (): HelperState => run([...toInstalling, status(true, 'mdm.example.com')]).state;

  it('keeps waiting while the server has not seen TokenUpdate', () => {
    const step = transition(waiting(), { type: 'token-update-not-yet' });
    expect(step.state.kind).toBe('waiting-for-server');
    expect(step.effects).toEqual([{ kind: 'check-token-update', delayMs: 2000 }]);
  });

  it('is enrolled once the server confirms TokenUpdate', () => {
    const step = transition(waiting(), { type: 'token-update-seen' });
    expect(step.state).toMatchObject({ kind: 'enrolled', how: 'installed' });
    expect(step.effects).toEqual([{ kind: 'notify', message: 'enrolled' }]);
    expect(isTerminal(step.state)).toBe(true);
  });
});

describe('network loss, cancel and quit', () => {
  it.each([
    ['connecting', [] as HelperEvent[], ['fetch-server-info']],
    ['checking-mac', toChecking, ['read-enrollment-status']],
    ['downloading', toDownloading, ['download-profile']],
    ['installing', toInstalling, ['poll-enrollment']],
  ])('resumes %s after retry', (kind, events, effects) => {
    const lost = run([...events, { type: 'network-error' }]);
    expect(lost.state).toMatchObject({ kind: 'network-lost', resume: { kind }, next: 'retry' });
    expect(transition(lost.state, { type: 'cancel' }).state.kind).toBe('cancelled');
    const resumed = transition(lost.state, { type: 'retry' });
    expect(resumed.state.kind).toBe(kind);
    expect(kinds(resumed)).toEqual(effects);
  });

  it('resumes a download that lost the network, then carries on to install', () => {
    const step = run([
      ...toDownloading,
      { type: 'profile-download-failed', reason: 'network' },
      { type: 'retry' },
      downloaded('/tmp/p1.mobileconfig', 60 * MINUTE),
    ]);
    expect(step.state.kind).toBe('installing');
  });

  it('resumes waiting-for-server and the refresh', () => {
    const waiting = run([
      ...toInstalling,
      status(true, 'mdm.example.com'),
      { type: 'network-error' },
      { type: 'retry' },
    ]);
    expect(waiting.state.kind).toBe('waiting-for-server');
    expect(waiting.effects.at(-1)).toEqual({ kind: 'check-token-update', delayMs: 0 });
    const refresh = run([
      ...toInstalling,
      { type: 'tick', now: 56 * MINUTE },
      { type: 'network-error' },
      { type: 'retry' },
    ]);
    expect(refresh.state.kind).toBe('refreshing-profile');
    expect(refresh.effects.at(-1)).toEqual({ kind: 'download-profile' });
  });

  it('resumes a token sign-in by sending the token again', () => {
    const step = run([...toSignIn, { type: 'network-error' }, { type: 'retry' }], link('tok'));
    expect(step.state).toMatchObject({ kind: 'sign-in', submitting: true });
    expect(step.effects.at(-1)).toEqual({ kind: 'sign-in', credentials: { method: 'token', token: 'tok' } });
  });

  it('cancels from anywhere live and stops polling', () => {
    const step = transition(run(toInstalling).state, { type: 'cancel' });
    expect(step.state).toMatchObject({ kind: 'cancelled', reason: 'user', next: 'start-again' });
    expect(step.effects).toEqual([{ kind: 'stop-polling' }]);
    expect(transition(step.state, signIn)).toEqual({ state: step.state, effects: [] });
  });

  it('schedules a reminder when quitting with an unfinished install', () => {
    const step = transition(run(toInstalling).state, { type: 'quit' });
    expect(step.state).toMatchObject({ kind: 'cancelled', reason: 'quit' });
    expect(kinds(step)).toEqual(['stop-polling', 'schedule-reminder', 'quit']);
    expect(kinds(transition(run([connected]).state, { type: 'quit' }))).toEqual(['stop-polling', 'quit']);
  });

  it('only quits from a terminal state', () => {
    const done = run([...toChecking, status(true, 'mdm.example.com')]).state;
    expect(transition(done, { type: 'quit' })).toEqual({ state: done, effects: [{ kind: 'quit' }] });
    expect(transition(done, { type: 'cancel' })).toEqual({ state: done, effects: [] });
  });

  it('ignores events that do not belong to a state', () => {
    const confirm = run([connected]).state;
    for (const event of [
      signIn,
      { type: 'sign-in-ok' },
      status(false),
      { type: 'token-update-seen' },
    ] as HelperEvent[]) {
      expect(transition(confirm, event)).toEqual({ state: confirm, effects: [] });
    }
  });
});
