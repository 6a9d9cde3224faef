// electron-builder 26: the desktop app "Tsunagu" (enrollment server, admin console), for macOS (dmg, pkg), Windows
// (nsis) and Linux (AppImage, deb). `npm run dist` runs it for the current OS. It needs internet (the Electron
// download, the native-module rebuild against Electron's ABI), so it runs on a release machine, not in CI here.
// Notarization turns on only when the Apple credentials are in the env (electron-builder.shared.mjs).
import { EXCLUDED_FROM_DIST, MIN_MACOS, NATIVE_MODULES, notarizeFromEnv } from './electron-builder.shared.mjs';

/** @type {import('electron-builder').Configuration} */
const config = {
  appId: 'app.tsunagu.desktop',
  productName: 'Tsunagu',
  directories: { output: 'release/app', buildResources: 'build' },
  // The entry is package.json "main" (dist/electron/main.js); the server it starts runs from bin/ and dist/server/;
  // the console is dist/renderer/.
  files: ['dist/**', 'bin/**', 'package.json', ...EXCLUDED_FROM_DIST],
  // deb packages need a homepage; electron-builder reads it from the packaged package.json.
  extraMetadata: { homepage: 'https://tsunagu.app/' },
  // better-sqlite3 is rebuilt for Electron's ABI (a published Electron prebuild when there is one, otherwise
  // compiled); @node-rs/argon2 ships N-API binaries per platform, which need no rebuild.
  npmRebuild: true,
  buildDependenciesFromSource: false,
  asarUnpack: NATIVE_MODULES.flatMap((name) => [`**/node_modules/${name}/**`, `**/node_modules/${name}-*/**`]),
  mac: {
    category: 'public.app-category.business',
    target: ['dmg', 'pkg'],
    hardenedRuntime: true,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.inherit.plist',
    minimumSystemVersion: MIN_MACOS,
    notarize: notarizeFromEnv(process.env),
    extendInfo: {
      // macOS 15 asks before an app reaches hosts on the LAN (an office LDAP or SMTP server); this is the reason shown.
      NSLocalNetworkUsageDescription:
        'Tsunagu runs the enrollment server for devices on your office network and connects to your directory and mail servers there.',
    },
  },
  pkg: { installLocation: '/Applications' },
  win: { target: ['nsis'] },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Office',
    maintainer: 'Tsunagu maintainers <maintainers@tsunagu.app>',
    synopsis: 'Self-hosted device enrollment for small offices',
    description:
      'Runs an enrollment server for iPhones, iPads, Macs and Android devices on the office LAN, with an admin console.',
  },
};

export default config;
