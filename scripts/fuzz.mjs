// `npm run fuzz`: the long fuzz run. FUZZ_RUNS runs per property (default 20000; the HTTP properties take a
// tenth or a fifth of that), from a seed printed first so that the whole run can be replayed with
// `FUZZ_SEED=<seed> npm run fuzz`. A failure also prints fast-check's own seed, path and counterexample.
// Extra arguments go to vitest (a file or `-t name` to fuzz one target).
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

const runs = process.env.FUZZ_RUNS ?? '20000';
const seed = process.env.FUZZ_SEED ?? String(randomInt(-(2 ** 31), 2 ** 31 - 1));
console.log(`fuzz: FUZZ_RUNS=${runs} FUZZ_SEED=${seed}`);
const started = Date.now();
const r = spawnSync('npx', ['vitest', 'run', '--project', 'fuzz', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: runs, FUZZ_SEED: seed },
});
console.log(
  `fuzz: ${r.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
    `(replay: FUZZ_RUNS=${runs} FUZZ_SEED=${seed} npm run fuzz)`,
);
process.exit(r.status ?? 1);
