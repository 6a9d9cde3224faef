import { FilterParser, type Entry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  allRangedValues,
  anyOf,
  expandMembers,
  IN_CHAIN_RULE,
  MAX_WALKED_GROUPS,
  NESTED_GROUP_DEPTH,
  rangedValues,
  walkUp,
} from './directory-groups.js';
import { guidString, uniqueIdAssertion } from './directory-mapping.js';

const member = (n: number) => `CN=User ${n},OU=People,DC=corp,DC=example`;
const members = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => member(from + i));

/**
 * A stand-in for Active Directory's answers about one big group (MaxValRange 1,500): a search result names the
 * attribute `member;range=<first>-<last>`, the last range `member;range=<first>-*`. OpenLDAP cannot serve ranged
 * attributes, so this shape is all the tests can use.
 */
function adGroup(dn: string, total: number, maxValRange = 1500) {
  const asked: string[] = [];
  const range = (start: number): Entry => {
    const last = Math.min(start + maxValRange, total) - 1;
    const end = last === total - 1 ? '*' : String(last);
    return { dn, [`member;range=${start}-${end}`]: members(start + 1, last + 1) } as Entry;
  };
  return {
    asked,
    first: total > maxValRange ? range(0) : ({ dn, member: members(1, total) } as Entry),
    fetchRange: async (entryDn: string, attribute: string) => {
      asked.push(attribute);
      expect(entryDn).toBe(dn);
      const m = /^member;range=(\d+)-\*$/.exec(attribute);
      if (!m) throw new Error(`unexpected attribute ${attribute}`);
      return range(Number(m[1]));
    },
  };
}

describe('ranged member attributes (Active Directory)', () => {
  it('reads a ranged result: the values and where the next range starts', () => {
    const e = { dn: 'CN=Big', 'member;range=0-1499': members(1, 1500) } as Entry;
    expect(rangedValues(e, 'member')).toEqual({ values: members(1, 1500), next: 1500 });
    expect(rangedValues({ dn: 'x', 'Member;Range=1500-*': [member(1501)] } as Entry, 'member')).toEqual({
      values: [member(1501)],
      next: null,
    });
    // AD also sends an empty plain attribute beside the ranged one; the range wins.
    expect(rangedValues({ dn: 'x', member: [], 'member;range=0-1499': [member(1)] } as Entry, 'member').next).toBe(
      1500,
    );
    expect(rangedValues({ dn: 'x', member: member(7) } as Entry, 'member')).toEqual({
      values: [member(7)],
      next: null,
    });
    expect(rangedValues({ dn: 'x', memberOf: ['y'] } as Entry, 'member')).toEqual({ values: [], next: null });
    expect(rangedValues({ dn: 'x', 'other;range=0-9': ['y'] } as Entry, 'member')).toEqual({ values: [], next: null });
  });

  it('asks for the further ranges until one ends in *, and gets every member once', async () => {
    const big = adGroup('CN=Everyone,DC=corp,DC=example', 3200);
    const all = await allRangedValues(big.first, 'member', big.fetchRange, 100_000);
    expect(all).toEqual(members(1, 3200));
    expect(big.asked).toEqual(['member;range=1500-*', 'member;range=3000-*']);
    const small = adGroup('CN=Few', 12);
    expect(await allRangedValues(small.first, 'member', small.fetchRange, 100_000)).toHaveLength(12);
    expect(small.asked).toEqual([]);
  });

  it('stops past the limit, and when a range does not move forward', async () => {
    const big = adGroup('CN=Huge', 10_000);
    const some = await allRangedValues(big.first, 'member', big.fetchRange, 2000);
    expect(some.length).toBeLessThanOrEqual(3000);
    expect(some.length).toBeGreaterThan(2000);
    let calls = 0;
    const stuck = await allRangedValues(
      { dn: 'CN=Stuck', 'member;range=0-1': [member(1), member(2)] } as Entry,
      'member',
      async () => {
        calls++;
        return { dn: 'CN=Stuck', 'member;range=0-1': [member(1), member(2)] } as Entry;
      },
      100,
    );
    expect(calls).toBe(1);
    expect(stuck).toHaveLength(4);
  });
});

