/** IPC channels between the Electron main process and the console window (the preload exposes them as named functions). */
export type IpcChannel = 'app:info';

/** What `app:info` answers. */
export interface AppInfo {
  version: string;
  platform: string;
  /** True inside the desktop app (the console also runs in plain browsers). */
  desktop: true;
}

/** The functions the preload script exposes on `window.tsunagu`. */
export interface DesktopBridge {
  appInfo(): Promise<AppInfo>;
}
