// Pure formatting for the helper screens: fingerprints in groups, the countdown, and macOS names in Japanese.

/** A SHA-256 fingerprint as upper-case groups of four hex digits (colons and spaces dropped). */
export function fingerprintGroups(value: string): string[] {
  const hex = value.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  const groups: string[] = [];
  for (let i = 0; i < hex.length; i += 4) groups.push(hex.slice(i, i + 4));
  return groups;
}

/** Whole seconds from `now` until `expiresAt` (both epoch ms), never below zero. */
export function secondsLeft(expiresAt: number, now: number): number {
  return Math.max(0, Math.ceil((expiresAt - now) / 1000));
}

/** Seconds as `mm:ss`, or `h:mm:ss` from one hour up. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/** Whole minutes a screen reader announces for `seconds` left (rounded up, so "1 minute" lasts until the end). */
export function minutesLeft(seconds: number): number {
  return Math.ceil(Math.max(0, seconds) / 60);
}

/**
 * What macOS shows in Japanese for the English names the contract carries; only names we are sure of.
 * A pane path such as "General > Device Management" is translated part by part.
 */
const JAPANESE_MACOS_NAMES: Readonly<Record<string, string>> = {
  'System Settings': 'システム設定',
  'Privacy & Security': 'プライバシーとセキュリティ',
  General: '一般',
  'Device Management': 'デバイス管理',
  Profiles: 'プロファイル',
  Install: 'インストール',
  Enroll: '登録',
  Continue: '続ける',
};

/** The Japanese macOS name of an English pane path or button name, or null when any part is not known for sure. */
export function japaneseMacosName(english: string): string | null {
  const parts = english.split('>').map((part) => part.trim());
  const named = parts.map((part) => JAPANESE_MACOS_NAMES[part] ?? null);
  return named.every((part): part is string => part !== null) ? named.join(' > ') : null;
}
