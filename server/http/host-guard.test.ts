import { describe, expect, it } from 'vitest';
import { hostOf, isOwnHost } from './host-guard.js';

const NAMES = ['mdm.office.lan', '192.168.1.20'];

describe('the admin listener’s own names', () => {
  it.each([
    ['127.0.0.1:8440', true],
    ['localhost', true],
    ['LocalHost.:8440', true],
    ['[::1]:8440', true],
    ['mdm.office.lan:8440', true],
    ['MDM.OFFICE.LAN', true],
    ['192.168.1.20:8440', true],
    ['evil.example', false],
    ['localhost.evil.example', false],
    ['mdm.office.lan.evil.example', false],
    ['127.0.0.1.nip.io', false],
    ['[::2]:8440', false],
    ['', false],
    [undefined, false],
    ['a b', false],
    ['evil.example:8440:1', false],
    ['x'.repeat(400), false],
  ] as const)('%s → %s', (header, own) => {
    expect(isOwnHost(header, NAMES)).toBe(own);
  });

  it('reads the names (the machine’s addresses) only for a name that is not loopback', () => {
    let reads = 0;
    const names = () => {
      reads++;
      return NAMES;
    };
    expect([isOwnHost('127.0.0.1:8440', names), isOwnHost('localhost', names)]).toEqual([true, true]);
    expect(reads).toBe(0);
    expect([isOwnHost('mdm.office.lan', names), isOwnHost('evil.example', names)]).toEqual([true, false]);
    expect(reads).toBe(2);
  });

  it('reads the host name without port, brackets or trailing dot', () => {
    expect([hostOf('[::1]:80'), hostOf('Example.COM.:443'), hostOf('a:b:c')]).toEqual(['::1', 'example.com', null]);
  });
});
