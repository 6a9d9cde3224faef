// The desktop app's composition root: starts the enrollment server, then opens the console window on it.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog } from 'electron';
import { registerIpc } from './ipc.js';
import { startServerChild, type ServerHost } from './platform/server-process.js';
import { createMainWindow } from './window.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const projectRoot = join(here, '..', '..');
let server: ServerHost | null = null;

async function launch(): Promise<void> {
  const dataDir = join(app.getPath('userData'), 'data');
  server = await startServerChild(projectRoot, dataDir, process.env.TSUNAGU_NODE ?? 'node');
  const { adminUrl, setupToken } = server.facts;
  const target = setupToken ? `${adminUrl}setup#token=${encodeURIComponent(setupToken)}` : adminUrl;
  registerIpc(new URL(adminUrl).origin);
  createMainWindow(target, join(here, 'preload.cjs'));
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
    if (!server) return;
    event.preventDefault();
    const stopping = server;
    server = null;
    void stopping.stop().finally(() => app.quit());
  });
}
