// SCEP enrollment throughput: Tsunagu's /scep against Debian's micromdm `scepserver` 2.1.0.
//
// Run as root after `npm run -s build:node` (it imports the compiled server and client from dist/):
//   node tests/bench/scep-bench.mjs [--n 200] [--concurrency 1,16] [--rounds 3] [--warmup 20] [--digest sha256] [--cipher aes-128-cbc] [--json]
//
// Both servers get the same prepared PKCSReq messages: the same RSA-2048 device keys and CSR subjects, the
// same digest and cipher, each envelope encrypted to that server's own CA (both CAs RSA-2048). Ours needs a
// fresh one-time challenge per request (minted by the in-bench challenge port); scepserver has one static
// `-challenge`. Every server runs in its own process (ours in this one, scepserver as a child) and the load
// generator is a separate child process. scepserver cannot bind loopback only, so it and its load generator
// run in a private network namespace. Each (server, concurrency) run is repeated in interleaved rounds that
// alternate which server goes first, and medians are reported, because the machine may be shared. Responses
// are checked (signature, transactionID, nonce, envelope, certificate) after the timed part: req/s counts
// every answer, ok/s only certificates actually issued.
import { spawn, execFileSync } from 'node:child_process';
import { generateKeyPair } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const HERE = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(HERE), '../..');
const DIST = join(ROOT, 'dist');
const NETNS = 'tsunagu-bench';
const SCEPSERVER_PORT = 8080;
const CHILD_TIMEOUT_MS = 10 * 60_000;

async function loadDist() {
  const client = join(DIST, 'tests/helpers/scep-client.js');
  if (!existsSync(client)) throw new Error(`${client} is missing: run \`npm run -s build:node\` first.`);
  return {
    client: await import(pathToFileURL(client).href),
    harness: await import(pathToFileURL(join(DIST, 'tests/helpers/scep-harness.js')).href),
    core: {
      clock: await import(pathToFileURL(join(DIST, 'server/core/clock.js')).href),
      random: await import(pathToFileURL(join(DIST, 'server/core/random.js')).href),
    },
  };
}

function parseArgs(argv) {
  const opts = {
    n: 200,
    concurrency: [1, 16],
    warmup: 20,
    rounds: 3,
    digest: 'sha256',
    cipher: 'aes-128-cbc',
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i] ?? '';
    if (a === '--n') opts.n = Number(next());
    else if (a === '--concurrency') opts.concurrency = next().split(',').map(Number);
    else if (a === '--warmup') opts.warmup = Number(next());
    else if (a === '--rounds') opts.rounds = Number(next());
    else if (a === '--digest') opts.digest = next();
    else if (a === '--cipher') opts.cipher = next();
    else if (a === '--json') opts.json = true;
    else throw new Error(`Unknown argument ${a}`);
  }
  if (!(opts.n > 0) || !(opts.rounds > 0) || opts.concurrency.some((c) => !(c > 0)))
    throw new Error('--n, --rounds and --concurrency must be positive.');
  opts.warmup = Math.min(opts.warmup, opts.n);
  return opts;
}

// ---- load generator (child process) -------------------------------------------------------------------

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function waitReady(ScepClient, url, agent) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await new ScepClient(url, { agent, timeoutMs: 2_000 }).getCaCaps();
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`${url} did not answer GetCACaps within 15 s: ${err.message}`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function runPool(client, requests, concurrency) {
  const responses = new Array(requests.length);
  const latencies = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const i = next++;
        const start = performance.now();
        responses[i] = await client.pkiOperation(requests[i].der);
        latencies.push(performance.now() - start);
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, responses, latencies };
}

async function load(jobFile) {
  const { client: scep } = await loadDist();
  const job = JSON.parse(readFileSync(jobFile, 'utf8'));
  const revive = (r) => ({
    ...r,
    der: Buffer.from(r.der, 'base64'),
    senderNonce: Buffer.from(r.senderNonce, 'base64'),
  });
  const results = [];
  for (const run of job.runs) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: run.concurrency });
    const client = new scep.ScepClient(job.url, { agent, timeoutMs: 30_000 });
    await waitReady(scep.ScepClient, job.url, agent);
    await runPool(client, run.warmup.map(revive), run.concurrency);
    const requests = run.requests.map(revive);
    const { seconds, responses, latencies } = await runPool(client, requests, run.concurrency);
    agent.destroy();
    let ok = 0;
    const failures = [];
    responses.forEach((der, i) => {
      try {
        const result = scep.parseCertRep(der, requests[i]);
        if (result.status === 'SUCCESS') ok++;
        else failures.push(`${result.status} ${result.failInfo ?? ''}`);
      } catch (err) {
        failures.push(err.message);
      }
    });
    latencies.sort((a, b) => a - b);
    results.push({
      concurrency: run.concurrency,
      n: requests.length,
      ok,
      failures: failures.slice(0, 3),
      seconds,
      rps: requests.length / seconds,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
    });
  }
  process.stdout.write(JSON.stringify(results));
}

