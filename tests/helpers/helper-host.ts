// The guided-install helper's host wired for tests: the real pinned API client (every name resolves to loopback),
// real profile files and remembered servers in a temporary folder, a Mac given by the test, and timers that run
// faster than the helper's own (the step machine only sees the ticks it is sent).
import { join } from 'node:path';
import { createHelperApiClient } from '../../electron/helper/api-client.js';
import { createHelperHost, type HelperHost } from '../../electron/helper/host.js';
import { notificationText } from '../../electron/helper/notification-text.js';
import type { MacPlatform } from '../../electron/helper/platform-port.js';
import { createProfileFiles } from '../../electron/helper/profile-files.js';
import { createRememberedServers, type RememberedServers } from '../../electron/helper/remembered-servers.js';
import { loopbackLookup } from './apple-device.js';

export { loopbackLookup };

/** A test helper and what it did outside its window. */
export interface TestHelper {
  host: HelperHost;
  servers: RememberedServers;
  profileDir: string;
  reminders: string[];
  cleared: number;
  quits: number;
  /** Moves the helper's clock (the server's clock is not moved). */
  advance(ms: number): void;
}

/** Builds a helper host for `mac`, keeping its files under `dir`; timers run `speedup` times faster. */
export function testHelper(
  mac: MacPlatform,
  dir: string,
  options: { locale?: 'ja' | 'en'; speedup?: number } = {},
): TestHelper {
  let offset = 0;
  const speedup = options.speedup ?? 10;
  const servers = createRememberedServers(join(dir, 'servers.json'));
  const profileDir = join(dir, 'profiles');
  const t: TestHelper = {
    host: undefined as unknown as HelperHost,
    servers,
    profileDir,
    reminders: [],
    cleared: 0,
    quits: 0,
    advance: (ms) => {
      offset += ms;
    },
  };
  t.host = createHelperHost({
    platform: mac,
    clientFor: (serverUrl, pinned) =>
      createHelperApiClient({ serverUrl, pinnedCaSha256: pinned, lookup: loopbackLookup, timeoutMs: 10_000 }),
    servers,
    profiles: createProfileFiles(profileDir),
    schedule: (run, ms) => {
      const timer = setTimeout(run, Math.max(1, Math.round(ms / speedup)));
      return { cancel: () => clearTimeout(timer) };
    },
    now: () => Date.now() + offset,
    notificationText,
    reminder: {
      schedule: (serverUrl) => t.reminders.push(serverUrl),
      clear: () => {
        t.cleared += 1;
      },
    },
    quit: () => {
      t.quits += 1;
    },
    locale: options.locale ?? 'en',
  });
  return t;
}

/** Waits until the helper's screen is `kind` (or fails naming the screen it is on). */
export async function untilScreen(host: HelperHost, kind: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (host.screen().state.kind !== kind) {
    if (Date.now() > end)
      throw new Error(`The helper shows ${JSON.stringify(host.screen().state)}, not ${kind}, after ${ms} ms.`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
