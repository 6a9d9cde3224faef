// `npm run bench:enroll`: emulated devices (iPhone, Mac, Android 9 and 13) through the whole enrollment flow against
// a running server (a child process), in three passes:
//  1. saturation: a closed loop at concurrency 50 of the mix; its throughput (devices/s) is the server's capacity on
//     this machine (the load generator shares its cores);
//  2. open loop: devices arrive at a fixed rate of 70% of that throughput; p50/p95/p99 per step, target p95 < 150 ms
//     for every step (a latency at saturation only measures the queue);
//  3. per platform: a small closed loop of each platform alone; server CPU per enrolled device beside the floor its
//     cryptography sets (the server's RSA and argon2 operations, counted by tests/bench/crypto-counters.cjs, times
//     their cost measured here on the same machine); target at most twice the floor.
// Rate limits are honoured: a 429 waits for its Retry-After and is counted.
//
// The counts agree with the protocol. An iPhone or Mac: the profile's CMS signature (1 RSA-2048 sign, the TLS
// identity); SCEP PKIOperation: the envelope's key transport (1 private decrypt with the CA key, RSA-3072), the
// device certificate and the CertRep's SignedData (2 CA signs), the CertRep envelope (1 public encrypt), the
// PKCSReq and CSR signatures (2 verifies); Authenticate, TokenUpdate and two ServerURL polls each carry an
// Mdm-Signature (4 verifies, and 1 check of the device certificate against the CA, then cached); TLS: 3 full
// handshakes (the profile download over the device's trust store, then CheckInURL and ServerURL, each pinned and
// so each its own connection). An Android agent: 1 argon2 verification (the password) and 1 full TLS handshake.
import { spawn } from 'node:child_process';
import {
  constants,
  generateKeyPair,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { argon2Hasher } from '../../server/core/password.js';
import { AgentApiError, AndroidAgent, androidFacts, freshAgentState } from '../helpers/android-agent.js';
import { startApnsMock } from '../helpers/apns-mock.js';
import { EmulatedAppleDevice, iphoneSpec, macSpec, type DeviceResponse } from '../helpers/apple-device.js';
import { AdminClient, send, type TestResponse } from '../helpers/http.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { ScepClientError } from '../helpers/scep-client.js';
import { measureTransport } from './transport-floor.js';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const OPEN_SECONDS = Number(process.env.BENCH_OPEN_SECONDS ?? 25);
const OPEN_LOAD = Number(process.env.BENCH_OPEN_LOAD ?? 0.7);
const PLATFORM_DEVICES = Number(process.env.BENCH_PLATFORM_DEVICES ?? 100);
const PLATFORM_CONCURRENCY = Number(process.env.BENCH_PLATFORM_CONCURRENCY ?? 4);
// Untimed devices first, so the saturation pass does not pay for the server's JIT warm-up and first-use caches.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10);
const TARGET_P95_MS = 150;
// Users are made in batches small enough for their argon2 hashes to finish within the client's 15 s timeout on a
// busy machine.
const USER_BATCH = 50;
const TARGET_FLOOR_FACTOR = 2;
const PASSWORD = 'bench password 123';
const CLI = new URL('../../../bin/tsunagu.mjs', import.meta.url).pathname;
const COUNTERS = new URL('../../../tests/bench/crypto-counters.cjs', import.meta.url).pathname;
// Device keys are costly to make (RSA-2048) and any fresh key will do: kept between runs in the temp directory.
const KEY_CACHE = join(tmpdir(), 'tsunagu-bench-device-keys.json');

type Kind = 'iphone' | 'mac' | 'android9' | 'android13';
const MIX: Kind[] = ['iphone', 'iphone', 'mac', 'android9', 'android13'];
// BENCH_PLATFORMS=iphone,mac limits the per-platform passes, for quick A/B runs of one platform's cost.
const ONLY = (process.env.BENCH_PLATFORMS ?? '').split(',').filter(Boolean);
const PLATFORMS: { kind: Kind; label: string }[] = [
  { kind: 'iphone' as Kind, label: 'iPhone' },
  { kind: 'mac' as Kind, label: 'Mac' },
  { kind: 'android9' as Kind, label: 'Android 9' },
  { kind: 'android13' as Kind, label: 'Android 13' },
].filter((p) => ONLY.length === 0 || ONLY.includes(p.kind));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pad = (s: string | number, n: number) => String(s).padStart(n);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date); 1 s when absent or unreadable. */
function retryAfterMs(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return 1000;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 60_000) : 1000;
}

