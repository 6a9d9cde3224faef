// The console window's bridge: a few named functions, never ipcRenderer itself.
// A CommonJS preload (sandboxed preloads cannot be ES modules), hence import-equals.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron');
import type { AppInfo, DesktopBridge } from '../server/contract/ipc.js';

/** Asks the main process for the app's version and platform. */
function appInfo(): Promise<AppInfo> {
  return electron.ipcRenderer.invoke('app:info') as Promise<AppInfo>;
}

const bridge: DesktopBridge = { appInfo };
electron.contextBridge.exposeInMainWorld('tsunagu', bridge);
