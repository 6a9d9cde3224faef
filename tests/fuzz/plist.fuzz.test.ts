// The plist parser and the check-in / command-report decoders under random and mutated device bodies: they
// return a value or refuse with their own error (PlistError, AppError MDM_BAD_REQUEST), never anything else,
// and whatever they return converts to JSON for storage.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.js';
import { parsePlist, PlistError, type PlistValue } from '../../server/core/plist.js';
import { decodeCheckin, decodeReport } from '../../server/modules/mdm/checkin-messages.js';
import { plistToJson } from '../../server/modules/mdm/plist-json.js';
import { parsePlistWithDom } from '../helpers/plist-dom-reference.js';
import {
  checkinShapedPlist,
  corpus,
  fuzzParams,
  fuzzTimeout,
  hostilePlist,
  mutatedBytes,
  onlyThrows,
  randomPlist,
  validPlist,
} from './fuzz-kit.js';

const seeds = [...corpus('plist').values()];
const anyBody = fc.oneof(
  mutatedBytes(seeds),
  validPlist.map((s) => Buffer.from(s)),
  randomPlist.map((s) => Buffer.from(s)),
  checkinShapedPlist.map((s) => Buffer.from(s)),
  hostilePlist.map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 512 }).map((u) => Buffer.from(u)),
);

// The corners of XML a plist reader meets: references, CDATA, comments and instructions where values go, attributes,
// line endings, white space, text between elements, and markup after the root.
const xmlPiece = fc.constantFrom(
  '<string>a&amp;b&lt;&gt;&quot;&apos;</string>',
  '<string>&#65;&#x42;&#x1F600;</string>',
  '<string>&#0;</string>',
  '<string>&#xD800;</string>',
  '<string>&bogus;</string>',
  '<string>a & b</string>',
  '<string><![CDATA[<x>&]]></string>',
  '<string>a<!-- c -->b</string>',
  '<string>a<?pi x?>b</string>',
  '<string>a<b/>c</string>',
  '<string>line\r\nnext\rlast</string>',
  '<string/>',
  '<string></string >',
  '<key>k</key>',
  '<true></true>',
  '<true> </true>',
  '<true><!--c--></true>',
  '<false/>',
  '<integer> 42 </integer>',
  '<integer>4<!--x-->2</integer>',
  '<real>1e3</real>',
  '<date>2026-01-01T00:00:00Z</date>',
  '<data>AAE=</data>',
  '<data>\n  AAE=\n</data>',
  '<data/>',
  '<dict/>',
  '<array/>',
  '<dict><key>a</key><string>x</string></dict>',
  '<dict><key/><string>x</string></dict>',
  '<dict>&#32;<key>a</key><true/></dict>',
  '<dict>\u00a0<key>a</key><true/></dict>',
  '<dict> x <key>a</key><true/></dict>',
  '<dict><!-- c --><key>a</key><!-- d --><true/></dict>',
  '<dict><?pi?><key>a</key><true/></dict>',
  '<dict><![CDATA[ ]]><key>a</key><true/></dict>',
  '<array a="1" b=\'2\'><true/></array>',
  '<array a="1" a="2"><true/></array>',
  '<array a=1><true/></array>',
  '<array a="<"><true/></array>',
  '<array a="&amp;"><true/></array>',
  '<array a="&x;"><true/></array>',
  '<array a="1"b="2"><true/></array>',
  '<array><true/></array >',
  '<array><true/></arr>',
  '<array><true/>',
  '< array/>',
  '<array/ >',
  '<x:y/>',
);
const xmlEdges = fc
  .tuple(
    fc.constantFrom('', '<?xml version="1.0" encoding="UTF-8"?>\n', '\uFEFF', ' \n'),
    fc.constantFrom(
      '',
      '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n',
      '<!-- before -->',
      '<?pi x?>',
    ),
    fc.constantFrom('<plist version="1.0">', '<plist>', '<plist >', '<dict>', '<plist version="1.0" >'),
    fc.array(xmlPiece, { maxLength: 3 }),
    fc.constantFrom('</plist>', '</plist >', '', '</dict>'),
    fc.constantFrom('', '\n', '<!-- after -->', '<?pi?>', 'text', '<plist/>', '<!DOCTYPE x>'),
  )
  .map((parts) => Buffer.from(parts.join('')));

const badRequest = (err: Error) => (err as AppError).code === 'MDM_BAD_REQUEST';

/** The dictionary keys of a plist value and of its JSON form, path by path. */
function keyPaths(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, `${path}/${i}`));
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value) || value instanceof Date) return [];
  const own = value as Record<string, unknown>;
  return Object.keys(own).flatMap((k) => [`${path}/${k}`, ...keyPaths(own[k], `${path}/${k}`)]);
}

describe('fuzz: the plist parser and the device message decoders', () => {
  it('parses the seed corpus (the seeds are valid device messages)', () => {
    for (const seed of seeds) expect(typeof parsePlist(seed)).toBe('object');
  });

  it(
    'parsePlist returns a value or throws PlistError',
    () => {
      fc.assert(
        fc.property(anyBody, (body) => {
          const value = onlyThrows(() => parsePlist(body), [PlistError]);
          if (value !== undefined) JSON.stringify(plistToJson(value));
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(),
  );

  it(
    'the hand-written reader and the DOM parser it replaced agree: the same value, or both refuse',
    () => {
      const outcome = (parse: () => PlistValue) => {
        try {
          return { value: parse() };
        } catch (err) {
          if (err instanceof PlistError) return { refused: err.message };
          throw err;
        }
      };
      // XML rules the DOM parser does not hold a document to, and the reader does: a value-less, unquoted or unspaced
      // attribute, a bare "&", a reference to a character XML forbids (&#0;), "/ >"; and one rule beyond XML's: no "<"
      // or ">" in a DOCTYPE's literals.
      const stricter = /attribute|the entity &|character reference|not closed properly|DOCTYPE/;
      fc.assert(
        fc.property(fc.oneof(anyBody, xmlEdges), (body) => {
          const reader = outcome(() => parsePlist(body));
          const dom = outcome(() => parsePlistWithDom(body));
          if ('value' in reader) expect(dom).toEqual(reader);
          else if ('value' in dom) expect(reader.refused).toMatch(stricter);
        }),
        fuzzParams(2),
      );
    },
    fuzzTimeout(2),
  );

  it(
    'plistToJson keeps every key a device sent (what is stored is what was sent)',
    () => {
      fc.assert(
        fc.property(validPlist, (text) => {
          const value = parsePlist(text);
          const json = JSON.parse(JSON.stringify(plistToJson(value))) as unknown;
          expect(keyPaths(json).filter((p) => !p.endsWith('/$data'))).toEqual(keyPaths(value));
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(),
  );

  it(
    'decodeCheckin returns a message or throws MDM_BAD_REQUEST',
    () => {
      fc.assert(
        fc.property(anyBody, (body) => {
          onlyThrows(() => decodeCheckin(body), [AppError], badRequest);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(),
  );

  it(
    'decodeReport returns a report whose result converts to JSON, or throws MDM_BAD_REQUEST',
    () => {
      fc.assert(
        fc.property(anyBody, (body) => {
          const report = onlyThrows(() => decodeReport(body), [AppError], badRequest);
          if (report) JSON.stringify(plistToJson(report.result));
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(),
  );
});
