import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '../contract/errors.js';
import type { Clock } from '../core/clock.js';

// Request budgets of the public listeners (device and bootstrap), in fixed windows per key:
//
// - refusals per source address and route group, low: what an attacker produces (bad signatures, unknown tokens,
//   bad challenges, unreadable SCEP messages) is counted first, when its answer is known;
// - all requests per source address, high: sized so a whole office behind one NAT address enrolls at once
//   (an Apple enrollment is about 9 requests, 200 devices about 1,800);
// - all requests of every address together, a ceiling that keeps the event loop answering.
//
// A request over a budget gets 429 with Retry-After before its body is read, except on a route group that can
// identify a device (MDM: the Mdm-Signature; the agent: its Bearer token). There the decision waits for the body:
// an identified device is counted on its own budget instead of its address's, and a check-in that completes a
// profile install (Authenticate, TokenUpdate with a certificate issued minutes ago) is never refused, since a 429
// there fails the install on the device.
//
// This is a small limiter of its own rather than @fastify/rate-limit: that plugin counts a request when it arrives,
// while refusals can only be counted once their answer is known (a refused SCEP message is a 200 CertRep FAILURE),
// the device exemption must be decided only for a request that is over its budget and after its body is read, and
// the limited requests of a window must be summed up per source and group for one audit event.

/** The route groups budgets are kept for. */
export type RouteGroup = 'scep' | 'mdm' | 'agent' | 'helper' | 'portal' | 'profile' | 'pages';

/** Request budgets per window; every count is per window of `windowSeconds`. */
export interface RateLimits {
  windowSeconds: number;
  /** Refused requests per source address and route group. */
  refusals: number;
  /** All requests per source address. */
  requests: number;
  /** Requests of one identified device (MDM identity, agent token) once its address is over a budget. */
  perDevice: number;
  /** All requests of every address together. */
  global: number;
}

/**
 * The defaults: 30 refusals per address and route group a minute, 6,000 requests per address a minute (three times
 * what 200 devices enrolling at once from one address need), 600 a minute per identified device, 20,000 a minute in
 * all.
 */
export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = Object.freeze({
  windowSeconds: 60,
  refusals: 30,
  requests: 6000,
  perDevice: 600,
  global: 20_000,
});

/** Who a request that is over its address's budget comes from, when the route group can tell: a device, and whether it must pass. */
export interface DeviceIdentity {
  /** A stable key for the device's own budget (e.g. its certificate's serial). */
  key: string;
  /** True for a request that must never get 429 (a check-in that completes a profile install). */
  exempt: boolean;
}

/** Identifies the device behind a request whose body has been read, or null; never throws for a bad request. */
export type IdentifyDevice = (request: FastifyRequest) => DeviceIdentity | null;

/** The requests a window limited (429) and refused for one source address and route group, for one audit event. */
export interface RefusalSummary {
  sourceAddress: string;
  group: RouteGroup;
  /** Requests answered 429 by the limiter. */
  limited: number;
  /** Requests the routes refused (4xx but 410, or a SCEP CertRep FAILURE). */
  refused: number;
  firstAt: string;
  lastAt: string;
  windowSeconds: number;
}

/** The budgets of the public listeners, shared by them; `install` hooks a listener up. */
export interface RateLimiter {
  readonly limits: Readonly<RateLimits>;
  /** Adds the limiter's hooks to a listener's app; call before its routes are registered. */
  install(app: FastifyInstance, options?: { identify?: Partial<Record<RouteGroup, IdentifyDevice>> }): void;
  /** Reports every window that has ended; `all` reports the open ones too (shutdown). */
  flush(all?: boolean): void;
  /** Stops the periodic flush and reports every open window. */
  close(): void;
}

/** What the limiter is built from. */
export interface RateLimiterDeps {
  limits: Readonly<RateLimits>;
  clock: Clock;
  /** Receives one summary per source address, route group and window in which requests were limited. */
  report: (summary: RefusalSummary) => void;
  /** Told when `report` throws (the limiter keeps going). */
  onReportError?: (err: unknown) => void;
}

