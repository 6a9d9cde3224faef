// The helper window's bridge (window.tsunaguHelper): three named functions over the helper's IPC channels, never
// ipcRenderer itself. A CommonJS preload (sandboxed preloads cannot be ES modules), hence import-equals.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron');
import type { HelperAction, HelperBridge, HelperIpcChannel, HelperScreen } from '../server/contract/helper.js';

const channel = (name: HelperIpcChannel): HelperIpcChannel => name;

const bridge: HelperBridge = {
  screen: () => electron.ipcRenderer.invoke(channel('helper:screen')) as Promise<HelperScreen>,
  send: (action: HelperAction) => electron.ipcRenderer.invoke(channel('helper:send'), action) as Promise<void>,
  onScreen(listener) {
    const handler = (_event: unknown, screen: HelperScreen) => listener(screen);
    electron.ipcRenderer.on(channel('helper:screen-changed'), handler);
    return () => {
      electron.ipcRenderer.removeListener(channel('helper:screen-changed'), handler);
    };
  },
};
electron.contextBridge.exposeInMainWorld('tsunaguHelper', bridge);
