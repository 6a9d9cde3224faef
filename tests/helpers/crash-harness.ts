// Crash-safety harness: a real `tsunagu serve` child process on a fixed data directory and fixed ports, emulated
// iPhones, Macs and Android phones enrolling against it, a SIGKILL at a chosen moment, and the checks of what the
// database holds afterwards (integrity, audit chain, no half-enrolled device).
import { generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { systemClock } from '../../server/core/clock.js';
import { secureRandom } from '../../server/core/random.js';
import { openDatabase } from '../../server/db/open.js';
import type { AuditVerifyResult } from '../../server/contract/audit.js';
import { createAuditService } from '../../server/modules/audit/audit.service.js';
import { createAuditStore } from '../../server/modules/audit/audit.store.js';
import { AgentApiError, AndroidAgent, androidFacts, freshAgentState } from './android-agent.js';
import { startApnsMock, type ApnsMock } from './apns-mock.js';
import { EmulatedAppleDevice, iphoneSpec, macSpec, type DeviceResponse } from './apple-device.js';
import { startServe, type ServeProcess } from './cli.js';
import { AdminClient, send } from './http.js';
import { fakePushCertificate } from './push-cert.js';

/** A seeded pseudo-random source (mulberry32): the same seed gives the same kill moments, for replay. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Free TCP ports on 127.0.0.1 (bound, then released), so a restarted server answers at the same URLs. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seconds a 429 asks to wait (Retry-After), bounded; 1 s when it names none. */
function retryAfterMs(value: string | string[] | undefined): number {
  const s = Number(Array.isArray(value) ? value[0] : value);
  return Math.min(Number.isFinite(s) && s > 0 ? s * 1000 : 1000, 30_000);
}

/** Waits out one 429 as a device does (Retry-After), refusing to wait forever: at most 120 waits per device. */
async function waitThrottled(device: { throttled: number }, retryAfter?: string | string[]): Promise<void> {
  if (++device.throttled > 120) throw new Error('still throttled (429) after 120 waits');
  await sleep(retryAfterMs(retryAfter));
}

function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  const msg = (err as Error).message ?? '';
  return (
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT'].includes(code ?? '') ||
    // "No answer ... within": the SCEP client's own timeout, when the restarted server is busy with every retry.
    /socket hang up|timed out|No answer from|ECONNRESET|ECONNREFUSED|EPIPE|Client network socket disconnected/.test(msg)
  );
}

/** The server under test: a `tsunagu serve` child on one data directory, restartable on the same ports. */
export class CrashServer {
  serve: ServeProcess | null = null;
  admin!: AdminClient;
  deviceBase = '';
  caPem = '';
  private apns: ApnsMock | null = null;
  private env: Record<string, string> = {};

  constructor(readonly dataDir: string) {}

  /** The database file. */
  get dbFile(): string {
    return join(this.dataDir, 'tsunagu.db');
  }