// ---- orchestrator ---------------------------------------------------------------------------------------

function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, { timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

function spawnLoad(prefix, jobFile) {
  const [cmd, ...args] = [...prefix, process.execPath, HERE, 'load', jobFile];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(JSON.parse(out));
      else reject(new Error(`load generator exited ${code ?? signal}: ${err}`));
    });
  });
}

async function makeKeys(n) {
  const gen = promisify(generateKeyPair);
  return Promise.all(
    Array.from({ length: n }, () =>
      gen('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }).then((k) => k.privateKey),
    ),
  );
}

// One prepared request per key: CSR (CN <label>-<i>, the challenge), a self-signed signer from the same key
// (as scepclient does), the CSR enveloped to `caCertPem`.
function prepare(scep, keys, identities, caCertPem, challengeFor, opts, label) {
  return keys.map((keyPem, i) => {
    const csr = scep.createCsr({
      keyPem,
      subject: [
        { shortName: 'O', value: 'Tsunagu Bench' },
        { shortName: 'CN', value: `${label}-${String(i).padStart(4, '0')}` },
      ],
      challenge: challengeFor(),
    });
    const req = scep.buildScepRequest({
      csr,
      signer: identities[i],
      caCertPem,
      digest: opts.digest,
      cipher: opts.cipher,
    });
    return {
      der: req.der.toString('base64'),
      transactionId: req.transactionId,
      senderNonce: req.senderNonce.toString('base64'),
      signer: { certPem: req.signer.certPem, keyPem: req.signer.keyPem },
      caCertPem,
    };
  });
}

function netnsExists() {
  return run('ip', ['netns', 'list'])
    .toString()
    .split('\n')
    .some((l) => l.split(' ')[0] === NETNS);
}

// Rounds alternate which server goes first, so drift in machine load hits both sides alike.
function plan(opts) {
  const steps = [];
  for (let round = 0; round < opts.rounds; round++) {
    for (const concurrency of opts.concurrency) {
      const order = round % 2 === 0 ? ['ours', 'scepserver'] : ['scepserver', 'ours'];
      for (const target of order) steps.push({ round, concurrency, target });
    }
  }
  return steps;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0)
    throw new Error('Run as root: scepserver is confined to a private network namespace (ip netns).');
  run('scepserver', ['-version']);
  const { client: scep, harness, core } = await loadDist();
  const tmp = mkdtempSync(join(tmpdir(), 'tsunagu-scep-bench-'));
  const cleanup = [];
  const cleanupAll = async () => {
    while (cleanup.length) {
      try {
        await cleanup.pop()();
      } catch (err) {
        process.stderr.write(`cleanup: ${err.message}\n`);
      }
    }
  };
  process.once('SIGINT', () => {
    void cleanupAll().then(() => process.exit(130));
  });
  cleanup.push(() => rmSync(tmp, { recursive: true, force: true }));
  try {
    const keys = await makeKeys(opts.n);
    const identities = keys.map((keyPem) => scep.selfSignedIdentity(keyPem, { cn: 'SCEP SIGNER' }));

    // Ours, in this process: real service and routes, real audit trail on a SQLite file, request log to a file.
    const ours = await harness.startScepServer({
      clock: core.clock.systemClock,
      random: core.random.secureRandom,
      auditFile: join(tmp, 'audit.db'),
      logFile: join(tmp, 'tsunagu.log'),
    });
    cleanup.push(() => ours.close());

    // scepserver, in a private network namespace with only loopback; its depot CA is RSA-2048 like ours.
    const depot = join(tmp, 'depot');
    run('scepserver', ['ca', '-init', '-depot', depot, '-keySize', '2048']);
    if (netnsExists()) run('ip', ['netns', 'del', NETNS]);
    run('ip', ['netns', 'add', NETNS]);
    cleanup.push(() => run('ip', ['netns', 'del', NETNS]));
    run('ip', ['netns', 'exec', NETNS, 'ip', 'link', 'set', 'lo', 'up']);
    const challenge = 'bench-static-challenge-0123456789';
    const logFd = openSync(join(tmp, 'scepserver.log'), 'w');
    const server = spawn(
      'ip',
      [
        'netns',
        'exec',
        NETNS,
        'scepserver',
        '-depot',
        depot,
        '-port',
        String(SCEPSERVER_PORT),
        '-challenge',
        challenge,
        '-allowrenew',
        '0',
      ],
      { stdio: ['ignore', logFd, logFd] },
    );
    cleanup.push(
      () =>
        new Promise((done) => {
          closeSync(logFd);
          if (server.exitCode !== null) return done();
          server.once('exit', () => done());
          server.kill('SIGTERM');
        }),
    );

    const targets = {
      ours: { url: ours.url, caCertPem: ours.ca.certPem, challenge: () => ours.challenges.issue(), prefix: [] },
      scepserver: {
        url: `http://127.0.0.1:${SCEPSERVER_PORT}/scep`,
        caCertPem: readFileSync(join(depot, 'ca.pem'), 'utf8'),
        challenge: () => challenge,
        prefix: ['ip', 'netns', 'exec', NETNS],
      },
    };
    const results = [];
    for (const [i, step] of plan(opts).entries()) {
      const t = targets[step.target];
      const label = `r${step.round}-c${step.concurrency}`;
      const job = {
        url: t.url,
        runs: [
          {
            concurrency: step.concurrency,
            warmup: prepare(
              scep,
              keys.slice(0, opts.warmup),
              identities,
              t.caCertPem,
              t.challenge,
              opts,
              `warm-${label}`,
            ),
            requests: prepare(scep, keys, identities, t.caCertPem, t.challenge, opts, `bench-${label}`),
          },
        ],
      };
      const file = join(tmp, `job-${i}.json`);
      writeFileSync(file, JSON.stringify(job));
      const [result] = await spawnLoad(t.prefix, file);
      rmSync(file);
      results.push({ ...step, ...result });
      if (!opts.json)
        process.stderr.write(
          `  round ${step.round + 1} ${step.target.padEnd(10)} c=${step.concurrency}: ${result.rps.toFixed(1)} req/s, ${result.ok}/${result.n} ok\n`,
        );
    }
    report(opts, results, logErrors(join(tmp, 'scepserver.log')));
  } finally {
    await cleanupAll();
  }
}

