// Exhaustive exploration of the step machine over a fixed alphabet of events (fast-check is not a dependency):
// every reachable state is visited once, and invariants are checked on every transition.
import { describe, expect, it } from 'vitest';
import { startHelper, transition } from './step-machine.js';
import { type HelperEvent, type HelperStart, type HelperState, type Step } from './step-types.js';

const CA = 'a1'.repeat(32);
const OTHER_CA = 'b2'.repeat(32);
const MINUTE = 60_000;

const ALPHABET: readonly HelperEvent[] = [
  { type: 'connected', caSha256: CA, organisation: 'Example KK' },
  { type: 'connected', caSha256: OTHER_CA, organisation: 'Evil' },
  { type: 'server-unreachable', detail: 'down' },
  { type: 'accept-server' },
  { type: 'reject-server' },
  { type: 'sign-in-submitted', credentials: { method: 'password', email: 'a@example.com', password: 'pw' } },
  { type: 'sign-in-ok' },
  { type: 'sign-in-failed', reason: 'bad-credentials' },
  { type: 'enrollment-status', status: { enrolled: false, serverHost: null, userApproved: false } },
  { type: 'enrollment-status', status: { enrolled: true, serverHost: 'mdm.example.com', userApproved: true } },
  { type: 'enrollment-status', status: { enrolled: true, serverHost: 'other.example', userApproved: true } },
  { type: 'enrollment-status-unreadable', detail: '?' },
  { type: 'acknowledge' },
  { type: 'profile-downloaded', path: '/tmp/p1', expiresAt: 60 * MINUTE },
  { type: 'profile-downloaded', path: '/tmp/p2', expiresAt: 120 * MINUTE },
  { type: 'profile-download-failed', reason: 'network' },
  { type: 'profile-download-failed', reason: 'session-expired' },
  { type: 'tick', now: 30 * MINUTE },
  { type: 'tick', now: 57 * MINUTE },
  { type: 'tick', now: 90 * MINUTE },
  { type: 'token-update-seen' },
  { type: 'token-update-not-yet' },
  { type: 'network-error' },
  { type: 'tls-fingerprint-mismatch', presented: OTHER_CA },
  { type: 'retry' },
  { type: 'cancel' },
  { type: 'quit' },
];

const STARTS: readonly HelperStart[] = [
  { kind: 'deep-link', link: { server: 'https://mdm.example.com:8443', caSha256: CA, token: 'tok' } },
  { kind: 'deep-link', link: { server: 'https://mdm.example.com:8443', caSha256: CA, token: null } },
  { kind: 'typed', server: 'mdm.example.com' },
];

interface Visit {
  state: HelperState;
  /** A certificate mismatch happened on the way here. */
  mismatched: boolean;
}

/** Visits every reachable (state, mismatched) pair, calling check on each transition. */
function explore(start: HelperStart, isAdmin: boolean, check: (from: Visit, event: HelperEvent, step: Step) => void) {
  const first = startHelper(start, { macosVersion: '14.5', isAdmin, rememberedServers: [] });
  const seen = new Set<string>();
  const kinds = new Set<string>();
  const queue: Visit[] = [{ state: first.state, mismatched: false }];
  while (queue.length > 0) {
    const visit = queue.shift();
    if (visit === undefined) break;
    const key = JSON.stringify(visit);
    if (seen.has(key)) continue;
    seen.add(key);
    kinds.add(visit.state.kind);
    for (const event of ALPHABET) {
      const step = transition(visit.state, event);
      check(visit, event, step);
      queue.push({ state: step.state, mismatched: visit.mismatched || step.state.kind === 'certificate-mismatch' });
    }
  }
  return { count: seen.size, kinds };
}

describe.each(STARTS.flatMap((start) => [true, false].map((isAdmin) => [start.kind, isAdmin, start] as const)))(
  'every reachable state from a %s start (admin: %s)',
  (_kind, isAdmin, start) => {
    it('never signs in, downloads or reaches sign-in after a fingerprint mismatch', () => {
      const visited = explore(start, isAdmin, (from, _event, step) => {
        if (!from.mismatched) return;
        expect(['certificate-mismatch', 'cancelled']).toContain(step.state.kind);
        for (const effect of step.effects)
          expect(['sign-in', 'download-profile', 'open-profile']).not.toContain(effect.kind);
      });
      expect(visited.count).toBeGreaterThan(20);
      // The alphabet is rich enough to reach the whole flow, so the invariants are tested where they matter.
      for (const kind of ['sign-in', 'installing', 'refreshing-profile', 'waiting-for-server', 'enrolled', 'expired']) {
        expect(visited.kinds).toContain(kind);
      }
      expect(visited.kinds).toContain(isAdmin ? 'downloading' : 'admin-needed-warning');
    });

    it('signs in only with a server whose CA matches the link', () => {
      explore(start, isAdmin, (_from, _event, step) => {
        if (!step.effects.some((effect) => effect.kind === 'sign-in')) return;
        expect('ctx' in step.state && step.state.ctx?.server?.caSha256).toEqual(
          start.kind === 'deep-link' ? CA : expect.any(String),
        );
      });
    });

    it('opens only the current profile, and is deterministic', () => {
      explore(start, isAdmin, (from, event, step) => {
        for (const effect of step.effects) {
          if (effect.kind === 'open-profile') {
            expect('ctx' in step.state && step.state.ctx?.profile?.path).toBe(effect.path);
          }
        }
        expect(transition(from.state, event)).toEqual(step);
      });
    });

    it('resumes the interrupted state on retry after the network was lost', () => {
      explore(start, isAdmin, (from, event, step) => {
        if (from.state.kind === 'network-lost' && event.type === 'retry') {
          expect(step.state.kind).toBe(from.state.resume.kind);
        }
      });
    });
  },
);
