// The desktop app's composition root: one instance per user; it resolves the server's data key (the OS keychain
// through safeStorage, or the key file where that would be plain text), starts the enrollment server under a
// supervisor (restarted if it exits) on Electron's own runtime in the packaged app or a `node` child in development,
// shows its state in the tray and app menu, opens the console window, and on Quit lets the server drain.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, type BrowserWindow, clipboard, dialog, safeStorage, shell, utilityProcess } from 'electron';
import { resolveDataKey } from './data-key.js';
import { deepLinkInArgv } from './helper/deep-link.js';
import { registerIpc } from './ipc.js';
import { startServerChild } from './platform/server-process.js';
import { startServerUtility, type ForkUtility } from './platform/server-utility.js';
import type { HostOptions } from './server-host.js';
import { createServerSupervisor, type ServerExit, type ServerSupervisor } from './server-supervisor.js';
import { bringToFront, claimSingleInstance } from './single-instance.js';
import { createStatusMenu, type StatusMenu } from './tray.js';
import { trayLocale, type TrayAction, type TrayState } from './tray-menu.js';
import { createMainWindow } from './window.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const projectRoot = join(here, '..', '..');

/** How this launch runs; the one place it is chosen: the console with its server, or the Mac guided-install helper. */
type LaunchMode = 'console' | 'helper';

function chooseMode(argv: readonly string[]): LaunchMode {
  return argv.includes('--helper') || deepLinkInArgv(argv) !== null ? 'helper' : 'console';
}

let supervisor: ServerSupervisor | null = null;
let window: BrowserWindow | null = null;
let statusMenu: StatusMenu | null = null;
let adminUrl: string | null = null;
let logFile: string | null = null;
const state: TrayState = {
  server: 'starting',
  entryUrl: null,
  devicesEnrolledToday: null,
  lastError: null,
  openAtLogin: false,
  openAtLoginSupported: process.platform !== 'linux',
};

/** The app's own log: the console, and `desktop.log` beside the server's log in the data folder. */
function log(line: string): void {
  console.log(line);
  if (logFile) appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
}

function render(): void {
  statusMenu?.update(state);
}

/** Tells the admin that the server exited, and whether it is starting again. */
function reportExit(exit: ServerExit): void {
  const why = exit.startError ?? `It exited with code ${exit.code ?? 'unknown'}.`;
  state.server = exit.restartInMs === null ? 'down' : 'restarting';
  state.lastError = why;
  render();
  log(`The enrollment server stopped: ${why}`);
  const detail =
    exit.restartInMs === null
      ? `${why} It stopped ${exit.exitsInWindow} times in a short time, so Tsunagu does not start it again. Devices cannot enroll until you quit and reopen Tsunagu; if it keeps stopping, check the log in the data folder.`
      : `${why} Tsunagu starts it again in ${Math.round(exit.restartInMs / 1000)} s.`;
  void dialog.showMessageBox({ type: 'warning', message: 'The enrollment server stopped', detail });
}

/** Opens the console window, or brings the open one forward. */
function showConsole(): void {
  if (window && !window.isDestroyed() && bringToFront(window)) return;
  if (!adminUrl) return;
  window = createMainWindow(adminUrl, join(here, 'preload.cjs'));
  window.on('closed', () => (window = null));
}

function runMenuAction(action: TrayAction): void {
  switch (action) {
    case 'open-console':
      return showConsole();
    case 'copy-entry-url':
      if (state.entryUrl) clipboard.writeText(state.entryUrl);
      return;
    case 'open-entry-url':
      if (state.entryUrl) void shell.openExternal(state.entryUrl);
      return;
    case 'toggle-open-at-login':
      app.setLoginItemSettings({ openAtLogin: !state.openAtLogin });
      state.openAtLogin = app.getLoginItemSettings().openAtLogin;
      return render();
    case 'quit':
      return app.quit();
  }
}

