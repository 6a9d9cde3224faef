// The login-item reminder: when the user quits the helper before the Mac is enrolled, the helper registers itself to
// open at login (with `--helper --reminder`) and notes which server it was enrolling with. At each login it checks
// `profiles status`: enrolled with that server, it removes itself; otherwise it shows one notification, whose click
// reopens the helper on that server. It never opens a window by itself (peers' users learn to ignore those).
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseProfilesStatus, sameServerHost } from './profiles-status.js';

/** The arguments the login item starts the helper with. */
export const REMINDER_ARGS: readonly string[] = ['--helper', '--reminder'];

/** An unfinished enrollment: the server and when the user stopped. */
export interface PendingEnrollment {
  serverUrl: string;
  since: string;
}

/** The login item (Electron's app.setLoginItemSettings in the helper). */
export interface LoginItem {
  set(openAtLogin: boolean, args: readonly string[]): void;
}

/** Registers and removes the reminder, keeping the pending enrollment in `file`. */
export interface Reminder {
  schedule(serverUrl: string): void;
  clear(): void;
  pending(): PendingEnrollment | null;
}

/** Builds the reminder over a login item and a small JSON file. */
export function createReminder(deps: { loginItem: LoginItem; file: string; now?: () => Date }): Reminder {
  const now = deps.now ?? (() => new Date());
  return {
    schedule(serverUrl) {
      mkdirSync(dirname(deps.file), { recursive: true, mode: 0o700 });
      const temp = `${deps.file}.tmp`;
      writeFileSync(temp, JSON.stringify({ serverUrl, since: now().toISOString() }), { mode: 0o600 });
      renameSync(temp, deps.file);
      deps.loginItem.set(true, REMINDER_ARGS);
    },
    clear() {
      rmSync(deps.file, { force: true });
      deps.loginItem.set(false, REMINDER_ARGS);
    },
    pending() {
      try {
        const value = JSON.parse(readFileSync(deps.file, 'utf8')) as Partial<PendingEnrollment>;
        if (typeof value.serverUrl !== 'string' || typeof value.since !== 'string') return null;
        return { serverUrl: value.serverUrl, since: value.since };
      } catch {
        return null;
      }
    },
  };
}

/** What a reminder launch does. */
export type ReminderDecision = { action: 'clear' } | { action: 'notify'; serverUrl: string } | { action: 'keep' };

/**
 * Decides a login-time reminder from the pending enrollment and `profiles status` (null when it could not run): no
 * pending enrollment or enrolled with its server, the reminder goes; otherwise the user is reminded. An unreadable
 * status keeps the reminder without a notification (better one login late than a false alarm).
 */
export function decideReminder(
  pending: PendingEnrollment | null,
  profilesStatus: { exitCode: number; stdout: string } | null,
): ReminderDecision {
  if (pending === null) return { action: 'clear' };
  if (profilesStatus === null || profilesStatus.exitCode !== 0) return { action: 'keep' };
  const parsed = parseProfilesStatus(profilesStatus.stdout);
  if (!parsed.ok) return { action: 'keep' };
  const host = new URL(pending.serverUrl).hostname;
  if (parsed.status.enrolled && parsed.status.serverHost !== null && sameServerHost(parsed.status.serverHost, host)) {
    return { action: 'clear' };
  }
  return { action: 'notify', serverUrl: pending.serverUrl };
}
