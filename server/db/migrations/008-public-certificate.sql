-- Public certificate mode keeps two TLS credentials side by side: 'tls', issued by the office CA for the office
-- host names and LAN addresses (devices enrolled under those names keep getting it, by SNI), and 'tls-public', a
-- certificate an admin imported for a public DNS name (new links use that name). Before, one 'tls' row held
-- either; an imported one moves to 'tls-public' and the server issues a new office one at start.
-- key_label is the secret-box label the private key was sealed under: a moved key keeps the label it was sealed
-- with ('pki:tls'), since SQL cannot seal it again.
CREATE TABLE pki_credentials_new (
  name       TEXT PRIMARY KEY CHECK (name IN ('office-ca', 'tls', 'tls-public')),
  cert_pem   TEXT NOT NULL,
  chain_pem  TEXT NOT NULL DEFAULT '',
  key_sealed TEXT NOT NULL,
  key_label  TEXT NOT NULL,
  source     TEXT NOT NULL CHECK (source IN ('generated', 'imported')),
  sans       TEXT NOT NULL DEFAULT '[]',
  not_after  TEXT NOT NULL,
  created_at TEXT NOT NULL,
  CHECK ((name = 'tls-public') = (source = 'imported'))
) STRICT;

INSERT INTO pki_credentials_new (name, cert_pem, chain_pem, key_sealed, key_label, source, sans, not_after, created_at)
SELECT CASE WHEN source = 'imported' THEN 'tls-public' ELSE name END,
       cert_pem, chain_pem, key_sealed, 'pki:' || name, source, sans, not_after, created_at
FROM pki_credentials;

DROP TABLE pki_credentials;
ALTER TABLE pki_credentials_new RENAME TO pki_credentials;
