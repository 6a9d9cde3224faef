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

/**
 * What `tsunagu serve --json` writes as its one line on stdout once it listens, for the desktop app (and scripts) to
 * read instead of the human banner.
 */
export interface ServerReadyFacts {
  event: 'ready';
  /** The admin console. */
  adminUrl: string;
  /** The address people are given (the printed /go). */
  entryUrl: string;
  /** The device listener's home page (HTTPS). */
  enrollmentUrl: string;
  /** The certificate trust page on the plain-HTTP bootstrap listener. */
  bootstrapUrl: string;
  /** The one-time setup token while no administrator exists, else null. */
  setupToken: string | null;
}
