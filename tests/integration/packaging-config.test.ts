// The electron-builder 26 configurations in build/: the desktop app (electron-builder.app.mjs) and the macOS helper
// (electron-builder.helper.mjs). Each is loaded by electron-builder's own loader in a child Node (as `npm run dist`
// would), then checked against electron-builder's JSON schema (a misspelt key fails) and for what matters when
// shipping: distinct ids, who opens tsunagu://, entries that exist, hardened runtime with only the entitlements
// meant, notarization only with credentials, native modules outside app.asar. Packaging itself needs Electron's
// download and a Mac, so it is not run here.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, matchesGlob, posix, relative } from 'node:path';
import { Ajv } from 'ajv';
import type { Configuration } from 'electron-builder';
import { parse as parsePlistXml } from 'plist';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/version.js';

/** What electron-builder made of a configuration file: the merged configuration, and its validation complaint. */
interface Loaded {
  config: Configuration;
  complaint: string | null;
}

const APP = 'build/electron-builder.app.mjs';
const HELPER = 'build/electron-builder.helper.mjs';
const NOTARIZE_VARS = [
  'APPLE_ID',
  'APPLE_APP_SPECIFIC_PASSWORD',
  'APPLE_TEAM_ID',
  'APPLE_API_KEY',
  'APPLE_API_KEY_ID',
  'APPLE_API_ISSUER',
  'APPLE_KEYCHAIN',
  'APPLE_KEYCHAIN_PROFILE',
];

// Runs in a child Node so each load sees only the env given: electron-builder's getConfig (file loading, defaults,
// `extends`), then its validateConfiguration (its schema check, with its own ajv settings), whose complaint is
// printed rather than thrown so that the schema test, not the whole file, fails on it.
const LOADER = `
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
(async () => {
  const config = await getConfig(process.cwd(), process.argv[1], null);
  const complaint = await validateConfiguration(structuredClone(config), { isEnabled: false, add() {} }).then(
    () => null,
    (error) => error.message,
  );
  process.stdout.write('\\nCONFIG ' + JSON.stringify({ config, complaint }) + '\\n');
})().catch((error) => { process.stderr.write(error.message); process.exit(1); });
`;

/** A configuration as electron-builder resolves it (and what its validation said), with only `env`'s Apple variables. */
function loadConfig(file: string, env: Record<string, string> = {}): Loaded {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !NOTARIZE_VARS.includes(name)));
  const out = execFileSync(process.execPath, ['-e', LOADER, file], {
    cwd: PROJECT_ROOT,
    env: { ...clean, ...env },
    encoding: 'utf8',
  });
  const line = out.split('\n').find((l) => l.startsWith('CONFIG '));
  if (!line) throw new Error(`electron-builder's loader printed no configuration:\n${out}`);
  return JSON.parse(line.slice('CONFIG '.length)) as Loaded;
}

/** The `files` patterns after electron-builder's normalisation: one file set from the project root. */
function filePatterns(config: Configuration): string[] {
  const sets = config.files as { from?: string; to?: string; filter?: string[] }[];
  expect(sets).toHaveLength(1);
  expect(sets[0]?.from ?? '.').toBe('.');
  return sets[0]?.filter ?? [];
}

/** Whether a path (relative to the project root) goes into the app: some pattern takes it and no `!` pattern drops it. */
function packaged(path: string, patterns: string[]): boolean {
  const take = patterns.filter((p) => !p.startsWith('!'));
  const drop = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return take.some((p) => matchesGlob(path, p)) && !drop.some((p) => matchesGlob(path, p));
}

/** The TypeScript source a dist/ file is compiled from. */
const sourceOf = (distPath: string) =>
  distPath
    .replace(/^dist\//, '')
    .replace(/\.js$/, '.ts')
    .replace(/\.cjs$/, '.cts');
/** The dist/ file a TypeScript source compiles to. */
const distOf = (source: string) => `dist/${source.replace(/\.ts$/, '.js').replace(/\.cts$/, '.cjs')}`;

/** The sources an entry reaches through relative value imports (type-only imports vanish at compile time). */
function importClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (source: string) => {
    if (seen.has(source)) return;
    seen.add(source);
    const text = readFileSync(join(PROJECT_ROOT, source), 'utf8');
    const statement =
      /(?:^|\n)\s*(import|export)(\s+type\s)?[^;]*?from\s+'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g;
    for (const match of text.matchAll(statement)) {
      if (match[2]) continue;
      const spec = (match[3] ?? match[4]) as string;
      const target = sourceOf(`dist/${posix.join(dirname(source), spec)}`);
      if (existsSync(join(PROJECT_ROOT, target))) visit(target);
    }
  };
  visit(entry);
  return [...seen];
}

