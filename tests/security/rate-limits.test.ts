// Attacks on the public listeners' request budget: bursts of refused requests from one address on every route
// group, one bad SCEP message replayed 10,000 times (the audit trail must not grow 10,000 rows), an address that is
// limited while one of its devices is in the middle of enrolling, a forged X-Forwarded-For, and the office that must
// still enroll: 200 devices at once from one address (127.0.0.1) with the default limits.
import { generateKeyPair, randomBytes } from 'node:crypto';
import http from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AndroidAgent, androidFacts, freshAgentState } from '../helpers/android-agent.js';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { EmulatedAppleDevice, iphoneSpec, macSpec } from '../helpers/apple-device.js';
import { send, type TestResponse } from '../helpers/http.js';
import { fakePushCertificate, type FakePushPki } from '../helpers/push-cert.js';
import { buildScepRequest, createCsr, selfSignedIdentity } from '../helpers/scep-client.js';
import { local, startHarness, type Harness } from '../helpers/server-harness.js';
import { generateRsaKeyPair } from '../../server/pki/x509.js';

const PASSWORD = 'a long enough password 1';
/** The refusal budget the attack harnesses use (per address, route group and window). */
const REFUSALS = 5;
/** Long enough that no window closes during a test: every bound below is for one window. */
const WINDOW_SECONDS = 3600;

let pki: FakePushPki;
let apns: ApnsMock;

beforeAll(async () => {
  pki = fakePushCertificate();
  apns = await startApnsMock(pki.appleCaPem);
});
afterAll(async () => {
  await apns.close();
});

async function setUpPush(h: Harness): Promise<void> {
  const cert = await h.admin.call('PUT', '/api/push/certificate', {
    certificatePem: pki.certPem,
    privateKeyPem: pki.keyPem,
  });
  expect(cert.status).toBe(200);
  expect((await h.admin.call('PUT', '/api/push/settings', { apnsBaseUrl: apns.url })).status).toBe(200);
}

async function newUser(h: Harness, email: string): Promise<string> {
  const res = await h.admin.call('POST', '/api/users', { email, displayName: email, locale: 'en', password: PASSWORD });
  expect(res.status).toBe(201);
  return res.json<{ id: string }>().id;
}

async function newEnrollment(h: Harness, userId: string, platform: 'ios' | 'macos'): Promise<string> {
  const res = await h.admin.call('POST', '/api/enrollments', { userId, platform });
  expect(res.status).toBe(201);
  return res.json<{ profileUrl: string }>().profileUrl;
}

function retryAfter(res: TestResponse): number {
  return Number(res.headers['retry-after']);
}

/** Sends `attempt` up to `max` times (bounded) and returns every status, stopping after the first 429. */
async function burst(
  attempt: () => Promise<TestResponse>,
  max = 40,
): Promise<{ statuses: number[]; last: TestResponse }> {
  const statuses: number[] = [];
  let last: TestResponse | null = null;
  for (let i = 0; i < max; i++) {
    last = await attempt();
    statuses.push(last.status);
    if (last.status === 429) break;
  }
  return { statuses, last: last as TestResponse };
}

