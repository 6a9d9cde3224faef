-- Device lifecycle: why a device has its status, the Android agent's tokens and pending actions.

ALTER TABLE devices ADD COLUMN status_reason TEXT;
ALTER TABLE devices ADD COLUMN api_level INTEGER;
ALTER TABLE devices ADD COLUMN manufacturer TEXT;
ALTER TABLE devices ADD COLUMN enrollment_id TEXT REFERENCES enrollments(id);
CREATE INDEX devices_hardware ON devices(hardware_id);

-- Bearer tokens of the Android agent: only hashes are stored; rotation revokes the old one.
CREATE TABLE agent_tokens (
  token_hash TEXT PRIMARY KEY,
  device_id  TEXT NOT NULL REFERENCES devices(id),
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  revoked_reason TEXT
) STRICT;
CREATE INDEX agent_tokens_device ON agent_tokens(device_id);

-- Actions for the Android agent (lock, wipe, retire), delivered at check-in, answered with a result.
CREATE TABLE agent_actions (
  id           TEXT PRIMARY KEY,
  device_id    TEXT NOT NULL REFERENCES devices(id),
  type         TEXT NOT NULL CHECK (type IN ('lock', 'wipe', 'retire')),
  params       TEXT NOT NULL DEFAULT '{}',
  status       TEXT NOT NULL CHECK (status IN ('queued', 'delivered', 'done', 'failed', 'cancelled')),
  result       TEXT,
  created_by   TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  delivered_at TEXT,
  completed_at TEXT
) STRICT;
CREATE INDEX agent_actions_queue ON agent_actions(device_id, status, created_at);
