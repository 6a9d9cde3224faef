// `npm run bench:enroll`: 500 emulated devices (iPhone, Mac, Android 9 and 13) through the whole enrollment flow
// at concurrency 50 against a running server (a child process); prints throughput, p50/p95/p99 per step and the
// server's peak memory. Target: p95 per step under 150 ms.
import { spawn } from 'node:child_process';
import { generateKeyPair, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AndroidAgent, androidFacts } from '../helpers/android-agent.js';
import { startApnsMock } from '../helpers/apns-mock.js';
import { EmulatedAppleDevice, iphoneSpec, macSpec } from '../helpers/apple-device.js';
import { AdminClient, send } from '../helpers/http.js';
import { fakePushCertificate } from '../helpers/push-cert.js';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const PASSWORD = 'bench password 123';
const CLI = new URL('../../../bin/tsunagu.mjs', import.meta.url).pathname;

type Kind = 'iphone' | 'mac' | 'android9' | 'android13';
const MIX: Kind[] = ['iphone', 'iphone', 'mac', 'android9', 'android13'];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Server response times per route, from fastify's "incoming request" / "request completed" log lines. */
function serverTimes(logFile: string): Map<string, number[]> {
  const urls = new Map<string, string>();
  const out = new Map<string, number[]>();
  const route = (method: string, url: string) => {
    const [path = '', query = ''] = url.split('?');
    const operation = /operation=(\w+)/.exec(query)?.[1];
    return `${method} ${path.replace(/^\/profile\/.+$/, '/profile/:token')}${operation ? `?operation=${operation}` : ''}`;
  };
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as {
      reqId?: string;
      msg?: string;
      req?: { method: string; url: string };
      responseTime?: number;
    };
    if (!e.reqId) continue;
    if (e.msg === 'incoming request' && e.req) urls.set(e.reqId, route(e.req.method, e.req.url));
    else if (e.msg === 'request completed' && typeof e.responseTime === 'number') {
      const r = urls.get(e.reqId);
      if (!r || r.startsWith('POST /api/users') || r.startsWith('PUT /api') || r.startsWith('POST /api/setup'))
        continue;
      const list = out.get(r) ?? [];
      list.push(e.responseTime);
      out.set(r, list);
    }
  }
  return out;
}

