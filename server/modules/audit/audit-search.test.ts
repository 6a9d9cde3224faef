import { describe, expect, it } from 'vitest';
import { testFoundation, TEST_ADMIN } from '../../../tests/helpers/foundation.js';
import { SEARCH_BATCH } from './audit.store.js';

// The actor and subject filters through the trigram index (migration 013) and the action prefix as a range of the
// action index: the same events as reading the whole trail would give, newest first, paged by cursor.
const ADMIN_ID = String(TEST_ADMIN.id);

function seeded() {
  const f = testFoundation();
  const labels = ['O\'Brien "Bob" 100%_sure', 'user1@example.com', 'user10@example.com', 'ユーザー 太郎'];
  for (let i = 0; i < 40; i++) {
    f.services.audit.record({
      actor: i % 2 ? TEST_ADMIN : { type: 'user', id: `u${(i / 2) % 4}`, label: labels[(i / 2) % 4] ?? null },
      action: (['user.created', 'users.other', 'user_x.y', 'settings.updated'] as const)[i % 4] as 'user.created',
      subject: { type: 'device', id: `device-${i % 5}`, label: `Pixel ${i % 5}` },
    });
    f.clock.advance(60_000);
  }
  return f;
}

describe('audit filters at scale', () => {
  it('finds a piece of an actor or subject, quotes, percent signs and all, newest first', () => {
    const { services } = seeded();
    const all = services.audit.list({ limit: 500 }).items;
    // What reading every event finds: the whole id, or a piece of the label (ASCII case ignored, as LIKE does).
    const has = (id: string | null, label: string | null, q: string) =>
      id === q || (label ?? '').toLowerCase().includes(q.toLowerCase());
    const cases: { actor?: string; subject?: string; action?: string }[] = [
      { actor: '"Bob" 100%_' },
      { actor: 'user1@' },
      { actor: 'USER10@EXAMPLE' },
      { actor: '太郎' },
      { actor: ADMIN_ID },
      { actor: ADMIN_ID.slice(2, 8) },
      { subject: 'device-3' },
      { subject: 'Pixel 3', actor: 'user' },
      { subject: 'no such subject' },
      { actor: 'u1' },
      // FTS5 query syntax is text here, never an operator.
      { actor: 'NEAR(a b) OR *' },
      { actor: '"""' },
      { subject: '{subject_id} : device' },
      { subject: 'Pixel 1" OR "Pixel' },
      { action: 'user.', actor: 'user' },
      { action: 'user.' },
      { action: 'users.', subject: 'Pixel 2' },
      { action: 'nothing.', actor: 'user' },
      { action: 'settings.updated', actor: ADMIN_ID, subject: 'device-1' },
    ];
    for (const q of cases) {
      const expected = all
        .filter(
          (e) =>
            (!q.action || (q.action.endsWith('.') ? e.action.startsWith(q.action) : e.action === q.action)) &&
            (!q.actor || has(e.actorId, e.actorLabel, q.actor)) &&
            (!q.subject || has(e.subjectId, e.subjectLabel, q.subject)),
        )
        .map((e) => e.seq);
      expect(
        services.audit.list({ limit: 500, ...q }).items.map((e) => e.seq),
        JSON.stringify(q),
      ).toEqual(expected);
    }
    expect(services.audit.list({ limit: 500, actor: '"Bob" 100%_' }).items).toHaveLength(5);
    expect(services.audit.list({ limit: 500, actor: ADMIN_ID }).items).toHaveLength(20);
  });

  it('pages through the search by cursor without repeating or skipping an event', () => {
    const { services } = seeded();
    const queries: { subject?: string; action?: string; actor?: string }[] = [
      { subject: 'Pixel' },
      { action: 'user.', actor: 'user' },
      { actor: ADMIN_ID },
    ];
    for (const q of queries) {
      const all = services.audit.list({ limit: 500, ...q }).items.map((e) => e.seq);
      expect(all.length).toBeGreaterThan(2);
      const paged: number[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = services.audit.list({ limit: 2, ...q, ...(cursor ? { cursor } : {}) });
        paged.push(...page.items.map((e) => e.seq));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(paged).toEqual(all);
    }
  });

  it('matches an action prefix as a whole domain, not a longer one', () => {
    const { services } = seeded();
    const actions = new Set(services.audit.list({ limit: 500, action: 'user.' }).items.map((e) => e.action));
    expect([...actions]).toEqual(['user.created']);
    expect(services.audit.list({ limit: 500, action: 'users.' }).items).toHaveLength(10);
  });

  it('indexes in batches, not per event, and a search never misses an event recorded just before it', () => {
    const { db, services } = seeded();
    const indexed = () => (db.prepare('SELECT seq FROM audit_search_mark').get() as { seq: number }).seq;
    const newest = () => services.audit.list({ limit: 1 }).items[0]?.seq ?? 0;
    // Recording writes no index: the 40 seeded events (and the foundation's own) wait for a search or the tick.
    expect(indexed()).toBe(0);
    expect(services.audit.list({ limit: 500, subject: 'Pixel 4' }).items).toHaveLength(8);
    expect(indexed()).toBe(newest());
    expect(services.audit.indexSearch()).toBe(0);

    // More than one batch at once: every event is indexed exactly once, and the mark stops at the newest.
    for (let i = 0; i < SEARCH_BATCH + 10; i++)
      services.audit.record({
        actor: TEST_ADMIN,
        action: 'user.created',
        subject: { type: 'user', id: `u-${i}`, label: `bulk ${i}` },
      });
    expect(services.audit.indexSearch()).toBe(SEARCH_BATCH + 10);
    expect(indexed()).toBe(newest());
    expect(services.audit.list({ limit: 500, subject: 'bulk 2009' }).items.map((e) => e.subjectLabel)).toEqual([
      'bulk 2009',
    ]);
    const rows = db
      .prepare('SELECT count(*) AS n FROM audit_search WHERE audit_search MATCH \'subject_label : "bulk"\'')
      .get();
    expect(rows).toEqual({ n: SEARCH_BATCH + 10 });

    // A filter the index does not serve (an action, a piece under three characters) writes nothing.
    services.audit.record({
      actor: TEST_ADMIN,
      action: 'user.created',
      subject: { type: 'user', id: 'u-later', label: 'later' },
    });
    services.audit.list({ limit: 10, action: 'user.' });
    services.audit.list({ limit: 10, subject: 'la' });
    expect(indexed()).toBe(newest() - 1);
  });
});