describe('bursts of refused requests from one address', () => {
  let h: Harness;
  let caPem: string;
  let device: string;
  let boot: string;
  // A device that is in the middle of its enrollment (profile installed, SCEP done) before the attack starts.
  let enrolling: EmulatedAppleDevice;

  beforeAll(async () => {
    h = await startHarness({
      apnsCa: apns.caPem,
      env: { TSUNAGU_RATE_REFUSALS: String(REFUSALS), TSUNAGU_RATE_WINDOW_SECONDS: String(WINDOW_SECONDS) },
    });
    await setUpPush(h);
    caPem = h.server.services.ca.caCertificate().pem;
    device = local(h.server.enrollmentUrl).replace(/\/$/, '');
    boot = local(h.server.bootstrapUrl).replace(/\/trust$/, '');
    const userId = await newUser(h, 'midway@example.com');
    enrolling = new EmulatedAppleDevice(iphoneSpec(7), { caPem });
    expect((await enrolling.downloadProfile(await newEnrollment(h, userId, 'ios'))).status).toBe(200);
    expect(await enrolling.scep()).toEqual({ status: 'SUCCESS' });
  });
  afterAll(async () => {
    enrolling.close();
    await h.stop();
  });

  const badRequests: [string, () => Promise<TestResponse>][] = [
    [
      'SCEP PKIOperation (not a pkiMessage)',
      () =>
        send(`${boot}/scep?operation=PKIOperation`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-pki-message' },
          body: Buffer.from('this is not a pkiMessage'),
        }),
    ],
    [
      'PUT /mdm/checkin (bad Mdm-Signature)',
      () =>
        send(`${device}/mdm/checkin`, {
          method: 'PUT',
          ca: caPem,
          headers: { 'content-type': 'application/x-apple-aspen-mdm-checkin', 'mdm-signature': 'AAAA' },
          body: '<?xml version="1.0"?><plist version="1.0"><dict><key>MessageType</key><string>Authenticate</string></dict></plist>',
        }),
    ],
    [
      'POST /agent/v1/token/rotate (bad Bearer token)',
      () =>
        send(`${device}/agent/v1/token/rotate`, {
          method: 'POST',
          ca: caPem,
          headers: { authorization: `Bearer ${randomBytes(16).toString('hex')}` },
        }),
    ],
    [
      'portal sign-in (wrong password)',
      () =>
        send(`${device}/e/${h.server.services.urls.current().key}/go/sign-in`, {
          method: 'POST',
          ca: caPem,
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(device).origin },
          body: new URLSearchParams({ email: 'midway@example.com', secret: 'not the password' }).toString(),
        }),
    ],
    [
      'profile download (unknown token)',
      () => send(`${device}/profile/${randomBytes(24).toString('base64url')}`, { ca: caPem }),
    ],
    [
      'POST /helper/v1/sessions (wrong password)',
      () =>
        send(`${device}/helper/v1/sessions`, {
          method: 'POST',
          ca: caPem,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ method: 'password', email: 'midway@example.com', password: 'not the password' }),
        }),
    ],
  ];

  it.each(badRequests)('%s: a burst ends in 429 with Retry-After', async (_name, attempt) => {
    const { statuses, last } = await burst(attempt);
    expect({ statuses, status: last.status }).toMatchObject({ status: 429 });
    expect(retryAfter(last)).toBeGreaterThan(0);
    expect(retryAfter(last)).toBeLessThanOrEqual(WINDOW_SECONDS);
    // Refused answers come first: a handful, then the limit.
    expect(statuses.length).toBeLessThanOrEqual(REFUSALS + 2);
  });

  it('never answers /mdm with 401, limited or not', async () => {
    const { statuses } = await burst(badRequests[1]![1], 10);
    expect(statuses).not.toContain(401);
    expect(statuses.at(-1)).toBe(429);
  });

  it('a forged X-Forwarded-For from an address that is no configured proxy changes nothing', async () => {
    const res = await send(`${device}/profile/${randomBytes(24).toString('base64url')}`, {
      ca: caPem,
      headers: { 'x-forwarded-for': '203.0.113.77' },
    });
    expect(res.status).toBe(429);
  });

  it('a device in the middle of its enrollment still gets 200 for Authenticate and TokenUpdate, then its commands', async () => {
    // The address is limited on /mdm now (the bursts above): a stranger's check-in is refused with 429 ...
    const stranger = await badRequests[1]![1]();
    expect(stranger.status).toBe(429);
    // ... but the device holding a certificate issued minutes ago completes its profile install.
    const [auth, token] = await enrolling.enrollMdm();
    expect([auth?.status, token?.status]).toEqual([200, 200]);
    // Requests of an authenticated device are counted per device, not against its limited address.
    expect(await enrolling.commandLoop()).toEqual(['DeviceInformation']);
  });
});

