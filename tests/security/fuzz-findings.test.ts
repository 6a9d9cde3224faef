// What the fuzz properties in tests/fuzz found, each kept as the counterexample fast-check shrank it to (or a
// sharper form of it), so that the fix stays in place without a fuzz run.
import { describe, expect, it } from 'vitest';
import { parsePlist } from '../../server/core/plist.js';
import { plistToJson } from '../../server/modules/mdm/plist-json.js';

describe('fuzz findings', () => {
  // tests/fuzz/plist.fuzz.test.ts "plistToJson keeps every key a device sent", seed -2039721472: a device
  // key named __proto__ was assigned with `out[k] =`, which set the prototype of the stored object (to
  // device data) instead of storing the key, so the key vanished from the command result and device info.
  it('stores a device key named __proto__ as a key, and never as a prototype', () => {
    const value = parsePlist(
      '<plist><array><dict><key>__proto__</key><real>0</real></dict>' +
        '<dict><key>__proto__</key><dict><key>isAdmin</key><true/></dict></dict></array></plist>',
    );
    const json = plistToJson(value) as Record<string, unknown>[];
    expect(JSON.stringify(json)).toBe('[{"__proto__":0},{"__proto__":{"isAdmin":true}}]');
    expect(Object.keys(json[1] as object)).toEqual(['__proto__']);
    expect((json[1] as { isAdmin?: unknown }).isAdmin).toBeUndefined();
    expect(Object.getPrototypeOf(json[1])).toBe(Object.prototype);
  });
});
