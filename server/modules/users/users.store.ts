import type { Locale, UserSource } from '../../contract/users.js';
import type { Db } from '../../db/open.js';
import { partialUpdate } from '../../db/partial-update.js';

/** A user row as stored. */
export interface UserRow {
  id: string;
  email: string;
  email_norm: string;
  display_name: string;
  locale: Locale;
  source: UserSource;
  external_id: string | null;
  /** A directory user's entry DN and login name (null for local users). */
  directory_dn: string | null;
  directory_login: string | null;
  /** Why the directory sync disabled this user ('left' the directory or 'disabled' there), so it alone enables again. */
  directory_state: 'left' | 'disabled' | null;
  password_hash: string | null;
  must_change_password: 0 | 1;
  disabled: 0 | 1;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** Fields that an update may change. */
export type UserChanges = Partial<
  Pick<
    UserRow,
    | 'email'
    | 'email_norm'
    | 'display_name'
    | 'locale'
    | 'password_hash'
    | 'must_change_password'
    | 'disabled'
    | 'updated_at'
    | 'deleted_at'
    | 'source'
    | 'external_id'
    | 'directory_dn'
    | 'directory_login'
    | 'directory_state'
  >
>;

/** The SQL behind users. Deleted users stay as rows with `deleted_at` set and are hidden from lists. */
export interface UsersStore {
  insert(row: UserRow): void;
  update(id: string, changes: UserChanges): void;
  byId(id: string): UserRow | undefined;
  /** The live (not deleted) user with this normalized email. */
  byEmail(emailNorm: string): UserRow | undefined;
  /** Live users in email order after `afterEmail`, optionally matching `q` in email or name. */
  /** One page by email after `afterEmail`; `q` searches email and name; `source` keeps local or directory users only. */
  list(q: string | null, afterEmail: string | null, limit: number, source?: UserSource | null): UserRow[];
  count(q: string | null, source?: UserSource | null): number;
  /** Every live user the directory sync owns (source 'ldap'). */
  liveFromDirectory(): UserRow[];
  /** Every live local user, by normalized email (the directory preview's link candidates). */
  liveLocalByEmail(): Map<string, UserRow>;
  /** The one live directory user with this login name (case ignored); none when no user or several have it. */
  byDirectoryLogin(login: string): UserRow | undefined;
}

const COLUMNS = [
  'email',
  'email_norm',
  'display_name',
  'locale',
  'password_hash',
  'must_change_password',
  'disabled',
  'updated_at',
  'deleted_at',
  'source',
  'external_id',
  'directory_dn',
  'directory_login',
  'directory_state',
] as const;

function like(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Builds the users store over an open database. */
export function createUsersStore(db: Db): UsersStore {
  const insert = db.prepare(`INSERT INTO users
    (id, email, email_norm, display_name, locale, source, external_id, directory_dn, directory_login, directory_state,
     password_hash, must_change_password, disabled, created_at, updated_at, deleted_at)
    VALUES (@id, @email, @email_norm, @display_name, @locale, @source, @external_id, @directory_dn, @directory_login,
     @directory_state, @password_hash, @must_change_password, @disabled, @created_at, @updated_at, @deleted_at)`);
  const fromDirectory = db.prepare<[], UserRow>("SELECT * FROM users WHERE source = 'ldap' AND deleted_at IS NULL");
  const byLogin = db.prepare<[string], UserRow>(
    "SELECT * FROM users WHERE source = 'ldap' AND deleted_at IS NULL AND lower(directory_login) = lower(?) LIMIT 2",
  );
  const localLive = db.prepare<[], UserRow>("SELECT * FROM users WHERE source = 'local' AND deleted_at IS NULL");
  const byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?');
  const byEmail = db.prepare<[string], UserRow>('SELECT * FROM users WHERE email_norm = ? AND deleted_at IS NULL');
  const match = "(email_norm LIKE @q ESCAPE '\\' OR lower(display_name) LIKE @q ESCAPE '\\')";
  // One statement per shape: with a source filter, and without one (whose count stays a covering scan of the email
  // index instead of reading every row for its source).
  type Params = { q?: string; source?: UserSource; after?: string; limit?: number };
  const statements = new Map<string, ReturnType<typeof db.prepare<Params>>>();
  const statement = (what: 'list' | 'count', q: boolean, source: boolean) => {
    const key = `${what}:${q}:${source}`;
    let st = statements.get(key);
    if (!st) {
      const where = [
        'deleted_at IS NULL',
        ...(what === 'list' ? ['email_norm > @after'] : []),
        ...(q ? [match] : []),
        ...(source ? ['source = @source'] : []),
      ].join(' AND ');
      st = db.prepare<Params>(
        what === 'list'
          ? `SELECT * FROM users WHERE ${where} ORDER BY email_norm LIMIT @limit`
          : `SELECT count(*) AS n FROM users WHERE ${where}`,
      );
      statements.set(key, st);
    }
    return st;
  };
  const filter = (q: string | null, source: UserSource | null): Params => ({
    ...(q ? { q: like(q) } : {}),
    ...(source ? { source } : {}),
  });
  const update = partialUpdate(db, 'users', COLUMNS, ['id']);
  return {
    insert: (row) => {
      insert.run(row);
    },
    update: (id, changes) => {
      update({ id }, changes);
    },
    byId: (id) => byId.get(id),
    byEmail: (emailNorm) => byEmail.get(emailNorm),
    list: (q, afterEmail, limit, source = null) =>
      statement('list', Boolean(q), Boolean(source)).all({
        ...filter(q, source),
        after: afterEmail ?? '',
        limit,
      }) as UserRow[],
    count: (q, source = null) =>
      (statement('count', Boolean(q), Boolean(source)).get(filter(q, source)) as { n: number } | undefined)?.n ?? 0,
    liveFromDirectory: () => fromDirectory.all(),
    byDirectoryLogin(login) {
      const rows = byLogin.all(login);
      return rows.length === 1 ? rows[0] : undefined;
    },
    liveLocalByEmail: () => new Map(localLive.all().map((u) => [u.email_norm, u])),
  };
}
