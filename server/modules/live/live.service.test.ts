import { describe, expect, it } from 'vitest';
import { testFoundation, TEST_ADMIN } from '../../../tests/helpers/foundation.js';
import type { AuditAction } from '../../contract/audit.js';
import { createLiveService, liveType, type LiveSink } from './live.service.js';

/** An in-memory sink: what the stream wrote, and how it ended. */
function memorySink(buffered = () => 0) {
  const chunks: string[] = [];
  const state = { ended: false, destroyed: false };
  const sink: LiveSink = {
    write: (c) => void chunks.push(c),
    buffered,
    end: () => void (state.ended = true),
    destroy: () => void (state.destroyed = true),
  };
  const events = () =>
    chunks
      .join('')
      .split('\n\n')
      .filter((b) => b.includes('event: '))
      .map((b) => ({
        id: /^id: (\d+)$/m.exec(b)?.[1] ?? null,
        event: /^event: (.+)$/m.exec(b)?.[1] ?? '',
        data: JSON.parse(/^data: (.+)$/m.exec(b)?.[1] ?? 'null') as Record<string, unknown>,
      }));
  return { sink, chunks, state, events };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function record(f: ReturnType<typeof testFoundation>, action: AuditAction, subject = { type: 'user', id: 'u1' }) {
  return f.services.audit.record({ actor: TEST_ADMIN, action, subject: { ...subject, label: 'a label' } });
}

describe('live updates', () => {
  it.each([
    ['device.enrolled', 'device', 'device.enrolled'],
    ['device.reenrolled', 'device', 'device.enrolled'],
    ['device.retired', 'device', 'device.status'],
    ['mdm.token_updated', 'device', 'device.status'],
    ['mdm.command_result', 'device', 'command.result'],
    ['agent.action_result', 'device', 'command.result'],
    ['invitation.pin_verified', 'invitation', 'invitation.step'],
    ['profile.downloaded', 'enrollment', 'invitation.step'],
    ['user.created', 'user', 'audit.appended'],
  ])('%s about a %s is a %s event', (action, subject, type) => {
    expect(liveType(action, subject)).toBe(type);
  });

  it('sends committed events after the transaction, with the audit seq as id and no labels or details', async () => {
    const f = testFoundation();
    const m = memorySink();
    f.services.live.open({ session: 's1', lastEventId: null, sink: m.sink, signedIn: () => true });
    const transaction = f.db.transaction(() => {
      const e = record(f, 'device.retired', { type: 'device', id: 'd1' });
      // Inside the transaction nothing is sent yet.
      expect(m.events().map((x) => x.event)).toEqual(['hello']);
      return e;
    });
    const retired = transaction.immediate();
    await turn();
    const [hello, event] = m.events();
    expect(hello?.data).toEqual({ head: retired.seq - 1 });
    expect(event).toEqual({
      id: String(retired.seq),
      event: 'device.status',
      data: {
        seq: retired.seq,
        type: 'device.status',
        action: 'device.retired',
        at: retired.at,
        subjectType: 'device',
        subjectId: 'd1',
      },
    });
    expect(m.chunks.join('')).not.toContain('a label');
  });

  it('announces a change the trail does not record after the transaction, without an id', async () => {
    const f = testFoundation();
    const m = memorySink();
    f.services.live.open({ session: 's1', lastEventId: null, sink: m.sink, signedIn: () => true });
    f.db
      .transaction(() => {
        f.services.live.announce('invitation.step', 'mail.sent', { type: 'invitation', id: 'i1' });
        expect(m.events()).toHaveLength(1);
      })
      .immediate();
    await turn();
    expect(m.events()[1]).toEqual({
      id: null,
      event: 'invitation.step',
      data: {
        seq: null,
        type: 'invitation.step',
        action: 'mail.sent',
        at: f.clock.now().toISOString(),
        subjectType: 'invitation',
        subjectId: 'i1',
      },
    });
  });

  it('never sends an event whose transaction rolled back', async () => {
    const f = testFoundation();
    const m = memorySink();
    f.services.live.open({ session: 's1', lastEventId: null, sink: m.sink, signedIn: () => true });
    expect(() =>
      f.db
        .transaction(() => {
          record(f, 'user.created');
          throw new Error('rolled back');
        })
        .immediate(),
    ).toThrow('rolled back');
    await turn();
    const kept = record(f, 'user.updated');
    await turn();
    expect(m.events().map((e) => [e.id, e.data.action ?? null])).toEqual([
      [null, null],
      [String(kept.seq), 'user.updated'],
    ]);
  });

  it('replays what a reconnecting client missed, and tells one too far behind or ahead to reload', async () => {
    const f = testFoundation();
    const first = record(f, 'user.created');
    const missed = [record(f, 'user.updated'), record(f, 'user.disabled')];
    const m = memorySink();
    f.services.live.open({ session: 's', lastEventId: first.seq, sink: m.sink, signedIn: () => true });
    expect(m.events().map((e) => [e.event, e.id])).toEqual([
      ['hello', null],
      ['audit.appended', String(missed[0]?.seq)],
      ['audit.appended', String(missed[1]?.seq)],
    ]);

    const live = createLiveService({
      source: { after: f.services.audit.after, head: f.services.audit.head, inTransaction: () => false },
      limits: { replay: 1 },
    });
    const behind = memorySink();
    live.open({ session: 's', lastEventId: first.seq, sink: behind.sink, signedIn: () => true });
    const ahead = memorySink();
    live.open({ session: 's', lastEventId: 999, sink: ahead.sink, signedIn: () => true });
    const head = f.services.audit.head();
    expect(behind.events()).toEqual([{ id: null, event: 'reset', data: { head } }]);
    expect(ahead.events()).toEqual([{ id: null, event: 'reset', data: { head } }]);
    live.closeAll('shutdown');
  });

  it('caps streams per session and overall', () => {
    const f = testFoundation();
    const live = createLiveService({
      source: { after: f.services.audit.after, head: f.services.audit.head, inTransaction: () => false },
      limits: { perSession: 2, total: 3 },
    });
    const open = (session: string) =>
      live.open({ session, lastEventId: null, sink: memorySink().sink, signedIn: () => true });
    const a1 = open('a');
    open('a');
    expect(() => open('a')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    open('b');
    expect(() => open('c')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    a1.close();
    expect(() => open('c')).not.toThrow();
    expect(live.count()).toBe(3);
    live.closeAll('shutdown');
    expect(live.count()).toBe(0);
  });

  it('ends the streams of a session that ended (sign-out, expiry) at the next admin event or heartbeat', async () => {
    const f = testFoundation();
    let signedIn = true;
    const m = memorySink();
    const other = memorySink();
    f.services.live.open({ session: 'gone', lastEventId: null, sink: m.sink, signedIn: () => signedIn });
    f.services.live.open({ session: 'kept', lastEventId: null, sink: other.sink, signedIn: () => true });
    signedIn = false;
    f.services.live.heartbeat();
    expect(m.state.ended).toBe(true);
    expect(m.events().at(-1)).toEqual({ id: null, event: 'bye', data: { reason: 'signed_out' } });
    expect(other.state.ended).toBe(false);
    expect(other.chunks.at(-1)).toBe(': heartbeat\n\n');
    f.services.live.closeAll('shutdown');
    expect(other.events().at(-1)?.data).toEqual({ reason: 'shutdown' });
  });

  it('drops a reader whose unread bytes pass the buffer limit, and keeps the others', async () => {
    const f = testFoundation();
    let piled = 0;
    const slow = memorySink(() => piled);
    const fast = memorySink();
    f.services.live.open({ session: 's', lastEventId: null, sink: slow.sink, signedIn: () => true });
    f.services.live.open({ session: 's', lastEventId: null, sink: fast.sink, signedIn: () => true });
    record(f, 'user.created');
    await turn();
    expect(slow.state.destroyed).toBe(false);
    piled = 1024 * 1024;
    record(f, 'user.updated');
    await turn();
    expect(slow.state.destroyed).toBe(true);
    expect(fast.state.destroyed).toBe(false);
    expect(f.services.live.count()).toBe(1);
    f.services.live.closeAll('shutdown');
  });
});