// Distinct error messages scepserver logged, to explain its failures.
function logErrors(file) {
  const errors = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => /\berr="([^"]+)"/.exec(l)?.[1])
    .filter(Boolean);
  return [...new Set(errors.map((e) => e.replace(/\/tmp\/[^/]+\//, '<tmp>/')))].slice(0, 5);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summarize(results, target, concurrency) {
  const runs = results.filter((r) => r.target === target && r.concurrency === concurrency);
  return {
    target,
    concurrency,
    runs: runs.length,
    rps: median(runs.map((r) => r.rps)),
    goodput: median(runs.map((r) => (r.rps * r.ok) / r.n)),
    p50: median(runs.map((r) => r.p50)),
    p95: median(runs.map((r) => r.p95)),
    ok: runs.reduce((a, r) => a + r.ok, 0),
    n: runs.reduce((a, r) => a + r.n, 0),
    failures: [...new Set(runs.flatMap((r) => r.failures))],
  };
}

function report(opts, results, theirErrors) {
  const rows = opts.concurrency.flatMap((c) => ['ours', 'scepserver'].map((t) => summarize(results, t, c)));
  const ratios = opts.concurrency.map((c) => {
    const o = rows.find((r) => r.target === 'ours' && r.concurrency === c);
    const t = rows.find((r) => r.target === 'scepserver' && r.concurrency === c);
    const perRound = [...new Set(results.map((r) => r.round))].map((round) => {
      const find = (target) =>
        results.find((r) => r.round === round && r.target === target && r.concurrency === c)?.rps ?? NaN;
      return find('ours') / find('scepserver');
    });
    return { concurrency: c, ratio: o.rps / t.rps, goodputRatio: o.goodput / t.goodput, perRound };
  });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ opts, rows, ratios, results, theirErrors }, null, 2)}\n`);
  } else {
    const name = { ours: 'tsunagu /scep', scepserver: 'scepserver 2.1.0' };
    const lines = [
      `SCEP PKCSReq enrollments: ${opts.n} per run after ${opts.warmup} warm-up, ${opts.rounds} interleaved rounds (medians shown),`,
      `RSA-2048 device keys and CAs, ${opts.digest} + ${opts.cipher}, HTTP/1.1 keep-alive on loopback`,
      `${'server'.padEnd(18)}${'conc'.padStart(5)}${'req/s'.padStart(9)}${'ok/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'ok'.padStart(11)}`,
      ...rows.map(
        (r) =>
          `${name[r.target].padEnd(18)}${String(r.concurrency).padStart(5)}${r.rps.toFixed(1).padStart(9)}${r.goodput.toFixed(1).padStart(9)}${r.p50.toFixed(2).padStart(9)}${r.p95.toFixed(2).padStart(9)}${`${r.ok}/${r.n}`.padStart(11)}${r.failures.length ? `  (${r.failures.join('; ')})` : ''}`,
      ),
      ...ratios.map(
        (r) =>
          `ratio ours/scepserver at concurrency ${r.concurrency}: ${r.ratio.toFixed(2)} req/s, ${r.goodputRatio.toFixed(2)} successful enrollments/s (per round: ${r.perRound.map((x) => x.toFixed(2)).join(', ')})`,
      ),
      ...theirErrors.map((e) => `scepserver logged: ${e}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (rows.some((r) => r.target === 'ours' && r.ok !== r.n)) process.exitCode = 1;
}

if (process.argv[2] === 'load') {
  load(process.argv[3]).catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  });
}
