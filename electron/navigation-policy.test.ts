import { describe, expect, it } from 'vitest';
import { decideNavigation, decideNewWindow, HELPER_APP_ORIGIN, isTrustedSender } from './navigation-policy.js';

const CONSOLE = 'http://127.0.0.1:8440';

describe('decideNavigation', () => {
  it('keeps the window on its own origin', () => {
    expect(decideNavigation('http://127.0.0.1:8440/devices?q=x', CONSOLE)).toEqual({ action: 'allow' });
  });

  it.each([
    ['another port of the same host', 'http://127.0.0.1:8443/'],
    ['the same host over HTTPS', 'https://127.0.0.1:8440/'],
    ['another site', 'https://support.apple.com/ja-jp/102390'],
  ])('hands %s to the browser', (_what, target) => {
    expect(decideNavigation(target, CONSOLE)).toEqual({ action: 'open-external', url: new URL(target).href });
  });

  it.each([
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>1</script>',
    'tsunagu://enroll?server=https://x',
    'x-apple.systempreferences:com.apple.Profiles-Settings.extension',
    'not a url',
  ])('goes nowhere for %s', (target) => {
    expect(decideNavigation(target, CONSOLE)).toEqual({ action: 'deny' });
  });
});

describe('decideNewWindow', () => {
  it('never opens a window in the app: web links go to the browser, the rest nowhere', () => {
    expect(decideNewWindow('http://127.0.0.1:8440/audit')).toEqual({
      action: 'open-external',
      url: 'http://127.0.0.1:8440/audit',
    });
    expect(decideNewWindow('file:///Users/a/secret.txt')).toEqual({ action: 'deny' });
    expect(decideNewWindow('about:blank')).toEqual({ action: 'deny' });
  });
});

describe('isTrustedSender', () => {
  it('trusts only frames showing the console origin', () => {
    expect(isTrustedSender('http://127.0.0.1:8440/setup#token=x', CONSOLE)).toBe(true);
    expect(isTrustedSender('http://127.0.0.1:8443/', CONSOLE)).toBe(false);
    expect(isTrustedSender('https://evil.example/', CONSOLE)).toBe(false);
    expect(isTrustedSender('about:blank', CONSOLE)).toBe(false);
    expect(isTrustedSender('file:///app/index.html', CONSOLE)).toBe(false);
    expect(isTrustedSender(undefined, CONSOLE)).toBe(false);
    expect(isTrustedSender('', CONSOLE)).toBe(false);
  });
});

describe('the helper window on its app scheme', () => {
  it.each([
    ['tsunagu-app://helper/helper', 'allow'],
    ['tsunagu-app://helper/assets/index.js', 'allow'],
    ['tsunagu-app://other/helper', 'deny'],
    ['tsunagu-app:helper', 'deny'],
    ['file:///etc/passwd', 'deny'],
  ] as const)('navigating to %s: %s', (target, action) => {
    expect(decideNavigation(target, HELPER_APP_ORIGIN).action).toBe(action);
  });

  it.each([
    ['tsunagu-app://helper/helper', true],
    ['tsunagu-app://helper.evil/helper', false],
    ['https://helper/helper', false],
    ['tsunagu-app://', false],
    [undefined, false],
  ] as const)('an IPC sender at %s is trusted: %s', (frame, trusted) => {
    expect(isTrustedSender(frame, HELPER_APP_ORIGIN)).toBe(trusted);
  });
});
