import type { ClaimConflictDto } from '../../contract/devices.js';
import type { ClaimConflictListRow } from './claim-conflicts.store.js';

/** The console's view of a refused claim. */
export function toClaimConflictDto(row: ClaimConflictListRow): ClaimConflictDto {
  return {
    id: row.id,
    deviceId: row.device_id,
    ownerUserId: row.owner_user_id,
    ownerEmail: row.owner_email,
    claimantUserId: row.claimant_user_id,
    claimantEmail: row.claimant_email,
    claimantDisplayName: row.claimant_display_name,
    attempts: row.attempts,
    createdAt: row.created_at,
    lastAttemptAt: row.last_attempt_at,
  };
}
