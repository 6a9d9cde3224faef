// vitest global setup: makes the RSA-2048 key pool (once per machine) before any test file runs.
import { ensureKeyPool } from './key-pool.js';

/** Generates the pool unless it is there. */
export default async function setup(): Promise<void> {
  await ensureKeyPool();
}
