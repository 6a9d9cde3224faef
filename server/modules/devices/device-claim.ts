import type { DeviceStatus } from '../../contract/devices.js';

// Who may claim a device record (the rule behind every enrollment's Authenticate and agent enroll). An identity
// is minted for one enrollment: one user, one platform. It may take a device's record only when that cannot
// take it from anyone: the record is new, already the same user's, released (Inactive, Wiped, Reset), has no
// user any more, or an admin granted this user the device. Anything else is contested: the record's current
// enrollment may still be alive, and only proof that it is gone (APNs says the push token is dead; an agent
// silent past the set window) releases it.

/** What the rule looks at in an existing record. */
export interface ClaimedRecord {
  status: DeviceStatus;
  user_id: string | null;
  claim_grant_user_id: string | null;
}

/** The rule's answer: allowed (and why), or contested. */
export type ClaimVerdict =
  | { allowed: true; why: 'new' | 'same_user' | 'released' | 'no_user' | 'granted' }
  | { allowed: false; why: 'owned_by_another_user' };

const RELEASED: ReadonlySet<DeviceStatus> = new Set(['inactive', 'wiped', 'reset']);

/** Decides whether `claimantUserId` may claim `record` (undefined: no live record for that UDID or hardware id). */
export function judgeClaim(record: ClaimedRecord | undefined, claimantUserId: string): ClaimVerdict {
  if (!record) return { allowed: true, why: 'new' };
  if (record.user_id === claimantUserId) return { allowed: true, why: 'same_user' };
  if (RELEASED.has(record.status)) return { allowed: true, why: 'released' };
  if (record.user_id === null) return { allowed: true, why: 'no_user' };
  if (record.claim_grant_user_id === claimantUserId) return { allowed: true, why: 'granted' };
  return { allowed: false, why: 'owned_by_another_user' };
}