/** Bodies larger than this are not read to identify a device: a request over its budget with one gets 429 at once. */
export const IDENTIFY_BODY_LIMIT = 64 * 1024;
/** Most keys a counter map holds; past it, new keys share one bucket (an attacker with many addresses gains nothing). */
const MAX_KEYS = 100_000;
const OVERFLOW = '(many addresses)';

/** The route group of a request path. */
export function routeGroup(url: string): RouteGroup {
  const path = url.split('?')[0] ?? '';
  if (path === '/scep') return 'scep';
  if (path.startsWith('/mdm/')) return 'mdm';
  if (path.startsWith('/agent/')) return 'agent';
  if (path.startsWith('/helper/')) return 'helper';
  if (path.startsWith('/profile/')) return 'profile';
  if (path === '/go' || path.startsWith('/e/')) return 'portal';
  return 'pages';
}

/**
 * The key a client address is counted under: an IPv4 address itself, an IPv6 address by its /64 (one host owns a
 * whole /64 and can pick any address in it), an IPv4-mapped IPv6 address as its IPv4 address.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a route whose answer is a refusal although its status is 2xx (a SCEP CertRep FAILURE). */
    refusedAnswer?: boolean;
  }
}

/** Marks a request's answer as a refusal for the limits, when its status does not say so (a SCEP CertRep FAILURE). */
export function noteRefusal(request: FastifyRequest): void {
  request.refusedAnswer = true;
}

interface Counter {
  start: number;
  count: number;
}

interface Window {
  start: number;
  limited: number;
  refused: number;
  first: number;
  last: number;
}

interface RequestState {
  group: RouteGroup;
  ip: string;
  limited: boolean;
  /** Over a budget, waiting for the body to tell who the device is. */
  deferred: { retryAfter: number; globalOver: boolean; identify: IdentifyDevice } | null;
}

