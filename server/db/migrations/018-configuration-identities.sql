-- Identity certificates for configurations (issue 15): Enterprise Wi-Fi (EAP-TLS), certificate VPN and per-user
-- identities carry a SCEP payload with a one-time challenge of their own. Such a challenge is minted for one device,
-- channel and configuration, with the subject the CA writes (a JSON IdentityTemplate), and is linked to the device's
-- enrollment like every challenge. The certificate it gets is a configuration identity: recorded with its purpose,
-- never accepted as the device's MDM identity, and renewed only into another configuration identity.
ALTER TABLE scep_challenges ADD COLUMN purpose TEXT NOT NULL DEFAULT 'enrollment'
  CHECK (purpose IN ('enrollment', 'configuration'));
ALTER TABLE scep_challenges ADD COLUMN device_id TEXT REFERENCES devices(id);
ALTER TABLE scep_challenges ADD COLUMN channel TEXT;
ALTER TABLE scep_challenges ADD COLUMN configuration_id TEXT REFERENCES configurations(id);
ALTER TABLE scep_challenges ADD COLUMN template TEXT
  CHECK ((purpose = 'enrollment') = (template IS NULL));
CREATE INDEX scep_challenges_configuration ON scep_challenges(device_id, channel, configuration_id)
  WHERE purpose = 'configuration';

ALTER TABLE issued_certificates ADD COLUMN purpose TEXT NOT NULL DEFAULT 'mdm'
  CHECK (purpose IN ('mdm', 'configuration'));
ALTER TABLE issued_certificates ADD COLUMN configuration_id TEXT REFERENCES configurations(id);
ALTER TABLE issued_certificates ADD COLUMN channel TEXT;
-- The template a configuration identity was issued from (JSON), so its renewal says the same.
ALTER TABLE issued_certificates ADD COLUMN template TEXT
  CHECK ((purpose = 'mdm') = (template IS NULL));
