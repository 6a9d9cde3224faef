// The server's HTTP surface under fuzzed requests, against the in-process harness with an enrolled iPhone:
// SCEP PKIOperation (POST and GET), signed and unsigned check-ins and command reports, the CSV import, and the
// JSON APIs of the admin console, the portal, the Android agent and the macOS helper. Each run asserts that
// the server answers (no crash, no hang), never with a 5xx, and that a refused request (any 4xx) wrote
// nothing: every data table hashes the same before and after, except the audit trail and the sign-in
// throttle, which exist to record refusals, and admin_sessions, whose expiry slides on every request (its
// row count must still not change).
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { EmulatedAppleDevice, iphoneSpec, loopbackLookup } from '../helpers/apple-device.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { buildScepRequest, createCsr, selfSignedIdentity } from '../helpers/scep-client.js';
import { testKey } from '../helpers/scep-fixtures.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import { buildPlist, type PlistDict } from '../../server/core/plist.js';
import { dataPaths } from '../../server/paths.js';
import { signCmsAsync } from '../../server/pki/cms.js';
import { parsePkiMessage } from '../../server/modules/scep/pki-message.js';
import { PkiStatus } from '../../server/modules/scep/scep.oids.js';
import {
  applyMutations,
  applyTreeEdits,
  checkinShaped,
  corpus,
  fuzzParams,
  fuzzTimeout,
  hostilePlist,
  mutatedBytes,
  mutatedDerTree,
  mutation,
  randomPlist,
  treeEdits,
} from './fuzz-kit.js';

// HTTP runs cost a round trip (and the snapshot): a tenth of FUZZ_RUNS each.
const WEIGHT = 0.1;
const MS_PER_RUN = 200;

let h: Harness;
let apns: ApnsMock;
let db: Database.Database;
let caPem: string;
let deviceOrigin: string;
let device: EmulatedAppleDevice;
let portalKey: string;
const agent = new https.Agent({ keepAlive: true, maxSockets: 4 });
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });

// ---- what a refused request may change ----------------------------------------------------------------

// The audit trail records refusals too; audit_search* is its full-text index (migration 014), written in batches (migration 020).
const IGNORED = new Set(['audit_events', 'login_throttle']);
const ignored = (table: string) => IGNORED.has(table) || table.startsWith('audit_search');
const COUNT_ONLY = new Set(['admin_sessions']);

/** A digest of every data table (a row count for COUNT_ONLY tables). */
function snapshot(): Map<string, string> {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const out = new Map<string, string>();
  for (const t of tables) {
    if (ignored(t)) continue;
    if (COUNT_ONLY.has(t)) {
      out.set(t, String(db.prepare(`SELECT count(*) FROM "${t}"`).pluck().get()));
      continue;
    }
    const rows = db.prepare(`SELECT * FROM "${t}"`).raw().all();
    out.set(t, createHash('sha256').update(JSON.stringify(rows)).digest('hex'));
  }
  return out;
}

function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((t) => before.get(t) !== after.get(t));
}

/** One response, read whole. */
interface Answer {
  status: number;
  body: Buffer;
}

