import type { Platform } from '../../contract/devices.js';
import type { Db } from '../../db/open.js';
import { partialUpdate } from '../../db/partial-update.js';

/** An enrollment row as stored. */
export interface EnrollmentRow {
  id: string;
  user_id: string;
  platform: Platform;
  status: 'pending' | 'enrolled' | 'closed';
  token_hash: string;
  expires_at: string;
  device_id: string | null;
  closed_reason: string | null;
  invitation_id: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * A one-time SCEP challenge row; only the SHA-256 of the challenge is stored. An enrollment's challenge (a profile
 * download) gets the device its MDM identity; a configuration's is minted for one device, channel and configuration,
 * with the template (JSON IdentityTemplate) of the identity it gets, and linked to the device's enrollment.
 */
export interface ChallengeRow {
  id: string;
  enrollment_id: string;
  challenge_hash: string;
  device_hint: string;
  created_at: string;
  expires_at: string;
  consumed_at: string | null;
  voided_at: string | null;
  purpose: 'enrollment' | 'configuration';
  device_id: string | null;
  channel: string | null;
  configuration_id: string | null;
  template: string | null;
}

/** A challenge row to insert; without the configuration columns it is an enrollment's. */
export type NewChallengeRow = Omit<
  ChallengeRow,
  'purpose' | 'device_id' | 'channel' | 'configuration_id' | 'template'
> &
  Partial<Pick<ChallengeRow, 'purpose' | 'device_id' | 'channel' | 'configuration_id' | 'template'>>;

/** The SQL behind enrollments and their challenges. */
export interface EnrollmentStore {
  insert(row: EnrollmentRow): void;
  byId(id: string): EnrollmentRow | undefined;
  byTokenHash(hash: string): EnrollmentRow | undefined;
  update(
    id: string,
    changes: Partial<Pick<EnrollmentRow, 'status' | 'device_id' | 'closed_reason' | 'updated_at' | 'expires_at'>>,
  ): void;
  forUser(userId: string): EnrollmentRow[];
  /** Pending enrollments opened through an invitation. */
  pendingForInvitation(invitationId: string): EnrollmentRow[];
  insertChallenge(row: NewChallengeRow): void;
  /**
   * Voids the live challenges of an enrollment: its profile downloads' only (`'enrollment'`: a newer download replaces
   * them), or all, configurations' included (the enrollment closed).
   */
  voidChallenges(enrollmentId: string, at: string, purpose?: 'enrollment'): number;
  /** Voids the live challenges minted for one configuration on one device channel (a newer one replaces them). */
  voidConfigurationChallenges(
    target: { deviceId: string; channel: string; configurationId: string },
    at: string,
  ): number;
  challengeByHash(hash: string): ChallengeRow | undefined;
  /** Marks a challenge consumed if it is still live at `at`; true when this call consumed it. */
  consumeChallenge(id: string, at: string): boolean;
  /** The enrollment's latest profile-download challenge (configurations' are not the profile's). */
  latestChallenge(enrollmentId: string): ChallengeRow | undefined;
  /**
   * Deletes challenges that expired at or before `expiredBefore`: configurations' always, enrollments' once their
   * enrollment is no longer pending at `now` (closed, enrolled, or past its own expiry): a pending enrollment's latest
   * challenge still tells its user that the profile expired. Returns how many.
   */
  purgeExpiredChallenges(now: string, expiredBefore: string): number;
  /** Pending enrollments that got an MDM identity (SCEP done) at or before `before`, with no TokenUpdate since. */
  abandoned(before: string): EnrollmentRow[];
  /** Enrollments that completed, per UTC day, since `from`. */
  enrolledPerDay(from: string): { day: string; count: number }[];
}

const UPDATABLE = ['status', 'device_id', 'closed_reason', 'updated_at', 'expires_at'] as const;

