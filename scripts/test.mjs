// `npm test`: checks the Debian packages the suites need, then type-checks, lints, builds and runs the
// unit, integration, fuzz (a bounded run) and browser tests. Every step runs; the summary lists each with its time.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

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

const STEPS = [
  ['type-check (server, electron)', 'npx', ['tsc', '-p', 'tsconfig.node.json', '--noEmit']],
  ['type-check (tests)', 'npx', ['tsc', '-p', 'tsconfig.test.json', '--noEmit']],
  ['type-check (page scripts)', 'npx', ['tsc', '-p', 'tsconfig.assets.json']],
  ['type-check (console)', 'npx', ['vue-tsc', '-p', 'tsconfig.web.json', '--noEmit']],
  ['lint (ESLint, Prettier, module cycles)', 'npm', ['run', '-s', 'lint']],
  ['build', 'npm', ['run', '-s', 'build'], { required: true }],
  ['unit tests', 'npx', ['vitest', 'run', '--project', 'unit']],
  ['integration tests', 'npx', ['vitest', 'run', '--project', 'integration']],
  ['fuzz tests (bounded; `npm run fuzz` for a long run)', 'npx', ['vitest', 'run', '--project', 'fuzz']],
  ['browser tests (Chromium)', 'npx', ['playwright', 'test', '-c', 'tests/e2e/playwright.config.ts']],
];

ensurePackages();
const results = [];
for (const [name, cmd, args, opts = {}] of STEPS) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, {
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1' },
  });
  const ok = r.status === 0;
  results.push([name, ok, (Date.now() - started) / 1000]);
  if (!ok && opts.required) break;
}
console.log('\n=== summary');
for (const [name, ok, s] of results) console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}  (${s.toFixed(1)} s)`);
const failed = results.filter(([, ok]) => !ok).length + (STEPS.length - results.length);
process.exit(failed === 0 ? 0 : 1);