  /** First start: picks ports, starts the APNs mock, sets the server up (admin, push certificate, users). */
  async setUp(users: number, password: string): Promise<string[]> {
    const pki = fakePushCertificate();
    this.apns = await startApnsMock(pki.appleCaPem);
    const apnsCa = join(this.dataDir, '..', `apns-ca-${randomBytes(4).toString('hex')}.pem`);
    writeFileSync(apnsCa, this.apns.caPem);
    const [admin, device, http] = (await freePorts(3)) as [number, number, number];
    this.env = {
      TSUNAGU_DATA_DIR: this.dataDir,
      TSUNAGU_ADMIN_PORT: String(admin),
      TSUNAGU_DEVICE_PORT: String(device),
      TSUNAGU_HTTP_PORT: String(http),
      TSUNAGU_DEVICE_BIND: '127.0.0.1',
      TSUNAGU_HOSTNAMES: 'crash.test',
      TSUNAGU_LOG_LEVEL: 'warn',
      TSUNAGU_APNS_CA_FILE: apnsCa,
    };
    const lines = await this.start();
    await this.admin.call('POST', '/api/setup', {
      setupToken: lines['Setup token'],
      email: 'crash@example.com',
      displayName: 'Crash',
      password: 'crash admin password',
    });
    await this.admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem });
    await this.admin.call('PUT', '/api/push/settings', { apnsBaseUrl: this.apns.url });
    const s = (await this.admin.call('GET', '/api/settings/users')).json<{ settings: Record<string, unknown> }>()
      .settings;
    const put = await this.admin.call('PUT', '/api/settings/users', {
      ...s,
      profileValidityMinutes: 60,
      deviceLimitPerUser: 100,
    });
    if (put.status !== 200) throw new Error(`settings: ${put.status} ${put.text}`);
    this.caPem = (
      await send(
        (lines['Certificate trust page'] as string)
          .replace('crash.test', '127.0.0.1')
          .replace(/\/trust$/, '/trust/ca.pem'),
      )
    ).text;
    if (!this.caPem.includes('BEGIN CERTIFICATE')) throw new Error(`no CA certificate: ${this.caPem.slice(0, 200)}`);
    const ids: string[] = [];
    for (let i = 0; i < users; i += 250) {
      const batch = Array.from({ length: Math.min(250, users - i) }, (_, j) => ({
        email: `crash${i + j}@example.com`,
        displayName: `Crash ${i + j}`,
        password,
      }));
      const res = await this.admin.call('POST', '/api/users/batch', { users: batch });
      if (res.status !== 200 && res.status !== 201) throw new Error(`users: ${res.status} ${res.text}`);
      ids.push(...res.json<{ created: { id: string }[] }>().created.map((u) => u.id));
    }
    return ids;
  }

  /** Starts (or restarts) the server on the same data directory and ports; the admin session is kept in the database. */
  async start(): Promise<Record<string, string>> {
    this.serve = await startServe(this.env);
    const lines = this.serve.lines;
    this.admin ??= new AdminClient(lines['Admin console'] as string);
    // The device listener under its configured name; emulated devices resolve every name to 127.0.0.1.
    this.deviceBase = `https://crash.test:${this.env.TSUNAGU_DEVICE_PORT}`;
    return lines;
  }

  /** SIGKILL: no shutdown hook runs, the database is left as the kernel has it. Resolves once the process is gone. */
  async kill(): Promise<void> {
    await this.serve?.stop('SIGKILL');
    this.serve = null;
  }

  /** Stops everything (SIGTERM, then the APNs mock). */
  async close(): Promise<void> {
    await this.serve?.stop('SIGTERM');
    this.serve = null;
    await this.apns?.close();
  }
}

/** Where an emulated device is in its enrollment. */
export type Step =
  'profile' | 'scep' | 'authenticate' | 'tokenUpdate' | 'userTokenUpdate' | 'commands' | 'enroll' | 'checkIn' | 'done';

/** One emulated device of a round, carried through the interruption and its retries. */
export interface CrashDevice {
  kind: 'iphone' | 'mac' | 'android9' | 'android13';
  /** UDID (Apple) or hardware id (Android): how the database names it. */
  id: string;
  step: Step;
  /** The server answered 200 to its device-channel TokenUpdate (Apple) or `active` to a check-in (Android). */
  confirmedActive: boolean;
  /** The step the kill interrupted, if any. */
  interruptedAt: Step | null;
  /** Requests the harness repeated after the restart. */
  retries: number;
  /** A refusal no retry can mend (a wrong answer, not the server going away). */
  failure: string | null;
  /** 429 answers waited out (Retry-After). */
  throttled: number;
  /** Runs from the current step on; `onStep` hears each step the server answered. */
  run(onStep: (done: Step) => void): Promise<void>;
  close(): void;
}

const MIX: CrashDevice['kind'][] = ['iphone', 'iphone', 'mac', 'android9', 'android13'];

