-- Android (issue 15): the CA certificates a user installed on the device, as its agent reports them. A device-admin app
-- cannot install or remove a CA (Android 11 and later let no app install one; removing needs a device owner), so the
-- server only keeps what the agent sees, for the console to flag every CA that is not the office CA. Each report
-- replaces the device's list; `first_seen_at` survives while the certificate stays.
CREATE TABLE agent_ca_reports (
  device_id   TEXT PRIMARY KEY REFERENCES devices(id),
  reported_at TEXT NOT NULL
) STRICT;

CREATE TABLE agent_user_cas (
  device_id     TEXT NOT NULL REFERENCES devices(id),
  sha256        TEXT NOT NULL,
  subject       TEXT NOT NULL,
  issuer        TEXT NOT NULL,
  not_after     TEXT NOT NULL,
  first_seen_at TEXT NOT NULL,
  PRIMARY KEY (device_id, sha256)
) STRICT;