/** How the server runs: Electron's utility process when packaged (no system node there), else a node child. */
function serverStarter(dataDir: string, options: HostOptions) {
  const useUtility = app.isPackaged || process.env.TSUNAGU_SERVER_HOST === 'utility';
  log(`Starting the enrollment server in ${useUtility ? "Electron's utility process" : 'a node child process'}.`);
  if (useUtility)
    return () =>
      startServerUtility(
        utilityProcess.fork satisfies ForkUtility,
        join(here, '..', 'server', 'utility-entry.js'),
        dataDir,
        options,
      );
  return () => startServerChild(projectRoot, dataDir, process.env.TSUNAGU_NODE ?? 'node', options);
}

async function launchConsole(): Promise<void> {
  const dataDir = join(app.getPath('userData'), 'data');
  mkdirSync(join(dataDir, 'logs'), { recursive: true, mode: 0o700 });
  logFile = join(dataDir, 'logs', 'desktop.log');
  const decision = resolveDataKey({
    safeStorage,
    platform: process.platform,
    wrappedFile: join(app.getPath('userData'), 'data-key.bin'),
    // The server's key file (server/paths.ts): migrated into the keychain, or kept where the keychain cannot help.
    keyFile: join(dataDir, 'secret.key'),
    passphraseSet: Boolean(process.env.TSUNAGU_SECRET_PASSPHRASE),
    log,
  });
  state.openAtLogin = app.getLoginItemSettings().openAtLogin;
  statusMenu = createStatusMenu(trayLocale(app.getLocale()), runMenuAction);
  render();
  const start = serverStarter(dataDir, {
    dataKey: decision.mode === 'safe-storage' ? decision.key : null,
    onStatus: (status) => {
      state.devicesEnrolledToday = status.devicesEnrolledToday;
      state.entryUrl = status.entryUrl;
      render();
    },
  });
  supervisor = createServerSupervisor({
    start,
    schedule: (run, ms) => {
      const timer = setTimeout(run, ms);
      return { cancel: () => clearTimeout(timer) };
    },
    now: () => Date.now(),
    onReady: (facts, restarts) => {
      adminUrl = facts.adminUrl;
      state.server = 'running';
      state.entryUrl = facts.entryUrl;
      render();
      // After a restart the window loads the console again from the new server process.
      if (restarts > 0 && window && !window.isDestroyed()) void window.loadURL(facts.adminUrl);
    },
    onExit: reportExit,
  });
  const facts = await supervisor.start();
  const target = facts.setupToken
    ? `${facts.adminUrl}setup#token=${encodeURIComponent(facts.setupToken)}`
    : facts.adminUrl;
  registerIpc(new URL(facts.adminUrl).origin);
  window = createMainWindow(target, join(here, 'preload.cjs'));
  window.on('closed', () => (window = null));
}

/** Quit drains the server first: it stops accepting, finishes requests in flight and closes the database. */
function drainOnQuit(): void {
  app.on('before-quit', (event) => {
    if (!supervisor) return;
    event.preventDefault();
    const stopping = supervisor;
    supervisor = null;
    void stopping.stop().finally(() => {
      statusMenu?.destroy();
      app.quit();
    });
  });
}

const mode = chooseMode(process.argv);
if (mode === 'helper') {
  // The helper has its own composition root (the Tsunagu Helper product's entry); it claims its own instance lock.
  await import('./helper-main.js');
} else if (claimSingleInstance(app, process.argv, () => showConsole()) === 'primary') {
  switch (mode) {
    case 'console':
      app
        .whenReady()
        .then(launchConsole)
        .catch((err: unknown) => {
          dialog.showErrorBox('Tsunagu could not start', (err as Error).message);
          app.exit(1);
        });
      // With the status menu the server keeps serving devices when the window is closed; Quit is in the menu.
      app.on('window-all-closed', () => {
        if (!statusMenu) app.quit();
      });
      app.on('activate', () => showConsole());
      drainOnQuit();
      break;
  }
}
