import { describe, expect, it } from 'vitest';
import { trayLocale, trayMenuModel, type TrayItem, type TrayState } from './tray-menu.js';

const running: TrayState = {
  server: 'running',
  entryUrl: 'http://192.168.1.20:8080/go',
  devicesEnrolledToday: 3,
  lastError: null,
  openAtLogin: true,
  openAtLoginSupported: true,
};

const labels = (items: TrayItem[]) => items.map((i) => (i.kind === 'separator' ? '---' : i.label));

describe('trayMenuModel', () => {
  it.each([
    [
      'en',
      [
        'Server: running',
        'Open the Console',
        '---',
        'Enrollment address: http://192.168.1.20:8080/go',
        'Copy the Enrollment Address',
        'Open the Enrollment Address in the Browser',
        'Devices enrolled today: 3',
        '---',
        'Open at Login',
        'Quit Tsunagu',
      ],
    ],
    [
      'ja',
      [
        'サーバー: 稼働中',
        '管理画面を開く',
        '---',
        '登録用アドレス: http://192.168.1.20:8080/go',
        '登録用アドレスをコピー',
        '登録用アドレスをブラウザで開く',
        '今日登録された端末: 3 台',
        '---',
        'ログイン時に開く',
        'Tsunagu を終了',
      ],
    ],
  ] as const)('a running server in %s', (locale, expected) => {
    expect(labels(trayMenuModel(running, locale))).toEqual(expected);
  });

  it('while starting: no address or count yet, nothing to open or copy; Quit always works', () => {
    const items = trayMenuModel({ ...running, server: 'starting', entryUrl: null, devicesEnrolledToday: null }, 'en');
    expect(labels(items)).toContain('Devices enrolled today: –');
    expect(labels(items)).toContain('Enrollment address: not yet known');
    const enabled = Object.fromEntries(items.flatMap((i) => (i.kind === 'action' ? [[i.action, i.enabled]] : [])));
    expect(enabled).toEqual({ 'open-console': false, 'copy-entry-url': false, 'open-entry-url': false, quit: true });
  });

  it('shows the last error on one line, cut when long', () => {
    const items = trayMenuModel(
      { ...running, server: 'down', lastError: `It exited with code 1.\n${'x'.repeat(200)}` },
      'ja',
    );
    const error = labels(items).find((l) => l.startsWith('直近のエラー'));
    expect(error).toMatch(/^直近のエラー: It exited with code 1\. x+…$/);
    expect(error?.length).toBeLessThan(100);
    expect(labels(items)[0]).toBe('サーバー: 停止');
  });

  it.each([
    [true, true, [{ kind: 'checkbox', action: 'toggle-open-at-login', label: 'Open at Login', checked: true }]],
    [false, true, [{ kind: 'checkbox', action: 'toggle-open-at-login', label: 'Open at Login', checked: false }]],
    [false, false, []],
  ])('the Open at Login checkbox (on: %s, supported: %s)', (openAtLogin, openAtLoginSupported, expected) => {
    const items = trayMenuModel({ ...running, openAtLogin, openAtLoginSupported }, 'en');
    expect(items.filter((i) => i.kind === 'checkbox')).toEqual(expected);
  });
});

describe('trayLocale', () => {
  it.each([
    ['ja', 'ja'],
    ['ja-JP', 'ja'],
    ['en-US', 'en'],
    ['de', 'en'],
  ])('%s → %s', (system, locale) => {
    expect(trayLocale(system)).toBe(locale);
  });
});
