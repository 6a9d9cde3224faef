import Database from 'better-sqlite3';

/** The database handle every store receives. */
export type Db = Database.Database;

/** Opens (creating if needed) the SQLite database with WAL, foreign keys and a busy timeout. */
export function openDatabase(file: string, options: { readonly?: boolean } = {}): Db {
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  if (!options.readonly && file !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  return db;
}
