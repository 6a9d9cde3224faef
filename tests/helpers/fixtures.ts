import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Tests run from the sources (vitest) and from dist/ (the benchmarks), so the folder is found by walking up
// to the repository's tests/fixtures rather than by a fixed relative path.
function findFixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'tests', 'fixtures');
    if (existsSync(join(candidate, 'README.md'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('tests/fixtures not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** The repository's vendored fixtures folder (`tests/fixtures`, provenance in its README). */
export const FIXTURES_DIR = findFixturesDir();

/** The absolute path of a fixture, e.g. `fixturePath('apple', 'checkin', 'TokenUpdate.ios.plist')`. */
export function fixturePath(...parts: string[]): string {
  return join(FIXTURES_DIR, ...parts);
}

/** The bytes of a fixture file. */
export function readFixture(...parts: string[]): Buffer {
  return readFileSync(fixturePath(...parts));
}
