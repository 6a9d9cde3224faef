// The plist parser and the check-in / command-report decoders under random and mutated device bodies: they
// return a value or refuse with their own error (PlistError, AppError MDM_BAD_REQUEST), never anything else,
// and whatever they return converts to JSON for storage.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.js';
import { parsePlist, PlistError } from '../../server/core/plist.js';
import { decodeCheckin, decodeReport } from '../../server/modules/mdm/checkin-messages.js';
import { plistToJson } from '../../server/modules/mdm/plist-json.js';
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
