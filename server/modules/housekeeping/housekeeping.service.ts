import type { Clock } from '../../core/clock.js';
import { SESSION_MAX_MS } from '../admins/admins.service.js';
import type { AdminsStore } from '../admins/admins.store.js';
import type { EnrollmentStore } from '../enrollment/enrollment.store.js';
import type { MailService } from '../mail/mail.service.js';
import type { PortalStore } from '../portal/portal.store.js';
import type { Throttle } from '../throttle/throttle.service.js';

/** How many rows one housekeeping run deleted (or, for mail bodies, emptied), by kind. */
export interface HousekeepingCounts {
  adminSessions: number;
  portalSessions: number;
  signInTokens: number;
  scepChallenges: number;
  mailBodies: number;
  mailRows: number;
  /** Sign-in attempt counters no lock or window needs any more. */
  signInCounters: number;
}

/** Deletes what expired; run by the scheduler's tick. */
export interface Housekeeping {
  /** Purges every store once and says how many rows went. */
  run(): HousekeepingCounts;
}

/** What housekeeping purges: each store's own `purgeExpired`, and the outbox's retention. */
export interface HousekeepingDeps {
  clock: Clock;
  admins: Pick<AdminsStore, 'purgeExpired'>;
  portal: Pick<PortalStore, 'purgeExpired'>;
  enrollment: Pick<EnrollmentStore, 'purgeExpiredChallenges'>;
  mail: Pick<MailService, 'purgeExpired'>;
  /** The lockout counters' own purge (the throttle knows how long its locks and windows last). */
  throttle: Pick<Throttle, 'purge'>;
}

/**
 * A challenge is kept this long after it expired: the portal still shows "the profile expired" for it, and a device
 * that retries its SCEP request meanwhile is told the challenge expired rather than that it is unknown.
 */
export const CHALLENGE_GRACE_MS = 24 * 3600_000;

/** Builds housekeeping over the stores that hold sessions, one-time tokens, challenges, mail and sign-in counters. */
export function createHousekeeping(deps: HousekeepingDeps): Housekeeping {
  return {
    run() {
      const now = deps.clock.now();
      const iso = now.toISOString();
      const before = (ms: number) => new Date(now.getTime() - ms).toISOString();
      const portal = deps.portal.purgeExpired(iso);
      const mail = deps.mail.purgeExpired();
      return {
        adminSessions: deps.admins.purgeExpired(iso, before(SESSION_MAX_MS)),
        portalSessions: portal.sessions,
        signInTokens: portal.signInTokens,
        scepChallenges: deps.enrollment.purgeExpiredChallenges(iso, before(CHALLENGE_GRACE_MS)),
        mailBodies: mail.bodies,
        mailRows: mail.rows,
        signInCounters: deps.throttle.purge(),
      };
    },
  };
}
