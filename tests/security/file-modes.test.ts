// Who may read the data on the machine: the database holds sessions, PIN hashes, sealed keys and queued mail, and a
// backup holds the same. Another local account must not read them, whatever the process's umask is.
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupDatabase, restoreDatabase } from '../../server/db/backup.js';
import { migrate } from '../../server/db/migrate.js';
import { openDatabase } from '../../server/db/open.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('modes');
afterAll(() => dir.remove());
const mode = (file: string) => statSync(file).mode & 0o777;

describe('data files are private to the server’s user', () => {
  it('creates the database and its -wal and -shm files 0600 even with a permissive umask', async () => {
    const old = process.umask(0o022);
    try {
      const file = join(dir.path, 'tsunagu.db');
      const db = openDatabase(file);
      migrate(db);
      db.prepare('CREATE TABLE IF NOT EXISTS t (x)').run();
      db.prepare('INSERT INTO t VALUES (1)').run();
      expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
      const copy = join(dir.path, 'backup.db');
      await backupDatabase(db, copy);
      expect(mode(copy)).toBe(0o600);
      db.close();
      const restored = join(dir.path, 'restored.db');
      restoreDatabase(copy, restored);
      expect(mode(restored)).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it('makes an existing database readable by its owner only when it opens it', () => {
    const file = join(dir.path, 'old.db');
    openDatabase(file).close();
    chmodSync(file, 0o644);
    openDatabase(file).close();
    expect(mode(file)).toBe(0o600);
  });
});