/** The kind of device `i` of a round: iPhones, Macs and Android 9 and 13 phones in turn. */
export const kindOf = (i: number): CrashDevice['kind'] => MIX[i % MIX.length] as CrashDevice['kind'];

/** An iPhone or Mac: profile, SCEP, Authenticate, TokenUpdate (and the user channel on a Mac), command loop. */
export class AppleCrashDevice implements CrashDevice {
  step: Step = 'profile';
  confirmedActive = false;
  interruptedAt: Step | null = null;
  retries = 0;
  failure: string | null = null;
  throttled = 0;
  readonly device: EmulatedAppleDevice;
  /** The PKCSReq's transactionID: the same on every attempt, as a device resending its request keeps it. */
  private readonly transactionId = randomBytes(20).toString('hex').toUpperCase();

  constructor(
    readonly kind: 'iphone' | 'mac',
    n: number,
    caPem: string,
    keyPem: string,
    private readonly profileUrl: string,
  ) {
    this.device = new EmulatedAppleDevice(kind === 'mac' ? macSpec(n) : iphoneSpec(n), { caPem, keyPem });
  }

  get id(): string {
    return this.device.spec.udid;
  }

  private ok(res: DeviceResponse, what: string): boolean {
    if (res.status === 200) return true;
    if (res.status === 429) return false;
    throw new Error(`${what} answered ${res.status}: ${res.body.toString().slice(0, 300)}`);
  }

  private async checkin(message: Record<string, unknown>, what: string): Promise<boolean> {
    const res = await this.device.checkin(message as never);
    if (res.status === 429) await waitThrottled(this, res.headers['retry-after']);
    return this.ok(res, what);
  }

  async run(onStep: (done: Step) => void): Promise<void> {
    const d = this.device;
    const s = d.spec;
    const keys = () => ({ UDID: s.udid, Topic: d.profile?.mdm.topic ?? '' });
    // Bounded: each step succeeds, throws, or waits out a 429 (itself bounded by waitThrottled).
    for (let guard = 0; guard < 200 && this.step !== 'done'; guard++) {
      const before = this.step;
      switch (this.step) {
        case 'profile': {
          const res = await d.downloadProfile(this.profileUrl);
          if (res.status === 429) await waitThrottled(this, res.headers['retry-after']);
          if (this.ok(res, 'profile download')) this.step = 'scep';
          break;
        }
        case 'scep': {
          let rep: { status: string; failInfo?: string };
          try {
            rep = await d.scep({ transactionId: this.transactionId });
          } catch (err) {
            if ((err as { status?: number }).status === 429) {
              await waitThrottled(this);
              continue;
            }
            throw err;
          }
          if (rep.status !== 'SUCCESS') throw new Error(`SCEP ${rep.status} ${rep.failInfo ?? ''}`);
          this.step = 'authenticate';
          break;
        }
        case 'authenticate':
          if (
            await this.checkin(
              {
                MessageType: 'Authenticate',
                ...keys(),
                SerialNumber: s.serialNumber,
                OSVersion: s.osVersion,
                BuildVersion: s.buildVersion,
                ProductName: s.productName,
                ...(s.kind === 'mac' ? { DeviceName: s.deviceName, Model: s.model, ModelName: s.modelName } : {}),
              },
              'Authenticate',
            )
          )
            this.step = 'tokenUpdate';
          break;
        case 'tokenUpdate':
          if (
            await this.checkin(
              {
                MessageType: 'TokenUpdate',
                ...keys(),
                Token: d.token,
                PushMagic: d.pushMagic,
                AwaitingConfiguration: false,
                ...(s.kind === 'iphone' ? { UnlockToken: randomBytes(64) } : {}),
              },
              'TokenUpdate',
            )
          ) {
            this.confirmedActive = true;
            this.step =
              s.kind === 'mac' && d.profile?.mdm.capabilities.includes('com.apple.mdm.per-user-connections')
                ? 'userTokenUpdate'
                : 'commands';
          }
          break;
        case 'userTokenUpdate':
          if (
            await this.checkin(
              {
                MessageType: 'TokenUpdate',
                ...keys(),
                UserID: 'A8D2F2C4-6E3B-4B5A-9C1D-2F0E8B7A6C5D',
                UserShortName: 'user',
                UserLongName: 'Office User',
                NotOnConsole: false,
                Token: randomBytes(32),
                PushMagic: randomUUID().toUpperCase(),
              },
              'user TokenUpdate',
            )
          )
            this.step = 'commands';
          break;
        case 'commands':
          await d.commandLoop();
          this.step = 'done';
          break;
        default:
          throw new Error(`an Apple device has no step ${this.step}`);
      }
      if (this.step !== before) onStep(before);
    }
  }

