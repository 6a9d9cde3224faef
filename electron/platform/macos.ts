// The helper's MacPlatform on a real Mac: the system's own command-line tools, run without a shell. Nothing here
// asks for Accessibility or Screen Recording permission: window positions come from the window list, which names
// each window's owner and bounds without them (window titles would need Screen Recording, and are not read).
import { execFile } from 'node:child_process';
import type { CommandOutput, MacPlatform, PlatformNotification, WindowBounds } from '../helper/platform-port.js';

/** Runs a program with arguments (no shell) and reports how it ended. */
export type RunCommand = (file: string, args: readonly string[]) => Promise<CommandOutput>;

/** System Settings' bundle identifier (System Preferences before macOS 13 had the same one). */
export const SETTINGS_BUNDLE_ID = 'com.apple.systempreferences';

/**
 * JavaScript for Automation: lists on-screen windows of layer 0 with their owner's bundle id and bounds, as JSON.
 * CGWindowListCopyWindowInfo gives owner and bounds without Screen Recording permission.
 */
export const WINDOW_LIST_SCRIPT = [
  "ObjC.import('CoreGraphics'); ObjC.import('AppKit');",
  'const list = ObjC.castRefToObject($.CGWindowListCopyWindowInfo($.kCGWindowListOptionOnScreenOnly | $.kCGWindowListExcludeDesktopElements, $.kCGNullWindowID));',
  'const out = [];',
  'for (let i = 0; i < list.count; i++) {',
  '  const w = list.objectAtIndex(i);',
  "  const layer = w.objectForKey('kCGWindowLayer').js; if (layer !== 0) continue;",
  "  const app = $.NSRunningApplication.runningApplicationWithProcessIdentifier(w.objectForKey('kCGWindowOwnerPID').js);",
  "  const b = w.objectForKey('kCGWindowBounds');",
  "  out.push({ bundle: app.isNil() ? '' : ObjC.unwrap(app.bundleIdentifier), x: b.objectForKey('X').js, y: b.objectForKey('Y').js, width: b.objectForKey('Width').js, height: b.objectForKey('Height').js });",
  '}',
  'JSON.stringify(out);',
].join('\n');

/** The frontmost System Settings window in the window list's JSON (front to back), or null. */
export function settingsWindowIn(json: string): WindowBounds | null {
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch {
    return null;
  }
  if (!Array.isArray(list)) return null;
  for (const entry of list as Record<string, unknown>[]) {
    if (entry?.bundle !== SETTINGS_BUNDLE_ID) continue;
    const [x, y, width, height] = [entry.x, entry.y, entry.width, entry.height];
    if ([x, y, width, height].every((n) => typeof n === 'number' && Number.isFinite(n)) && (width as number) > 100) {
      return { x: x as number, y: y as number, width: width as number, height: height as number };
    }
  }
  return null;
}

/** Runs a program with execFile: no shell, a time limit, output capped. */
export const runCommand: RunCommand = (file, args) =>
  new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { timeout: 15_000, maxBuffer: 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = (error as (Error & { code?: unknown }) | null)?.code;
        resolve({
          exitCode: error ? (typeof code === 'number' ? code : 1) : 0,
          stdout,
          stderr: stderr || (error ? error.message : ''),
        });
      },
    );
  });

/** The MacPlatform over macOS's tools; `notify` shows a system notification (Electron's, in the helper). */
export function createMacPlatform(deps: {
  run: RunCommand;
  notify: (notification: PlatformNotification) => Promise<void>;
}): MacPlatform {
  const { run } = deps;
  return {
    profilesStatus: () => run('/usr/bin/profiles', ['status', '-type', 'enrollment']),
    productVersion: async () => (await run('/usr/bin/sw_vers', ['-productVersion'])).stdout.trim(),
    open: (target) => run('/usr/bin/open', [target]),
    notify: deps.notify,
    async isAdmin() {
      const out = await run('/usr/bin/id', ['-Gn']);
      return out.exitCode === 0 && out.stdout.trim().split(/\s+/).includes('admin');
    },
    async settingsWindowBounds() {
      const out = await run('/usr/bin/osascript', ['-l', 'JavaScript', '-e', WINDOW_LIST_SCRIPT]);
      return out.exitCode === 0 ? settingsWindowIn(out.stdout.trim()) : null;
    },
  };
}
