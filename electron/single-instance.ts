// One Tsunagu per user: a second launch hands its arguments to the running app, which brings its window forward, and
// quits. Over an injected slice of Electron's `app`, so the decision is tested without Electron.

/** The part of Electron's `app` the decision uses. */
export interface InstanceApp {
  requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean;
  on(
    event: 'second-instance',
    listener: (event: unknown, argv: string[], workingDirectory: string, additionalData: unknown) => void,
  ): unknown;
  quit(): void;
}

/** A window as bringing it to the front needs it. */
export interface FrontWindow {
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
}

/** The arguments a second launch forwards (from its additional data, which carries them unchanged on every system). */
function forwardedArgv(argv: string[], additionalData: unknown): string[] {
  const data = additionalData as { argv?: unknown } | null;
  return Array.isArray(data?.argv) && data.argv.every((a) => typeof a === 'string') ? (data.argv as string[]) : argv;
}

/**
 * Claims the single-instance lock. The first instance gets 'primary' and `onSecondLaunch` is called with each later
 * launch's arguments; a later instance forwards `argv` to the first, quits, and gets 'secondary' (start nothing).
 */
export function claimSingleInstance(
  app: InstanceApp,
  argv: string[],
  onSecondLaunch: (argv: string[]) => void,
): 'primary' | 'secondary' {
  if (!app.requestSingleInstanceLock({ argv })) {
    app.quit();
    return 'secondary';
  }
  app.on('second-instance', (_event, theirArgv, _cwd, additionalData) =>
    onSecondLaunch(forwardedArgv(theirArgv, additionalData)),
  );
  return 'primary';
}

/** Brings `win` to the front (restoring it when minimized); false when there is no window to bring. */
export function bringToFront(win: FrontWindow | undefined): boolean {
  if (!win) return false;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
  return true;
}