/** An entitlements file's keys, after checking that it parses as an XML plist whose values are all `true`. */
function entitlementKeys(file: string): string[] {
  const dict = parsePlistXml(readFileSync(join(PROJECT_ROOT, file), 'utf8')) as Record<string, unknown>;
  expect(Object.values(dict).every((value) => value === true)).toBe(true);
  return Object.keys(dict).sort();
}

const scheme = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8'),
) as Record<string, unknown>;
const packageJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
};
const loadedApp = loadConfig(APP);
const loadedHelper = loadConfig(HELPER);
const app = loadedApp.config;
const helper = loadedHelper.config;

// The only entitlements each signed part may have. JIT is what V8 needs under the hardened runtime; the network
// keys say what the process does. Anything broader (e.g. cs.disable-library-validation,
// cs.allow-unsigned-executable-memory) must fail here.
const JIT = 'com.apple.security.cs.allow-jit';
const CLIENT = 'com.apple.security.network.client';
const SERVER = 'com.apple.security.network.server';

describe.each([
  { name: 'the desktop app', file: APP, config: app, complaint: loadedApp.complaint },
  { name: 'the helper', file: HELPER, config: helper, complaint: loadedHelper.complaint },
])('$name ($file)', ({ config, complaint }) => {
  it("matches electron-builder's own JSON schema (draft-07, no unknown keys, no type coercion)", () => {
    expect(complaint).toBeNull();
    expect(scheme.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const validate = new Ajv({ allErrors: true, strict: false }).compile(scheme);
    const valid = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is signed with the hardened runtime for macOS 13 and later, as dmg and pkg', () => {
    expect(config.mac?.hardenedRuntime).toBe(true);
    const [major] = String(config.mac?.minimumSystemVersion).split('.').map(Number);
    expect(major).toBeGreaterThanOrEqual(13);
    expect(config.mac?.target).toEqual(expect.arrayContaining(['dmg', 'pkg']));
    expect(config.mac?.extendInfo).toHaveProperty('NSLocalNetworkUsageDescription');
  });

  it('is not notarized without Apple credentials in the env', () => {
    expect(config.mac?.notarize).toBe(false);
  });

  it('leaves out source maps, declarations and the compiled test helpers', () => {
    const patterns = filePatterns(config);
    expect(packaged('dist/electron/main.js.map', patterns)).toBe(false);
    expect(packaged('dist/electron/main.d.ts', patterns)).toBe(false);
    expect(packaged('dist/tests/helpers/index.js', patterns)).toBe(false);
  });

  it('packages the console build, where the renderer config writes it', async () => {
    const vite = (await import('../../renderer/vite.config.js')).default as { build: { outDir: string } };
    const outDir = relative(PROJECT_ROOT, vite.build.outDir);
    expect(outDir).toBe('dist/renderer');
    expect(packaged(`${outDir}/index.html`, filePatterns(config))).toBe(true);
    expect(packaged(`${outDir}/assets/index-abc123.js`, filePatterns(config))).toBe(true);
  });
});

describe('the desktop app', () => {
  it('is Tsunagu (app.tsunagu.desktop) for macOS, Windows (nsis) and Linux (AppImage, deb with its metadata)', () => {
    expect(app.appId).toBe('app.tsunagu.desktop');
    expect(app.productName).toBe('Tsunagu');
    expect(app.win?.target).toEqual(['nsis']);
    expect(app.linux?.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(app.linux?.maintainer).toMatch(/<[^@>]+@[^>]+>/);
    expect(app.linux?.description).toBeTruthy();
    expect(app.extraMetadata?.homepage).toMatch(/^https:\/\//);
  });

  it('starts at package.json "main", compiled from electron/, with everything main.ts imports packaged', () => {
    expect(app.extraMetadata?.main).toBeUndefined();
    const patterns = filePatterns(app);
    expect(packageJson.main).toBe('dist/electron/main.js');
    expect(sourceOf(packageJson.main)).toBe('electron/main.ts');
    for (const source of importClosure('electron/main.ts')) expect(packaged(distOf(source), patterns)).toBe(true);
    // The preload it loads by path, and the CLI it runs the server from.
    for (const file of ['dist/electron/preload.cjs', 'bin/tsunagu.mjs', 'dist/server/cli.js', 'package.json']) {
      expect(packaged(file, patterns)).toBe(true);
    }
    expect(existsSync(join(PROJECT_ROOT, 'electron', 'preload.cts'))).toBe(true);
  });

  it('rebuilds the native modules for Electron and keeps them outside app.asar', () => {
    expect(app.npmRebuild).toBe(true);
    const unpack = app.asarUnpack as string[];
    for (const binary of [
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/@node-rs/argon2/index.js',
      'node_modules/@node-rs/argon2-darwin-arm64/argon2.darwin-arm64.node',
      'node_modules/@node-rs/argon2-win32-x64-msvc/argon2.win32-x64-msvc.node',
    ]) {
      expect(unpack.some((pattern) => matchesGlob(binary, pattern))).toBe(true);
    }
  });

  it('has only the entitlements it needs: JIT, listening on the LAN, outgoing connections', () => {
    expect(entitlementKeys(app.mac?.entitlements as string)).toEqual([JIT, CLIENT, SERVER].sort());
    expect(app.mac?.entitlementsInherit).not.toBe(app.mac?.entitlements);
    expect(entitlementKeys(app.mac?.entitlementsInherit as string)).toEqual([JIT, CLIENT].sort());
  });

  it('does not register tsunagu:// (only the helper opens enrollment links)', () => {
    for (const protocols of [app.protocols, app.mac?.protocols, app.linux?.protocols]) {
      expect(JSON.stringify(protocols ?? [])).not.toContain('tsunagu');
    }
  });
});

describe('the helper', () => {
  it('is Tsunagu Helper (app.tsunagu.helper), macOS only, with its own output folder', () => {
    expect(helper.appId).toBe('app.tsunagu.helper');
    expect(helper.appId).not.toBe(app.appId);
    expect(helper.productName).toBe('Tsunagu Helper');
    expect(helper.directories?.output).not.toBe(app.directories?.output);
    expect(helper.win).toBeUndefined();
    expect(helper.linux).toBeUndefined();
  });

  it('opens tsunagu:// links', () => {
    const protocols = [helper.protocols ?? []].flat();
    expect(protocols.flatMap((p) => p.schemes)).toEqual(['tsunagu']);
  });

  it('has only JIT and outgoing connections (it never listens), for itself and everything signed inside it', () => {
    expect(entitlementKeys(helper.mac?.entitlements as string)).toEqual([JIT, CLIENT].sort());
    expect(entitlementKeys(helper.mac?.entitlementsInherit as string)).toEqual([JIT, CLIENT].sort());
  });

  it('packages no native module, so nothing is rebuilt', () => {
    expect(helper.npmRebuild).toBe(false);
    const patterns = ['**', ...filePatterns(helper).filter((p) => p.startsWith('!'))];
    expect(packaged('node_modules/better-sqlite3/build/Release/better_sqlite3.node', patterns)).toBe(false);
    expect(packaged('node_modules/@node-rs/argon2-darwin-arm64/argon2.darwin-arm64.node', patterns)).toBe(false);
  });

  // electron/helper-main.ts comes with the helper's main process (issue 11); until it is merged this test fails.
  it('starts at dist/electron/helper-main.js, compiled from electron/helper-main.ts, with everything it imports packaged', () => {
    const main = helper.extraMetadata?.main as string;
    expect(main).toBe('dist/electron/helper-main.js');
    const patterns = filePatterns(helper);
    expect(packaged(main, patterns)).toBe(true);
    const source = sourceOf(main);
    expect(existsSync(join(PROJECT_ROOT, source)), `${source} is missing`).toBe(true);
    for (const file of importClosure(source)) expect(packaged(distOf(file), patterns), distOf(file)).toBe(true);
  });
});

describe('notarization', () => {
  it('turns on for both products when a full set of Apple credentials is in the env', () => {
    const apiKey = { APPLE_API_KEY: '/keys/AuthKey.p8', APPLE_API_KEY_ID: 'KEYID', APPLE_API_ISSUER: 'issuer' };
    expect(loadConfig(APP, apiKey).config.mac?.notarize).toBe(true);
    expect(loadConfig(HELPER, apiKey).config.mac?.notarize).toBe(true);
    const appleId = { APPLE_ID: 'a@example.com', APPLE_APP_SPECIFIC_PASSWORD: 'p', APPLE_TEAM_ID: 'TEAM' };
    expect(loadConfig(APP, appleId).config.mac?.notarize).toBe(true);
  });

  it('stays on with a half-filled set, so electron-builder stops naming the missing variable', () => {
    expect(loadConfig(APP, { APPLE_ID: 'a@example.com' }).config.mac?.notarize).toBe(true);
    expect(loadConfig(APP, { APPLE_ID: '' }).config.mac?.notarize).toBe(false);
  });
});

describe('npm scripts', () => {
  it('`dist` builds, then packages the desktop app for this OS; `dist:helper` builds, then the helper for macOS', () => {
    expect(packageJson.scripts.dist).toBe(`npm run -s build && electron-builder -c ${APP} --publish never`);
    expect(packageJson.scripts['dist:helper']).toBe(
      `npm run -s build && electron-builder -c ${HELPER} --mac --publish never`,
    );
  });
});