function request(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Buffer | string,
  retried = false,
): Promise<Answer> {
  const u = new URL(url);
  const isHttps = u.protocol === 'https:';
  const make = isHttps ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = make(
      u,
      {
        method,
        headers,
        agent: isHttps ? agent : httpAgent,
        lookup: loopbackLookup,
        ...(isHttps ? { ca: caPem } : {}),
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} got no answer in 30 s`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const reset = err.code === 'ECONNRESET' || err.code === 'EPIPE';
      // Over Node's 16 KiB header limit the server answers 431 and closes at once; a client still writing its
      // head may see the reset before the answer. That is a refusal by the HTTP parser, not a crash.
      const head = u.pathname.length + u.search.length + JSON.stringify(headers).length;
      if (head > 15 * 1024 && reset) resolve({ status: 431, body: Buffer.alloc(0) });
      // That 431 (fastify's clientError answer) does not say "Connection: close", so the agent may reuse the
      // closed socket for the next request: Node's documented case for one retry on a fresh connection.
      else if (reset && req.reusedSocket && !retried) request(url, method, headers, body, true).then(resolve, reject);
      else reject(err);
    });
    req.end(body);
  });
}

/**
 * Sends one fuzzed request and checks the answer: below 500, and when refused (4xx, or `refused` says so for
 * a 200 that carries a refusal, as a SCEP CertRep FAILURE does), no data table changed.
 */
async function check(send: () => Promise<Answer>, refused: (a: Answer) => boolean = (a) => a.status >= 400) {
  const before = snapshot();
  const answer = await send();
  if (answer.status >= 500 || answer.status === 0)
    throw new Error(`answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 300)}`);
  if (refused(answer)) {
    const changed = changedTables(before, snapshot());
    if (changed.length > 0)
      throw new Error(
        `a refused request (${answer.status}: ${answer.body.toString('utf8').slice(0, 200)}) changed ${changed.join(', ')}`,
      );
  }
  return answer;
}

beforeAll(async () => {
  const pki = fakePushCertificate();
  apns = await startApnsMock(pki.appleCaPem);
  h = await startHarness({ apnsCa: apns.caPem });
  db = new Database(dataPaths(h.dataDir).db, { readonly: true });
  caPem = h.server.services.ca.caCertificate().pem;
  deviceOrigin = new URL(h.server.enrollmentUrl).origin;
  expect(
    (await h.admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem }))
      .status,
  ).toBe(200);
  expect((await h.admin.call('PUT', '/api/push/settings', { apnsBaseUrl: apns.url })).status).toBe(200);
  // One enrolled iPhone, so that signed check-ins reach the decoder and the handlers.
  const user = (
    await h.admin.call('POST', '/api/users', { email: 'fuzz@example.com', displayName: 'Fuzz', locale: 'en' })
  ).json<{ id: string }>();
  const enrollment = (await h.admin.call('POST', '/api/enrollments', { userId: user.id, platform: 'ios' })).json<{
    profileUrl: string;
  }>();
  device = new EmulatedAppleDevice(iphoneSpec(7), { caPem });
  expect((await device.downloadProfile(enrollment.profileUrl)).status).toBe(200);
  expect(await device.scep()).toEqual({ status: 'SUCCESS' });
  const [auth, token] = await device.enrollMdm();
  expect([auth?.status, token?.status]).toEqual([200, 200]);
  portalKey = new URL((await h.admin.call('GET', '/api/enrollment-url')).json<{ url: string }>().url).pathname.split(
    '/',
  )[2] as string;
}, 120_000);

afterAll(async () => {
  device?.close();
  agent.destroy();
  httpAgent.destroy();
  db?.close();
  await h?.stop();
  await apns?.close();
});

// ---- SCEP ----------------------------------------------------------------------------------------------

describe('fuzz: SCEP PKIOperation', () => {
  const deviceKey = testKey('fuzz-http-device', 1024);
  const requestSeeds = () => {
    const caCertPem = h.server.services.ca.caCertificate().pem;
    const signer = selfSignedIdentity(deviceKey);
    const csr = (challenge: string | null) =>
      createCsr({ keyPem: deviceKey, subject: [{ shortName: 'CN', value: 'fuzz' }], challenge });
    return [
      buildScepRequest({ csr: csr(null), signer, caCertPem }).der,
      buildScepRequest({ csr: csr('not a challenge'), signer, caCertPem, digest: 'sha1', cipher: 'des-ede3-cbc' }).der,
      ...corpus('der').values(),
    ];
  };
  // Every seed lacks a valid challenge, so every answer must be a refusal that wrote nothing.
  const isRefusal = (a: Answer) => {
    if (a.status >= 400) return true;
    if (a.status !== 200 || a.body.length === 0)
      throw new Error(`answered ${a.status} with ${a.body.length} bytes: ${a.body.toString('utf8').slice(0, 200)}`);
    const msg = parsePkiMessage(a.body);
    expect(msg.pkiStatus).toBe(PkiStatus.FAILURE);
    return true;
  };

  it(
    'answers every POST with a 4xx or a CertRep FAILURE, and writes nothing',
    async () => {
      const seeds = requestSeeds();
      const url = `${new URL(h.server.bootstrapUrl).origin}/scep?operation=PKIOperation`;
      await fc.assert(
        fc.asyncProperty(fc.oneof(mutatedBytes(seeds), mutatedDerTree(seeds)), async (body) => {
          await check(() => request(url, 'POST', { 'content-type': 'application/x-pki-message' }, body), isRefusal);
        }),
        fuzzParams(WEIGHT, MS_PER_RUN),
      );
    },
    fuzzTimeout(WEIGHT, MS_PER_RUN),
  );

  it(
    'with a valid challenge: a mutated request is issued or refused, and a refused one writes nothing',
    async () => {
      const key = testKey('fuzz-http-scep', 2048);
      const signer = selfSignedIdentity(key);
      const url = `${new URL(h.server.bootstrapUrl).origin}/scep?operation=PKIOperation`;
      const user = (
        await h.admin.call('POST', '/api/users', { email: 'scep-fuzz@example.com', displayName: 'S', locale: 'en' })
      ).json<{ id: string }>();
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.record({ k: fc.constant('bytes' as const), edits: fc.array(mutation, { minLength: 1, maxLength: 4 }) }),
            fc.record({ k: fc.constant('tree' as const), edits: treeEdits }),
          ),
          async (m) => {
            // A fresh enrollment and profile per run: its challenge is good for one certificate.
            const enrollment = await h.admin.call('POST', '/api/enrollments', { userId: user.id, platform: 'ios' });
            expect(enrollment.status).toBe(201);
            const phone = new EmulatedAppleDevice(iphoneSpec(100 + n++), { caPem });
            try {
              const profile = (await phone.downloadProfile(enrollment.json<{ profileUrl: string }>().profileUrl))
                .profile;
              if (!profile) throw new Error('no profile');
              const csr = createCsr({
                keyPem: key,
                subject: profile.scep.subject.map((rdn) => ({
                  shortName: rdn[0]?.[0] as 'CN',
                  value: rdn[0]?.[1] as string,
                })),
                challenge: profile.scep.challenge,
              });
              const der = buildScepRequest({ csr, signer, caCertPem: caPem }).der;
              const body = m.k === 'bytes' ? applyMutations(der, m.edits, [der]) : applyTreeEdits(der, m.edits);
              await check(
                () => request(url, 'POST', { 'content-type': 'application/x-pki-message' }, body),
                (a) => a.status >= 400 || parsePkiMessage(a.body).pkiStatus !== PkiStatus.SUCCESS,
              );
            } finally {
              phone.close();
            }
          },
        ),
        fuzzParams(WEIGHT, MS_PER_RUN * 2),
      );
    },
    fuzzTimeout(WEIGHT, MS_PER_RUN * 2),
  );

  it(
    'answers every GET (message in the query, odd operations) without a 5xx, and writes nothing',
    async () => {
      const seeds = requestSeeds();
      const base = `${deviceOrigin}/scep`;
      const query = fc.oneof(
        mutatedBytes(seeds).map((b) => `operation=PKIOperation&message=${encodeURIComponent(b.toString('base64'))}`),
        mutatedBytes(seeds).map((b) => `operation=PKIOperation&message=${b.toString('base64')}`),
        fc
          .array(fc.tuple(fc.constantFrom('operation', 'message', 'x'), fc.string({ maxLength: 40 })), {
            maxLength: 4,
          })
          .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')),
        fc.string({ maxLength: 80 }).map((s) => `operation=${encodeURIComponent(s)}`),
      );
      await fc.assert(
        fc.asyncProperty(query, async (q) => {
          await check(
            () => request(`${base}?${q}`, 'GET', {}),
            (a) => a.status >= 400 || a.body.length === 0 || a.body[0] !== 0x30 || isRefusal(a),
          );
        }),
        fuzzParams(WEIGHT, MS_PER_RUN),
      );
    },
    fuzzTimeout(WEIGHT, MS_PER_RUN),
  );
});

// ---- check-ins and command reports -----------------------------------------------------------------------

describe('fuzz: check-ins and command reports', () => {
  const udid = () => iphoneSpec(7).udid;
  const seedMessages = (): PlistDict[] => [
    { MessageType: 'Authenticate', UDID: udid(), Topic: device.profile?.mdm.topic ?? '', DeviceName: 'x' },
    {
      MessageType: 'TokenUpdate',
      UDID: udid(),
      Topic: device.profile?.mdm.topic ?? '',
      Token: Buffer.alloc(32, 1),
      PushMagic: 'magic',
    },
    { MessageType: 'SetBootstrapToken', UDID: udid(), BootstrapToken: Buffer.alloc(8, 2) },
    { UDID: udid(), Status: 'Acknowledged', CommandUUID: 'no-such-command' },
    { UDID: udid(), Status: 'Error', CommandUUID: 'x', ErrorChain: [{ ErrorCode: -1 }] },
  ];
  const bodies = () => {
    const seeds = [...seedMessages().map((m) => Buffer.from(buildPlist(m))), ...corpus('plist').values()];
    return fc.oneof(
      { weight: 4, arbitrary: mutatedBytes(seeds) },
      {
        weight: 2,
        arbitrary: checkinShaped({ UDID: udid(), Topic: device.profile?.mdm.topic ?? '' }).map((s) => Buffer.from(s)),
      },
      { weight: 2, arbitrary: randomPlist.map((s) => Buffer.from(s)) },
      { weight: 1, arbitrary: hostilePlist.map((s) => Buffer.from(s)) },
    );
  };

  // A signed message that is refused must not change anything; one the server accepts (a well-formed
  // Authenticate or TokenUpdate from this device, say) may.
  async function signed(url: string, type: string, body: Buffer): Promise<Answer> {
    const identity = device.identity;
    if (!identity) throw new Error('the device has no identity');
    const signature = (await signCmsAsync(body, identity, { detached: true })).toString('base64');
    return request(url, 'PUT', { 'content-type': type, 'mdm-signature': signature }, body);
  }

  it(
    'answers signed check-ins and reports without a 5xx; refused ones write nothing',
    async () => {
      const profile = device.profile;
      if (!profile) throw new Error('the device has no profile');
      await fc.assert(
        fc.asyncProperty(bodies(), fc.boolean(), async (body, toConnect) => {
          await check(() =>
            toConnect
              ? signed(profile.mdm.serverUrl, 'application/x-apple-aspen-mdm', body)
              : signed(profile.mdm.checkInUrl, 'application/x-apple-aspen-mdm-checkin', body),
          );
        }),
        fuzzParams(WEIGHT, MS_PER_RUN),
      );
    },
    fuzzTimeout(WEIGHT, MS_PER_RUN),
  );

  it(
    'answers unsigned or wrongly signed ones with a 4xx and writes nothing',
    async () => {
      const profile = device.profile;
      if (!profile) throw new Error('the device has no profile');
      const signature = fc.oneof(
        fc.constant(undefined),
        fc.string({ maxLength: 60 }),
        mutatedBytes([...corpus('der').values()]).map((b) => b.toString('base64')),
      );
      await fc.assert(
        fc.asyncProperty(
          bodies(),
          signature,
          fc.constantFrom(
            ['/mdm/checkin', 'application/x-apple-aspen-mdm-checkin'],
            ['/mdm/connect', 'application/x-apple-aspen-mdm'],
            ['/mdm/checkin', 'application/json'],
          ),
          async (body, sig, [path, type]) => {
            const answer = await check(() =>
              request(
                `${deviceOrigin}${path}`,
                'PUT',
                { 'content-type': type, ...(sig !== undefined ? { 'mdm-signature': sig } : {}) },
                body,
              ),
            );
            expect(answer.status).toBeGreaterThanOrEqual(400);
          },
        ),
        fuzzParams(WEIGHT, MS_PER_RUN),
      );
    },
    fuzzTimeout(WEIGHT, MS_PER_RUN),
  );
});

// ---- CSV import ----------------------------------------------------------------------------------------

describe('fuzz: CSV import', () => {
  it(
    'answers every file with 201 or a 4xx; a refused file imports nobody',
    async () => {
      const seeds = [...corpus('csv').values()];
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            mutatedBytes(seeds),
            fc
              .string({ unit: fc.constantFrom('"', ',', '\n', 'a', '@', '.', 'メ'), maxLength: 200 })
              .map((s) => Buffer.from(`email,display_name\n${s}`)),
          ),
          fc.constantFrom('text/csv', 'application/octet-stream', 'application/json'),
          async (body, type) => {
            await check(async () => {
              const res = await h.admin.call('POST', '/api/users/import?fileName=fuzz.csv', body, {
                contentType: type,
              });
              return { status: res.status, body: res.body };
            });
          },
        ),
        fuzzParams(WEIGHT, MS_PER_RUN),
      );
    },
    fuzzTimeout(WEIGHT, MS_PER_RUN),
  );
});

// ---- JSON APIs -----------------------------------------------------------------------------------------

// Field names the schemas know, so that random bodies get past "unknown field" into the services.
const FIELDS = [
  'email',
  'displayName',
  'locale',
  'password',
  'temporaryPassword',
  'sendInvitation',
  'users',
  'userId',
  'userIds',
  'platform',
  'disabled',
  'certificatePem',
  'privateKeyPem',
  'apnsBaseUrl',
  'host',
  'port',
  'secure',
  'username',
  'from',
  'to',
  'action',
  'deviceIds',
  'requestType',
  'method',
  'pin',
  'token',
  'enrollmentId',
  'passphrase',
  'setupToken',
  'cursor',
  'limit',
  '__proto__',
  'constructor',
];

const hugeString = fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'あ'.repeat(n));
const jsonLeaf = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.emailAddress(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('ja', 'en', 'ios', 'macos', 'android', 'lock', 'wipe', '', '0', '-1'),
);
const jsonValue = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonLeaf,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...FIELDS), tie('v'), { maxKeys: 6 }),
  ),
})).v;

/** A request body: JSON objects with known fields, deep nests, huge values, or text that is not JSON. */
const jsonBody: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), jsonValue, { maxKeys: 8 }).map((o) => JSON.stringify(o)),
  },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 100, max: 50_000 }).map((n) => `{"users":${'['.repeat(n)}${']'.repeat(n)}}`),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...FIELDS), hugeString).map(([k, s]) => `{"${k}":"${s}"}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"email":1e400}',
      '{"limit":123456789012345678901234567890}',
      '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"x":1}}}',
      '{"email":"a@b.c","email":"d@e.f"}',
      '{',
      '',
      'null',
      '"\\ud800"',
      '\uFEFF{}',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
);

