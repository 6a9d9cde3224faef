import type { Entry } from 'ldapts';
import type { DirectoryMapping, DirectoryPersonDto } from '../../contract/directory.js';
import { emailProblem } from '../../core/validate.js';

/** The attribute mapping each preset starts from, and the user filter it suggests (shared with the console). */
export {
  DIRECTORY_PRESETS as PRESETS,
  DIRECTORY_PRESET_USER_FILTERS as PRESET_USER_FILTERS,
} from '../../contract/directory.js';

// MS-ADTS 2.2.16: userAccountControl bit 0x2 is ACCOUNTDISABLE.
const ACCOUNTDISABLE = 0x2;

/** Attributes whose values are binary (read as buffers, not UTF-8). */
export const BINARY_ATTRIBUTES = ['objectGUID'];

/**
 * An RFC 4515 §3 assertion value: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`, `\5c`, `\00`, so a value
 * (a login name someone typed) can never change the filter's structure.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * objectGUID as Active Directory shows it: the 16 bytes are a Windows GUID, whose first three fields are little-endian
 * (MS-DTYP 2.3.4.2), e.g. `6f9619ff-8b86-d011-b42d-00c04fc964ff`.
 */
export function guidString(bytes: Buffer): string {
  if (bytes.length !== 16) return bytes.toString('hex');
  const h = (from: number, to: number, reverse: boolean) => {
    const part = Buffer.from(bytes.subarray(from, to));
    return (reverse ? part.reverse() : part).toString('hex');
  };
  return [h(0, 4, true), h(4, 6, true), h(6, 8, true), h(8, 10, false), h(10, 16, false)].join('-');
}

/**
 * The filter assertion value that finds an entry by the unique id as stored: objectGUID (binary) as its 16 bytes
 * escaped one by one (`\hh`, the GUID's first three fields little-endian again), anything else RFC 4515-escaped.
 */
export function uniqueIdAssertion(externalId: string, attribute: string): string {
  const guid = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/.exec(externalId);
  if (attribute.toLowerCase() === 'objectguid' && guid) {
    const le = (hex: string) => Buffer.from(hex, 'hex').reverse();
    const be = (hex: string) => Buffer.from(hex, 'hex');
    const [, a, b, c, d, e] = guid as unknown as [string, string, string, string, string, string];
    const bytes = Buffer.concat([le(a), le(b), le(c), be(d), be(e)]);
    return [...bytes].map((x) => `\\${x.toString(16).padStart(2, '0')}`).join('');
  }
  return escapeFilterValue(externalId);
}

function first(entry: Entry, attribute: string): string | Buffer | undefined {
  // ldapts keys attributes by the name the server returned; match without regard to case.
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  if (!key) return undefined;
  const v = entry[key];
  return Array.isArray(v) ? v[0] : v;
}

function text(entry: Entry, attribute: string): string {
  const v = first(entry, attribute);
  return v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

/** The attributes a search must ask for under this mapping. */
export function attributesOf(m: DirectoryMapping): string[] {
  const attrs = new Set([m.uniqueId, m.email, m.displayName, m.login]);
  if (m.disabledFlag === 'userAccountControl') attrs.add('userAccountControl');
  return [...attrs];
}

/** One entry as a person, or why it cannot become a user. */
export function personOf(entry: Entry, m: DirectoryMapping): DirectoryPersonDto | { dn: string; reason: string } {
  const dn = String(entry.dn);
  const rawId = first(entry, m.uniqueId);
  const externalId =
    rawId === undefined ? '' : Buffer.isBuffer(rawId) ? guidString(rawId) : String(rawId).toLowerCase();
  if (!externalId) return { dn, reason: `no ${m.uniqueId}` };
  if (externalId.length > 200) return { dn, reason: `${m.uniqueId} is longer than 200 characters` };
  const email = text(entry, m.email).trim();
  const problem = email ? emailProblem(email) : `no ${m.email}`;
  if (problem) return { dn, reason: `${m.email}: ${problem}` };
  const login = text(entry, m.login).trim().slice(0, 256);
  const displayName = (text(entry, m.displayName).trim() || login || email).slice(0, 200);
  const uac = m.disabledFlag === 'userAccountControl' ? Number(text(entry, 'userAccountControl')) : 0;
  return {
    externalId,
    dn,
    email,
    displayName,
    login,
    disabled: Number.isFinite(uac) && (uac & ACCOUNTDISABLE) !== 0,
  };
}

/** A DN in the form the group comparison uses (case and spaces around separators ignored). */
export function normalizeDn(dn: string): string {
  return dn
    .split(/(?<!\\),/)
    .map((rdn) =>
      rdn
        .trim()
        .toLowerCase()
        .replace(/\s*=\s*/, '='),
    )
    .join(',');
}
