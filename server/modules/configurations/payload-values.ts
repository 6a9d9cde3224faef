import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { AppError } from '../../core/errors.js';

// The checks every configuration builder runs on what an admin typed: a value that reaches a device is a plain,
// bounded, well-formed string, list or number, or the builder refuses it with CONFIGURATION_INVALID naming the field.

/** The identifier prefix of everything this server installs; uploaded profiles may not use it. */
export const OUR_IDENTIFIER_PREFIX = 'app.tsunagu.';

/** Why a configuration value was refused, for the console to point at the field. */
export type InvalidReason =
  'required' | 'type' | 'length' | 'characters' | 'range' | 'format' | 'not-allowed' | 'too-many' | 'duplicate';

/** A CONFIGURATION_INVALID error for `field` with a message that says what to enter instead. */
export function invalid(field: string, reason: InvalidReason, message: string): AppError {
  return new AppError('CONFIGURATION_INVALID', message, { field, reason });
}

// XML 1.0 cannot carry C0 controls (other than tab and newlines, which no single-line value needs), and a plist
// reader may choke on DEL, C1 controls, noncharacters and unpaired surrogates.
const UNSAFE_CHARS =
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  /[\u0000-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A single-line string of `min` to `max` characters (UTF-16 units), without control characters. */
export function text(field: string, value: unknown, min: number, max: number): string {
  if (value === undefined || value === null || value === '') {
    if (min === 0) return '';
    throw invalid(field, 'required', `Enter ${field}.`);
  }
  if (typeof value !== 'string') throw invalid(field, 'type', `${field} must be text.`);
  if (value.length < min || value.length > max)
    throw invalid(field, 'length', `${field} must be ${min} to ${max} characters long.`);
  if (UNSAFE_CHARS.test(value))
    throw invalid(field, 'characters', `${field} contains control characters or invalid Unicode; type it again.`);
  return value;
}

/** An optional single-line string: undefined when absent or empty. */
export function optionalText(field: string, value: unknown, max: number): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return text(field, value, 1, max);
}

/** A boolean, or `fallback` when absent. */
export function flag(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(field, 'type', `${field} must be true or false.`);
  return value;
}

/** An integer within [min, max], or undefined when absent. */
export function optionalInteger(field: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw invalid(field, 'type', `${field} must be a whole number.`);
  if (value < min || value > max) throw invalid(field, 'range', `${field} must be between ${min} and ${max}.`);
  return value;
}

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const WILDCARD_LABEL = /^(\*|[A-Za-z0-9*]([A-Za-z0-9*-]{0,61}[A-Za-z0-9*])?)$/;
/**
 * A DNS host name (no trailing dot), or with `wildcards` a name pattern such as `radius.*.example.com`: a wildcard
 * never stands in the last two labels (`*` or `*.com` would trust any name the anchor CA ever signed). With `ip`, an
 * IPv4 or IPv6 address is accepted too.
 */
export function hostName(field: string, value: unknown, options: { wildcards?: boolean; ip?: boolean } = {}): string {
  const v = text(field, value, 1, 253);
  if (options.ip && isIP(v) !== 0) return v;
  const labels = v.split('.');
  const ok = labels.every((l) => (options.wildcards ? WILDCARD_LABEL : LABEL).test(l));
  const wildcard = v.includes('*');
  if (!ok || (wildcard && (labels.length < 3 || labels.slice(-2).some((l) => l.includes('*')))))
    throw invalid(
      field,
      'format',
      `${field} must be a host name such as radius.example.com${options.ip ? ' or an IP address' : ''}${
        options.wildcards ? ' (a * may stand for labels before the last two)' : ''
      }.`,
    );
  return v;
}

/** A list of `min` to `max` distinct items, each checked by `item`. */
export function list<T>(field: string, value: unknown, min: number, max: number, item: (v: unknown) => T): T[] {
  if (value === undefined || value === null) value = [];
  if (!Array.isArray(value)) throw invalid(field, 'type', `${field} must be a list.`);
  if (value.length > max) throw invalid(field, 'too-many', `${field} holds at most ${max} entries.`);
  if (value.length < min)
    throw invalid(field, 'required', `${field} needs at least ${min} entr${min === 1 ? 'y' : 'ies'}.`);
  const out = value.map(item);
  if (new Set(out.map((v) => JSON.stringify(v))).size !== out.length)
    throw invalid(field, 'duplicate', `${field} lists an entry twice.`);
  return out;
}

/** A value that must be one of `allowed`. */
export function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw invalid(field, 'not-allowed', `${field} must be one of ${allowed.join(', ')}.`);
  return value as T;
}

/**
 * A UUID derived from `parts` (SHA-256, shaped as an RFC 9562 version 8 UUID, upper case as Apple writes them):
 * the same configuration version always has the same PayloadUUIDs, so the server can tell from a device's
 * ProfileList which version it holds.
 */
export function derivedUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x80;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Identifiers and name of one payload in a profile. */
export interface PayloadIds {
  identifier: string;
  uuid: string;
  displayName: string;
}
