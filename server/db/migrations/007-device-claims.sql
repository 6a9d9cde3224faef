-- Who may claim a device record. An identity (an Apple SCEP certificate, an Android agent enrollment) claims
-- the record of its UDID or hardware id when the claim rule allows it; an admin may grant a user the next
-- claim of a device (re-enroll it for them, or reassign it). Refused claims are kept for the admin to resolve.

ALTER TABLE devices ADD COLUMN claim_grant_user_id TEXT REFERENCES users(id);

CREATE TABLE device_claim_conflicts (
  id                     TEXT PRIMARY KEY,
  device_id              TEXT NOT NULL REFERENCES devices(id),
  -- The user the device belonged to when the claim was refused.
  owner_user_id          TEXT REFERENCES users(id),
  claimant_user_id       TEXT NOT NULL REFERENCES users(id),
  -- The claimant's enrollment (Apple: the identity's; Android: none yet, the enrollment is opened once allowed).
  claimant_enrollment_id TEXT REFERENCES enrollments(id),
  -- 'certificate:<serial>' for Apple, 'agent' for Android.
  identity               TEXT NOT NULL,
  attempts               INTEGER NOT NULL DEFAULT 1,
  created_at             TEXT NOT NULL,
  last_attempt_at        TEXT NOT NULL,
  resolved_at            TEXT,
  resolution             TEXT CHECK (resolution IN ('reassigned', 'dismissed', 'released')),
  resolved_by            TEXT
) STRICT;
CREATE INDEX device_claim_conflicts_device ON device_claim_conflicts(device_id, resolved_at);
CREATE INDEX device_claim_conflicts_claimant ON device_claim_conflicts(claimant_user_id, resolved_at);
