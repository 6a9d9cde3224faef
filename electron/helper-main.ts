// The guided-install helper's composition root: the entry of the "Tsunagu Helper" product, and what the desktop app
// runs with `--helper`. It registers the app scheme, takes `tsunagu://enroll` links (macOS open-url, or the argv of
// a second launch), runs the helper host over the real Mac (the fake one elsewhere, for development), and docks its
// window beside System Settings while the profile is installed. Started by the login item with `--reminder`, it
// only checks whether the Mac is enrolled yet and reminds the user once.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, type BrowserWindow, Notification } from 'electron';
import type { HelperStart } from './helper/step-types.js';
import { createHelperApiClient } from './helper/api-client.js';
import { DeepLinkError, deepLinkInArgv, parseDeepLink } from './helper/deep-link.js';
import { FakeMacPlatform } from './helper/fake-platform.js';
import { createHelperHost, type HelperHost } from './helper/host.js';
import { notificationText } from './helper/notification-text.js';
import type { MacPlatform } from './helper/platform-port.js';
import { createProfileFiles } from './helper/profile-files.js';
import { createReminder, decideReminder } from './helper/reminder.js';
import { createRememberedServers } from './helper/remembered-servers.js';
import {
  createHelperWindow,
  dockWindow,
  registerAppScheme,
  registerHelperIpc,
  serveRenderer,
} from './helper/window.js';
import { createMacPlatform, runCommand } from './platform/macos.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const DOCK_EVERY_MS = 2000;

/** Where a link (or its absence) starts the helper. */
function startFor(raw: string | null): { start: HelperStart | null; problem?: { input: string } } {
  if (raw === null) return { start: null };
  try {
    return { start: { kind: 'deep-link', link: parseDeepLink(raw) } };
  } catch (err) {
    if (err instanceof DeepLinkError) return { start: null, problem: { input: raw.slice(0, 200) } };
    throw err;
  }
}

function showNotification(title: string, body: string, onClick?: () => void): Promise<void> {
  if (!Notification.isSupported()) return Promise.resolve();
  const n = new Notification({ title, body });
  if (onClick) n.on('click', onClick);
  n.show();
  return Promise.resolve();
}

function runHelper(): void {
  registerAppScheme();
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const locale = (): 'ja' | 'en' => (app.getLocale().toLowerCase().startsWith('ja') ? 'ja' : 'en');
  let window: BrowserWindow | null = null;
  let host: HelperHost | null = null;
  let dockTimer: NodeJS.Timeout | null = null;
  let pendingLink = deepLinkInArgv(process.argv);

  const platform: MacPlatform =
    process.platform === 'darwin'
      ? createMacPlatform({ run: runCommand, notify: (n) => showNotification(n.title, n.body) })
      : new FakeMacPlatform();

  const openWith = (raw: string | null, typed?: string) => {
    if (!host) {
      pendingLink = raw;
      return;
    }
    const { start, problem } = typed ? { start: { kind: 'typed', server: typed } as HelperStart } : startFor(raw);
    void host.start(start, problem);
    if (window && !window.isDestroyed()) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  };

  // macOS hands links over with open-url, possibly before `ready`.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    openWith(url);
  });
  app.on('second-instance', (_event, argv) => {
    const link = deepLinkInArgv(argv);
    if (link) openWith(link);
    else if (window && !window.isDestroyed()) window.focus();
  });

  void app.whenReady().then(async () => {
    const userData = app.getPath('userData');
    serveRenderer(join(here, '..', 'renderer'));
    const reminder = createReminder({
      loginItem: { set: (openAtLogin, args) => app.setLoginItemSettings({ openAtLogin, args: [...args] }) },
      file: join(userData, 'pending-enrollment.json'),
    });
    if (process.argv.includes('--reminder') && pendingLink === null) {
      const pending = reminder.pending();
      const decision = decideReminder(pending, await platform.profilesStatus().catch(() => null));
      if (decision.action === 'clear') reminder.clear();
      if (decision.action !== 'notify') {
        app.quit();
        return;
      }
      const text = notificationText('reminder', locale());
      await showNotification(text.title, text.body, () => openWith(null, decision.serverUrl));
    }
    host = createHelperHost({
      platform,
      clientFor: (serverUrl, pinned) =>
        createHelperApiClient({ serverUrl, pinnedCaSha256: pinned, userAgent: `TsunaguHelper/${app.getVersion()}` }),
      servers: createRememberedServers(join(userData, 'servers.json')),
      profiles: createProfileFiles(join(userData, 'profiles')),
      schedule: (run, ms) => {
        const timer = setTimeout(run, ms);
        return { cancel: () => clearTimeout(timer) };
      },
      now: () => Date.now(),
      notificationText,
      reminder: { schedule: (url) => reminder.schedule(url), clear: () => reminder.clear() },
      quit: () => app.quit(),
      locale: locale(),
    });
    registerHelperIpc(host, () => window);
    host.onScreen((screen) => {
      // Beside System Settings while the user works in it; the timer follows the window if it is moved.
      if (screen.state.kind === 'installing' && dockTimer === null && window) {
        const w = window;
        void dockWindow(w, platform);
        dockTimer = setInterval(() => void dockWindow(w, platform), DOCK_EVERY_MS);
      } else if (screen.state.kind !== 'installing' && dockTimer !== null) {
        clearInterval(dockTimer);
        dockTimer = null;
      }
    });
    window = createHelperWindow(join(here, 'helper-preload.cjs'));
    window.on('closed', () => {
      window = null;
      void host?.send({ type: 'quit' });
    });
    const { start, problem } = startFor(pendingLink);
    await host.start(start, problem);
  });
  app.on('window-all-closed', () => app.quit());
}

runHelper();
