import { describe, expect, it } from 'vitest';
import type { CommandOutput } from '../helper/platform-port.js';
import { createMacPlatform, settingsWindowIn, WINDOW_LIST_SCRIPT } from './macos.js';

function recorder(answers: Record<string, CommandOutput>) {
  const calls: string[][] = [];
  const run = async (file: string, args: readonly string[]) => {
    calls.push([file, ...args]);
    return answers[file] ?? { exitCode: 0, stdout: '', stderr: '' };
  };
  return { calls, run };
}

describe('the macOS platform', () => {
  it('runs the system tools by absolute path, without a shell, with the arguments as separate words', async () => {
    const { calls, run } = recorder({
      '/usr/bin/sw_vers': { exitCode: 0, stdout: '15.1\n', stderr: '' },
      '/usr/bin/id': { exitCode: 0, stdout: 'staff everyone localaccounts admin _appserveradm\n', stderr: '' },
    });
    const mac = createMacPlatform({ run, notify: async () => undefined });
    expect(await mac.productVersion()).toBe('15.1');
    expect(await mac.isAdmin()).toBe(true);
    await mac.profilesStatus();
    await mac.open('/Users/a/Library/profile; rm -rf ~.mobileconfig');
    expect(calls).toEqual([
      ['/usr/bin/sw_vers', '-productVersion'],
      ['/usr/bin/id', '-Gn'],
      ['/usr/bin/profiles', 'status', '-type', 'enrollment'],
      ['/usr/bin/open', '/Users/a/Library/profile; rm -rf ~.mobileconfig'],
    ]);
  });

  it.each([
    ['a standard user', 'staff everyone localaccounts\n', 0, false],
    ['a group named like admin', 'staff adminish\n', 0, false],
    ['id failing', '', 1, false],
  ])('isAdmin is false for %s', async (_name, stdout, exitCode, admin) => {
    const { run } = recorder({ '/usr/bin/id': { exitCode, stdout, stderr: '' } });
    expect(await createMacPlatform({ run, notify: async () => undefined }).isAdmin()).toBe(admin);
  });

  it('finds System Settings in the window list by its bundle id, whatever the language names it', async () => {
    const list = JSON.stringify([
      { bundle: 'com.apple.finder', x: 0, y: 0, width: 1440, height: 900 },
      { bundle: 'com.apple.systempreferences', x: 0, y: 0, width: 40, height: 40 },
      { bundle: 'com.apple.systempreferences', x: 120, y: 80, width: 715, height: 640 },
    ]);
    const { calls, run } = recorder({ '/usr/bin/osascript': { exitCode: 0, stdout: `${list}\n`, stderr: '' } });
    const mac = createMacPlatform({ run, notify: async () => undefined });
    expect(await mac.settingsWindowBounds()).toEqual({ x: 120, y: 80, width: 715, height: 640 });
    expect(calls[0]).toEqual(['/usr/bin/osascript', '-l', 'JavaScript', '-e', WINDOW_LIST_SCRIPT]);
  });

  it.each([
    ['not JSON', 'execution error'],
    ['no System Settings window', '[{"bundle":"com.apple.Safari","x":0,"y":0,"width":800,"height":600}]'],
    [
      'bounds that are not numbers',
      '[{"bundle":"com.apple.systempreferences","x":"0","y":0,"width":800,"height":600}]',
    ],
    ['not a list', '{"bundle":"com.apple.systempreferences"}'],
  ])('reads no window from %s', (_name, json) => {
    expect(settingsWindowIn(json)).toBeNull();
  });
});
