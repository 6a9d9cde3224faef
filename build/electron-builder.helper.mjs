// electron-builder 26: "Tsunagu Helper", the macOS guided-install helper a Mac user runs to enroll their Mac. Built
// from the same code as the desktop app with another entry (dist/electron/helper-main.js); macOS only (dmg, pkg):
// `npm run dist:helper`. It is the only product that opens tsunagu:// links. It talks to the office server as a
// client: no server, no database, so no native module is packaged. Notarization as for the app (env-driven).
import { EXCLUDED_FROM_DIST, MIN_MACOS, NATIVE_MODULES, notarizeFromEnv } from './electron-builder.shared.mjs';

/** @type {import('electron-builder').Configuration} */
const config = {
  appId: 'app.tsunagu.helper',
  productName: 'Tsunagu Helper',
  directories: { output: 'release/helper', buildResources: 'build' },
  extraMetadata: { main: 'dist/electron/helper-main.js' },
  // The helper's main process and preload (dist/electron/), the contract's shared constants it imports, and the
  // console build, which holds the helper's screens.
  files: [
    'dist/electron/**',
    'dist/server/contract/**',
    'dist/renderer/**',
    'package.json',
    ...EXCLUDED_FROM_DIST,
    ...NATIVE_MODULES.flatMap((name) => [`!**/node_modules/${name}/**`, `!**/node_modules/${name}-*/**`]),
  ],
  // Nothing native is packaged (above), so there is nothing to rebuild for Electron's ABI.
  npmRebuild: false,
  protocols: [{ name: 'Tsunagu enrollment link', schemes: ['tsunagu'], role: 'Viewer' }],
  mac: {
    category: 'public.app-category.utilities',
    target: ['dmg', 'pkg'],
    hardenedRuntime: true,
    entitlements: 'build/entitlements.helper.mac.plist',
    entitlementsInherit: 'build/entitlements.helper.mac.plist',
    minimumSystemVersion: MIN_MACOS,
    notarize: notarizeFromEnv(process.env),
    extendInfo: {
      // macOS 15 asks before an app reaches hosts on the LAN, where the office's enrollment server usually is.
      NSLocalNetworkUsageDescription:
        "Tsunagu Helper connects to your office's enrollment server on the local network to set up this Mac.",
    },
  },
  pkg: { installLocation: '/Applications' },
};

export default config;
