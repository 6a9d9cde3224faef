import { describe, expect, it } from 'vitest';
import { HELPER_TAIL_BYTES, kindOfName, looksLike, servedName } from './helper-file.js';

const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100)]);
const pkg = Buffer.concat([Buffer.from('xar!', 'latin1'), Buffer.alloc(100)]);
const dmg = Buffer.concat([Buffer.alloc(2048, 7), Buffer.from('koly', 'latin1'), Buffer.alloc(508)]);
const tailOf = (b: Buffer) => b.subarray(Math.max(0, b.length - HELPER_TAIL_BYTES));

describe('kindOfName', () => {
  it.each([
    ['Tsunagu Helper.dmg', 'dmg'],
    ['TSUNAGU-HELPER.PKG', 'pkg'],
    ['helper-1.2.zip', 'zip'],
    ['helper.dmg ', 'dmg'],
    ['helper.exe', null],
    ['helper.dmg.exe', null],
    ['dmg', null],
    ['', null],
  ])('%j is %j', (name, kind) => {
    expect(kindOfName(name)).toBe(kind);
  });

  it('serves each kind under a stable name', () => {
    expect(servedName('pkg')).toBe('tsunagu-helper.pkg');
  });
});

describe('looksLike', () => {
  it.each([
    ['zip', 'a zip', zip, true],
    ['pkg', 'a flat package', pkg, true],
    ['dmg', 'a disk image', dmg, true],
    ['zip', 'a flat package', pkg, false],
    ['pkg', 'a zip', zip, false],
    ['dmg', 'a zip', zip, false],
    ['dmg', 'a trailer magic with no image', Buffer.from('koly'), false],
    ['zip', 'nothing', Buffer.alloc(0), false],
    ['zip', 'an empty zip', Buffer.from('PK\x05\x06', 'latin1'), false],
  ] as const)('%s over %s: %s', (kind, _what, bytes, ok) => {
    expect(looksLike(kind, bytes.subarray(0, 8), tailOf(bytes), bytes.length)).toBe(ok);
  });
});