/** Builds the shared limiter of the public listeners. */
export function createRateLimiter(deps: RateLimiterDeps): RateLimiter {
  const { limits, clock } = deps;
  const windowMs = limits.windowSeconds * 1000;
  const globalCounter: Counter = { start: 0, count: 0 };
  const perAddress = new Map<string, Counter>();
  const refusals = new Map<string, Counter>();
  const perDevice = new Map<string, Counter>();
  const windows = new Map<string, Window & { ip: string; group: RouteGroup }>();
  const states = new WeakMap<FastifyRequest, RequestState>();

  const fresh = (c: Counter | undefined, now: number): boolean => c !== undefined && now - c.start < windowMs;
  const retryAfter = (c: Counter, now: number) => Math.max(1, Math.ceil((c.start + windowMs - now) / 1000));
  const keyIn = (map: Map<string, unknown>, key: string) =>
    map.has(key) || map.size < MAX_KEYS ? key : (sweep(clock.now().getTime()), map.size < MAX_KEYS ? key : OVERFLOW);

  /** Counts one more in `key`'s window and returns the counter. */
  function hit(map: Map<string, Counter>, rawKey: string, now: number): Counter {
    const key = keyIn(map, rawKey);
    let c = map.get(key);
    if (!fresh(c, now)) {
      c = { start: now, count: 0 };
      map.set(key, c);
    }
    (c as Counter).count++;
    return c as Counter;
  }

  function windowOf(ip: string, group: RouteGroup, now: number): Window {
    const key = keyIn(windows, `${group}|${ip}`);
    let w = windows.get(key);
    if (!w || now - w.start >= windowMs) {
      if (w) report(w);
      w = { ip: key === OVERFLOW ? OVERFLOW : ip, group, start: now, limited: 0, refused: 0, first: now, last: now };
      windows.set(key, w);
    }
    w.last = now;
    return w;
  }

  function report(w: Window & { ip: string; group: RouteGroup }): void {
    if (w.limited === 0) return;
    try {
      deps.report({
        sourceAddress: w.ip,
        group: w.group,
        limited: w.limited,
        refused: w.refused,
        firstAt: new Date(w.first).toISOString(),
        lastAt: new Date(w.last).toISOString(),
        windowSeconds: limits.windowSeconds,
      });
    } catch (err) {
      deps.onReportError?.(err);
    }
  }

  function sweep(now: number, all = false): void {
    for (const map of [perAddress, refusals, perDevice]) for (const [k, c] of map) if (!fresh(c, now)) map.delete(k);
    for (const [k, w] of windows)
      if (all || now - w.start >= windowMs) {
        windows.delete(k);
        report(w);
      }
  }

  function refuse(reply: FastifyReply, state: RequestState, seconds: number): FastifyReply {
    state.limited = true;
    windowOf(state.ip, state.group, clock.now().getTime()).limited++;
    const body: ErrorBody = {
      code: 'RATE_LIMITED',
      message: `Too many requests from this address. Try again in ${seconds} seconds.`,
      details: { retryAfterSeconds: seconds },
    };
    return reply.code(429).header('retry-after', String(seconds)).header('cache-control', 'no-store').send(body);
  }

  const timer = setInterval(() => sweep(clock.now().getTime()), Math.min(windowMs, 60_000));
  timer.unref();

  return {
    limits,
    install(app, options = {}) {
      app.addHook('onRequest', async (request, reply) => {
        const now = clock.now().getTime();
        const group = routeGroup(request.url);
        const state: RequestState = { group, ip: addressKey(request.ip), limited: false, deferred: null };
        states.set(request, state);
        if (!fresh(globalCounter, now)) Object.assign(globalCounter, { start: now, count: 0 });
        globalCounter.count++;
        const address = hit(perAddress, state.ip, now);
        const refused = refusals.get(`${group}|${state.ip}`);
        let wait = 0;
        const globalOver = globalCounter.count > limits.global;
        if (globalOver) wait = Math.max(wait, retryAfter(globalCounter, now));
        if (address.count > limits.requests) wait = Math.max(wait, retryAfter(address, now));
        if (refused && fresh(refused, now) && refused.count >= limits.refusals)
          wait = Math.max(wait, retryAfter(refused, now));
        if (wait === 0) return;
        const identify = options.identify?.[group];
        const length = Number(request.headers['content-length'] ?? 0);
        if (identify && Number.isFinite(length) && length <= IDENTIFY_BODY_LIMIT) {
          state.deferred = { retryAfter: wait, globalOver, identify };
          return;
        }
        return refuse(reply, state, wait);
      });

      // After the body is read, before validation: an over-budget request that a device identifies itself in.
      app.addHook('preValidation', async (request, reply) => {
        const state = states.get(request);
        const deferred = state?.deferred;
        if (!state || !deferred) return;
        let who: DeviceIdentity | null;
        try {
          who = deferred.identify(request);
        } catch {
          who = null;
        }
        if (who?.exempt) return;
        if (who && !deferred.globalOver) {
          const device = hit(perDevice, who.key, clock.now().getTime());
          if (device.count <= limits.perDevice) return;
          return refuse(reply, state, retryAfter(device, clock.now().getTime()));
        }
        return refuse(reply, state, deferred.retryAfter);
      });

      app.addHook('onResponse', async (request, reply) => {
        const state = states.get(request);
        if (!state || state.limited) return;
        const status = reply.statusCode;
        // 410 is an answer a working client gets (an expired link, a Mac's UserAuthenticate), not an attack.
        if (!request.refusedAnswer && !(status >= 400 && status < 500 && status !== 410)) return;
        const now = clock.now().getTime();
        hit(refusals, `${state.group}|${state.ip}`, now);
        windowOf(state.ip, state.group, now).refused++;
      });
    },
    flush(all = false) {
      sweep(clock.now().getTime(), all);
    },
    close() {
      clearInterval(timer);
      sweep(clock.now().getTime(), true);
    },
  };
}