describe('nested groups', () => {
  const group = (dn: string, list: string[]) => ({ dn, member: list }) as Entry;

  it('expands groups in groups, visits a cycle once, and reads big nested groups by ranges', async () => {
    const big = adGroup('CN=Big', 1600);
    const graph: Record<string, Entry> = {
      'cn=team,dc=x': group('CN=Team,DC=x', [member(2001), 'CN=Sub,DC=x']),
      'cn=sub,dc=x': group('CN=Sub,DC=x', [member(2002), 'CN=Team,DC=x']),
      'cn=big': big.first,
    };
    const people = new Set([...members(1, 1600), member(1), member(2001), member(2002)].map((d) => d.toLowerCase()));
    const asked: string[][] = [];
    const got = await expandMembers(
      [group('CN=Staff,DC=x', [member(1), 'CN=Team,DC=x', 'CN=Big']), group('CN=Staff,DC=x', [])],
      'member',
      (dn) => people.has(dn.replace(/, */g, ',')),
      {
        fetchRange: big.fetchRange,
        groupsAmong: async (dns) => {
          asked.push(dns);
          return dns.map((d) => graph[d.toLowerCase()]).filter((e): e is Entry => e !== undefined);
        },
      },
      100_000,
      () => new Error('too many'),
    );
    const normalized = (dn: string) => dn.toLowerCase();
    expect(got.has(normalized(member(2002)))).toBe(true);
    expect(got.has(normalized(member(1600)))).toBe(true);
    expect(got.has(normalized(member(1)))).toBe(true);
    expect(asked).toEqual([['CN=Team,DC=x', 'CN=Big'], ['CN=Sub,DC=x']]);
  });

  it(`follows at most ${NESTED_GROUP_DEPTH} levels, and refuses more members than the limit`, async () => {
    // g0 > g1 > ... > g9, each with one person.
    const chain = Array.from({ length: 10 }, (_, i) => group(`cn=g${i}`, [`uid=p${i}`, `cn=g${i + 1}`]));
    const got = await expandMembers(
      [chain[0] as Entry],
      'member',
      (dn) => dn.startsWith('uid='),
      {
        fetchRange: async () => undefined,
        groupsAmong: async (dns) => dns.map((d) => chain[Number(d.slice(4))]).filter((e): e is Entry => !!e),
      },
      100,
      () => new Error('too many'),
    );
    expect([...got].filter((d) => d.startsWith('uid=')).sort()).toEqual(
      Array.from({ length: NESTED_GROUP_DEPTH + 1 }, (_, i) => `uid=p${i}`),
    );
    await expect(
      expandMembers(
        [group('cn=all', members(1, 50))],
        'member',
        () => true,
        { fetchRange: async () => undefined, groupsAmong: async () => [] },
        49,
        () => new Error('too many'),
      ),
    ).rejects.toThrow('too many');
  });

  it('walks up from a person through groups in groups, bounded, escaping every DN', async () => {
    // user is in a, a in b, b in allowed; c is a cycle with a.
    const parents: Record<string, string[]> = {
      'uid=u*)(x': ['cn=a'],
      'cn=a': ['cn=b', 'cn=c'],
      'cn=c': ['cn=a'],
      'cn=b': ['cn=allowed'],
    };
    const filters: string[] = [];
    const dnsOf = (filter: string) => {
      filters.push(filter);
      FilterParser.parseString(filter);
      return [...filter.matchAll(/\(member=([^)]*)\)/g)].map((m) =>
        (m[1] as string).replace(/\\([0-9a-f]{2})/g, (_s, h: string) => String.fromCharCode(parseInt(h, 16))),
      );
    };
    const lookups = (allowed: string) => ({
      allowedHasAny: async (f: string) => dnsOf(f).some((d) => (parents[d] ?? []).includes(allowed)),
      parentsOf: async (f: string) => dnsOf(f).flatMap((d) => parents[d] ?? []),
    });
    expect(await walkUp('uid=u*)(x', 'member', lookups('cn=allowed'))).toBe(true);
    expect(filters[0]).toBe('(member=uid=u\\2a\\29\\28x)');
    expect(await walkUp('uid=u*)(x', 'member', lookups('cn=elsewhere'))).toBe(false);
    // A long chain ends at the depth limit; a wide fan-out at the group limit.
    const deep = (n: number) => `cn=d${n}`;
    let asked = 0;
    expect(
      await walkUp('cn=d0', 'member', {
        allowedHasAny: async (f) => f.includes(`(member=${deep(NESTED_GROUP_DEPTH + 1)})`),
        parentsOf: async (f) => {
          asked++;
          return [deep(Number(/cn=d(\d+)/.exec(f)?.[1]) + 1)];
        },
      }),
    ).toBe(false);
    expect(asked).toBe(NESTED_GROUP_DEPTH);
    let seen = 0;
    await walkUp('cn=root', 'member', {
      allowedHasAny: async (f) => {
        seen += (f.match(/\(member=/g) ?? []).length;
        return false;
      },
      parentsOf: async (f) => dnsOf(f).flatMap((d) => Array.from({ length: 40 }, (_, i) => `${d}/${i}`)),
    });
    expect(seen).toBeLessThanOrEqual(MAX_WALKED_GROUPS + 1);
  });

  it('builds filters the LDAP parser takes: an OR of escaped DNs, and AD’s in-chain rule', () => {
    expect(anyOf('member', ['cn=a'])).toBe('(member=cn=a)');
    expect(anyOf('member', ['cn=a*', 'cn=(b)'])).toBe('(|(member=cn=a\\2a)(member=cn=\\28b\\29))');
    const f = FilterParser.parseString(`(&(cn=staff)(member:${IN_CHAIN_RULE}:=${'cn=a\\2a'}))`);
    expect(f.toString()).toBe(`(&(cn=staff)(member:${IN_CHAIN_RULE}:=cn=a\\2a))`);
  });
});

describe('unique id assertions', () => {
  it('turns an objectGUID back into its 16 bytes, escaped, and escapes anything else', () => {
    const bytes = Buffer.from('ff1996 6f868b 11d0 b42d 00c04fc964ff'.replace(/ /g, ''), 'hex');
    const id = guidString(bytes);
    const assertion = uniqueIdAssertion(id, 'objectGUID');
    expect(assertion).toBe([...bytes].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join(''));
    expect(uniqueIdAssertion('5a2c*)(x', 'entryUUID')).toBe('5a2c\\2a\\29\\28x');
    expect(uniqueIdAssertion('not-a-guid*', 'objectGUID')).toBe('not-a-guid\\2a');
  });
});
