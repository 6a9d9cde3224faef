// The helper's window: small, never on top of System Settings (docked beside it while the profile is installed),
// locked to the helper's app origin, answering only the helper's IPC from its own frame.
import { readFileSync, existsSync } from 'node:fs';
import { BrowserWindow, ipcMain, protocol, screen as displays, shell } from 'electron';
import type { HelperIpcChannel, HelperScreen } from '../../server/contract/helper.js';
import { decideNavigation, decideNewWindow, HELPER_APP_ORIGIN, isTrustedSender } from '../navigation-policy.js';
import { parseHelperAction } from './actions.js';
import { dockBeside } from './dock.js';
import type { HelperHost } from './host.js';
import type { MacPlatform } from './platform-port.js';
import { resolveStatic } from './static-files.js';

/** The helper window's size: narrow enough to sit beside System Settings on a 13-inch screen. */
export const HELPER_WINDOW = { width: 400, height: 640, minWidth: 340 } as const;

/** The page security policy of the helper's own files (no network: the main process talks to the server). */
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Registers the app scheme before `ready` (Electron requires it then). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: 'tsunagu-app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves the renderer build on tsunagu-app://helper/ (after `ready`). */
export function serveRenderer(rendererDir: string): void {
  protocol.handle('tsunagu-app', (request) => {
    const url = new URL(request.url);
    if (url.host !== 'helper') return new Response('Not found', { status: 404 });
    const answer = resolveStatic(rendererDir, url.pathname, existsSync);
    if (answer.status === 404) return new Response('Not found', { status: 404 });
    return new Response(readFileSync(answer.path), {
      headers: { 'content-type': answer.type, 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' },
    });
  });
}

/** Answers the helper window's IPC (only from the helper's own frame) and forwards every new screen to it. */
export function registerHelperIpc(host: HelperHost, win: () => BrowserWindow | null): void {
  const name = (channel: HelperIpcChannel) => channel;
  const trusted = (frameUrl: string | undefined) => isTrustedSender(frameUrl, HELPER_APP_ORIGIN);
  ipcMain.handle(name('helper:screen'), (event): HelperScreen => {
    if (!trusted(event.senderFrame?.url)) throw new Error('helper:screen refused: not the helper window.');
    return host.screen();
  });
  ipcMain.handle(name('helper:send'), async (event, value: unknown) => {
    if (!trusted(event.senderFrame?.url)) throw new Error('helper:send refused: not the helper window.');
    const action = parseHelperAction(value);
    if (action === null) throw new Error('helper:send refused: not a helper action.');
    await host.send(action);
  });
  host.onScreen((screen) => {
    const w = win();
    if (w && !w.isDestroyed()) w.webContents.send(name('helper:screen-changed'), screen);
  });
}

/** Opens the helper window on its route. */
export function createHelperWindow(preloadPath: string): BrowserWindow {
  const win = new BrowserWindow({
    width: HELPER_WINDOW.width,
    height: HELPER_WINDOW.height,
    minWidth: HELPER_WINDOW.minWidth,
    minHeight: 520,
    title: 'Tsunagu Helper',
    show: false,
    fullscreenable: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.setWindowOpenHandler(({ url }) => {
    const decision = decideNewWindow(url);
    if (decision.action === 'open-external') void shell.openExternal(decision.url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, target) => {
    const decision = decideNavigation(target, HELPER_APP_ORIGIN);
    if (decision.action === 'allow') return;
    event.preventDefault();
    if (decision.action === 'open-external') void shell.openExternal(decision.url);
  });
  void win.loadURL(`${HELPER_APP_ORIGIN}/helper`);
  return win;
}

/** Moves the window beside System Settings when it is on screen (never over it, never always-on-top). */
export async function dockWindow(win: BrowserWindow, platform: MacPlatform): Promise<void> {
  const settings = await platform.settingsWindowBounds();
  if (settings === null || win.isDestroyed()) return;
  const workArea = displays.getDisplayMatching(settings).workArea;
  const bounds = dockBeside(settings, workArea, HELPER_WINDOW);
  if (bounds) win.setBounds(bounds, true);
}