  close(): void {
    this.device.close();
  }
}

/** An Android phone running the agent: enroll with the user's password, grant device admin, check in. */
export class AndroidCrashDevice implements CrashDevice {
  step: Step = 'enroll';
  confirmedActive = false;
  interruptedAt: Step | null = null;
  retries = 0;
  failure: string | null = null;
  throttled = 0;
  readonly agent: AndroidAgent;

  constructor(
    readonly kind: 'android9' | 'android13',
    n: number,
    deviceBase: string,
    caPem: string,
    private readonly email: string,
    private readonly password: string,
  ) {
    this.agent = new AndroidAgent(
      freshAgentState(
        deviceBase,
        caPem,
        androidFacts(kind === 'android9' ? 28 : 33, randomBytes(8).toString('hex'), n),
      ),
    );
  }

  get id(): string {
    return this.agent.state.facts.hardwareId;
  }

  async run(onStep: (done: Step) => void): Promise<void> {
    for (let guard = 0; guard < 200 && this.step !== 'done'; guard++) {
      const before = this.step;
      try {
        if (this.step === 'enroll') {
          await this.agent.enroll({ method: 'password', email: this.email, password: this.password });
          this.agent.grantAdmin();
          this.step = 'checkIn';
        } else {
          const r = await this.agent.checkIn();
          if (r.status !== 'active') throw new Error(`check-in answered ${r.status}`);
          this.confirmedActive = true;
          this.step = 'done';
        }
      } catch (err) {
        if (err instanceof AgentApiError && err.status === 429) {
          await waitThrottled(this);
          continue;
        }
        throw err;
      }
      onStep(before);
    }
  }

  close(): void {
    this.agent.close();
  }
}

/** Runs `device` until it is done or the server goes away; a network error leaves it at its step (interrupted). */
export async function drive(device: CrashDevice, onStep: (done: Step) => void): Promise<void> {
  try {
    await device.run(onStep);
  } catch (err) {
    if (isNetworkError(err)) {
      device.interruptedAt ??= device.step;
      return;
    }
    device.failure = `${device.kind} at ${device.step}: ${(err as Error).message}`;
  }
}

/** After the restart: the device tries again from where it was, as a real one does, a few times at most. */
export async function retry(device: CrashDevice): Promise<void> {
  for (let attempt = 0; attempt < 8 && device.step !== 'done' && !device.failure; attempt++) {
    device.retries++;
    device.close();
    try {
      await device.run(() => {});
    } catch (err) {
      if (!isNetworkError(err)) {
        device.failure = `${device.kind} retrying at ${device.step}: ${(err as Error).message}`;
        return;
      }
      await sleep(500 * (attempt + 1));
    }
  }
}

/** Generates `count` RSA-2048 device keys (reused across rounds: a key's only role is the CSR and signatures). */
export async function deviceKeys(count: number): Promise<string[]> {
  const gen = promisify(generateKeyPair);
  const out: string[] = [];
  for (let i = 0; i < count; i += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, count - i) }, () =>
        gen('rsa', {
          modulusLength: 2048,
          publicKeyEncoding: { type: 'spki', format: 'pem' },
          privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        }).then((p) => p.privateKey),
      ),
    );
    out.push(...batch);
  }
  return out;
}

