// A device's plist is bounded in depth and values before the XML parser builds a tree of it: a megabyte of nested
// <array> or of 140,000 <true/> cost the parser most of a second of event-loop time (849 ms and 710 ms here) before
// the limits refused it, and a tag scan costs a few milliseconds (`node` on the built server, issue 12 note).
// The proof that the scan comes first without timing: an input that is too deep (or too big) AND malformed at its
// end is refused for its shape, not for its XML, which only the parser can see.
import { describe, expect, it } from 'vitest';
import { DEVICE_PLIST_LIMITS, parsePlist, PlistError } from '../../server/core/plist.js';

const HEAD = '<?xml version="1.0" encoding="UTF-8"?><plist version="1.0">';
const refusal = (text: string): string => {
  try {
    parsePlist(text);
  } catch (err) {
    expect(err).toBeInstanceOf(PlistError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('a device plist too deep or too big', () => {
  it('is refused for its depth before it is parsed', () => {
    const deep = `${HEAD}${'<array>'.repeat(60_000)}</dict>`;
    expect(refusal(deep)).toBe(`The plist nests deeper than ${DEVICE_PLIST_LIMITS.maxDepth} levels.`);
  });

  it('is refused for its size before it is parsed', () => {
    const many = `${HEAD}<array>${'<true/>'.repeat(140_000)}</dict></plist>`;
    expect(refusal(many)).toBe(`The plist has more than ${DEVICE_PLIST_LIMITS.maxNodes} values.`);
  });

  it('still passes a plist at the limits, with comments and CDATA that hold tags', () => {
    const nest = (n: number): string => (n === 0 ? '<true/>' : `<array>${nest(n - 1)}</array>`);
    const atDepth = `${HEAD}<!-- ${'<array>'.repeat(100)} -->${nest(DEVICE_PLIST_LIMITS.maxDepth - 1)}</plist>`;
    expect(() => parsePlist(atDepth)).not.toThrow();
    // The most values that fit the byte limit: an array of <true/> (one element each) up to the value limit, and a
    // dict (two elements each: the key and the value) as large as a megabyte allows.
    const cdata = `<string><![CDATA[${'<a>'.repeat(100)}]]></string>`;
    const atSize = `${HEAD}<array>${cdata}${'<true/>'.repeat(DEVICE_PLIST_LIMITS.maxNodes - 2)}</array></plist>`;
    expect(() => parsePlist(atSize)).not.toThrow();
    const entries = Array.from({ length: 40_000 }, (_, i) => `<key>${i.toString(36)}</key><true/>`);
    expect(() => parsePlist(`${HEAD}<dict>${entries.join('')}</dict></plist>`)).not.toThrow();
  });
});