describe('one bad SCEP message replayed 10,000 times, through a trusted proxy', () => {
  let h: Harness;
  let boot: string;
  const REPLAYS = 10_000;
  const CONCURRENCY = 16;
  const ATTACKER = '198.51.100.7';

  beforeAll(async () => {
    h = await startHarness({
      env: {
        TSUNAGU_RATE_REFUSALS: String(REFUSALS),
        TSUNAGU_RATE_WINDOW_SECONDS: String(WINDOW_SECONDS),
        // The reverse proxy in front of the server is this machine: its X-Forwarded-For names the client.
        TSUNAGU_TRUSTED_PROXIES: '127.0.0.1',
      },
    });
    boot = local(h.server.bootstrapUrl).replace(/\/trust$/, '');
  });
  afterAll(async () => {
    await h.stop();
  });

  /** A well-formed PKCSReq whose challenge is wrong: the server decrypts it, refuses it, and audits the refusal. */
  async function badPkcsReq(): Promise<Buffer> {
    const caCert = h.server.services.ca.caCertificate().pem;
    const key = generateRsaKeyPair(2048);
    const csr = createCsr({
      keyPem: key.privateKeyPem,
      subject: [{ shortName: 'CN', value: 'replayed' }],
      challenge: 'not-a-challenge-we-issued',
    });
    return buildScepRequest({ csr, signer: selfSignedIdentity(key.privateKeyPem), caCertPem: caCert }).der;
  }

  function post(
    agent: http.Agent,
    body: Buffer,
    from: string | null,
  ): Promise<{ status: number; retryAfter: string | undefined }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${boot}/scep?operation=PKIOperation`,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/x-pki-message',
            'content-length': body.length,
            ...(from ? { 'x-forwarded-for': from } : {}),
          },
          timeout: 30_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }

  const auditCount = (action: string): number => {
    let n = 0;
    let cursor: string | null = null;
    do {
      const page = h.server.services.audit.list({ action, limit: 500, ...(cursor ? { cursor } : {}) });
      n += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    return n;
  };

  it('grows the audit trail by a bounded number of rows, and records the rest as one counted event at window close', async () => {
    const message = await badPkcsReq();
    const before = h.server.services.audit.verify().checked;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const statuses = new Map<number, number>();
    let retryAfterMissing = 0;
    let next = 0;
    try {
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < REPLAYS) {
            next++;
            const r = await post(agent, message, ATTACKER);
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
            if (r.status === 429 && !r.retryAfter) retryAfterMissing++;
          }
        }),
      );
    } finally {
      agent.destroy();
    }
    const added = h.server.services.audit.verify().checked - before;
    const refusedRows = auditCount('scep.refused');
    // Reported for the record (vitest prints it with the failure, and in the log otherwise).
    console.info(`replays ${REPLAYS}: statuses ${JSON.stringify([...statuses])}, audit rows added ${added}`);
    expect(retryAfterMissing).toBe(0);
    // At most the refusal budget, plus the requests already in flight when it ran out.
    expect(refusedRows).toBeLessThanOrEqual(REFUSALS + CONCURRENCY);
    expect(added).toBeLessThanOrEqual(REFUSALS + CONCURRENCY + 1);
    const limited = statuses.get(429) ?? 0;
    expect(limited).toBeGreaterThanOrEqual(REPLAYS - REFUSALS - CONCURRENCY);

    // The proxy's X-Forwarded-For was honoured: another client behind it, and the proxy itself, are not limited.
    expect((await post(new http.Agent(), message, '198.51.100.8')).status).toBe(200);
    expect((await post(new http.Agent(), message, null)).status).toBe(200);

    // Shutting down closes the window: the limited requests become one counted event per source and route group.
    await h.restart();
    const events = h.server.services.audit.list({ action: 'security.requests_refused', limit: 50 }).items;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ sourceAddress: ATTACKER, details: { group: 'scep', limited: limited } });
    expect(h.server.services.audit.verify()).toMatchObject({ ok: true });
  }, 240_000);
});

describe('an office behind one address enrolls 200 devices at once with the default limits', () => {
  let h: Harness;
  const DEVICES = 200;

  beforeAll(async () => {
    h = await startHarness({ apnsCa: apns.caPem });
    await setUpPush(h);
  });
  afterAll(async () => {
    await h.stop();
  });

  it('200 emulated iPhones, Macs and Android agents enroll concurrently from 127.0.0.1, none gets 429', async () => {
    const caPem = h.server.services.ca.caCertificate().pem;
    const deviceBase = local(h.server.enrollmentUrl).replace(/\/$/, '');
    const kinds = Array.from({ length: DEVICES }, (_, i) => (['iphone', 'mac', 'android'] as const)[i % 3]!);
    // Only the Android users sign in with a password (hashing 200 of them in one admin call takes too long here).
    const userIds: string[] = [];
    for (let i = 0; i < DEVICES; i += 10) {
      const batch = await h.admin.call('POST', '/api/users/batch', {
        users: kinds.slice(i, i + 10).map((k, j) => ({
          email: `office${i + j}@example.com`,
          displayName: `Office ${i + j}`,
          ...(k === 'android' ? { password: PASSWORD } : {}),
        })),
      });
      expect(batch.status).toBe(201);
      userIds.push(...batch.json<{ created: { id: string }[] }>().created.map((u) => u.id));
    }
    const gen = promisify(generateKeyPair);
    const keys = await Promise.all(
      kinds.map((k) =>
        k === 'android'
          ? Promise.resolve(null)
          : gen('rsa', {
              modulusLength: 2048,
              publicKeyEncoding: { type: 'spki', format: 'pem' },
              privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
            }).then((p) => p.privateKey),
      ),
    );
    // The admin opens the enrollments beforehand (the admin API is not what the office's devices reach).
    const profileUrls: (string | null)[] = [];
    for (const [i, kind] of kinds.entries())
      profileUrls.push(
        kind === 'android' ? null : await newEnrollment(h, userIds[i]!, kind === 'mac' ? 'macos' : 'ios'),
      );
    const failures: string[] = [];
    const one = async (i: number): Promise<void> => {
      const kind = kinds[i]!;
      if (kind === 'android') {
        const agent = new AndroidAgent(
          freshAgentState(deviceBase, caPem, androidFacts(33, randomBytes(8).toString('hex'), i)),
        );
        try {
          await agent.enroll({ method: 'password', email: `office${i}@example.com`, password: PASSWORD });
          agent.grantAdmin();
          const r = await agent.checkIn();
          if (r.status !== 'active') throw new Error(`agent ${r.status}`);
        } finally {
          agent.close();
        }
        return;
      }
      const apple = new EmulatedAppleDevice(kind === 'mac' ? macSpec(i) : iphoneSpec(i), {
        caPem,
        keyPem: keys[i] as string,
      });
      try {
        const dl = await apple.downloadProfile(profileUrls[i]!);
        if (dl.status !== 200) throw new Error(`profile ${dl.status}`);
        const rep = await apple.scep();
        if (rep.status !== 'SUCCESS') throw new Error(`SCEP ${rep.status}`);
        const answers = await apple.enrollMdm();
        if (answers.some((a) => a.status !== 200))
          throw new Error(`check-in ${answers.map((a) => a.status).join(',')}`);
        const cmds = await apple.commandLoop();
        if (cmds[0] !== 'DeviceInformation') throw new Error(`commands ${cmds.join(',')}`);
      } finally {
        apple.close();
      }
    };
    await Promise.all(
      kinds.map((_, i) =>
        one(i).catch((err: unknown) => {
          failures.push(`device ${i} (${kinds[i]}): ${(err as Error).message}`);
        }),
      ),
    );
    expect(failures).toEqual([]);
    const summary = (await h.admin.call('GET', '/api/devices/summary')).json<{ byStatus: Record<string, number> }>();
    expect(summary.byStatus.active).toBe(DEVICES);
  }, 300_000);
});