/** User plus system CPU seconds a process has used (Linux /proc, clock ticks of 1/100 s). */
function serverCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsunagu-bench-'));
  const pki = fakePushCertificate();
  const apns = await startApnsMock(pki.appleCaPem);
  writeFileSync(join(dir, 'apns-ca.pem'), apns.caPem);
  // BENCH_SERVER_ARGS passes Node flags to the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it.
  const serverArgs = (process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...serverArgs, CLI, 'serve'], {
    env: {
      ...process.env,
      TSUNAGU_DATA_DIR: join(dir, 'data'),
      TSUNAGU_ADMIN_PORT: '0',
      TSUNAGU_DEVICE_PORT: '0',
      TSUNAGU_HTTP_PORT: '0',
      // Info level: the server's own log gives its response time per request, apart from the client's CPU.
      TSUNAGU_DEVICE_BIND: '127.0.0.1',
      TSUNAGU_HOSTNAMES: 'bench.test',
      TSUNAGU_LOG_LEVEL: 'info',
      TSUNAGU_APNS_CA_FILE: join(dir, 'apns-ca.pem'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The same log goes to the data directory's file; keep only warnings and errors on the console.
  child.stderr.on('data', (c: Buffer) => {
    for (const l of c.toString().split('\n')) if (/"level":(4|5|6)0/.test(l)) process.stderr.write(`${l}\n`);
  });
  const lines = await new Promise<Record<string, string>>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start')), 60_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const found: Record<string, string> = {};
      for (const l of out.split('\n')) {
        const m = /^([A-Za-z ()]+): (\S+)$/.exec(l.trim());
        if (m) found[m[1] as string] = m[2] as string;
      }
      if (/^Ready\.$/m.test(out)) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
  const admin = new AdminClient(lines['Admin console'] as string);
  const deviceBase = (lines['Enrollment (LAN)'] as string).replace(/\/$/, '').replace('bench.test', '127.0.0.1');
  try {
    await admin.call('POST', '/api/setup', {
      setupToken: lines['Setup token'],
      email: 'bench@example.com',
      displayName: 'Bench',
      password: 'bench admin password',
    });
    await admin.call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem });
    await admin.call('PUT', '/api/push/settings', { apnsBaseUrl: apns.url });
    const s = (await admin.call('GET', '/api/settings/users')).json<{ settings: Record<string, unknown> }>().settings;
    await admin.call('PUT', '/api/settings/users', { ...s, profileValidityMinutes: 30 });
    const caPem = (
      await send(
        (lines['Certificate trust page'] as string)
          .replace('bench.test', '127.0.0.1')
          .replace(/\/trust$/, '/trust/ca.pem'),
      )
    ).text;
    const kinds = Array.from({ length: DEVICES }, (_, i) => MIX[i % MIX.length] as Kind);
    process.stdout.write(
      `Preparing ${DEVICES} users and ${kinds.filter((k) => k === 'iphone' || k === 'mac').length} device keys...\n`,
    );
    const users: string[] = [];
    for (let i = 0; i < DEVICES; i += 250) {
      const batch = Array.from({ length: Math.min(250, DEVICES - i) }, (_, j) => ({
        email: `bench${i + j}@example.com`,
        displayName: `Bench ${i + j}`,
        password: PASSWORD,
      }));
      const res = await admin.call('POST', '/api/users/batch', { users: batch });
      users.push(...res.json<{ created: { id: string }[] }>().created.map((u) => u.id));
    }
    const gen = promisify(generateKeyPair);
    const keys = await Promise.all(
      kinds.map((k) =>
        k === 'iphone' || k === 'mac'
          ? gen('rsa', {
              modulusLength: 2048,
              publicKeyEncoding: { type: 'spki', format: 'pem' },
              privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
            }).then((p) => p.privateKey)
          : Promise.resolve(null),
      ),
    );

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
    const runOne = async (i: number) => {
      const kind = kinds[i] as Kind;
      const userId = users[i] as string;
      if (kind === 'iphone' || kind === 'mac') {
        const device = new EmulatedAppleDevice(kind === 'mac' ? macSpec(i) : iphoneSpec(i), {
          caPem,
          keyPem: keys[i] as string,
        });
        try {
          const e = await time('enrollment (admin API)', () =>
            admin.call('POST', '/api/enrollments', { userId, platform: kind === 'mac' ? 'macos' : 'ios' }),
          );
          const url = e.json<{ profileUrl: string }>().profileUrl.replace('bench.test', '127.0.0.1');
          const dl = await time('profile download', () => device.downloadProfile(url));
          if (dl.status !== 200) throw new Error(`profile ${dl.status}`);
          const rep = await time('SCEP (caps, CA, PKIOperation)', () => device.scep());
          if (rep.status !== 'SUCCESS') throw new Error(`SCEP ${rep.status}`);
          await time('Authenticate', () =>
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
          await time('TokenUpdate', () =>
            device.checkin({
              MessageType: 'TokenUpdate',
              UDID: device.spec.udid,
              Topic: device.profile?.mdm.topic ?? '',
              Token: device.token,
              PushMagic: device.pushMagic,
            }),
          );
          const cmds = await time('command loop (DeviceInformation)', () => device.commandLoop());
          if (cmds[0] !== 'DeviceInformation') throw new Error(`commands ${cmds.join(',')}`);
        } finally {
          device.close();
        }
      } else {
        const agent = new AndroidAgent({
          server: deviceBase,
          caPem,
          deviceId: null,
          token: null,
          facts: androidFacts(kind === 'android9' ? 28 : 33, randomBytes(8).toString('hex'), i),
          pendingResults: [],
          locked: false,
          wiped: false,
          retired: false,
          loopback: true,
        });
        try {
          await time('agent enroll', () =>
            agent.enroll({ method: 'password', email: `bench${i}@example.com`, password: PASSWORD }),
          );
          agent.grantAdmin();
          const r = await time('agent check-in', () => agent.checkIn());
          if (r.status !== 'active') throw new Error(`agent ${r.status}`);
        } finally {
          agent.close();
        }
      }
    };
    process.stdout.write(
      `Enrolling ${DEVICES} devices (${MIX.join(', ')} round-robin) at concurrency ${CONCURRENCY}...\n`,
    );
    let next = 0;
    const cpuBefore = { server: serverCpuSeconds(child.pid as number), client: process.cpuUsage() };
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < DEVICES) {
          const i = next++;
          try {
            await runOne(i);
          } catch (err) {
            failures++;
            process.stderr.write(`device ${i}: ${(err as Error).message}\n`);
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const serverCpu = serverCpuSeconds(child.pid as number) - cpuBefore.server;
    const c = process.cpuUsage(cpuBefore.client);
    const clientCpu = (c.user + c.system) / 1e6;
    const summary = (await admin.call('GET', '/api/devices/summary')).json<{ byStatus: Record<string, number> }>();
    const verify = (await admin.call('GET', '/api/audit/verify')).json<{ ok: boolean; checked: number }>();
    process.stdout.write(
      `\n${DEVICES - failures} of ${DEVICES} devices enrolled in ${seconds.toFixed(1)} s: ${((DEVICES - failures) / seconds).toFixed(1)} devices/s (concurrency ${CONCURRENCY}); failures: ${failures}\n`,
    );
    process.stdout.write(
      `Devices by status: ${JSON.stringify(summary.byStatus)}; audit chain ${verify.ok ? 'OK' : 'BROKEN'} (${verify.checked} events)\n\n`,
    );
    process.stdout.write(
      `${'step'.padEnd(36)}${'n'.padStart(6)}${'p50 ms'.padStart(10)}${'p95 ms'.padStart(10)}${'p99 ms'.padStart(10)}\n`,
    );
    let worst = 0;
    for (const [step, list] of timings) {
      const sorted = [...list].sort((a, b) => a - b);
      const p95 = percentile(sorted, 95);
      worst = Math.max(worst, p95);
      process.stdout.write(
        `${step.padEnd(36)}${String(sorted.length).padStart(6)}${percentile(sorted, 50).toFixed(1).padStart(10)}${p95.toFixed(1).padStart(10)}${percentile(sorted, 99).toFixed(1).padStart(10)}\n`,
      );
    }
    process.stdout.write(`\nServer-side response time (from its log; excludes the client's own CPU and queueing):\n`);
    process.stdout.write(
      `${'route'.padEnd(36)}${'n'.padStart(6)}${'p50 ms'.padStart(10)}${'p95 ms'.padStart(10)}${'p99 ms'.padStart(10)}\n`,
    );
    let worstServer = 0;
    for (const [route, list] of serverTimes(join(dir, 'data', 'logs', 'tsunagu.log'))) {
      const sorted = [...list].sort((a, b) => a - b);
      worstServer = Math.max(worstServer, percentile(sorted, 95));
      process.stdout.write(
        `${route.padEnd(36)}${String(sorted.length).padStart(6)}${percentile(sorted, 50).toFixed(1).padStart(10)}${percentile(sorted, 95).toFixed(1).padStart(10)}${percentile(sorted, 99).toFixed(1).padStart(10)}\n`,
      );
    }
    process.stdout.write(
      `\nCPU during the timed run: server ${serverCpu.toFixed(1)} s, load generator ${clientCpu.toFixed(1)} s, of ${(seconds * 2).toFixed(1)} core-seconds on 2 cores\n`,
    );
    process.stdout.write(`Server peak memory (VmHWM): ${peakRssMiB(child.pid as number)} MiB\n`);
    process.stdout.write(`Server-side p95 per route: worst ${worstServer.toFixed(1)} ms\n`);
    process.stdout.write(
      `Target p95 < 150 ms per step: ${worst < 150 ? 'met' : `NOT met (worst p95 ${worst.toFixed(1)} ms)`}\n`,
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
