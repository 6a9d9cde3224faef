-- Enrollment: pending enrollments with their one-time SCEP challenges, issued device identities,
-- device records, Apple MDM channels and the command queue, and the APNs push certificate.

-- One attempt by one user to enroll one device. The bearer token in the profile URL is stored hashed.
CREATE TABLE enrollments (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id),
  platform      TEXT NOT NULL CHECK (platform IN ('ios', 'macos', 'android')),
  status        TEXT NOT NULL CHECK (status IN ('pending', 'enrolled', 'closed')),
  token_hash    TEXT NOT NULL UNIQUE,
  expires_at    TEXT NOT NULL,
  device_id     TEXT REFERENCES devices(id),
  closed_reason TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX enrollments_user ON enrollments(user_id, status);

-- Each profile download mints one challenge; a newer download voids the older ones of its enrollment.
CREATE TABLE scep_challenges (
  id             TEXT PRIMARY KEY,
  enrollment_id  TEXT NOT NULL REFERENCES enrollments(id),
  challenge_hash TEXT NOT NULL UNIQUE,
  device_hint    TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  expires_at     TEXT NOT NULL,
  consumed_at    TEXT,
  voided_at      TEXT
) STRICT;
CREATE INDEX scep_challenges_enrollment ON scep_challenges(enrollment_id, created_at);

CREATE TABLE devices (
  id            TEXT PRIMARY KEY,
  platform      TEXT NOT NULL CHECK (platform IN ('ios', 'macos', 'android')),
  user_id       TEXT REFERENCES users(id),
  udid          TEXT,
  serial_number TEXT,
  hardware_id   TEXT,
  device_name   TEXT,
  model         TEXT,
  model_name    TEXT,
  product_name  TEXT,
  os_version    TEXT,
  build_version TEXT,
  status        TEXT NOT NULL CHECK (status IN ('pending', 'active', 'inactive', 'wiped', 'reset')),
  enrolled_at   TEXT,
  last_seen_at  TEXT,
  info          TEXT NOT NULL DEFAULT '{}',
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  deleted_at    TEXT
) STRICT;
-- An Apple device has exactly one live record: re-enrollment lands on it.
CREATE UNIQUE INDEX devices_udid_live ON devices(udid) WHERE udid IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX devices_user ON devices(user_id);
CREATE INDEX devices_serial ON devices(serial_number);

-- Device identity certificates issued by SCEP.
CREATE TABLE issued_certificates (
  serial         TEXT PRIMARY KEY,
  enrollment_id  TEXT NOT NULL REFERENCES enrollments(id),
  device_id      TEXT REFERENCES devices(id),
  subject        TEXT NOT NULL,
  sha256         TEXT NOT NULL UNIQUE,
  not_before     TEXT NOT NULL,
  not_after      TEXT NOT NULL,
  cert_pem       TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('PKCSReq', 'RenewalReq')),
  transaction_id TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  revoked_at     TEXT,
  revoked_reason TEXT
) STRICT;
CREATE INDEX issued_certificates_enrollment ON issued_certificates(enrollment_id);
CREATE INDEX issued_certificates_device ON issued_certificates(device_id);

-- Apple MDM channels: the device channel ('device') and, on macOS, one per user ('user:<UserID>').
CREATE TABLE mdm_channels (
  device_id         TEXT NOT NULL REFERENCES devices(id),
  channel           TEXT NOT NULL,
  user_id_apple     TEXT,
  user_short_name   TEXT,
  user_long_name    TEXT,
  topic             TEXT NOT NULL,
  push_magic        TEXT,
  token_hex         TEXT,
  unlock_token      TEXT,
  bootstrap_token   TEXT,
  cert_serial       TEXT REFERENCES issued_certificates(serial),
  enabled           INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
  authenticated_at  TEXT,
  token_updated_at  TEXT,
  last_seen_at      TEXT,
  push_disabled_reason TEXT,
  PRIMARY KEY (device_id, channel)
) STRICT;

CREATE TABLE mdm_commands (
  uuid         TEXT PRIMARY KEY,
  device_id    TEXT NOT NULL REFERENCES devices(id),
  channel      TEXT NOT NULL,
  request_type TEXT NOT NULL,
  command      TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'notnow', 'acknowledged', 'error', 'format_error', 'cancelled')),
  result       TEXT,
  error_chain  TEXT,
  created_by   TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  sent_at      TEXT,
  completed_at TEXT
) STRICT;
CREATE INDEX mdm_commands_queue ON mdm_commands(device_id, channel, status, created_at);

-- The APNs MDM push certificate (one per office) and the pending key of a push CSR.
CREATE TABLE push_credentials (
  name       TEXT PRIMARY KEY CHECK (name IN ('push', 'push-csr')),
  cert_pem   TEXT,
  key_sealed TEXT NOT NULL,
  topic      TEXT,
  not_after  TEXT,
  created_at TEXT NOT NULL
) STRICT;
