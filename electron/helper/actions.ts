// The helper window's actions arrive over IPC: checked here before the host sees them, so a page that somehow ran in
// the helper's window could send nothing but the actions of the contract, with bounded strings.
import type { HelperAction, HelperCredentials } from '../../server/contract/helper.js';

const SIMPLE = new Set([
  'accept-server',
  'reject-server',
  'acknowledge',
  'retry',
  'cancel',
  'start-again',
  'reopen-settings',
  'open-portal',
  'quit',
]);

function text(value: unknown, max: number): string | null {
  return typeof value === 'string' && value.length <= max ? value : null;
}

function onlyKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(value).every((k) => keys.includes(k));
}

function credentials(value: unknown): HelperCredentials | null {
  if (typeof value !== 'object' || value === null) return null;
  const c = value as Record<string, unknown>;
  const email = text(c.email, 320);
  if (email === null) return null;
  if (c.method === 'password' && onlyKeys(c, ['method', 'email', 'password'])) {
    const password = text(c.password, 1024);
    return password === null ? null : { method: 'password', email, password };
  }
  if (c.method === 'pin' && onlyKeys(c, ['method', 'email', 'pin', 'newPassword'])) {
    const pin = text(c.pin, 12);
    const newPassword = text(c.newPassword, 1024);
    return pin === null || newPassword === null ? null : { method: 'pin', email, pin, newPassword };
  }
  return null;
}

/** The action `value` stands for, or null when it is not one the helper window may send. */
export function parseHelperAction(value: unknown): HelperAction | null {
  if (typeof value !== 'object' || value === null) return null;
  const a = value as Record<string, unknown>;
  if (typeof a.type !== 'string') return null;
  if (SIMPLE.has(a.type)) return onlyKeys(a, ['type']) ? ({ type: a.type } as HelperAction) : null;
  if (a.type === 'start' && onlyKeys(a, ['type', 'server'])) {
    const server = text(a.server, 2048);
    return server === null ? null : { type: 'start', server };
  }
  if (a.type === 'sign-in' && onlyKeys(a, ['type', 'credentials'])) {
    const c = credentials(a.credentials);
    return c === null ? null : { type: 'sign-in', credentials: c };
  }
  return null;
}
