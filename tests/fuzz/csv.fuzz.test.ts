// The CSV reader and the user-import decoder under random and mutated files: parseCsv returns records or
// throws CsvSyntaxError, parseUserCsv never throws (every problem is a row error), decodeCsvBytes decodes or
// throws CSV_INVALID, and a file of quoted cells reads back as the cells it was written from.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.js';
import { csvCell, CsvSyntaxError, parseCsv } from '../../server/core/csv.js';
import { decodeCsvBytes, parseUserCsv } from '../../server/modules/users/users-csv.js';
import { corpus, fuzzParams, fuzzTimeout, mutatedBytes, onlyThrows } from './fuzz-kit.js';

const seeds = [...corpus('csv').values()];

// Text rich in the characters CSV cares about.
const csvText = fc.oneof(
  fc.string({ unit: fc.constantFrom('"', ',', '\r', '\n', 'a', ' ', '\uFEFF', 'メ', '='), maxLength: 200 }),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  mutatedBytes(seeds).map((b) => b.toString('utf8')),
  fc
    .tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('a@example.com,A\n', '"x\n', ',,,,,,,,\n', '\r\n'))
    .map(([n, line]) => `email,display_name\n${line.repeat(n)}`),
);

describe('fuzz: CSV import', () => {
  it('reads the seed corpus', () => {
    for (const seed of seeds) expect(typeof decodeCsvBytes(seed)).toBe('string');
  });

  it(
    'parseCsv returns records or throws CsvSyntaxError',
    () => {
      fc.assert(
        fc.property(csvText, (text) => void onlyThrows(() => parseCsv(text), [CsvSyntaxError])),
        fuzzParams(),
      );
    },
    fuzzTimeout(),
  );

  it(
    'parseUserCsv never throws, and a refused file yields no users',
    () => {
      fc.assert(
        fc.property(csvText, (text) => {
          const parsed = parseUserCsv(text);
          if (parsed.errors.length > 0 && parsed.users.length > 0)
            for (const e of parsed.errors) expect(e.row).toBeGreaterThan(0);
          expect(parsed.lines.length).toBe(parsed.users.length);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(),
  );

  it(
    'decodeCsvBytes decodes or throws CSV_INVALID',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(
            mutatedBytes(seeds),
            fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)),
          ),
          (bytes) =>
            void onlyThrows(
              () => decodeCsvBytes(bytes),
              [AppError],
              (e) => (e as AppError).code === 'CSV_INVALID',
            ),
        ),
        fuzzParams(),
      );
    },
    fuzzTimeout(),
  );

  it(
    'cells written with csvCell read back (less the formula apostrophe)',
    () => {
      fc.assert(
        fc.property(
          fc.array(fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 5 }), { maxLength: 5 }),
          (rows) => {
            const text = rows.map((r) => r.map(csvCell).join(',')).join('\r\n');
            const read = parseCsv(text).map((r) => r.fields);
            const expected = rows
              .filter((r) => !(r.length === 1 && r[0] === ''))
              .map((r) => r.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c)));
            expect(read).toEqual(expected);
          },
        ),
        fuzzParams(),
      );
    },
    fuzzTimeout(),
  );
});
