-- Foundation: administrators, their sessions and sign-in throttling, users, settings, the audit trail.

CREATE TABLE admins (
  id            TEXT PRIMARY KEY,
  email         TEXT NOT NULL,
  email_norm    TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  last_login_at TEXT
) STRICT;

CREATE TABLE admin_sessions (
  token_hash     TEXT PRIMARY KEY,
  admin_id       TEXT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
  csrf_token     TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  expires_at     TEXT NOT NULL,
  last_seen_at   TEXT NOT NULL,
  source_address TEXT
) STRICT;
CREATE INDEX admin_sessions_expiry ON admin_sessions(expires_at);

-- One row per throttled key: 'email:<normalized>' or 'addr:<ip>'.
CREATE TABLE login_throttle (
  key          TEXT PRIMARY KEY,
  failures     INTEGER NOT NULL,
  locked_until TEXT,
  updated_at   TEXT NOT NULL
) STRICT;

-- Small process-wide values such as the hash of the one-time setup token.
CREATE TABLE app_state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE users (
  id                   TEXT PRIMARY KEY,
  email                TEXT NOT NULL,
  email_norm           TEXT NOT NULL,
  display_name         TEXT NOT NULL,
  locale               TEXT NOT NULL CHECK (locale IN ('ja', 'en')),
  source               TEXT NOT NULL CHECK (source IN ('local', 'ldap')),
  external_id          TEXT,
  password_hash        TEXT,
  must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
  disabled             INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL,
  deleted_at           TEXT
) STRICT;
-- Deleted users keep their row (devices and history point at it) but free their address.
CREATE UNIQUE INDEX users_email_live ON users(email_norm) WHERE deleted_at IS NULL;

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE audit_events (
  seq            INTEGER PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  at             TEXT NOT NULL,
  actor_type     TEXT NOT NULL CHECK (actor_type IN ('admin', 'user', 'device', 'system')),
  actor_id       TEXT,
  actor_label    TEXT,
  action         TEXT NOT NULL,
  subject_type   TEXT,
  subject_id     TEXT,
  subject_label  TEXT,
  details        TEXT NOT NULL,
  source_address TEXT,
  prev_hash      TEXT NOT NULL,
  hash           TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_at ON audit_events(at);
CREATE INDEX audit_events_action ON audit_events(action, seq);
CREATE INDEX audit_events_actor ON audit_events(actor_id, seq);
CREATE INDEX audit_events_subject ON audit_events(subject_id, seq);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
