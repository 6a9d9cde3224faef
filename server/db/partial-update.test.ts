import { describe, expect, it, vi } from 'vitest';
import { openDatabase } from './open.js';
import { cachedPrepare, partialUpdate, STATEMENT_CACHE_LIMIT } from './partial-update.js';

function fixture() {
  const db = openDatabase(':memory:');
  db.exec(`CREATE TABLE t (id TEXT NOT NULL, part TEXT NOT NULL, a TEXT, b INTEGER, c TEXT, PRIMARY KEY (id, part));
    INSERT INTO t VALUES ('x', 'p', 'a0', 0, 'c0'), ('x', 'q', 'a0', 0, 'c0'), ('y', 'p', 'a0', 0, 'c0');`);
  const select = db.prepare('SELECT * FROM t ORDER BY id, part');
  const rows = () => select.all();
  return { db, rows };
}

describe('partialUpdate', () => {
  it('sets only the allow-listed columns present in the changes, on the keyed row', () => {
    const { db, rows } = fixture();
    const update = partialUpdate(db, 't', ['a', 'b', 'c'], ['id', 'part']);
    expect(update({ id: 'x', part: 'p' }, { b: 7, c: undefined })?.changes).toBe(1);
    expect(rows()).toEqual([
      { id: 'x', part: 'p', a: 'a0', b: 7, c: null },
      { id: 'x', part: 'q', a: 'a0', b: 0, c: 'c0' },
      { id: 'y', part: 'p', a: 'a0', b: 0, c: 'c0' },
    ]);
    expect(update({ id: 'nope', part: 'p' }, { a: 'z' })?.changes).toBe(0);
  });

  it('runs nothing when no allow-listed column is present, and never puts other keys in the SQL', () => {
    const { db, rows } = fixture();
    const update = partialUpdate<'a' | 'b', 'id' | 'part'>(db, 't', ['a', 'b'], ['id', 'part']);
    const spy = vi.spyOn(db, 'prepare');
    const before = rows();
    expect(update({ id: 'x', part: 'p' }, {})).toBeUndefined();
    const sneaky = { 'c = 1; --': 1, c: 'z', id: 'y' } as { a?: string };
    expect(update({ id: 'x', part: 'p' }, sneaky)).toBeUndefined();
    expect(spy).not.toHaveBeenCalled();
    expect(rows()).toEqual(before);
    // A key wins over a same-named property of the changes.
    expect(update({ id: 'x', part: 'q' }, { a: 'k', id: 'y' } as { a: string })?.changes).toBe(1);
    expect(rows()).toContainEqual({ id: 'x', part: 'q', a: 'k', b: 0, c: 'c0' });
    expect(spy.mock.calls.map(([sql]) => sql)).toEqual(['UPDATE t SET a = @a WHERE id = @id AND part = @part']);
  });

  it('prepares once per column set, in allow-list order whatever the order of the changes', () => {
    const { db, rows } = fixture();
    const update = partialUpdate(db, 't', ['a', 'b', 'c'], ['id', 'part']);
    const spy = vi.spyOn(db, 'prepare');
    update({ id: 'x', part: 'p' }, { c: 'c1', a: 'a1' });
    update({ id: 'y', part: 'p' }, { a: 'a2', c: 'c2' });
    update({ id: 'x', part: 'q' }, { b: 3 });
    update({ id: 'x', part: 'q' }, { b: 4 });
    expect(spy.mock.calls.map(([sql]) => sql)).toEqual([
      'UPDATE t SET a = @a, c = @c WHERE id = @id AND part = @part',
      'UPDATE t SET b = @b WHERE id = @id AND part = @part',
    ]);
    expect(rows()).toEqual([
      { id: 'x', part: 'p', a: 'a1', b: 0, c: 'c1' },
      { id: 'x', part: 'q', a: 'a0', b: 4, c: 'c0' },
      { id: 'y', part: 'p', a: 'a2', b: 0, c: 'c2' },
    ]);
  });

  it('refuses names that are not plain identifiers and keys that are also updatable', () => {
    const { db } = fixture();
    expect(() => partialUpdate(db, 't; DROP TABLE t', ['a'], ['id'])).toThrow(/identifier/);
    expect(() => partialUpdate(db, 't', ['a = 1, b'], ['id'])).toThrow(/identifier/);
    expect(() => partialUpdate(db, 't', ['a'], ['id OR 1'])).toThrow(/identifier/);
    expect(() => partialUpdate(db, 't', ['a', 'id'], ['id'])).toThrow(/both updated and a key/);
    expect(() => partialUpdate(db, 't', ['a'], [])).toThrow(/key column/);
  });
});

describe('cachedPrepare', () => {
  it('reuses statements by SQL text and keeps at most the limit, dropping the least recently used', () => {
    const { db } = fixture();
    const spy = vi.spyOn(db, 'prepare');
    const prepare = cachedPrepare(db, 2);
    const one = prepare<[string], { n: number }>('SELECT count(*) AS n FROM t WHERE id = ?');
    expect(one.get('x')).toEqual({ n: 2 });
    expect(prepare('SELECT count(*) AS n FROM t WHERE id = ?')).toBe(one);
    const two = prepare('SELECT 2');
    expect(prepare('SELECT count(*) AS n FROM t WHERE id = ?')).toBe(one); // now the most recently used
    prepare('SELECT 3'); // evicts 'SELECT 2'
    expect(prepare('SELECT count(*) AS n FROM t WHERE id = ?')).toBe(one);
    expect(prepare('SELECT 2')).not.toBe(two);
    expect(spy).toHaveBeenCalledTimes(4);
  });

  it('does not cache a statement that fails to prepare', () => {
    const { db } = fixture();
    const prepare = cachedPrepare(db);
    expect(() => prepare('SELECT nope FROM t')).toThrow(/no such column/);
    db.exec('ALTER TABLE t ADD COLUMN nope TEXT');
    expect(prepare('SELECT nope FROM t').all()).toHaveLength(3);
  });

  it('has a default limit of 64', () => {
    expect(STATEMENT_CACHE_LIMIT).toBe(64);
  });
});
