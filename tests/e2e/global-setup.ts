// Runs once before the browser suites: empties test-output/screenshots/ so every picture in it is from this run
// (several spec files write there; none of them may delete the others' pictures), and makes the RSA-2048 key pool
// the in-process servers and emulated devices take their keys from (tests/helpers/key-pool.ts).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureKeyPool } from '../helpers/key-pool.js';
import { TEST_OUTPUT } from './server.js';

/** Empties the screenshot folder and makes the key pool unless it is there. */
export default async function globalSetup(): Promise<void> {
  const shots = join(TEST_OUTPUT, 'screenshots');
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  await ensureKeyPool();
}