const idSegment = fc.oneof(
  fc.constantFrom('x', '00000000-0000-0000-0000-000000000000', '..', '%00', '%2e%2e', 'a'.repeat(5000), '-1'),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);

const ADMIN_ROUTES: [string, string][] = [
  ['POST', '/api/users'],
  ['POST', '/api/users/batch'],
  ['PATCH', '/api/users/:id'],
  ['DELETE', '/api/users/:id'],
  ['GET', '/api/users/:id'],
  ['GET', '/api/users?limit=:id&cursor=:id'],
  ['POST', '/api/users/bulk'],
  ['POST', '/api/users/:id/pin'],
  ['POST', '/api/users/:id/reset-password'],
  ['POST', '/api/users/:id/temporary-password'],
  ['POST', '/api/enrollments'],
  ['POST', '/api/invitations'],
  ['POST', '/api/invitations/:id/pin'],
  ['POST', '/api/invitations/:id/resend'],
  ['POST', '/api/invitations/:id/revoke'],
  ['GET', '/api/invitations/:id'],
  ['POST', '/api/devices/actions'],
  ['POST', '/api/devices/:id/commands'],
  ['POST', '/api/devices/:id/push'],
  ['POST', '/api/devices/:id/reenroll'],
  ['POST', '/api/devices/:id/reassign'],
  ['POST', '/api/devices/:id/agent-token/revoke'],
  ['POST', '/api/devices/:id/claims/:id/dismiss'],
  ['GET', '/api/devices?limit=:id&q=:id'],
  ['GET', '/api/audit?cursor=:id&limit=:id'],
  ['PUT', '/api/mail/smtp'],
  ['POST', '/api/mail/test'],
  ['POST', '/api/mail/outbox/:id/retry'],
  ['PUT', '/api/push/certificate'],
  ['PUT', '/api/push/settings'],
  ['POST', '/api/push/csr'],
  ['PUT', '/api/tls/certificate'],
  ['PUT', '/api/settings/users'],
  ['PUT', '/api/settings/helper-build'],
  ['POST', '/api/auth/login'],
  ['POST', '/api/setup'],
  ['POST', '/api/backup'],
  ['POST', '/api/configurations'],
  ['PUT', '/api/configurations/:id'],
  ['GET', '/api/configurations/:id'],
  ['DELETE', '/api/configurations/:id'],
];

