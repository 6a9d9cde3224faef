// vitest setup file: the test processes take RSA-2048 keys from the pool (tests/helpers/key-pool.ts).
import { useKeyPool } from './key-pool.js';

useKeyPool();
