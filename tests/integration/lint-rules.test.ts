import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';

// `npm run lint` runs dependency-cruiser and Prettier with the repository's own configuration. These tests run
// the same tools and configuration on small throw-away trees, to show that each rule fails when it should.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'node_modules', '.bin');
let dirs: { remove: () => void }[] = [];
afterEach(() => {
  for (const d of dirs) d.remove();
  dirs = [];
});

/** Writes `files` (path → text) into a fresh folder and returns its path. */
function tree(files: Record<string, string>): string {
  const dir = tempDir('lint-rules');
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir.path, path)), { recursive: true });
    writeFileSync(join(dir.path, path), text);
  }
  return dir.path;
}

function depcruise(cwd: string): { status: number | null; output: string } {
  const r = spawnSync(join(BIN, 'depcruise'), ['server', '--config', join(ROOT, '.dependency-cruiser.cjs')], {
    cwd,
    encoding: 'utf8',
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('the module-cycle rule (dependency-cruiser)', () => {
  it.each([
    [
      'two modules that import each other, one of them type-only',
      {
        'server/modules/a/a.service.ts': "import type { B } from '../b/b.service.js';\nexport type A = { b: B };\n",
        'server/modules/b/b.service.ts':
          "import { a2 } from '../a/a2.js';\nexport type B = string;\nexport const b = a2;\n",
        'server/modules/a/a2.ts': 'export const a2 = 1;\n',
      },
    ],
    [
      'a cycle through a third module',
      {
        'server/modules/a/a.ts': "import { b } from '../b/b.js';\nexport const a = b;\n",
        'server/modules/b/b.ts': "import { c } from '../c/c.js';\nexport const b = c;\n",
        'server/modules/c/c.ts': "import type { A } from '../a/a-types.js';\nexport const c: A = 1;\n",
        'server/modules/a/a-types.ts': 'export type A = number;\n',
      },
    ],
  ])('fails on %s', (_name, files) => {
    const r = depcruise(tree(files));
    expect(r.status, r.output).not.toBe(0);
    expect(r.output).toContain('no-module-cycle');
  });

  it('passes when modules depend one way only', () => {
    const r = depcruise(
      tree({
        'server/modules/a/a.ts': "import { b } from '../b/b.js';\nexport const a = b;\n",
        'server/modules/b/b.ts': "import { c } from '../../core/c.js';\nexport const b = c;\n",
        'server/core/c.ts': 'export const c = 1;\n',
      }),
    );
    expect(r.status, r.output).toBe(0);
  });

  it.each([
    ['server/pki (the PKI library)', 'server/pki/x509.ts'],
    ['server/http (a module would reach itself through it)', 'server/http/auth.ts'],
    ['server/contract', 'server/contract/devices.ts'],
  ])('fails when a file of %s imports a module', (_name, file) => {
    const r = depcruise(
      tree({
        [file]: "import type { Ca } from '../modules/ca/ca.service.js';\nexport const x = (c: Ca) => c;\n",
        'server/modules/ca/ca.service.ts': 'export type Ca = number;\n',
      }),
    );
    expect(r.status, r.output).not.toBe(0);
    expect(r.output).toContain('libraries-import-no-module');
  });
});

describe('the formatting rule (Prettier)', () => {
  const check = (cwd: string) =>
    spawnSync(join(BIN, 'prettier'), ['--check', '--config', join(ROOT, '.prettierrc.json'), '.'], {
      cwd,
      encoding: 'utf8',
    });

  it('fails on an unformatted file and passes once it is formatted', () => {
    const cwd = tree({ 'server/x.ts': 'export const x = {a:1,\n    b: "two"}\n' });
    expect(check(cwd).status).not.toBe(0);
    writeFileSync(join(cwd, 'server/x.ts'), "export const x = { a: 1, b: 'two' };\n");
    const r = check(cwd);
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  });
});
