// The live update stream is a long-lived connection into the admin API: the attacks are reading it without a session
// (or with one that ended), opening it from another site, opening so many streams that the listener runs out of
// sockets or memory, and opening one and never reading it while the server keeps writing. Each is refused or bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_LIMITS } from '../../server/contract/live.js';
import { send } from '../helpers/http.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import { openSse, signInCookie, type SseStream } from '../helpers/sse-client.js';

let h: Harness;
const open: SseStream[] = [];

async function stream(headers: Record<string, string>): Promise<SseStream> {
  const s = await openSse(h.server.adminUrl, headers);
  open.push(s);
  return s;
}

async function closeAll(): Promise<void> {
  for (const s of open.splice(0)) {
    s.close();
    await s.ended;
  }
  // The server sees each close on its own turn.
  for (let i = 0; i < 100 && h.server.services.live.count() > 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(h.server.services.live.count()).toBe(0);
}

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  for (const s of open) s.close();
  await h?.stop();
});

describe('GET /api/events under attack', () => {
  it('refuses a stream without a session, with a forged one, and with one that was signed out', async () => {
    const { cookie, csrf } = await signInCookie(h.server.adminUrl);
    const out = await send(new URL('/api/auth/logout', h.server.adminUrl).href, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(out.status).toBe(204);
    const attempts: Record<string, string>[] = [{}, { cookie: 'tsunagu_admin=forged-token' }, { cookie }];
    for (const headers of attempts) {
      const s = await stream(headers);
      await s.ended;
      expect(s.status).toBe(401);
      expect(s.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(s.refusal)).toMatchObject({ code: 'AUTH_REQUIRED' });
    }
    expect(h.server.services.live.count()).toBe(0);
  });

  it('refuses a stream another site or origin asks for, and never answers with CORS headers', async () => {
    const { cookie } = await signInCookie(h.server.adminUrl);
    const portal = new URL(h.server.enrollmentUrl).origin;
    const foreign: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: portal },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const extra of foreign) {
      const s = await stream({ cookie, ...extra });
      await s.ended;
      expect(s.status, JSON.stringify(extra)).toBe(403);
      expect(JSON.parse(s.refusal)).toMatchObject({ code: 'ORIGIN_REFUSED' });
      expect(s.headers['access-control-allow-origin']).toBeUndefined();
    }
    const own = await stream({ cookie, origin: new URL(h.server.adminUrl).origin, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(200);
    expect(own.headers['access-control-allow-origin']).toBeUndefined();
    expect(own.headers['access-control-allow-credentials']).toBeUndefined();
    await closeAll();
  });

  it('caps the streams of one session and of all sessions, answering 429 with Retry-After', async () => {
    const first = await signInCookie(h.server.adminUrl);
    for (let i = 0; i < LIVE_LIMITS.perSession; i++) expect((await stream({ cookie: first.cookie })).status).toBe(200);
    const over = await stream({ cookie: first.cookie });
    await over.ended;
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(over.refusal)).toMatchObject({ code: 'RATE_LIMITED' });

    // Other sessions fill the server's total; then even a fresh session is refused.
    const sessions = LIVE_LIMITS.total / LIVE_LIMITS.perSession - 1;
    for (let n = 0; n < sessions; n++) {
      const { cookie } = await signInCookie(h.server.adminUrl);
      for (let i = 0; i < LIVE_LIMITS.perSession; i++) expect((await stream({ cookie })).status).toBe(200);
    }
    expect(h.server.services.live.count()).toBe(LIVE_LIMITS.total);
    const fresh = await signInCookie(h.server.adminUrl);
    const refused = await stream({ cookie: fresh.cookie });
    await refused.ended;
    expect(refused.status).toBe(429);
    // The API itself still answers while every stream is taken.
    expect(
      (await send(new URL('/api/auth/session', h.server.adminUrl).href, { headers: { cookie: fresh.cookie } })).status,
    ).toBe(200);
    await closeAll();
    expect((await stream({ cookie: fresh.cookie })).status).toBe(200);
    await closeAll();
  });

  it('drops a reader that never reads instead of buffering for it without bound', async () => {
    const { cookie } = await signInCookie(h.server.adminUrl);
    const slow = await stream({ cookie });
    expect(slow.status).toBe(200);
    await slow.next((m) => m.event === 'hello');
    // The reader stops reading; the server keeps writing (each event names an 8 KiB subject id).
    slow.response.pause();
    const id = 'x'.repeat(8 * 1024);
    let written = 0;
    for (let round = 0; round < 400 && h.server.services.live.count() > 0; round++) {
      for (let i = 0; i < 50; i++) {
        h.server.services.audit.record({
          actor: { type: 'system', label: 'test' },
          action: 'settings.updated',
          subject: { type: 'settings', id },
        });
      }
      written += 50 * id.length;
      await new Promise((r) => setTimeout(r, 5));
    }
    // Dropped well before the loop's 160 MiB: the kernel's socket buffers and the 256 KiB the server keeps.
    expect(h.server.services.live.count()).toBe(0);
    expect(written).toBeLessThan(64 * 1024 * 1024);
    slow.close();
  });
});
