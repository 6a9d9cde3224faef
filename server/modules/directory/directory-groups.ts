import type { Entry } from 'ldapts';
import { escapeFilterValue, normalizeDn } from './directory-mapping.js';

/**
 * Active Directory's LDAP_MATCHING_RULE_IN_CHAIN (MS-ADTS 3.1.1.3.4.4.3): `(member:1.2.840.113556.1.4.1941:=<dn>)`
 * matches the groups `<dn>` belongs to directly or through nested groups, walked by the domain controller.
 */
export const IN_CHAIN_RULE = '1.2.840.113556.1.4.1941';

/** How many levels of groups in groups are followed (OpenLDAP, where the server walks nothing). */
export const NESTED_GROUP_DEPTH = 5;

/** At most this many groups are visited when a sign-in walks up from a person to the allowed groups. */
export const MAX_WALKED_GROUPS = 1000;

/** Member DNs in one OR filter (filters stay small; a directory may cap their size). */
const BATCH = 50;

/**
 * The values of an attribute in a search result that may be ranged. Active Directory answers a group of more than
 * 1,500 members (its MaxValRange) with `member;range=0-1499` instead of `member`, and the rest must be asked for as
 * `member;range=1500-*` and so on, until the range ends in `*`. `next` is where the next range starts, null when the
 * values are complete.
 */
export function rangedValues(entry: Entry, attribute: string): { values: string[]; next: number | null } {
  const want = attribute.toLowerCase();
  const strings = (v: unknown): string[] =>
    (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) =>
      Buffer.isBuffer(x) ? x.toString('utf8') : String(x),
    );
  let plain: string[] | null = null;
  for (const key of Object.keys(entry)) {
    const lower = key.toLowerCase();
    if (lower === want) {
      plain = strings(entry[key]);
      continue;
    }
    const m = /^([^;]+);range=(\d+)-(\d+|\*)$/.exec(lower);
    if (m && m[1] === want) {
      const end = m[3] as string;
      return { values: strings(entry[key]), next: end === '*' ? null : Number(end) + 1 };
    }
  }
  return { values: plain ?? [], next: null };
}

/**
 * Every value of a possibly ranged attribute of `first` (a search result), asking for the further ranges with
 * `fetchRange(dn, 'member;range=1500-*')` (a base search of the entry for that one attribute). Stops once more than
 * `limit` values arrived (the caller refuses that many), or when a range does not move forward.
 */
export async function allRangedValues(
  first: Entry,
  attribute: string,
  fetchRange: (dn: string, rangedAttribute: string) => Promise<Entry | undefined>,
  limit: number,
): Promise<string[]> {
  let { values, next } = rangedValues(first, attribute);
  const out = [...values];
  let from = 0;
  while (next !== null && next > from && out.length <= limit) {
    from = next;
    const more = await fetchRange(String(first.dn), `${attribute};range=${next}-*`);
    if (!more) break;
    ({ values, next } = rangedValues(more, attribute));
    out.push(...values);
  }
  return out;
}

/** What expanding group membership needs from the directory. */
export interface GroupLookups {
  /** A base search of one entry for one ranged attribute (see {@link allRangedValues}). */
  fetchRange(dn: string, rangedAttribute: string): Promise<Entry | undefined>;
  /** Which of these DNs are groups (entries with the member attribute), with that attribute. */
  groupsAmong(dns: string[]): Promise<Entry[]>;
}

/**
 * The normalized DNs of every member of `groups` (the groups the group filter selected), following groups in groups
 * down to {@link NESTED_GROUP_DEPTH} levels: members that are not people (`isPerson`, by normalized DN) are looked up
 * as groups. Cycles are visited once. More than `maxMembers` members throws `tooMany()`.
 */
export async function expandMembers(
  groups: Entry[],
  attribute: string,
  isPerson: (normalizedDn: string) => boolean,
  lookups: GroupLookups,
  maxMembers: number,
  tooMany: () => Error,
): Promise<Set<string>> {
  const members = new Set<string>();
  const seen = new Set<string>();
  let level = groups;
  for (let depth = 0; level.length > 0; depth++) {
    const candidates: string[] = [];
    for (const group of level) {
      const key = normalizeDn(String(group.dn));
      if (seen.has(key)) continue;
      seen.add(key);
      for (const value of await allRangedValues(group, attribute, lookups.fetchRange, maxMembers)) {
        const dn = normalizeDn(value);
        if (members.has(dn)) continue;
        members.add(dn);
        if (members.size > maxMembers) throw tooMany();
        if (!isPerson(dn) && !seen.has(dn)) candidates.push(value);
      }
    }
    if (depth >= NESTED_GROUP_DEPTH || candidates.length === 0) break;
    level = [];
    for (let i = 0; i < candidates.length; i += BATCH)
      level.push(...(await lookups.groupsAmong(candidates.slice(i, i + BATCH))));
  }
  return members;
}

/** An OR of `(attribute=<dn>)` for each DN, every value RFC 4515-escaped. */
export function anyOf(attribute: string, dns: readonly string[]): string {
  const parts = dns.map((dn) => `(${attribute}=${escapeFilterValue(dn)})`);
  return parts.length === 1 ? (parts[0] as string) : `(|${parts.join('')})`;
}

/** What walking up from a person to the allowed groups needs from the directory. */
export interface WalkLookups {
  /** Whether a group the group filter selects has one of these DNs as a member (the filter: {@link anyOf}). */
  allowedHasAny(memberFilter: string): Promise<boolean>;
  /** The DNs of the groups that have one of these DNs as a member, at most `limit`. */
  parentsOf(memberFilter: string, limit: number): Promise<string[]>;
}

/**
 * Whether `dn` belongs to an allowed group directly or through groups in groups (up to {@link NESTED_GROUP_DEPTH}
 * levels, at most {@link MAX_WALKED_GROUPS} groups): each level asks whether an allowed group lists one of the DNs of
 * the level, then which groups list them, which become the next level.
 */
export async function walkUp(dn: string, attribute: string, lookups: WalkLookups): Promise<boolean> {
  const seen = new Set([normalizeDn(dn)]);
  let level = [dn];
  for (let depth = 0; depth <= NESTED_GROUP_DEPTH && level.length > 0; depth++) {
    for (let i = 0; i < level.length; i += BATCH)
      if (await lookups.allowedHasAny(anyOf(attribute, level.slice(i, i + BATCH)))) return true;
    if (depth === NESTED_GROUP_DEPTH) break;
    const next: string[] = [];
    for (let i = 0; i < level.length && seen.size < MAX_WALKED_GROUPS; i += BATCH) {
      for (const parent of await lookups.parentsOf(anyOf(attribute, level.slice(i, i + BATCH)), MAX_WALKED_GROUPS)) {
        const key = normalizeDn(parent);
        if (seen.has(key) || seen.size >= MAX_WALKED_GROUPS) continue;
        seen.add(key);
        next.push(parent);
      }
    }
    level = next;
  }
  return false;
}