const CONFIGURATION_KINDS = ['wifi', 'vpn', 'passcode', 'restrictions', 'office-ca', 'identity', 'webclip', 'uploaded'];
const SETTING_FIELDS = [
  'ssid',
  'security',
  'password',
  'hidden',
  'autoJoin',
  'trustedServerNames',
  'eapUserName',
  'name',
  'remoteAddress',
  'remoteIdentifier',
  'localIdentifier',
  'auth',
  'sharedSecret',
  'serverCertificateName',
  'minLength',
  'maxInactivityMinutes',
  'maxFailedAttempts',
  'values',
  'url',
  'label',
  'iconBase64',
  'profileBase64',
];
const settingValue = fc.oneof(
  fc.constantFrom('wpa2-personal', 'wpa3-enterprise', 'certificate', 'shared-secret', 'https://x.example/', 'Office'),
  fc.string({ maxLength: 80 }),
  fc.integer({ min: -5, max: 100_000 }),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 30 }), fc.oneof(fc.boolean(), fc.string({ maxLength: 5 })), { maxKeys: 5 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64')),
  fc.constant(''),
);
/** Configuration inputs of the right shape with hostile settings: every kind, any field, odd platforms and users. */
const configurationInput = fc.record({
  name: fc.oneof(fc.constant('Fuzz'), fc.string({ maxLength: 120 })),
  platforms: fc.subarray(['ios', 'macos', 'android'], { minLength: 1 }),
  macChannel: fc.constantFrom('device', 'user'),
  assignment: fc.record({
    scope: fc.constantFrom('everyone', 'users'),
    userIds: fc.array(fc.string({ maxLength: 40 }), { maxLength: 3 }),
  }),
  settings: fc
    .tuple(
      fc.constantFrom(...CONFIGURATION_KINDS),
      fc.dictionary(fc.constantFrom(...SETTING_FIELDS), settingValue, { maxKeys: 8 }),
    )
    .map(([kind, fields]) => ({ ...fields, kind })),
});

