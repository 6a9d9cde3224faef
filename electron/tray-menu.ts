// What the tray (and the app menu) shows: a pure function of the app's state, so the labels, the order and what is
// enabled are tested without Electron; electron/tray.ts turns the items into Electron menus and runs the actions.

/** The app's state as the menu shows it. */
export interface TrayState {
  server: 'starting' | 'running' | 'restarting' | 'down';
  /** The address people are given (the /go page), once the server said it. */
  entryUrl: string | null;
  /** From the server's last status; null until the first one. */
  devicesEnrolledToday: number | null;
  /** The last exit or start error of the server, for the admin; null when there was none. */
  lastError: string | null;
  openAtLogin: boolean;
  /** Linux has no login items Electron can set. */
  openAtLoginSupported: boolean;
}

/** What a menu item does when chosen. */
export type TrayAction = 'open-console' | 'copy-entry-url' | 'open-entry-url' | 'toggle-open-at-login' | 'quit';

/** One menu item: an action, a checkbox, a line of text, or a separator. */
export type TrayItem =
  | { kind: 'action'; action: TrayAction; label: string; enabled: boolean }
  | { kind: 'checkbox'; action: TrayAction; label: string; checked: boolean }
  | { kind: 'text'; label: string }
  | { kind: 'separator' };

/** The languages the menu speaks (the console's two). */
export type TrayLocale = 'ja' | 'en';

const LABELS = {
  en: {
    server: {
      starting: 'Server: starting…',
      running: 'Server: running',
      restarting: 'Server: restarting…',
      down: 'Server: stopped',
    },
    openConsole: 'Open the Console',
    entry: (url: string) => `Enrollment address: ${url}`,
    noEntry: 'Enrollment address: not yet known',
    copy: 'Copy the Enrollment Address',
    open: 'Open the Enrollment Address in the Browser',
    today: (n: number | null) => `Devices enrolled today: ${n ?? '–'}`,
    lastError: (text: string) => `Last error: ${text}`,
    openAtLogin: 'Open at Login',
    quit: 'Quit Tsunagu',
  },
  ja: {
    server: {
      starting: 'サーバー: 起動中…',
      running: 'サーバー: 稼働中',
      restarting: 'サーバー: 再起動中…',
      down: 'サーバー: 停止',
    },
    openConsole: '管理画面を開く',
    entry: (url: string) => `登録用アドレス: ${url}`,
    noEntry: '登録用アドレス: まだありません',
    copy: '登録用アドレスをコピー',
    open: '登録用アドレスをブラウザで開く',
    today: (n: number | null) => `今日登録された端末: ${n === null ? '–' : `${n} 台`}`,
    lastError: (text: string) => `直近のエラー: ${text}`,
    openAtLogin: 'ログイン時に開く',
    quit: 'Tsunagu を終了',
  },
} as const;

/** Menus show one line: a long error is cut with an ellipsis (the full text is in the dialog and the log). */
function oneLine(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The menu for `state` in `locale`, top to bottom. */
export function trayMenuModel(state: TrayState, locale: TrayLocale): TrayItem[] {
  const t = LABELS[locale];
  const running = state.server === 'running';
  const items: TrayItem[] = [
    { kind: 'text', label: t.server[state.server] },
    { kind: 'action', action: 'open-console', label: t.openConsole, enabled: running },
    { kind: 'separator' },
    { kind: 'text', label: state.entryUrl ? t.entry(state.entryUrl) : t.noEntry },
    { kind: 'action', action: 'copy-entry-url', label: t.copy, enabled: state.entryUrl !== null },
    { kind: 'action', action: 'open-entry-url', label: t.open, enabled: state.entryUrl !== null },
    { kind: 'text', label: t.today(state.devicesEnrolledToday) },
  ];
  if (state.lastError) items.push({ kind: 'text', label: t.lastError(oneLine(state.lastError)) });
  items.push({ kind: 'separator' });
  if (state.openAtLoginSupported)
    items.push({ kind: 'checkbox', action: 'toggle-open-at-login', label: t.openAtLogin, checked: state.openAtLogin });
  items.push({ kind: 'action', action: 'quit', label: t.quit, enabled: true });
  return items;
}

/** The menu's language from the system locale (`app.getLocale()`): Japanese for ja*, else English. */
export function trayLocale(systemLocale: string): TrayLocale {
  return systemLocale.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}
