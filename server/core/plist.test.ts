import { readFixture } from '../../tests/helpers/fixtures.js';
import { describe, expect, it, vi } from 'vitest';
import { buildPlist, parsePlist, type PlistDict } from './plist.js';

const fixture = (p: string) => readFixture('apple', p);
const wrap = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><plist version="1.0">${inner}</plist>`;

describe('parsePlist', () => {
  it('reads Apple check-in bytes with the standard DOCTYPE', () => {
    const tu = parsePlist(fixture('checkin/TokenUpdate.ios.plist')) as PlistDict;
    expect(tu.MessageType).toBe('TokenUpdate');
    expect(Buffer.isBuffer(tu.Token)).toBe(true);
    expect((tu.Token as Buffer).length).toBe(32);
    expect(tu.AwaitingConfiguration).toBe(false);
    const auth = parsePlist(fixture('checkin/Authenticate.ios.plist')) as PlistDict;
    expect(auth).toMatchObject({
      MessageType: 'Authenticate',
      UDID: '663b07bb783e9ade1dae4fbb92ea12afc0ce5b69',
      OSVersion: '9.3.5',
    });
  });

  it('round-trips what buildPlist writes', () => {
    const value = {
      s: 'a<b & "c"',
      i: 42,
      r: 1.5,
      t: true,
      f: false,
      d: Buffer.from([0, 1, 255]),
      a: ['x', 1],
      n: { deep: 'yes' },
      when: new Date('2026-01-01T00:00:00Z'),
    };
    expect(parsePlist(buildPlist(value))).toEqual(value);
  });

  it.each([
    [
      'an internal entity',
      '<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY udid "SPOOFED">]><plist><dict><key>UDID</key><string>&udid;</string></dict></plist>',
      /entities/,
    ],
    [
      'billion laughs',
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><plist><string>&lol2;</string></plist>`,
      /entities/,
    ],
    [
      'an external entity',
      '<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><plist><string>&xxe;</string></plist>',
      /entities/,
    ],
    [
      'a DOCTYPE with an internal subset',
      '<?xml version="1.0"?><!DOCTYPE plist [<!ELEMENT plist ANY>]><plist><string>x</string></plist>',
      /internal subset/,
    ],
    ['an undeclared entity', wrap('<string>&nope;</string>'), /well-formed/],
    ['mismatched tags', wrap('<dict><key>a</key><string>x</dict>'), /well-formed/],
    ['random bytes', Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x9c]), /not UTF-8/],
    ['a binary plist', 'bplist00\u0000\u0001', /Binary plists/],
    ['no plist root', '<?xml version="1.0"?><dict/>', /not a plist/],
    ['a sloppy integer', wrap('<integer>12x</integer>'), /not an <integer>/],
    ['a huge integer', wrap('<integer>99999999999999999999</integer>'), /not an <integer>|out of range/],
    ['bad base64', wrap('<data>@@@</data>'), /not valid base64/],
    ['a bad date', wrap('<date>soon</date>'), /ISO 8601/],
    ['an unknown element', wrap('<script>x</script>'), /not a plist element/],
    ['a duplicate key', wrap('<dict><key>a</key><true/><key>a</key><false/></dict>'), /appears twice/],
    ['a key without value', wrap('<dict><key>a</key></dict>'), /alternate/],
    ['OpenStep text', '{ a = b; }', /well-formed|not a plist/],
    ['a bare ampersand', wrap('<string>a & b</string>'), /well-formed/],
    ['a reference to NUL', wrap('<string>&#0;</string>'), /well-formed/],
    ['an unquoted attribute', '<plist version=1.0><true/></plist>', /well-formed/],
    ['an XML declaration after the start', ' <?xml version="1.0"?><plist><true/></plist>', /well-formed/],
    ['a malformed DOCTYPE', '<!DOCTYPE plist PUBLIC "a<b" "c"><plist><true/></plist>', /well-formed/],
    [
      'markup in a DOCTYPE literal',
      '<!DOCTYPE plist SYSTEM ">\n<dict>"><plist><true/></plist>',
      /DOCTYPE is malformed/,
    ],
    ['an attribute without a name', '<plist \u0000x="1"><true/></plist>', /attribute of <plist> without a name/],
    ['a second root', '<plist><true/></plist><plist><true/></plist>', /well-formed/],
    ['two values', '<plist><true/><false/></plist>', /exactly one value/],
    ['an element inside a string', wrap('<string>a<b/>c</string>'), /only text/],
    ['text inside a dict', wrap('<dict>x<key>a</key><true/></dict>'), /Unexpected text/],
    ['an unclosed plist', '<plist><dict><key>a</key><true/>', /well-formed/],
  ])('refuses %s without logging', (_name, input, message) => {
    const spy = vi.spyOn(console, 'error');
    const warn = vi.spyOn(console, 'warn');
    expect(() => parsePlist(input)).toThrow(message);
    expect(spy).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    spy.mockRestore();
    warn.mockRestore();
  });

  it('bounds size, depth and node count', () => {
    expect(() =>
      parsePlist(wrap(`<string>${'x'.repeat(2000)}</string>`), { maxBytes: 1000, maxDepth: 5, maxNodes: 10 }),
    ).toThrow(/larger than 1000 bytes/);
    expect(() =>
      parsePlist(wrap('<array>'.repeat(10) + '</array>'.repeat(10)), { maxBytes: 10_000, maxDepth: 5, maxNodes: 100 }),
    ).toThrow(/deeper than 5/);
    expect(() =>
      parsePlist(wrap(`<array>${'<true/>'.repeat(20)}</array>`), { maxBytes: 10_000, maxDepth: 5, maxNodes: 10 }),
    ).toThrow(/more than 10 values/);
  });

  it('reads references, CDATA, comments and line endings as XML does', () => {
    const text =
      '<?xml version="1.0" encoding="UTF-8"?>\r\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">' +
      '<!-- c --><plist version="1.0"><dict><!-- d --><key>a&amp;b</key><string>&lt;&#65;&#x1F600;<![CDATA[<&>]]>x<!-- e -->y\r\nz\rw</string>' +
      "<key/><array a='1'><true></true><data>\n AAE=\n</data><integer> 7 </integer></array></dict></plist>\n<!-- end -->";
    expect(parsePlist(text)).toEqual({ 'a&b': '<A😀<&>xy\nz\nw', '': [true, Buffer.from([0, 1]), 7] });
  });

  it('shows at most 64 characters of a name from the body in its error', () => {
    const long = `x${'y'.repeat(5000)}`;
    for (const body of [wrap(`<${long}/>`), wrap(`<array><true/></${long}>`), `<plist ${long}=1><true/></plist>`]) {
      let message = '';
      try {
        parsePlist(body);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/…/);
      expect(message.length).toBeLessThan(200);
    }
  });

  it('keeps __proto__ and constructor as ordinary keys', () => {
    const v = parsePlist(
      wrap('<dict><key>__proto__</key><string>x</string><key>constructor</key><string>y</string></dict>'),
    ) as PlistDict;
    expect(v.__proto__).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