/** What the database holds after a crash: its integrity, the audit chain, and every half-done enrollment found. */
export interface DbReport {
  integrity: string;
  audit: AuditVerifyResult;
  /** Each entry: what is wrong, and the rows (ids) that show it. */
  violations: string[];
  /** Status of each device by UDID or hardware id (the live record; the newest if several). */
  status: Map<string, string>;
  counts: Record<string, number>;
}

/**
 * Half-enrolled states, each as a query returning the offending rows' ids. Every one of them is written in one
 * transaction by the server, so none may ever be seen, whatever moment the process died at.
 */
const HALF_ENROLLED: [string, string][] = [
  [
    'an Apple device is active without an enabled device channel holding a push token',
    `SELECT d.id FROM devices d WHERE d.deleted_at IS NULL AND d.status = 'active' AND d.platform IN ('ios','macos')
       AND NOT EXISTS (SELECT 1 FROM mdm_channels c WHERE c.device_id = d.id AND c.channel = 'device'
                       AND c.enabled = 1 AND c.token_hex IS NOT NULL AND c.push_magic IS NOT NULL)`,
  ],
  [
    'an enabled MDM channel has no push token',
    `SELECT device_id || ':' || channel FROM mdm_channels WHERE enabled = 1 AND (token_hex IS NULL OR push_magic IS NULL)`,
  ],
  [
    'an Apple device is active without the DeviceInformation its activation queues',
    `SELECT d.id FROM devices d WHERE d.deleted_at IS NULL AND d.status = 'active' AND d.platform IN ('ios','macos')
       AND NOT EXISTS (SELECT 1 FROM mdm_commands m WHERE m.device_id = d.id AND m.request_type = 'DeviceInformation')`,
  ],
  [
    'an Android device is active without a live agent token',
    `SELECT d.id FROM devices d WHERE d.deleted_at IS NULL AND d.status = 'active' AND d.platform = 'android'
       AND NOT EXISTS (SELECT 1 FROM agent_tokens t WHERE t.device_id = d.id AND t.revoked_at IS NULL)`,
  ],
  [
    'an Android device record has no agent token at all (enrolled without its credential)',
    `SELECT d.id FROM devices d WHERE d.platform = 'android'
       AND NOT EXISTS (SELECT 1 FROM agent_tokens t WHERE t.device_id = d.id)`,
  ],
  [
    'a device is active without its enrollment or audit event',
    `SELECT d.id FROM devices d WHERE d.deleted_at IS NULL AND d.status = 'active' AND (d.enrolled_at IS NULL
       OR NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.subject_id = d.id
                      AND a.action IN ('device.enrolled','device.reenrolled')))`,
  ],
  [
    "an active device's enrollment is still pending",
    `SELECT d.id FROM devices d JOIN enrollments e ON e.id = d.enrollment_id
       WHERE d.deleted_at IS NULL AND d.status = 'active' AND e.status = 'pending'`,
  ],
  [
    'an enrollment is marked enrolled without a device',
    `SELECT e.id FROM enrollments e WHERE e.status = 'enrolled'
       AND (e.device_id IS NULL OR NOT EXISTS (SELECT 1 FROM devices d WHERE d.id = e.device_id))`,
  ],
  [
    'an enrolled enrollment names a device that is not active',
    `SELECT e.id FROM enrollments e JOIN devices d ON d.id = e.device_id
       WHERE e.status = 'enrolled' AND d.enrollment_id = e.id AND d.status NOT IN ('active')`,
  ],
  [
    'a certificate was issued without its scep.issued audit event',
    `SELECT c.serial FROM issued_certificates c WHERE NOT EXISTS
       (SELECT 1 FROM audit_events a WHERE a.action = 'scep.issued' AND a.subject_id = c.serial)`,
  ],
  [
    'a scep.issued audit event names no issued certificate',
    `SELECT a.subject_id FROM audit_events a WHERE a.action = 'scep.issued'
       AND NOT EXISTS (SELECT 1 FROM issued_certificates c WHERE c.serial = a.subject_id)`,
  ],
  [
    'a challenge was consumed without a certificate issued for its enrollment',
    `SELECT s.id FROM scep_challenges s WHERE s.consumed_at IS NOT NULL AND NOT EXISTS
       (SELECT 1 FROM issued_certificates c WHERE c.enrollment_id = s.enrollment_id)`,
  ],
  [
    'a certificate was issued on a challenge that is not consumed',
    `SELECT c.serial FROM issued_certificates c WHERE c.kind = 'PKCSReq' AND NOT EXISTS
       (SELECT 1 FROM scep_challenges s WHERE s.enrollment_id = c.enrollment_id AND s.consumed_at IS NOT NULL)`,
  ],
  [
    'a channel names a certificate that is not bound to its device',
    `SELECT c.device_id FROM mdm_channels c JOIN issued_certificates i ON i.serial = c.cert_serial
       WHERE c.channel = 'device' AND c.authenticated_at IS NOT NULL AND (i.device_id IS NULL OR i.device_id != c.device_id)`,
  ],
  [
    'an authenticated device has no mdm.authenticated audit event',
    `SELECT c.device_id FROM mdm_channels c WHERE c.channel = 'device' AND c.authenticated_at IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.subject_id = c.device_id AND a.action = 'mdm.authenticated')`,
  ],
  [
    'an enrollment has no enrollment.created audit event',
    `SELECT e.id FROM enrollments e WHERE NOT EXISTS (SELECT 1 FROM audit_events a
       WHERE a.action = 'enrollment.created' AND json_extract(a.details, '$.enrollmentId') = e.id)`,
  ],
  [
    'an Android enrollment the agent opened has no device (its device claim never committed)',
    `SELECT e.id FROM enrollments e WHERE e.platform = 'android' AND e.status = 'pending' AND e.device_id IS NULL
       AND EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'enrollment.created' AND a.actor_type = 'user'
                   AND json_extract(a.details, '$.enrollmentId') = e.id)`,
  ],
  [
    'a device record belongs to no enrollment',
    `SELECT d.id FROM devices d WHERE d.enrollment_id IS NULL OR NOT EXISTS
       (SELECT 1 FROM enrollments e WHERE e.id = d.enrollment_id AND e.device_id = d.id)`,
  ],
  [
    'a profile download minted no challenge (or a challenge has no download event)',
    `SELECT e.id FROM enrollments e WHERE e.platform != 'android'
       AND (SELECT COUNT(*) FROM scep_challenges s WHERE s.enrollment_id = e.id)
        != (SELECT COUNT(*) FROM audit_events a WHERE a.action = 'profile.downloaded' AND a.subject_id = e.id)`,
  ],
];

