import { describe, expect, it } from 'vitest';
import { testFoundation, TEST_ADMIN } from '../../../tests/helpers/foundation.js';
import { GENESIS_HASH } from './audit.service.js';

function seeded(n: number) {
  const f = testFoundation();
  for (let i = 0; i < n; i++) {
    f.services.audit.record({
      actor: i % 2 ? TEST_ADMIN : { type: 'system', label: 'system' },
      action: i % 3 ? 'user.created' : 'settings.updated',
      subject: { type: 'user', id: `u${i}`, label: `user${i}@example.com` },
      details: { i },
      sourceAddress: '10.0.0.1',
    });
    f.clock.advance(60_000);
  }
  return f;
}

describe('audit trail', () => {
  it('chains every event to the previous one from the genesis hash', () => {
    const { services } = seeded(3);
    const page = services.audit.list({ limit: 10 });
    const [third, second, first] = page.items;
    expect(first?.prevHash).toBe(GENESIS_HASH);
    expect(second?.prevHash).toBe(first?.hash);
    expect(third?.prevHash).toBe(second?.hash);
    expect(services.audit.verify()).toEqual({ ok: true, checked: 3, firstBroken: null });
  });

  it('refuses updates and deletes at the database level', () => {
    const { db } = seeded(2);
    expect(() => db.prepare("UPDATE audit_events SET action = 'x' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_events WHERE seq = 1').run()).toThrow(/append-only/);
  });

  it.each([
    ['a changed field', 'UPDATE audit_events SET details = \'{"i":99}\' WHERE seq = 4', 4, /contents do not match/],
    ['a rewritten link', "UPDATE audit_events SET prev_hash = 'ff' WHERE seq = 3", 3, /previous-hash link/],
    ['a deleted event', 'DELETE FROM audit_events WHERE seq = 2', 3, /event 2 is missing/],
  ])('verify reports the first broken link after %s', (_name, sql, seq, reason) => {
    const { db, services } = seeded(6);
    db.exec('DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;');
    db.exec(sql);
    const result = services.audit.verify();
    expect(result.ok).toBe(false);
    expect(result.firstBroken?.seq).toBe(seq);
    expect(result.firstBroken?.reason).toMatch(reason);
  });

  it('filters by time, action prefix, actor and subject, and pages with a cursor', () => {
    const { services } = seeded(10);
    expect(services.audit.list({ action: 'settings.updated' }).items.map((e) => e.seq)).toEqual([10, 7, 4, 1]);
    expect(services.audit.list({ action: 'user.' }).items).toHaveLength(6);
    expect(services.audit.list({ actorType: 'admin' }).items.every((e) => e.actorId === TEST_ADMIN.id)).toBe(true);
    expect(services.audit.list({ actor: 'admin@example' }).items).toHaveLength(5);
    expect(services.audit.list({ subject: 'user3@' }).items.map((e) => e.seq)).toEqual([4]);
    expect(
      services.audit.list({ from: '2026-04-01T09:02:00Z', to: '2026-04-01T09:04:00Z' }).items.map((e) => e.seq),
    ).toEqual([5, 4, 3]);
    const first = services.audit.list({ limit: 4 });
    expect(first.items.map((e) => e.seq)).toEqual([10, 9, 8, 7]);
    const second = services.audit.list({ limit: 4, cursor: first.nextCursor ?? '' });
    expect(second.items.map((e) => e.seq)).toEqual([6, 5, 4, 3]);
    const third = services.audit.list({ limit: 4, cursor: second.nextCursor ?? '' });
    expect(third.items.map((e) => e.seq)).toEqual([2, 1]);
    expect(third.nextCursor).toBeNull();
  });

  it('rejects a forged cursor and a bad date with codes', () => {
    const { services } = seeded(1);
    expect(() => services.audit.list({ cursor: 'bm9wZQ' })).toThrow(
      expect.objectContaining({ code: 'CURSOR_INVALID' }),
    );
    expect(() => services.audit.list({ from: 'yesterday' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('exports JSON Lines that re-verify and CSV with formula cells neutralized', () => {
    const { services } = testFoundation();
    services.audit.record({
      actor: TEST_ADMIN,
      action: 'user.created',
      subject: { type: 'user', id: 'u1', label: '=HYPERLINK("x")' },
      details: { note: 'a,"b"\nc' },
    });
    const jsonl = [...services.audit.exportLines('jsonl', {})].join('');
    const event = JSON.parse(jsonl.trim()) as { subjectLabel: string; details: { note: string } };
    expect(event.subjectLabel).toBe('=HYPERLINK("x")');
    expect(event.details.note).toBe('a,"b"\nc');
    const csv = [...services.audit.exportLines('csv', {})];
    expect(csv[0]).toMatch(/^seq,id,at,actorType/);
    expect(csv[1]).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