/** 429s met, and the time spent waiting for their Retry-After. */
const throttled = { count: 0, waitedMs: 0 };
const MAX_RETRIES = 30;

async function honour429(header: string | string[] | undefined, attempt: number, what: string): Promise<void> {
  if (attempt >= MAX_RETRIES) throw new Error(`${what}: still 429 after ${MAX_RETRIES} waits`);
  const ms = retryAfterMs(header);
  throttled.count++;
  throttled.waitedMs += ms;
  await sleep(ms);
}

/** Runs `fn` again after the Retry-After of a 429 it throws (agent API, SCEP client). */
async function retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AgentApiError && err.status === 429) await honour429(err.retryAfter, attempt, what);
      else if (err instanceof ScepClientError && err.status === 429) await honour429(undefined, attempt, what);
      else throw err;
    }
  }
}

/** An emulated iPhone or Mac that waits out a 429 (Retry-After) and sends the same request again. */
class PatientAppleDevice extends EmulatedAppleDevice {
  override async request(
    url: string,
    method: string,
    headers: Record<string, string>,
    body?: Buffer | string,
    channel?: Parameters<EmulatedAppleDevice['request']>[4],
  ): Promise<DeviceResponse> {
    for (let attempt = 0; ; attempt++) {
      const res = await super.request(url, method, headers, body, channel);
      if (res.status !== 429) return res;
      await honour429(res.headers['retry-after'], attempt, `${method} ${new URL(url).pathname}`);
    }
  }
}

async function patientCall(admin: AdminClient, method: string, path: string, body?: unknown): Promise<TestResponse> {
  for (let attempt = 0; ; attempt++) {
    const res = await admin.call(method, path, body);
    if (res.status !== 429) return res;
    await honour429(res.headers['retry-after'], attempt, `${method} ${path}`);
  }
}

/** Server response times per route, from the server's "request completed" log lines in [from, to]. */
function serverTimes(logFile: string, from: number, to: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const route = (method: string, url: string) => {
    const [path = '', query = ''] = url.split('?');
    const operation = /operation=(\w+)/.exec(query)?.[1];
    return `${method} ${path.replace(/^\/profile\/.+$/, '/profile/:token')}${operation ? `?operation=${operation}` : ''}`;
  };
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as {
      time?: number;
      reqId?: string;
      msg?: string;
      req?: { method: string; url: string };
      responseTime?: number;
    };
    if (!e.reqId || (e.time !== undefined && (e.time < from || e.time > to))) continue;
    if (e.msg === 'request completed' && e.req && typeof e.responseTime === 'number') {
      const r = route(e.req.method, e.req.url);
      if (r.includes(' /api/') && !r.startsWith('POST /api/enrollments')) continue;
      const list = out.get(r) ?? [];
      list.push(e.responseTime);
      out.set(r, list);
    }
  }
  return out;
}

/** User and system CPU seconds a process has used (Linux /proc, clock ticks of 1/100 s). */
/** Requests the server answered in [from, to], from its log: the admin API (plain HTTP) and the device listener (TLS). */
function requestCounts(logFile: string, from: number, to: number): { http: number; https: number } {
  const out = { http: 0, https: 0 };
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"request completed"')) continue;
    const e = JSON.parse(line) as { time?: number; req?: { url: string } };
    if (e.time === undefined || e.time < from || e.time > to || !e.req) continue;
    if (e.req.url.startsWith('/api/')) out.http++;
    else out.https++;
  }
  return out;
}

function serverCpu(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return { user: Number(fields[11] ?? 0) / 100, system: Number(fields[12] ?? 0) / 100 };
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

type Counts = Record<string, number>;

/** The server's cryptographic operation counts so far (crypto-counters.cjs writes them on SIGUSR2). */
async function readCounters(pid: number, file: string): Promise<Counts> {
  const read = () =>
    existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { seq: number; counts: Counts }) : null;
  const seqBefore = read()?.seq ?? 0;
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 500; i++) {
    await sleep(10);
    const data = read();
    if (data && data.seq > seqBefore) return data.counts;
  }
  throw new Error('The server did not write its crypto counters (was tests/bench/crypto-counters.cjs preloaded?).');
}