const DEVICE_ROUTES: [string, string][] = [
  ['POST', '/agent/v1/enroll'],
  ['POST', '/agent/v1/check-in'],
  ['POST', '/agent/v1/token/rotate'],
  ['POST', '/helper/v1/sessions'],
  ['POST', '/helper/v1/enrollments'],
  ['GET', '/helper/v1/enrollments/:id'],
  ['GET', '/helper/v1/enrollments/:id/profile'],
  ['DELETE', '/helper/v1/session'],
  ['POST', '/e/:key/go/sign-in'],
  ['POST', '/e/:key/go/password'],
  ['POST', '/e/:key/go/enroll'],
  ['POST', '/e/:key/go/sign-out'],
  ['GET', '/e/:key/go/qr'],
  ['GET', '/profile/:id'],
];

/** Valid settings per kind, to have something to edit. */
const BASE_SETTINGS: Record<string, Record<string, unknown>> = {
  wifi: { ssid: 'Base', security: 'wpa2-personal', password: 'base password 1' },
  vpn: {
    name: 'VPN',
    remoteAddress: 'vpn.example.com',
    remoteIdentifier: 'vpn.example.com',
    localIdentifier: 'me',
    auth: 'certificate',
  },
  passcode: {},
  restrictions: { values: { allowScreenShot: false } },
  'office-ca': {},
  identity: {},
  webclip: { url: 'https://intranet.example.com/', label: 'Intranet' },
  uploaded: {},
};

