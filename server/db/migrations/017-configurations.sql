-- Configurations after enrollment (issue 15): the library (each configuration, its versions with secrets sealed by the
-- secret box, and the users it is assigned to), and per device and channel what should be installed and what is.
CREATE TABLE configurations (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  description TEXT,
  kind        TEXT NOT NULL CHECK (kind IN ('wifi', 'vpn', 'passcode', 'restrictions', 'office-ca', 'identity', 'webclip', 'uploaded')),
  -- JSON array of 'ios', 'macos', 'android'.
  platforms   TEXT NOT NULL,
  -- Where a Mac gets it: every user of the Mac (device channel) or the enrolling user's channel.
  mac_channel TEXT NOT NULL CHECK (mac_channel IN ('device', 'user')),
  scope       TEXT NOT NULL CHECK (scope IN ('everyone', 'users')),
  version     INTEGER NOT NULL CHECK (version >= 1),
  created_by  TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  updated_by  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  deleted_at  TEXT
) STRICT;

-- Every version of a configuration's content: the spec as an XML plist without its secrets, and the secrets (Wi-Fi
-- password, VPN shared secret) as sealed JSON, label `configuration:<id>:<version>`.
CREATE TABLE configuration_versions (
  configuration_id TEXT NOT NULL REFERENCES configurations(id),
  version          INTEGER NOT NULL,
  spec             TEXT NOT NULL,
  secrets_sealed   TEXT,
  created_by       TEXT NOT NULL,
  created_at       TEXT NOT NULL,
  PRIMARY KEY (configuration_id, version)
) STRICT;

-- The users a configuration with scope 'users' goes to.
CREATE TABLE configuration_users (
  configuration_id TEXT NOT NULL REFERENCES configurations(id),
  user_id          TEXT NOT NULL REFERENCES users(id),
  PRIMARY KEY (configuration_id, user_id)
) STRICT;
CREATE INDEX configuration_users_user ON configuration_users(user_id);

-- Per device and channel ('device', 'user:<UserID>' on a Mac, 'agent' on Android): the version that should be
-- installed (null: remove it), the version installed as far as the device told us, and where delivery stands.
CREATE TABLE device_configurations (
  device_id         TEXT NOT NULL REFERENCES devices(id),
  channel           TEXT NOT NULL,
  configuration_id  TEXT NOT NULL REFERENCES configurations(id),
  desired_version   INTEGER,
  installed_version INTEGER,
  state             TEXT NOT NULL CHECK (state IN ('pending', 'installed', 'failed', 'removing', 'removed')),
  command_uuid      TEXT,
  -- JSON: the device's ErrorChain (or the agent's message) of the last failure.
  error             TEXT,
  updated_at        TEXT NOT NULL,
  PRIMARY KEY (device_id, channel, configuration_id)
) STRICT;
CREATE INDEX device_configurations_configuration ON device_configurations(configuration_id, state);

-- A command whose body is made when the device fetches it (a configuration profile carries secrets and a fresh
-- one-time SCEP challenge, which are never stored in the queue): JSON naming what to render.
ALTER TABLE mdm_commands ADD COLUMN render TEXT;
