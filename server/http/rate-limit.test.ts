import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import {
  addressKey,
  createRateLimiter,
  noteRefusal,
  routeGroup,
  type IdentifyDevice,
  type RateLimiter,
  type RateLimits,
  type RefusalSummary,
} from './rate-limit.js';

const LIMITS: RateLimits = { windowSeconds: 60, refusals: 3, requests: 10, perDevice: 2, global: 1000 };

let limiter: RateLimiter | null = null;
afterEach(() => limiter?.close());

async function app(
  limits: Partial<RateLimits> = {},
  identify: Partial<Record<'mdm', IdentifyDevice>> = {},
): Promise<{ app: FastifyInstance; clock: FakeClock; reports: RefusalSummary[] }> {
  const clock = new FakeClock();
  const reports: RefusalSummary[] = [];
  limiter = createRateLimiter({ limits: { ...LIMITS, ...limits }, clock, report: (s) => reports.push(s) });
  const a = Fastify();
  limiter.install(a, { identify });
  a.get('/profile/:t', async (_request, reply) => reply.code(404).send({ code: 'NOT_FOUND' }));
  a.get('/e/k/go/expired', async (_request, reply) => reply.code(410).send(''));
  a.get('/scep', async (request) => {
    noteRefusal(request);
    return 'CertRep FAILURE';
  });
  a.get('/health', async () => 'ok');
  a.put('/mdm/checkin', async () => 'ok');
  await a.ready();
  return { app: a, clock, reports };
}

const from = (remoteAddress: string) => ({ remoteAddress });

describe('routeGroup', () => {
  it.each([
    ['/scep?operation=GetCACaps', 'scep'],
    ['/mdm/checkin', 'mdm'],
    ['/agent/v1/check-in', 'agent'],
    ['/helper/v1/sessions', 'helper'],
    ['/profile/abc', 'profile'],
    ['/go', 'portal'],
    ['/e/key/go/sign-in', 'portal'],
    ['/trust', 'pages'],
    ['/scepx', 'pages'],
  ])('%s is %s', (url, group) => expect(routeGroup(url)).toBe(group));
});

describe('addressKey', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s counts as %s', (ip, key) => expect(addressKey(ip)).toBe(key));
});

describe('the limiter', () => {
  it('limits refusals per address and group, with Retry-After, and counts a refusal marked by the route', async () => {
    const { app: a, clock } = await app();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await a.inject({ url: `/profile/${i}`, ...from('10.0.0.1') })).statusCode);
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    const limited = await a.inject({ url: '/profile/x', ...from('10.0.0.1') });
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 60 } });
    // Another address, and another group of the same address, are not limited.
    expect((await a.inject({ url: '/profile/x', ...from('10.0.0.2') })).statusCode).toBe(404);
    expect((await a.inject({ url: '/health', ...from('10.0.0.1') })).statusCode).toBe(200);
    // A 200 the route marks as refused counts like a 4xx.
    const scep = [];
    for (let i = 0; i < 4; i++) scep.push((await a.inject({ url: '/scep', ...from('10.0.0.3') })).statusCode);
    expect(scep).toEqual([200, 200, 200, 429]);
    clock.advance(30_000);
    expect((await a.inject({ url: '/profile/x', ...from('10.0.0.1') })).headers['retry-after']).toBe('30');
    clock.advance(30_000);
    expect((await a.inject({ url: '/profile/x', ...from('10.0.0.1') })).statusCode).toBe(404);
  });

  it('does not count 410 (an expired link) as a refusal', async () => {
    const { app: a } = await app();
    for (let i = 0; i < 5; i++)
      expect((await a.inject({ url: '/e/k/go/expired', ...from('10.0.0.1') })).statusCode).toBe(410);
  });

  it('limits all requests of an address above the high budget, and every address above the global ceiling', async () => {
    const { app: a } = await app({ requests: 3, global: 5 });
    const one = [];
    for (let i = 0; i < 4; i++) one.push((await a.inject({ url: '/health', ...from('10.0.0.1') })).statusCode);
    expect(one).toEqual([200, 200, 200, 429]);
    expect((await a.inject({ url: '/health', ...from('10.0.0.2') })).statusCode).toBe(200);
    expect((await a.inject({ url: '/health', ...from('10.0.0.3') })).statusCode).toBe(429);
  });

  it('lets an over-budget request through when its body identifies a device: exempt always, others per device', async () => {
    const identify: IdentifyDevice = (request) => {
      const body = String(request.body);
      if (body === 'enrolling') return { key: 'cert:1', exempt: true };
      if (body === 'device') return { key: 'cert:2', exempt: false };
      return null;
    };
    const { app: a } = await app({ requests: 1 }, { mdm: identify });
    const put = (payload: string) =>
      a.inject({
        method: 'PUT',
        url: '/mdm/checkin',
        payload,
        headers: { 'content-type': 'text/plain' },
        ...from('10.0.0.1'),
      });
    expect((await put('stranger')).statusCode).toBe(200);
    expect((await put('stranger')).statusCode).toBe(429);
    for (let i = 0; i < 5; i++) expect((await put('enrolling')).statusCode).toBe(200);
    expect([
      (await put('device')).statusCode,
      (await put('device')).statusCode,
      (await put('device')).statusCode,
    ]).toEqual([200, 200, 429]);
  });

  it('reports one summary per source and group when a window that limited requests closes, and all open ones at close', async () => {
    const { app: a, clock, reports } = await app();
    for (let i = 0; i < 10; i++) await a.inject({ url: '/profile/x', ...from('10.0.0.1') });
    for (let i = 0; i < 2; i++) await a.inject({ url: '/profile/x', ...from('10.0.0.2') });
    expect(reports).toEqual([]);
    clock.advance(61_000);
    limiter?.flush();
    expect(reports).toEqual([
      expect.objectContaining({
        sourceAddress: '10.0.0.1',
        group: 'profile',
        limited: 7,
        refused: 3,
        windowSeconds: 60,
      }),
    ]);
    await a.inject({ url: '/health', ...from('10.0.0.9') });
    for (let i = 0; i < 4; i++) await a.inject({ url: '/scep', ...from('10.0.0.9') });
    limiter?.close();
    expect(reports.at(-1)).toMatchObject({ sourceAddress: '10.0.0.9', group: 'scep', limited: 1, refused: 3 });
    expect(reports).toHaveLength(2);
  });
});