/** Opens the database read-only and checks it; the server may be running (WAL readers do not block it). */
export function checkDatabase(dbFile: string): DbReport {
  const db = openDatabase(dbFile, { readonly: true });
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join('; ');
    const fk = db.pragma('foreign_key_check') as unknown[];
    const audit = createAuditService({
      store: createAuditStore(db),
      clock: systemClock,
      random: secureRandom,
    }).verify();
    const violations: string[] = [];
    if (fk.length > 0) violations.push(`foreign key violations: ${JSON.stringify(fk.slice(0, 5))}`);
    for (const [what, sql] of HALF_ENROLLED) {
      const ids = db.prepare(sql).pluck().all() as string[];
      if (ids.length > 0)
        violations.push(`${what}: ${ids.length} (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''})`);
    }
    const status = new Map<string, string>();
    for (const r of db
      .prepare(
        `SELECT COALESCE(udid, hardware_id) AS id, status FROM devices WHERE deleted_at IS NULL ORDER BY created_at`,
      )
      .all() as { id: string; status: string }[])
      status.set(r.id, r.status);
    const counts: Record<string, number> = {};
    for (const r of db.prepare(`SELECT status, COUNT(*) AS n FROM devices GROUP BY status`).all() as {
      status: string;
      n: number;
    }[])
      counts[`devices ${r.status}`] = r.n;
    counts['certificates'] = db.prepare('SELECT COUNT(*) FROM issued_certificates').pluck().get() as number;
    counts['audit events'] = audit.checked;
    return { integrity, audit, violations, status, counts };
  } finally {
    db.close();
  }
}

