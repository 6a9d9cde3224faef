import type { Db } from '../../db/open.js';

/** A stored credential: certificate, optional chain, sealed private key. */
export interface CredentialRow {
  name: 'office-ca' | 'tls';
  cert_pem: string;
  chain_pem: string;
  key_sealed: string;
  source: 'generated' | 'imported';
  sans: string;
  not_after: string;
  created_at: string;
}

/** The SQL behind the office CA and the TLS credential. */
export interface CaStore {
  get(name: CredentialRow['name']): CredentialRow | undefined;
  put(row: CredentialRow): void;
}

/** Builds the CA store over an open database. */
export function createCaStore(db: Db): CaStore {
  const get = db.prepare<[string], CredentialRow>('SELECT * FROM pki_credentials WHERE name = ?');
  const put =
    db.prepare(`INSERT INTO pki_credentials (name, cert_pem, chain_pem, key_sealed, source, sans, not_after, created_at)
    VALUES (@name, @cert_pem, @chain_pem, @key_sealed, @source, @sans, @not_after, @created_at)
    ON CONFLICT(name) DO UPDATE SET cert_pem = excluded.cert_pem, chain_pem = excluded.chain_pem, key_sealed = excluded.key_sealed,
      source = excluded.source, sans = excluded.sans, not_after = excluded.not_after, created_at = excluded.created_at`);
  return {
    get: (name) => get.get(name),
    put: (row) => {
      put.run(row);
    },
  };
}
