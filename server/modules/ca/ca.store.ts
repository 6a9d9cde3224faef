import type { Db } from '../../db/open.js';

/**
 * The stored credentials: the office root CA, the office CA's TLS certificate for the office names ('tls'), and a
 * certificate an admin imported for a public DNS name ('tls-public').
 */
export type CredentialName = 'office-ca' | 'tls' | 'tls-public';

/** A stored credential: certificate, optional chain, sealed private key. */
export interface CredentialRow {
  name: CredentialName;
  cert_pem: string;
  chain_pem: string;
  key_sealed: string;
  /** The secret-box label `key_sealed` was sealed under (`pki:<name>`, or the slot it was moved from). */
  key_label: string;
  source: 'generated' | 'imported';
  sans: string;
  not_after: string;
  created_at: string;
}

/** The SQL behind the office CA and the TLS credentials. */
export interface CaStore {
  get(name: CredentialName): CredentialRow | undefined;
  put(row: CredentialRow): void;
  remove(name: CredentialName): void;
}

/** Builds the CA store over an open database. */
export function createCaStore(db: Db): CaStore {
  const get = db.prepare<[string], CredentialRow>('SELECT * FROM pki_credentials WHERE name = ?');
  const put =
    db.prepare(`INSERT INTO pki_credentials (name, cert_pem, chain_pem, key_sealed, key_label, source, sans, not_after, created_at)
    VALUES (@name, @cert_pem, @chain_pem, @key_sealed, @key_label, @source, @sans, @not_after, @created_at)
    ON CONFLICT(name) DO UPDATE SET cert_pem = excluded.cert_pem, chain_pem = excluded.chain_pem, key_sealed = excluded.key_sealed,
      key_label = excluded.key_label, source = excluded.source, sans = excluded.sans, not_after = excluded.not_after,
      created_at = excluded.created_at`);
  const remove = db.prepare<[string]>('DELETE FROM pki_credentials WHERE name = ?');
  return {
    get: (name) => get.get(name),
    put: (row) => {
      put.run(row);
    },
    remove: (name) => {
      remove.run(name);
    },
  };
}
