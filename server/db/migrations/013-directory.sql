-- Directory (LDAP) users: the connector's settings (one row; the bind password sealed by the secret box), the record of
-- each import and sync, and on users what the sync needs: the entry's DN and login name (for sign-in by a bind as the
-- user) and why the sync disabled a user (so it enables only those it disabled itself). Users keep `source` and
-- `external_id` from migration 001 ('ldap' and the entry's unique id: entryUUID or objectGUID).
CREATE TABLE directory_connector (
  id                   INTEGER PRIMARY KEY CHECK (id = 1),
  settings             TEXT NOT NULL,
  bind_password_sealed TEXT,
  updated_at           TEXT NOT NULL
) STRICT;

CREATE TABLE directory_runs (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('import', 'sync')),
  trigger     TEXT NOT NULL CHECK (trigger IN ('admin', 'schedule')),
  status      TEXT NOT NULL CHECK (status IN ('succeeded', 'failed', 'needs_confirmation')),
  started_at  TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  counts      TEXT NOT NULL,
  error_code  TEXT,
  error       TEXT
) STRICT;
CREATE INDEX directory_runs_started ON directory_runs(started_at);

ALTER TABLE users ADD COLUMN directory_dn TEXT;
ALTER TABLE users ADD COLUMN directory_login TEXT;
ALTER TABLE users ADD COLUMN directory_state TEXT CHECK (directory_state IN ('left', 'disabled'));
-- One live user per directory entry.
CREATE UNIQUE INDEX users_external_live ON users(external_id) WHERE source = 'ldap' AND deleted_at IS NULL;
CREATE INDEX users_directory_login ON users(lower(directory_login)) WHERE source = 'ldap' AND deleted_at IS NULL;
