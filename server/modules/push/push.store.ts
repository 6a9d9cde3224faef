import type { Db } from '../../db/open.js';

/** The stored push certificate ('push') or the pending key of a push CSR ('push-csr'). */
export interface PushRow {
  name: 'push' | 'push-csr';
  cert_pem: string | null;
  key_sealed: string;
  topic: string | null;
  not_after: string | null;
  created_at: string;
}

/** The SQL behind the push credential. */
export interface PushStore {
  get(name: PushRow['name']): PushRow | undefined;
  put(row: PushRow): void;
  remove(name: PushRow['name']): void;
}

/** Builds the push store over an open database. */
export function createPushStore(db: Db): PushStore {
  const get = db.prepare<[string], PushRow>('SELECT * FROM push_credentials WHERE name = ?');
  const put = db.prepare(`INSERT INTO push_credentials (name, cert_pem, key_sealed, topic, not_after, created_at)
    VALUES (@name, @cert_pem, @key_sealed, @topic, @not_after, @created_at)
    ON CONFLICT(name) DO UPDATE SET cert_pem = excluded.cert_pem, key_sealed = excluded.key_sealed, topic = excluded.topic,
      not_after = excluded.not_after, created_at = excluded.created_at`);
  const remove = db.prepare('DELETE FROM push_credentials WHERE name = ?');
  return {
    get: (n) => get.get(n),
    put: (row) => {
      put.run(row);
    },
    remove: (n) => {
      remove.run(n);
    },
  };
}
