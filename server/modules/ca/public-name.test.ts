import { describe, expect, it } from 'vitest';
import { baseUrlWithHost, publicNameOf } from './public-name.js';

describe('the public name of an imported certificate', () => {
  it.each([
    [['DNS:mdm.example.org'], 'mdm.example.org'],
    [['DNS:*.example.org', 'DNS:MDM.Example.org'], 'mdm.example.org'],
    [['IP Address:203.0.113.5', 'DNS:mdm.example.org', 'DNS:www.example.org'], 'mdm.example.org'],
    [['DNS:*.example.org'], null],
    [['IP Address:203.0.113.5'], null],
    [['DNS:203.0.113.5'], null],
    [['DNS:bad name.example.org'], null],
    [[], null],
  ])('%j -> %s', (names, expected) => {
    expect(publicNameOf(names)).toBe(expected);
  });
});

describe('the device base URL under the public name', () => {
  it.each([
    ['https://192.168.1.20:8443', 'mdm.example.org', 'https://mdm.example.org:8443'],
    ['https://mdm.office.lan:443', 'mdm.example.org', 'https://mdm.example.org'],
    ['', 'mdm.example.org', ''],
  ])('%s with %s -> %s', (office, host, expected) => {
    expect(baseUrlWithHost(office, host)).toBe(expected);
  });
});