/** Builds the enrollment store over an open database. */
export function createEnrollmentStore(db: Db): EnrollmentStore {
  const s = {
    insert:
      db.prepare(`INSERT INTO enrollments (id, user_id, platform, status, token_hash, expires_at, device_id, closed_reason, invitation_id, created_at, updated_at)
      VALUES (@id, @user_id, @platform, @status, @token_hash, @expires_at, @device_id, @closed_reason, @invitation_id, @created_at, @updated_at)`),
    byId: db.prepare<[string], EnrollmentRow>('SELECT * FROM enrollments WHERE id = ?'),
    byToken: db.prepare<[string], EnrollmentRow>('SELECT * FROM enrollments WHERE token_hash = ?'),
    forUser: db.prepare<[string], EnrollmentRow>(
      'SELECT * FROM enrollments WHERE user_id = ? ORDER BY created_at DESC',
    ),
    pendingForInvitation: db.prepare<[string], EnrollmentRow>(
      "SELECT * FROM enrollments WHERE invitation_id = ? AND status = 'pending'",
    ),
    insertChallenge:
      db.prepare(`INSERT INTO scep_challenges (id, enrollment_id, challenge_hash, device_hint, created_at, expires_at, consumed_at, voided_at, purpose, device_id, channel, configuration_id, template)
      VALUES (@id, @enrollment_id, @challenge_hash, @device_hint, @created_at, @expires_at, @consumed_at, @voided_at, @purpose, @device_id, @channel, @configuration_id, @template)`),
    voidChallenges: db.prepare(
      'UPDATE scep_challenges SET voided_at = ? WHERE enrollment_id = ? AND consumed_at IS NULL AND voided_at IS NULL',
    ),
    voidEnrollmentChallenges: db.prepare(
      "UPDATE scep_challenges SET voided_at = ? WHERE enrollment_id = ? AND purpose = 'enrollment' AND consumed_at IS NULL AND voided_at IS NULL",
    ),
    voidConfigurationChallenges: db.prepare(`UPDATE scep_challenges SET voided_at = @at
      WHERE purpose = 'configuration' AND device_id = @deviceId AND channel = @channel AND configuration_id = @configurationId
      AND consumed_at IS NULL AND voided_at IS NULL`),
    challengeByHash: db.prepare<[string], ChallengeRow>('SELECT * FROM scep_challenges WHERE challenge_hash = ?'),
    consume: db.prepare(
      'UPDATE scep_challenges SET consumed_at = @at WHERE id = @id AND consumed_at IS NULL AND voided_at IS NULL AND expires_at > @at',
    ),
    latest: db.prepare<[string], ChallengeRow>(
      "SELECT * FROM scep_challenges WHERE enrollment_id = ? AND purpose = 'enrollment' ORDER BY created_at DESC, rowid DESC LIMIT 1",
    ),
    purgeChallenges: db.prepare(`DELETE FROM scep_challenges WHERE expires_at <= @expiredBefore
      AND (purpose = 'configuration'
        OR enrollment_id IN (SELECT id FROM enrollments WHERE status != 'pending' OR expires_at <= @now))`),
    abandoned: db.prepare<
      [string],
      EnrollmentRow
    >(`SELECT e.* FROM enrollments e WHERE e.status = 'pending' AND e.platform != 'android'
      AND EXISTS (SELECT 1 FROM issued_certificates c WHERE c.enrollment_id = e.id AND c.purpose = 'mdm' AND c.created_at <= ?)`),
    update: partialUpdate(db, 'enrollments', UPDATABLE, ['id']),
    perDay: db.prepare<[string], { day: string; count: number }>(
      "SELECT substr(updated_at, 1, 10) AS day, count(*) AS count FROM enrollments WHERE status = 'enrolled' AND updated_at >= ? GROUP BY day ORDER BY day",
    ),
  };
  return {
    insert: (row) => {
      s.insert.run(row);
    },
    byId: (id) => s.byId.get(id),
    byTokenHash: (h) => s.byToken.get(h),
    update: (id, changes) => {
      s.update({ id }, changes);
    },
    forUser: (userId) => s.forUser.all(userId),
    pendingForInvitation: (id) => s.pendingForInvitation.all(id),
    insertChallenge: (row) => {
      s.insertChallenge.run({
        purpose: 'enrollment',
        device_id: null,
        channel: null,
        configuration_id: null,
        template: null,
        ...row,
      });
    },
    voidChallenges: (id, at, purpose) =>
      (purpose === 'enrollment' ? s.voidEnrollmentChallenges : s.voidChallenges).run(at, id).changes,
    voidConfigurationChallenges: (target, at) => s.voidConfigurationChallenges.run({ ...target, at }).changes,
    challengeByHash: (h) => s.challengeByHash.get(h),
    consumeChallenge: (id, at) => s.consume.run({ id, at }).changes === 1,
    latestChallenge: (id) => s.latest.get(id),
    purgeExpiredChallenges: (now, expiredBefore) => s.purgeChallenges.run({ now, expiredBefore }).changes,
    abandoned: (before) => s.abandoned.all(before),
    enrolledPerDay: (from) => s.perDay.all(from),
  };
}
