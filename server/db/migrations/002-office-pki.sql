-- The office CA and the device listener's TLS certificate; private keys are sealed by the secret box.
CREATE TABLE pki_credentials (
  name       TEXT PRIMARY KEY CHECK (name IN ('office-ca', 'tls')),
  cert_pem   TEXT NOT NULL,
  chain_pem  TEXT NOT NULL DEFAULT '',
  key_sealed TEXT NOT NULL,
  source     TEXT NOT NULL CHECK (source IN ('generated', 'imported')),
  sans       TEXT NOT NULL DEFAULT '[]',
  not_after  TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
