// The desktop app's composition root: starts the enrollment server under a supervisor (restarted if it exits), then
// opens the console window on it.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog } from 'electron';
import { registerIpc } from './ipc.js';
import { startServerChild } from './platform/server-process.js';
import { createServerSupervisor, type ServerExit, type ServerSupervisor } from './server-supervisor.js';
import { createMainWindow } from './window.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const projectRoot = join(here, '..', '..');
let supervisor: ServerSupervisor | null = null;

/** Tells the admin that the server exited, and whether it is starting again. */
function reportExit(exit: ServerExit): void {
  const why = exit.startError ?? `It exited with code ${exit.code ?? 'unknown'}.`;
  const detail =
    exit.restartInMs === null
      ? `${why} It stopped ${exit.exitsInWindow} times in a short time, so Tsunagu does not start it again. Devices cannot enroll until you quit and reopen Tsunagu; if it keeps stopping, check the log in the data folder.`
      : `${why} Tsunagu starts it again in ${Math.round(exit.restartInMs / 1000)} s.`;
  void dialog.showMessageBox({ type: 'warning', message: 'The enrollment server stopped', detail });
}

async function launch(): Promise<void> {
  const dataDir = join(app.getPath('userData'), 'data');
  let window: BrowserWindow | null = null;
  supervisor = createServerSupervisor({
    start: () => startServerChild(projectRoot, dataDir, process.env.TSUNAGU_NODE ?? 'node'),
    schedule: (run, ms) => {
      const timer = setTimeout(run, ms);
      return { cancel: () => clearTimeout(timer) };
    },
    now: () => Date.now(),
    onReady: (facts, restarts) => {
      // After a restart the window loads the console again from the new server process.
      if (restarts > 0 && window && !window.isDestroyed()) void window.loadURL(facts.adminUrl);
    },
    onExit: reportExit,
  });
  const { adminUrl, setupToken } = await supervisor.start();
  const target = setupToken ? `${adminUrl}setup#token=${encodeURIComponent(setupToken)}` : adminUrl;
  registerIpc(new URL(adminUrl).origin);
  window = createMainWindow(target, join(here, 'preload.cjs'));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app
    .whenReady()
    .then(launch)
    .catch((err: unknown) => {
      dialog.showErrorBox('Tsunagu could not start', (err as Error).message);
      app.exit(1);
    });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (!supervisor) return;
    event.preventDefault();
    const stopping = supervisor;
    supervisor = null;
    void stopping.stop().finally(() => app.quit());
  });
}
