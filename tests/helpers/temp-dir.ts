import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The git-ignored folder for test artefacts (data dirs, logs, screenshots). */
export const TEST_OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

/** A fresh directory under test-output/ and a function that removes it. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  mkdirSync(TEST_OUTPUT, { recursive: true });
  const path = mkdtempSync(join(TEST_OUTPUT, `${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