function diffCounts(after: Counts, before: Counts): Counts {
  const out: Counts = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

/** CPU milliseconds of one call of `fn` in this process (user + system, all threads), averaged over `n`. */
async function cpuMsPer(n: number, fn: () => unknown): Promise<number> {
  await fn();
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000 / n;
}

/** What one counted operation costs on this machine, in CPU ms, by its counter name. */
async function opCosts(names: string[]): Promise<Map<string, number>> {
  const costs = new Map<string, number>();
  const keys = new Map<number, { privateKey: KeyObject; publicKey: KeyObject }>();
  const rsa = (bits: number) => {
    let k = keys.get(bits);
    if (!k) keys.set(bits, (k = generateKeyPairSync('rsa', { modulusLength: bits })));
    return k;
  };
  const data = randomBytes(256);
  for (const name of names) {
    const bits = Number(/rsa(\d+)$/.exec(name)?.[1] ?? 0);
    if (name === 'argon2 verify') {
      const hash = await argon2Hasher.hash(PASSWORD);
      costs.set(name, await cpuMsPer(10, () => argon2Hasher.verify(hash, PASSWORD)));
    } else if (name === 'argon2 hash') costs.set(name, await cpuMsPer(10, () => argon2Hasher.hash(PASSWORD)));
    else if (bits && name.startsWith('rsa-private sign'))
      costs.set(name, await cpuMsPer(50, () => sign('sha256', data, rsa(bits).privateKey)));
    else if (bits && name.startsWith('rsa-private decrypt')) {
      const block = Buffer.concat([Buffer.from([0]), randomBytes(bits / 8 - 1)]);
      costs.set(
        name,
        await cpuMsPer(50, () =>
          privateDecrypt({ key: rsa(bits).privateKey, padding: constants.RSA_NO_PADDING }, block),
        ),
      );
    } else if (bits && name.startsWith('rsa-public verify')) {
      const sig = sign('sha256', data, rsa(bits).privateKey);
      costs.set(name, await cpuMsPer(200, () => verify('sha256', data, rsa(bits).publicKey, sig)));
    } else if (bits && name.startsWith('rsa-public encrypt'))
      costs.set(name, await cpuMsPer(200, () => publicEncrypt(rsa(bits).publicKey, data.subarray(0, 32))));
    // A full TLS 1.3 handshake costs the server one RSA-PSS signature (CertificateVerify); a resumed one none.
    else if (bits && name.startsWith('tls server full-handshake'))
      costs.set(
        name,
        await cpuMsPer(50, () =>
          sign('sha256', data, { key: rsa(bits).privateKey, padding: constants.RSA_PKCS1_PSS_PADDING }),
        ),
      );
  }
  return costs;
}

interface Plan {
  kind: Kind;
  email: string;
  userId: string;
  keyPem: string | null;
}

interface PhaseResult {
  devices: number;
  failures: number;
  seconds: number;
  serverCpu: number;
  serverSystemCpu: number;
  clientCpu: number;
  counts: Counts;
  timings: Map<string, number[]>;
  throttled: number;
  from: number;
  to: number;
  /** Requests answered during the pass, by listener. */
  requests: { http: number; https: number };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsunagu-bench-'));
  const countersFile = join(dir, 'crypto-counters.json');
  const pki = fakePushCertificate();
  const apns = await startApnsMock(pki.appleCaPem);
  writeFileSync(join(dir, 'apns-ca.pem'), apns.caPem);
  // BENCH_SERVER_ARGS passes Node flags to the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it.
  const serverArgs = (process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, ['--require', COUNTERS, ...serverArgs, CLI, 'serve', '--json'], {
    env: {
      ...process.env,
      TSUNAGU_DATA_DIR: join(dir, 'data'),
      TSUNAGU_ADMIN_PORT: '0',
      TSUNAGU_DEVICE_PORT: '0',
      TSUNAGU_HTTP_PORT: '0',
      TSUNAGU_DEVICE_BIND: '127.0.0.1',
      TSUNAGU_HOSTNAMES: 'bench.test',
      // Info level: the server's own log gives its response time per request, apart from the client's CPU.
      TSUNAGU_LOG_LEVEL: 'info',
      TSUNAGU_APNS_CA_FILE: join(dir, 'apns-ca.pem'),
      TSUNAGU_BENCH_COUNTERS_FILE: countersFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The same log goes to the data directory's file; keep only warnings and errors on the console.
  child.stderr.on('data', (c: Buffer) => {
    for (const l of c.toString().split('\n')) if (/"level":(4|5|6)0/.test(l)) process.stderr.write(`${l}\n`);
  });
  const ready = await new Promise<{
    adminUrl: string;
    enrollmentUrl: string;
    bootstrapUrl: string;
    setupToken: string;
  }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start')), 60_000);
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready`)));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{') && l.includes('"ready"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as never);
      }
    });
  });
  const pid = child.pid as number;
  const admin = new AdminClient(ready.adminUrl);
  const deviceBase = ready.enrollmentUrl.replace(/\/$/, '').replace('bench.test', '127.0.0.1');
  const logFile = join(dir, 'data', 'logs', 'tsunagu.log');
  try {
    await admin.call('POST', '/api/setup', {
      setupToken: ready.setupToken,
      email: 'bench@example.com',
      displayName: 'Bench',
      password: 'bench admin password',
    });
    await admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem });
    await admin.call('PUT', '/api/push/settings', { apnsBaseUrl: apns.url });
    const s = (await admin.call('GET', '/api/settings/users')).json<{ settings: Record<string, unknown> }>().settings;
    await admin.call('PUT', '/api/settings/users', { ...s, profileValidityMinutes: 30 });
    const caPem = (
      await send(ready.bootstrapUrl.replace('bench.test', '127.0.0.1').replace(/\/trust$/, '/trust/ca.pem'))
    ).text;

    // Users and device keys, made before each timed pass (not timed).
    let userCount = 0;
    let keyCount = 0;
    const cachedKeys: string[] = existsSync(KEY_CACHE) ? (JSON.parse(readFileSync(KEY_CACHE, 'utf8')) as string[]) : [];
    const prepare = async (kinds: Kind[]): Promise<Plan[]> => {
      const apple = kinds.filter((k) => k === 'iphone' || k === 'mac').length;
      process.stdout.write(`  (preparing ${kinds.length} users and ${apple} device keys)\n`);
      const plans: Plan[] = [];
      for (let i = 0; i < kinds.length; i += USER_BATCH) {
        const batch = kinds.slice(i, i + USER_BATCH).map(() => {
          const n = userCount++;
          return { email: `bench${n}@example.com`, displayName: `Bench ${n}`, password: PASSWORD };
        });
        const res = await admin.call('POST', '/api/users/batch', { users: batch });
        const ids = res.json<{ created: { id: string }[] }>().created.map((u) => u.id);
        batch.forEach((u, j) =>
          plans.push({ kind: kinds[i + j] as Kind, email: u.email, userId: ids[j] as string, keyPem: null }),
        );
      }
      const gen = promisify(generateKeyPair);
      const fresh = await Promise.all(
        Array.from({ length: Math.max(0, keyCount + apple - cachedKeys.length) }, () =>
          gen('rsa', {
            modulusLength: 2048,
            publicKeyEncoding: { type: 'spki', format: 'pem' },
            privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
          }).then((p) => p.privateKey),
        ),
      );
      if (fresh.length > 0) {
        cachedKeys.push(...fresh);
        writeFileSync(KEY_CACHE, JSON.stringify(cachedKeys), { mode: 0o600 });
      }
      for (const p of plans) if (p.kind === 'iphone' || p.kind === 'mac') p.keyPem = cachedKeys[keyCount++] as string;
      return plans;
    };

    const runOne = async (plan: Plan, n: number, time: <T>(step: string, fn: () => Promise<T>) => Promise<T>) => {
      const { kind, userId } = plan;
      if (kind === 'iphone' || kind === 'mac') {
        const device = new PatientAppleDevice(kind === 'mac' ? macSpec(n) : iphoneSpec(n), {
          caPem,
          keyPem: plan.keyPem as string,
        });
        try {
          const e = await time('enrollment (admin API)', () =>
            patientCall(admin, 'POST', '/api/enrollments', { userId, platform: kind === 'mac' ? 'macos' : 'ios' }),
          );
          if (e.status !== 200 && e.status !== 201) throw new Error(`enrollment ${e.status}: ${e.text}`);
          const url = e.json<{ profileUrl: string }>().profileUrl.replace('bench.test', '127.0.0.1');
          const dl = await time('profile download', () => device.downloadProfile(url));
          if (dl.status !== 200) throw new Error(`profile ${dl.status}`);
          const rep = await time('SCEP (caps, CA, PKIOperation)', () => retrying('SCEP', () => device.scep()));
          if (rep.status !== 'SUCCESS') throw new Error(`SCEP ${rep.status}`);
          const auth = await time('Authenticate', () =>
            device.checkin({
              MessageType: 'Authenticate',
              UDID: device.spec.udid,
              Topic: device.profile?.mdm.topic ?? '',
              SerialNumber: device.spec.serialNumber,
              ProductName: device.spec.productName,
              ...(kind === 'mac'
                ? { DeviceName: device.spec.deviceName, Model: device.spec.model, ModelName: device.spec.modelName }
                : {}),
            }),
          );
          if (auth.status !== 200) throw new Error(`Authenticate ${auth.status}`);
          const tu = await time('TokenUpdate', () =>
            device.checkin({
              MessageType: 'TokenUpdate',
              UDID: device.spec.udid,
              Topic: device.profile?.mdm.topic ?? '',
              Token: device.token,
              PushMagic: device.pushMagic,
            }),
          );
          if (tu.status !== 200) throw new Error(`TokenUpdate ${tu.status}`);
          const cmds = await time('command loop (DeviceInformation)', () => device.commandLoop());
          if (cmds[0] !== 'DeviceInformation') throw new Error(`commands ${cmds.join(',')}`);
        } finally {
          device.close();
        }
      } else {
        const agent = new AndroidAgent(
          freshAgentState(
            deviceBase,
            caPem,
            androidFacts(kind === 'android9' ? 28 : 33, randomBytes(8).toString('hex'), n),
          ),
        );
        try {
          await time('agent enroll', () =>
            retrying('agent enroll', () => agent.enroll({ method: 'password', email: plan.email, password: PASSWORD })),
          );
          agent.grantAdmin();
          const r = await time('agent check-in', () => retrying('agent check-in', () => agent.checkIn()));
          if (r.status !== 'active') throw new Error(`agent ${r.status}`);
        } finally {
          agent.close();
        }
      }
    };

    let serial = 0;
    /**
     * One timed pass: a closed loop of `concurrency` workers, or (with `rate`) an open loop where device i starts at
     * i / rate seconds whatever the others are doing.
     */
    const phase = async (plans: Plan[], load: { concurrency: number } | { rate: number }): Promise<PhaseResult> => {
      const timings = new Map<string, number[]>();
      const time = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
        const t0 = performance.now();
        const out = await fn();
        const list = timings.get(step) ?? [];
        list.push(performance.now() - t0);
        timings.set(step, list);
        return out;
      };
      let failures = 0;
      const one = async (plan: Plan) => {
        try {
          await runOne(plan, serial++, time);
        } catch (err) {
          failures++;
          process.stderr.write(`device ${plan.email} (${plan.kind}): ${(err as Error).message}\n`);
        }
      };
      const countsBefore = await readCounters(pid, countersFile);
      const throttledBefore = throttled.count;
      const cpuBefore = { server: serverCpu(pid), client: process.cpuUsage() };
      const from = Date.now();
      const mark = process.hrtime.bigint() / 1000n;
      const started = performance.now();
      if ('concurrency' in load) {
        let next = 0;
        await Promise.all(
          Array.from({ length: load.concurrency }, async () => {
            while (next < plans.length) await one(plans[next++] as Plan);
          }),
        );
      } else {
        const running: Promise<void>[] = [];
        for (let i = 0; i < plans.length; i++) {
          const due = started + (i * 1000) / load.rate - performance.now();
          if (due > 0) await sleep(due);
          running.push(one(plans[i] as Plan));
        }
        await Promise.all(running);
      }
      const seconds = (performance.now() - started) / 1000;
      const cpuAfter = serverCpu(pid);
      const to = Date.now();
      const c = process.cpuUsage(cpuBefore.client);
      // With --cpu-prof in BENCH_SERVER_ARGS: the pass's window on the monotonic clock the profile's timestamps use.
      if (serverArgs.some((a) => a.startsWith('--cpu-prof')))
        process.stdout.write(`  (profile window: ${mark} .. ${process.hrtime.bigint() / 1000n} us)\n`);
      const counts = diffCounts(await readCounters(pid, countersFile), countsBefore);
      return {
        devices: plans.length,
        failures,
        seconds,
        serverCpu: cpuAfter.user + cpuAfter.system - cpuBefore.server.user - cpuBefore.server.system,
        serverSystemCpu: cpuAfter.system - cpuBefore.server.system,
        clientCpu: (c.user + c.system) / 1e6,
        counts,
        timings,
        throttled: throttled.count - throttledBefore,
        from,
        to,
        requests: requestCounts(logFile, from, to),
      };
    };

    const stepTable = (timings: Map<string, number[]>, target: boolean): number => {
      process.stdout.write(
        `${'step'.padEnd(36)}${pad('n', 6)}${pad('p50 ms', 10)}${pad('p95 ms', 10)}${pad('p99 ms', 10)}\n`,
      );
      let worst = 0;
      for (const [step, list] of timings) {
        const sorted = [...list].sort((a, b) => a - b);
        const p95 = percentile(sorted, 95);
        worst = Math.max(worst, p95);
        process.stdout.write(
          `${step.padEnd(36)}${pad(sorted.length, 6)}${pad(percentile(sorted, 50).toFixed(1), 10)}${pad(p95.toFixed(1), 10)}${pad(percentile(sorted, 99).toFixed(1), 10)}${target ? (p95 < TARGET_P95_MS ? '  ok' : '  OVER') : ''}\n`,
        );
      }
      return worst;
    };
    const summaryLine = (r: PhaseResult, how: string) =>
      `${r.devices - r.failures} of ${r.devices} devices enrolled in ${r.seconds.toFixed(1)} s: ${((r.devices - r.failures) / r.seconds).toFixed(1)} devices/s (${how}); failures: ${r.failures}; 429 answers: ${r.throttled}\n` +
      `CPU: server ${r.serverCpu.toFixed(2)} s (of which system ${r.serverSystemCpu.toFixed(2)} s; ${((r.serverCpu * 1000) / Math.max(1, r.devices - r.failures)).toFixed(1)} ms per device), load generator ${r.clientCpu.toFixed(1)} s, of ${(r.seconds * 2).toFixed(1)} core-seconds on 2 cores\n`;

    const mix = (n: number) => Array.from({ length: n }, (_, i) => MIX[i % MIX.length] as Kind);

    if (WARMUP > 0) {
      process.stdout.write(`\n== Warm-up: ${WARMUP} devices of the mix (not reported)\n`);
      const warm = await phase(await prepare(mix(WARMUP)), { concurrency: 5 });
      if (warm.failures > 0) process.stdout.write(`  (${warm.failures} warm-up devices failed)\n`);
    }

    // 1. Saturation.
    process.stdout.write(
      `\n== 1. Saturation: ${DEVICES} devices (${MIX.join(', ')} round-robin), closed loop at concurrency ${CONCURRENCY}\n`,
    );
    const sat = await phase(await prepare(mix(DEVICES)), { concurrency: CONCURRENCY });
    const satThroughput = (sat.devices - sat.failures) / sat.seconds;
    process.stdout.write(summaryLine(sat, `concurrency ${CONCURRENCY}`));
    process.stdout.write('Latency at saturation (queueing; no target):\n');
    stepTable(sat.timings, false);

    // 2. Open loop at 70% of saturation.
    const rate = satThroughput * OPEN_LOAD;
    const openDevices = Math.max(5, Math.round(rate * OPEN_SECONDS));
    process.stdout.write(
      `\n== 2. Open loop: ${openDevices} devices arriving at ${rate.toFixed(1)} devices/s (${Math.round(OPEN_LOAD * 100)}% of ${satThroughput.toFixed(1)}), ${OPEN_SECONDS} s\n`,
    );
    const open = await phase(await prepare(mix(openDevices)), { rate });
    process.stdout.write(summaryLine(open, `offered ${rate.toFixed(1)}/s`));
    const worst = stepTable(open.timings, true);
    process.stdout.write(`Server-side response time in this pass (from its log; excludes the client's CPU):\n`);
    process.stdout.write(
      `${'route'.padEnd(36)}${pad('n', 6)}${pad('p50 ms', 10)}${pad('p95 ms', 10)}${pad('p99 ms', 10)}\n`,
    );
    for (const [route, list] of serverTimes(logFile, open.from, open.to)) {
      const sorted = [...list].sort((a, b) => a - b);
      process.stdout.write(
        `${route.padEnd(36)}${pad(sorted.length, 6)}${pad(percentile(sorted, 50).toFixed(1), 10)}${pad(percentile(sorted, 95).toFixed(1), 10)}${pad(percentile(sorted, 99).toFixed(1), 10)}\n`,
      );
    }

    // 3. Per platform: CPU per device and its cryptographic floor.
    process.stdout.write(
      `\n== 3. Per platform: ${PLATFORM_DEVICES} devices each, closed loop at concurrency ${PLATFORM_CONCURRENCY}\n`,
    );
    const perPlatform: { label: string; r: PhaseResult }[] = [];
    for (const p of PLATFORMS) {
      const r = await phase(await prepare(Array.from({ length: PLATFORM_DEVICES }, () => p.kind)), {
        concurrency: PLATFORM_CONCURRENCY,
      });
      process.stdout.write(`${p.label}: ${summaryLine(r, `concurrency ${PLATFORM_CONCURRENCY}`)}`);
      perPlatform.push({ label: p.label, r });
    }
    const opNames = [...new Set(perPlatform.flatMap(({ r }) => Object.keys(r.counts)))].sort();
    const costs = await opCosts(opNames);
    process.stdout.write(`\nServer cryptographic operations per enrolled device (counted), and their CPU cost here:\n`);
    const w = 14;
    process.stdout.write(
      `${'operation'.padEnd(40)}${pad('ms each', 9)}${PLATFORMS.map((p) => pad(p.label, w)).join('')}\n`,
    );
    for (const name of opNames) {
      const cost = costs.get(name);
      process.stdout.write(
        `${name.padEnd(40)}${pad(cost === undefined ? '-' : cost.toFixed(3), 9)}${perPlatform
          .map(({ r }) => pad(((r.counts[name] ?? 0) / Math.max(1, r.devices - r.failures)).toFixed(2), w))
          .join('')}\n`,
      );
    }
    const floorOf = (r: PhaseResult, tls: boolean) =>
      Object.entries(r.counts)
        .filter(([k]) => k.startsWith('tls server') === tls)
        .reduce((sum, [k, v]) => sum + (v * (costs.get(k) ?? 0)) / Math.max(1, r.devices - r.failures), 0);
    const row = (label: string, f: (r: PhaseResult) => string) =>
      process.stdout.write(`${label.padEnd(49)}${perPlatform.map(({ r }) => pad(f(r), w)).join('')}\n`);
    process.stdout.write(
      `\n${'CPU ms per enrolled device'.padEnd(49)}${PLATFORMS.map((p) => pad(p.label, w)).join('')}\n`,
    );
    row('floor: RSA + argon2 (not TLS)', (r) => floorOf(r, false).toFixed(1));
    row('floor: TLS handshakes (RSA CertificateVerify)', (r) => floorOf(r, true).toFixed(1));
    row('floor: total', (r) => (floorOf(r, false) + floorOf(r, true)).toFixed(1));
    row(`target: ${TARGET_FLOOR_FACTOR}x the floor`, (r) =>
      (TARGET_FLOOR_FACTOR * (floorOf(r, false) + floorOf(r, true))).toFixed(1),
    );
    // The runtime's own share: what a bare Node server costs for the same TLS handshakes and requests, less the
    // handshake's RSA signature, which the floor above already counts.
    const transport = await measureTransport();
    const enrolled = (r: PhaseResult) => Math.max(1, r.devices - r.failures);
    const transportOf = (r: PhaseResult) => {
      let ms = (r.requests.https * transport.httpsRequest + r.requests.http * transport.httpRequest) / enrolled(r);
      for (const [k, v] of Object.entries(r.counts))
        if (k.startsWith('tls server full-handshake'))
          ms += (v * Math.max(0, transport.tlsConnection - transport.httpsRequest - (costs.get(k) ?? 0))) / enrolled(r);
      return ms;
    };
    const floor = (r: PhaseResult) => floorOf(r, false) + floorOf(r, true);
    const measured = (r: PhaseResult) => (r.serverCpu * 1000) / enrolled(r);
    row('server CPU measured', (r) => measured(r).toFixed(1));
    row('measured / floor', (r) => `${(measured(r) / floor(r)).toFixed(2)}x`);
    process.stdout.write(
      `\nThe runtime's share, from a bare Node ${process.versions.node} server that answers two bytes (tests/bench/transport-floor.ts):\n` +
        `  a new TLS connection with one request ${transport.tlsConnection.toFixed(2)} ms, a request on an open TLS connection ` +
        `${transport.httpsRequest.toFixed(3)} ms, on plain HTTP ${transport.httpRequest.toFixed(3)} ms\n`,
    );
    row(
      'requests per device (TLS + plain HTTP)',
      (r) => `${(r.requests.https / enrolled(r)).toFixed(1)} + ${(r.requests.http / enrolled(r)).toFixed(1)}`,
    );
    row('runtime: TLS and HTTP, bare server', (r) => transportOf(r).toFixed(1));
    row('floor + runtime', (r) => (floor(r) + transportOf(r)).toFixed(1));
    row('measured / (floor + runtime)', (r) => `${(measured(r) / (floor(r) + transportOf(r))).toFixed(2)}x`);
    row('measured - (floor + runtime): our code', (r) => (measured(r) - floor(r) - transportOf(r)).toFixed(1));
    const over = perPlatform.filter(({ r }) => measured(r) > TARGET_FLOOR_FACTOR * floor(r));
    const overWithRuntime = perPlatform.filter(
      ({ r }) => measured(r) > TARGET_FLOOR_FACTOR * (floor(r) + transportOf(r)),
    );
    process.stdout.write(
      'iPhone and Mac include the admin API call that opens the enrollment; Android signs in with a password.\n' +
        'TLS: each emulated device opens its own connections (its own https.Agent: keep-alive within its enrollment, no\n' +
        'TLS session shared with other devices), as a real device does; the admin API client is plain HTTP on loopback.\n',
    );

    const summary = (await admin.call('GET', '/api/devices/summary')).json<{ byStatus: Record<string, number> }>();
    const audit = (await admin.call('GET', '/api/audit/verify')).json<{ ok: boolean; checked: number }>();
    process.stdout.write(
      `\nDevices by status: ${JSON.stringify(summary.byStatus)}; audit chain ${audit.ok ? 'OK' : 'BROKEN'} (${audit.checked} events)\n`,
    );
    process.stdout.write(
      `Server peak memory (VmHWM): ${peakRssMiB(pid)} MiB; 429 answers in all: ${throttled.count} (waited ${(throttled.waitedMs / 1000).toFixed(1)} s)\n`,
    );
    process.stdout.write(
      `Saturation throughput: ${satThroughput.toFixed(1)} devices/s (closed loop, concurrency ${CONCURRENCY})\n`,
    );
    process.stdout.write(
      `Target p95 < ${TARGET_P95_MS} ms per step at ${Math.round(OPEN_LOAD * 100)}% load (open loop): ${worst < TARGET_P95_MS ? 'met' : `NOT met (worst p95 ${worst.toFixed(1)} ms)`}\n`,
    );
    process.stdout.write(
      `Target server CPU per device <= ${TARGET_FLOOR_FACTOR}x the cryptographic floor: ${over.length === 0 ? 'met' : `NOT met (${over.map((o) => o.label).join(', ')})`}\n`,
    );
    process.stdout.write(
      `Server CPU per device <= ${TARGET_FLOOR_FACTOR}x (the cryptographic floor + the runtime's TLS and HTTP): ${overWithRuntime.length === 0 ? 'met' : `NOT met (${overWithRuntime.map((o) => o.label).join(', ')})`}\n`,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await apns.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