/** Sizes and seed of a crash run. */
export interface CrashRunOptions {
  rounds: number;
  devices: number;
  seed: number;
  dataDir: string;
  log?: (line: string) => void;
}

/** What one round saw. */
export interface RoundReport {
  round: number;
  /** The moment of the SIGKILL: after the server answered this step for the `killAfter`-th time. */
  target: Step;
  killAfter: number;
  jitterMs: number;
  completedBeforeKill: number;
  interrupted: number;
  interruptedAt: Record<string, number>;
  retries: number;
  /** 429 answers the devices waited out. */
  throttled: number;
  completedAfterRetry: number;
  failures: string[];
  afterRestart: DbReport;
  afterRetry: DbReport;
  /** Devices the server had confirmed (200 to TokenUpdate, `active` to a check-in) that were not Active after restart. */
  lostConfirmations: string[];
  /** Devices not Active after their retries. */
  notActive: string[];
  seconds: number;
}

const PASSWORD = 'crash password 123';

/** The steps a kill may follow; each round aims at one of them in turn, from a seeded start. */
const KILL_AFTER: Step[] = ['profile', 'scep', 'authenticate', 'tokenUpdate', 'commands', 'enroll', 'checkIn'];

/** How many devices of a round take `step`. */
function takesStep(devices: CrashDevice[], step: Step): number {
  const apple = devices.filter((d) => d.kind === 'iphone' || d.kind === 'mac').length;
  return step === 'enroll' || step === 'checkIn' ? devices.length - apple : apple;
}

/**
 * Runs the crash rounds: each starts `devices` enrollments at once against the server, SIGKILLs it after a seeded
 * random number of answered steps, restarts it on the same data directory, checks the database, lets the
 * interrupted devices retry and checks again.
 */