function fillPath(template: string, ids: string[]): string {
  let i = 0;
  return template.replace(/:key/g, () => portalKey).replace(/:id/g, () => ids[i++ % ids.length] ?? 'x');
}

describe('fuzz: JSON APIs', () => {
  it(
    'the admin API answers every body without a 5xx; refused requests write nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ADMIN_ROUTES),
          fc.array(idSegment, { minLength: 1, maxLength: 2 }),
          jsonBody,
          async ([method, template], ids, body) => {
            await check(async () => {
              const res = await h.admin.call(
                method,
                fillPath(template, ids),
                method === 'GET' || method === 'DELETE' ? undefined : body,
              );
              return { status: res.status, body: res.body };
            });
          },
        ),
        fuzzParams(WEIGHT * 2, MS_PER_RUN),
      );
      // The admin is still signed in: no fuzzed request ended the session.
      expect((await h.admin.call('GET', '/api/auth/session')).status).toBe(200);
    },
    fuzzTimeout(WEIGHT * 2, MS_PER_RUN),
  );

  it(
    'the portal, agent and helper APIs answer every body without a 5xx; refused requests write nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...DEVICE_ROUTES),
          fc.array(idSegment, { minLength: 1, maxLength: 2 }),
          jsonBody,
          fc.oneof(
            fc.constant(undefined),
            fc.string({ maxLength: 80 }).map((t) => `Bearer ${t.replace(/[\r\n]/g, '')}`),
          ),
          fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain'),
          async ([method, template], ids, body, authorization, type) => {
            const withBody = method !== 'GET' && method !== 'DELETE';
            await check(() =>
              request(
                `${deviceOrigin}${fillPath(template, ids)}`,
                method,
                {
                  ...(withBody ? { 'content-type': type } : {}),
                  ...(authorization ? { authorization } : {}),
                  origin: deviceOrigin,
                },
                withBody ? body : undefined,
              ),
            );
          },
        ),
        fuzzParams(WEIGHT * 2, MS_PER_RUN),
      );
    },
    fuzzTimeout(WEIGHT * 2, MS_PER_RUN),
  );
});

