// GET /api/events over HTTP against the real server: the stream starts with hello, every state change arrives as a
// typed event whose id is its audit seq, a reconnect with Last-Event-ID gets what it missed, sign-out ends the
// stream, and closing the server ends open streams instead of waiting for them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEventDto, LiveHelloDto } from '../../server/contract/live.js';
import { send } from '../helpers/http.js';
import { addUser, startHarness, type Harness } from '../helpers/server-harness.js';
import { openSse, signInCookie, type SseMessage, type SseStream } from '../helpers/sse-client.js';

let h: Harness;
let cookie: string;
let csrf: string;

const data = <T>(m: SseMessage) => JSON.parse(m.data) as T;

beforeAll(async () => {
  h = await startHarness();
  ({ cookie, csrf } = await signInCookie(h.server.adminUrl));
});

afterAll(async () => {
  await h?.stop();
});

describe('live updates over HTTP', () => {
  let first: SseStream;
  let userSeq = 0;

  it('answers 401 without a session, and a stream with hello and no-store with one', async () => {
    const refused = await send(new URL('/api/events', h.server.adminUrl).href);
    expect(refused.status).toBe(401);
    first = await openSse(h.server.adminUrl, { cookie });
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(first.headers['cache-control']).toBe('no-store');
    const hello = await first.next((m) => m.event === 'hello');
    expect(data<LiveHelloDto>(hello).head).toBe(h.server.services.audit.head());
  });

  it('sends each change as a typed event whose id is its audit seq, without names or emails', async () => {
    const userId = await addUser(h, 'live.person@example.com');
    const created = await first.next((m) => m.event === 'audit.appended');
    const event = data<LiveEventDto>(created);
    expect(event).toMatchObject({ action: 'user.created', subjectType: 'user', subjectId: userId });
    expect(created.id).toBe(String(event.seq));
    userSeq = event.seq ?? 0;
    const invited = await h.admin.call('POST', '/api/invitations', { userIds: [userId] });
    expect(invited.status, invited.text).toBe(201);
    const step = await first.next((m) => m.event === 'invitation.step');
    expect(data<LiveEventDto>(step)).toMatchObject({ action: 'invitation.created', subjectType: 'invitation' });
    expect(Number(step.id)).toBeGreaterThan(userSeq);
    expect(first.messages.map((m) => m.data).join('\n')).not.toContain('@example.com');
  });

  it('replays what a reconnect missed after its Last-Event-ID (or ?since=), in order', async () => {
    const seen = first.messages.filter((m) => m.id !== null).map((m) => m.id);
    const resumes: Record<string, string>[] = [{ cookie, 'last-event-id': String(userSeq) }, { cookie }];
    for (const headers of resumes) {
      const path = 'last-event-id' in headers ? '/api/events' : `/api/events?since=${userSeq}`;
      const again = await openSse(h.server.adminUrl, headers, path);
      await again.next((m) => m.event === 'hello');
      const head = h.server.services.audit.head();
      const replayed = await again.next((m) => m.id === String(head));
      expect(replayed).toBeDefined();
      const ids = again.messages.filter((m) => m.id !== null).map((m) => Number(m.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(ids[0]).toBe(userSeq + 1);
      expect(seen).toContain(String(ids[0]));
      again.close();
    }
    const bad = await openSse(h.server.adminUrl, { cookie, 'last-event-id': 'abc' });
    await bad.ended;
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.refusal)).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('ends the stream at sign-out with bye signed_out; other sessions keep theirs', async () => {
    const other = await signInCookie(h.server.adminUrl);
    const kept = await openSse(h.server.adminUrl, { cookie: other.cookie });
    await kept.next((m) => m.event === 'hello');
    const out = await send(new URL('/api/auth/logout', h.server.adminUrl).href, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(out.status).toBe(204);
    const bye = await first.next((m) => m.event === 'bye');
    expect(data<{ reason: string }>(bye).reason).toBe('signed_out');
    await first.ended;
    // The sign-out itself reaches the session that stays, as an audit event.
    await kept.next((m) => m.event === 'audit.appended' && data<LiveEventDto>(m).action === 'admin.logout');
    expect(kept.isEnded()).toBe(false);
    expect(h.server.services.live.count()).toBe(1);

    // Closing the server ends the open stream (bye shutdown) instead of waiting for it.
    await h.server.close();
    await kept.ended;
    expect(kept.messages.at(-1)).toMatchObject({ event: 'bye', data: JSON.stringify({ reason: 'shutdown' }) });
  });
});
