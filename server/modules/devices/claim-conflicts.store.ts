import type { Db } from '../../db/open.js';

/** A refused claim on a device, kept until an admin reassigns the device or dismisses the claim. */
export interface ClaimConflictRow {
  id: string;
  device_id: string;
  owner_user_id: string | null;
  claimant_user_id: string;
  claimant_enrollment_id: string | null;
  identity: string;
  attempts: number;
  created_at: string;
  last_attempt_at: string;
  resolved_at: string | null;
  resolution: 'reassigned' | 'dismissed' | 'released' | null;
  resolved_by: string | null;
}

/** A conflict with the claimant's name, for the console and the portal. */
export type ClaimConflictListRow = ClaimConflictRow & {
  claimant_email: string | null;
  claimant_display_name: string | null;
  owner_email: string | null;
};

/** The SQL behind refused device claims. */
export interface ClaimConflictsStore {
  /** Records a refused claim, or counts another attempt of an open one by the same user; returns its id. */
  record(row: Omit<ClaimConflictRow, 'attempts' | 'resolved_at' | 'resolution' | 'resolved_by'>): string;
  byId(id: string): ClaimConflictListRow | undefined;
  /** The device's open conflicts, oldest first. */
  openForDevice(deviceId: string): ClaimConflictListRow[];
  /** The user's open claims, for the portal, newest first. */
  openForClaimant(userId: string): ClaimConflictListRow[];
  /** Closes a conflict; false when it was already closed. */
  resolve(id: string, resolution: 'reassigned' | 'dismissed' | 'released', by: string, at: string): boolean;
  /** Closes every open conflict of a device (it was claimed after all); returns how many. */
  resolveAllForDevice(deviceId: string, resolution: 'released', by: string, at: string): number;
}

/** Builds the claim-conflicts store over an open database. */
export function createClaimConflictsStore(db: Db): ClaimConflictsStore {
  const select = `SELECT c.*, cu.email AS claimant_email, cu.display_name AS claimant_display_name, ou.email AS owner_email
    FROM device_claim_conflicts c LEFT JOIN users cu ON cu.id = c.claimant_user_id LEFT JOIN users ou ON ou.id = c.owner_user_id`;
  const s = {
    open: db.prepare<[string, string], { id: string }>(
      'SELECT id FROM device_claim_conflicts WHERE device_id = ? AND claimant_user_id = ? AND resolved_at IS NULL',
    ),
    again: db.prepare(
      'UPDATE device_claim_conflicts SET attempts = attempts + 1, last_attempt_at = @at, claimant_enrollment_id = @enrollment, identity = @identity WHERE id = @id',
    ),
    insert:
      db.prepare(`INSERT INTO device_claim_conflicts (id, device_id, owner_user_id, claimant_user_id, claimant_enrollment_id, identity, attempts, created_at, last_attempt_at)
      VALUES (@id, @device_id, @owner_user_id, @claimant_user_id, @claimant_enrollment_id, @identity, 1, @created_at, @last_attempt_at)`),
    byId: db.prepare<[string], ClaimConflictListRow>(`${select} WHERE c.id = ?`),
    forDevice: db.prepare<[string], ClaimConflictListRow>(
      `${select} WHERE c.device_id = ? AND c.resolved_at IS NULL ORDER BY c.created_at, c.rowid`,
    ),
    forClaimant: db.prepare<[string], ClaimConflictListRow>(
      `${select} WHERE c.claimant_user_id = ? AND c.resolved_at IS NULL ORDER BY c.last_attempt_at DESC LIMIT 20`,
    ),
    resolve: db.prepare(
      'UPDATE device_claim_conflicts SET resolved_at = @at, resolution = @resolution, resolved_by = @by WHERE id = @id AND resolved_at IS NULL',
    ),
    resolveAll: db.prepare(
      'UPDATE device_claim_conflicts SET resolved_at = @at, resolution = @resolution, resolved_by = @by WHERE device_id = @device AND resolved_at IS NULL',
    ),
  };
  return {
    record(row) {
      const open = s.open.get(row.device_id, row.claimant_user_id);
      if (open) {
        s.again.run({
          id: open.id,
          at: row.last_attempt_at,
          enrollment: row.claimant_enrollment_id,
          identity: row.identity,
        });
        return open.id;
      }
      s.insert.run(row);
      return row.id;
    },
    byId: (id) => s.byId.get(id),
    openForDevice: (deviceId) => s.forDevice.all(deviceId),
    openForClaimant: (userId) => s.forClaimant.all(userId),
    resolve: (id, resolution, by, at) => s.resolve.run({ id, resolution, by, at }).changes > 0,
    resolveAllForDevice: (deviceId, resolution, by, at) =>
      s.resolveAll.run({ device: deviceId, resolution, by, at }).changes,
  };
}