describe('fuzz: configurations', () => {
  it(
    'hostile settings of every kind get a 4xx or a stored configuration, never a 5xx; refused ones write nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(configurationInput, fc.boolean(), async (input, edit) => {
          const created = await h.admin.call('POST', '/api/configurations', {
            name: 'Base',
            platforms: ['ios'],
            assignment: { scope: 'everyone', userIds: [] },
            settings: {
              kind: input.settings.kind === 'uploaded' ? 'office-ca' : input.settings.kind,
              ...BASE_SETTINGS[input.settings.kind],
            },
          });
          const id = created.status === 201 ? created.json<{ id: string }>().id : 'missing';
          await check(async () => {
            const res = edit
              ? await h.admin.call('PUT', `/api/configurations/${id}`, input)
              : await h.admin.call('POST', '/api/configurations', input);
            return { status: res.status, body: res.body };
          });
        }),
        fuzzParams(WEIGHT * 2, MS_PER_RUN),
      );
    },
    fuzzTimeout(WEIGHT * 2, MS_PER_RUN),
  );
});

describe('after the fuzzing', () => {
  it('the server still answers on both listeners', async () => {
    expect((await h.admin.call('GET', '/api/health')).status).toBe(200);
    expect((await request(`${deviceOrigin}/health`, 'GET', {})).status).toBe(200);
  });
});
