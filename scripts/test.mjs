// `npm test`: checks the Debian packages the suites need, then type-checks, lints, builds and runs the
// unit, integration, fuzz (a bounded run) and browser tests. Every step runs; the summary lists each with its time.
// The checks and the build do not depend on each other and run side by side (one per core, at most four; TEST_JOBS
// sets another number), each step's output printed in one piece when it ends; the test suites run one after another.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Debian packages the tests use, and what they provide. */
const PACKAGES = [
  ['chromium', 'the browser for the Playwright tests'],
  ['fonts-ipafont-gothic', 'a Japanese font for screenshots'],
  ['xvfb', 'a virtual display'],
  ['xauth', 'X authority for xvfb-run'],
  ['scep', 'micromdm scepclient and scepserver (SCEP peer)'],
  ['slapd', 'an LDAP server for directory import tests'],
  ['ldap-utils', 'ldapadd and ldapsearch'],
  ['libplist-utils', 'plistutil, to check generated profiles'],
  ['openssl', 'certificate and CMS checks'],
  ['iproute2', 'network namespaces for peers that cannot bind loopback'],
];

function missingPackages() {
  return PACKAGES.filter(([name]) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function ensurePackages() {
  if (!existsSync('/usr/bin/dpkg-query')) {
    console.error('These tests need a Debian or Ubuntu machine (dpkg and apt-get); see the README.');
    process.exit(1);
  }
  const missing = missingPackages();
  if (missing.length === 0) return;
  const names = missing.map(([n]) => n);
  const line = `sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${names.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(
      `Missing Debian packages: ${missing.map(([n, why]) => `${n} (${why})`).join(', ')}.\nInstall them with:\n  ${line}`,
    );
    process.exit(1);
  }
  console.log(`Installing missing Debian packages: ${names.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...names],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      console.error(`apt-get ${args[0]} failed; install by hand:\n  ${line}`);
      process.exit(1);
    }
  }
}

/** The checks and the build: independent of each other, run side by side, the longest first. */
const CHECKS = [
  ['lint (ESLint, Prettier, module cycles)', 'npm', ['run', '-s', 'lint']],
  ['type-check (console)', 'npx', ['vue-tsc', '-p', 'tsconfig.web.json', '--noEmit']],
  ['type-check (tests)', 'npx', ['tsc', '-p', 'tsconfig.test.json', '--noEmit']],
  ['build', 'npm', ['run', '-s', 'build'], { required: true }],
  // Its own build info: the build, running beside it, keeps dist/.tsbuildinfo.node.
  [
    'type-check (server, electron)',
    'npx',
    ['tsc', '-p', 'tsconfig.node.json', '--noEmit', '--tsBuildInfoFile', 'test-output/tsbuildinfo.node-check'],
  ],
  ['type-check (page scripts)', 'npx', ['tsc', '-p', 'tsconfig.assets.json']],
];

/** The test suites, one after another (each uses every core). */
const SUITES = [
  ['unit tests', 'npx', ['vitest', 'run', '--project', 'unit']],
  ['integration tests', 'npx', ['vitest', 'run', '--project', 'integration']],
  ['fuzz tests (bounded; `npm run fuzz` for a long run)', 'npx', ['vitest', 'run', '--project', 'fuzz']],
  ['browser tests (Chromium)', 'npx', ['playwright', 'test', '-c', 'tests/e2e/playwright.config.ts']],
];

const ENV = { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1' };
const STEP_COUNT = CHECKS.length + SUITES.length;

function jobs() {
  const asked = Number.parseInt(process.env.TEST_JOBS ?? '', 10);
  if (Number.isInteger(asked) && asked >= 1) return asked;
  return Math.min(4, Math.max(1, availableParallelism()));
}

/** Runs one step with its output collected; prints it in one piece at the end. */
function runCollected([name, cmd, args]) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    const finish = (ok, extra = '') => {
      const s = (Date.now() - started) / 1000;
      process.stdout.write(`\n=== ${name}: ${cmd} ${args.join(' ')} (${s.toFixed(1)} s)\n`);
      process.stdout.write(Buffer.concat(chunks));
      if (extra) process.stdout.write(`${extra}\n`);
      resolve([name, ok, s]);
    };
    child.once('error', (err) => finish(false, `could not start: ${err.message}`));
    child.once('close', (code) => finish(code === 0));
  });
}

/** Runs `steps` at most `limit` at a time; resolves with their results in the order given. */
async function runSideBySide(steps, limit) {
  const results = new Array(steps.length);
  let next = 0;
  const worker = async () => {
    while (next < steps.length) {
      const i = next++;
      results[i] = await runCollected(steps[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, steps.length) }, worker));
  return results;
}

ensurePackages();
const limit = jobs();
console.log(`\n=== checks and build, ${limit} at a time`);
const started = Date.now();
const results = await runSideBySide(CHECKS, limit);
console.log(`\n=== checks and build done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
const buildFailed = CHECKS.some(([, , , opts = {}], i) => opts.required && !results[i][1]);
if (!buildFailed) {
  for (const [name, cmd, args] of SUITES) {
    console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
    const stepStarted = Date.now();
    const r = spawnSync(cmd, args, { stdio: 'inherit', env: ENV });
    results.push([name, r.status === 0, (Date.now() - stepStarted) / 1000]);
  }
}
console.log('\n=== summary');
for (const [name, ok, s] of results) console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}  (${s.toFixed(1)} s)`);
const failed = results.filter(([, ok]) => !ok).length + (STEP_COUNT - results.length);
process.exit(failed === 0 ? 0 : 1);
