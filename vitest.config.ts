import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

// Three projects: fast unit tests beside the code, integration tests that drive the server over HTTP
// and real peers (scepclient, slapd, SMTP), and property-based fuzzing of the parsers and the HTTP surface
// (FUZZ_RUNS runs per property: a bounded run in `npm test`, a long one in `npm run fuzz`). Browser tests run
// under Playwright, not here.
// Every project takes its RSA-2048 keys from a pool generated once per machine (tests/helpers/key-pool.ts).
export default defineConfig({
  test: {
    globalSetup: ['tests/helpers/key-pool.global.ts'],
    setupFiles: ['tests/helpers/key-pool.setup.ts'],
    projects: [
      {
        extends: true,
        plugins: [vue()],
        test: {
          name: 'unit',
          include: ['server/**/*.test.ts', 'renderer/**/*.test.ts', 'electron/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/security/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Two files at a time: each starts its own server, data directory and peers on free loopback ports, and
          // most of a file's time is spent waiting on them (358 s one by one, 221 s two by two, measured).
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'fuzz',
          include: ['tests/fuzz/**/*.fuzz.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
