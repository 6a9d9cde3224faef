// Runs once before the browser suites: empties test-output/screenshots/ so every picture in it is from this run
// (several spec files write there; none of them may delete the others' pictures).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_OUTPUT } from './server.js';

/** Empties the screenshot folder. */
export default function globalSetup(): void {
  const shots = join(TEST_OUTPUT, 'screenshots');
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
}
