import { app, ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { AppInfo, IpcChannel } from '../server/contract/ipc.js';
import { isTrustedSender } from './navigation-policy.js';

/** Answers `app:info` for windows showing the console, and only those. */
export function registerIpc(consoleOrigin: string): void {
  const trusted = (event: IpcMainInvokeEvent) => isTrustedSender(event.senderFrame?.url, consoleOrigin);
  const channel: IpcChannel = 'app:info';
  ipcMain.handle(channel, (event): AppInfo => {
    if (!trusted(event)) throw new Error('app:info refused: the sender is not the Tsunagu console.');
    return { version: app.getVersion(), platform: process.platform, desktop: true };
  });
}
