import { BrowserWindow, shell } from 'electron';
import { decideNavigation, decideNewWindow, type NavigationDecision } from './navigation-policy.js';

/** Opens the console window on the admin URL, locked to that origin. */
export function createMainWindow(url: string, preloadPath: string): BrowserWindow {
  const origin = new URL(url).origin;
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Tsunagu',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  // Links to other sites open in the browser; the window itself never leaves the console (navigation-policy.ts).
  const follow = (decision: NavigationDecision): void => {
    if (decision.action === 'open-external') void shell.openExternal(decision.url);
  };
  win.webContents.setWindowOpenHandler(({ url: target }) => {
    follow(decideNewWindow(target));
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, target) => {
    const decision = decideNavigation(target, origin);
    if (decision.action === 'allow') return;
    event.preventDefault();
    follow(decision);
  });
  void win.loadURL(url);
  return win;
}
