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

/**
 * What the desktop app sends the server process it hosts: over `process.parentPort` in Electron's utility process, as
 * JSON lines on stdin for the development child (`tsunagu serve --hosted`). Never argv or env: the data key is a secret.
 */
export type HostToServerMessage =
  /** Start; `dataKey` is the 32-byte secrets key in base64, or null to use the key file (or passphrase) as headless. */
  | { type: 'start'; dataKey: string | null }
  /** Stop accepting, let requests in flight finish, close the database, exit 0. */
  | { type: 'stop' };

/** The server's state the tray shows: sent once it is ready and then every minute. */
export interface ServerStatusFacts {
  event: 'status';
  /** Enrollments marked enrolled since local midnight. */
  devicesEnrolledToday: number;
  /** The address people are given now (it follows the TLS mode). */
  entryUrl: string;
}

/** The server could not start (bad settings, port in use, undecryptable secrets); it exits 1 after sending this. */
export interface ServerStartFailed {
  event: 'start-failed';
  message: string;
}

/** The server heard the stop and is draining. */
export interface ServerStopping {
  event: 'stopping';
}

/** What the hosted server sends the desktop app, in order: `ready` or `start-failed`, then `status`..., `stopping`. */
export type ServerToHostMessage = ServerReadyFacts | ServerStatusFacts | ServerStartFailed | ServerStopping;
