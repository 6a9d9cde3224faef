// What the two electron-builder 26 products (electron-builder.app.mjs, electron-builder.helper.mjs) share: when to
// notarize, which compiled files go into the app, and the macOS settings both need. Plain data and one env check, so
// the packaging test can load the configurations exactly as electron-builder does.

/** The three ways electron-builder 26 (MacTargetHelper.getNotarizeOptions) finds Apple credentials in the env. */
export const NOTARIZE_ENV_SETS = [
  ['APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'],
  ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID'],
  ['APPLE_KEYCHAIN_PROFILE'],
];

/**
 * Whether to notarize: on as soon as any notarization variable is set, off (and logged as skipped) when none is.
 * A half-filled set still turns it on, so electron-builder stops with its message naming the missing variable
 * instead of shipping an unnotarized build.
 */
export function notarizeFromEnv(env) {
  return NOTARIZE_ENV_SETS.flat().some((name) => (env[name] ?? '').trim() !== '');
}

/**
 * The native modules: rebuilt for Electron's ABI at packaging and kept outside app.asar so they can be loaded (with
 * their per-platform binary packages, e.g. @node-rs/argon2-darwin-arm64).
 */
export const NATIVE_MODULES = ['better-sqlite3', '@node-rs/argon2'];

/** Never packaged from dist/: source maps, declarations, tsc's incremental state, and the compiled test helpers. */
export const EXCLUDED_FROM_DIST = [
  '!dist/**/*.map',
  '!dist/**/*.d.ts',
  '!dist/**/*.d.cts',
  '!dist/.tsbuildinfo*',
  '!dist/tests/**',
];

/** macOS 13 is the oldest release Electron 45 runs on (LSMinimumSystemVersion). */
export const MIN_MACOS = '13.0';