export async function runCrashRounds(o: CrashRunOptions): Promise<RoundReport[]> {
  const log = o.log ?? (() => {});
  const rng = seededRandom(o.seed);
  const firstTarget = Math.floor(rng() * KILL_AFTER.length);
  const server = new CrashServer(o.dataDir);
  const reports: RoundReport[] = [];
  try {
    const users = await server.setUp(o.devices, PASSWORD);
    const kinds = Array.from({ length: o.devices }, (_, i) => kindOf(i));
    const keys = await deviceKeys(kinds.filter((k) => k === 'iphone' || k === 'mac').length);
    for (let round = 1; round <= o.rounds; round++) {
      const started = performance.now();
      if (!server.serve) await server.start();
      const devices: CrashDevice[] = [];
      let key = 0;
      for (let i = 0; i < o.devices; i++) {
        const kind = kinds[i] as CrashDevice['kind'];
        if (kind === 'iphone' || kind === 'mac') {
          const res = await server.admin.call('POST', '/api/enrollments', {
            userId: users[i],
            platform: kind === 'mac' ? 'macos' : 'ios',
          });
          if (res.status !== 200 && res.status !== 201) throw new Error(`enrollment: ${res.status} ${res.text}`);
          const url = res.json<{ profileUrl: string }>().profileUrl.replace('crash.test', '127.0.0.1');
          devices.push(new AppleCrashDevice(kind, i, server.caPem, keys[key++] as string, url));
        } else {
          devices.push(
            new AndroidCrashDevice(kind, i, server.deviceBase, server.caPem, `crash${i}@example.com`, PASSWORD),
          );
        }
      }
      // The moment: after the k-th answer to one kind of step (k seeded, up to 90% of the devices taking it), so
      // that across rounds the kill lands inside every step while the other devices are in the middle of theirs.
      const target = KILL_AFTER[(firstTarget + round - 1) % KILL_AFTER.length] as Step;
      const killAfter = 1 + Math.floor(rng() * Math.max(1, Math.floor(takesStep(devices, target) * 0.9)));
      // Then a seeded 0-49 ms more, so the kill is not tied to the moment an answer arrived.
      const jitterMs = Math.floor(rng() * 50);
      let answered = 0;
      let killing: Promise<void> | null = null;
      let timer: NodeJS.Timeout | undefined;
      const onStep = (done: Step) => {
        if (done === target && ++answered === killAfter)
          timer = setTimeout(() => {
            killing = server.kill();
          }, jitterMs);
      };
      await Promise.all(devices.map((d) => drive(d, onStep)));
      clearTimeout(timer);
      await (killing ?? server.kill());
      const completedBeforeKill = devices.filter((d) => d.step === 'done').length;
      const interrupted = devices.filter((d) => d.step !== 'done' && !d.failure);
      const interruptedAt: Record<string, number> = {};
      for (const d of interrupted) interruptedAt[d.step] = (interruptedAt[d.step] ?? 0) + 1;

      await server.start();
      const afterRestart = checkDatabase(server.dbFile);
      const lostConfirmations = devices
        .filter((d) => d.confirmedActive && afterRestart.status.get(d.id) !== 'active')
        .map((d) => `${d.kind} ${d.id}: ${afterRestart.status.get(d.id) ?? 'no record'}`);

      await Promise.all(interrupted.map((d) => retry(d)));
      for (const d of devices) d.close();
      const afterRetry = checkDatabase(server.dbFile);
      const notActive = devices
        .filter((d) => afterRetry.status.get(d.id) !== 'active')
        .map((d) => `${d.kind} ${d.id} at ${d.step}: ${afterRetry.status.get(d.id) ?? 'no record'}`);
      const report: RoundReport = {
        round,
        target,
        killAfter,
        jitterMs,
        completedBeforeKill,
        interrupted: interrupted.length,
        interruptedAt,
        retries: devices.reduce((n, d) => n + d.retries, 0),
        throttled: devices.reduce((n, d) => n + d.throttled, 0),
        completedAfterRetry: devices.filter((d) => d.step === 'done').length,
        failures: devices.flatMap((d) => (d.failure ? [d.failure] : [])),
        afterRestart,
        afterRetry,
        lostConfirmations,
        notActive,
        seconds: (performance.now() - started) / 1000,
      };
      reports.push(report);
      log(
        `round ${round}: SIGKILL ${jitterMs} ms after ${killAfter} ${target} answers; ${completedBeforeKill} done before, ` +
          `${interrupted.length} interrupted ${JSON.stringify(interruptedAt)}, ${report.retries} retries, ` +
          `${report.throttled} 429s waited, ` +
          `${report.completedAfterRetry}/${o.devices} done after; integrity ${afterRestart.integrity}, ` +
          `audit ${afterRestart.audit.ok && afterRetry.audit.ok ? 'ok' : 'BROKEN'} (${afterRetry.audit.checked}); ` +
          `violations ${afterRestart.violations.length + afterRetry.violations.length}, lost ${lostConfirmations.length}, ` +
          `failures ${report.failures.length}, not active ${notActive.length}; ${report.seconds.toFixed(1)} s; ` +
          JSON.stringify(afterRetry.counts),
      );
      for (const v of [...afterRestart.violations, ...afterRetry.violations, ...report.failures.slice(0, 5)])
        log(`  ${v}`);
    }
  } finally {
    await server.close();
  }
  return reports;
}
