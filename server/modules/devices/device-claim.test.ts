import { describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../contract/devices.js';
import { judgeClaim, type ClaimedRecord } from './device-claim.js';

const STATUSES: DeviceStatus[] = ['pending', 'active', 'inactive', 'wiped', 'reset'];

// Who the record belongs to, relative to the claimant B, and whether the admin granted it to B.
const OWNERS: { owner: string; record: (status: DeviceStatus) => ClaimedRecord }[] = [
  { owner: "B's own", record: (status) => ({ status, user_id: 'B', claim_grant_user_id: null }) },
  { owner: "A's", record: (status) => ({ status, user_id: 'A', claim_grant_user_id: null }) },
  { owner: "A's, granted to B", record: (status) => ({ status, user_id: 'A', claim_grant_user_id: 'B' }) },
  { owner: "A's, granted to C", record: (status) => ({ status, user_id: 'A', claim_grant_user_id: 'C' }) },
  { owner: "nobody's", record: (status) => ({ status, user_id: null, claim_grant_user_id: null }) },
];

// The expected verdict for B, by owner and status: only a live record of someone else that the admin did not
// grant to B is contested.
const EXPECTED: Record<string, Record<DeviceStatus, string>> = {
  "B's own": {
    pending: 'same_user',
    active: 'same_user',
    inactive: 'same_user',
    wiped: 'same_user',
    reset: 'same_user',
  },
  "A's": { pending: 'contested', active: 'contested', inactive: 'released', wiped: 'released', reset: 'released' },
  "A's, granted to B": {
    pending: 'granted',
    active: 'granted',
    inactive: 'released',
    wiped: 'released',
    reset: 'released',
  },
  "A's, granted to C": {
    pending: 'contested',
    active: 'contested',
    inactive: 'released',
    wiped: 'released',
    reset: 'released',
  },
  "nobody's": { pending: 'no_user', active: 'no_user', inactive: 'released', wiped: 'released', reset: 'released' },
};

describe('the claim rule', () => {
  it('lets an identity claim a device that has no live record', () => {
    expect(judgeClaim(undefined, 'B')).toEqual({ allowed: true, why: 'new' });
  });

  for (const { owner, record } of OWNERS) {
    it.each(STATUSES)(`${owner} record, %s`, (status) => {
      const verdict = judgeClaim(record(status), 'B');
      const expected = EXPECTED[owner]?.[status];
      if (expected === 'contested') expect(verdict).toEqual({ allowed: false, why: 'owned_by_another_user' });
      else expect(verdict).toEqual({ allowed: true, why: expected });
    });
  }
});
