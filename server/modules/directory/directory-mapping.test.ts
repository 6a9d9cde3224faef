import { describe, expect, it } from 'vitest';
import type { Entry } from 'ldapts';
import type { UserRow } from '../users/users.store.js';
import { escapeFilterValue, guidString, normalizeDn, personOf, PRESETS } from './directory-mapping.js';
import { filterProblem, planRun, validateSettings } from './directory.service.js';

describe('escapeFilterValue (RFC 4515 §3)', () => {
  it.each([
    ['alice', 'alice'],
    ['*', '\\2a'],
    ['a)(uid=*', 'a\\29\\28uid=\\2a'],
    ['back\\slash', 'back\\5cslash'],
    ['nul\0', 'nul\\00'],
    ['山田', '山田'],
  ])('%j becomes %j', (raw, escaped) => {
    expect(escapeFilterValue(raw)).toBe(escaped);
  });
});

describe('Active Directory mapping', () => {
  const ad = PRESETS['active-directory'];
  const guid = Buffer.from('ff19966f868b11d0b42d00c04fc964ff', 'hex');
  const entry = (uac: string): Entry => ({
    dn: 'CN=Taro Yamada,OU=Staff,DC=corp,DC=example',
    objectGUID: guid,
    mail: 'taro@corp.example',
    displayName: 'Taro Yamada',
    sAMAccountName: 'taro',
    userAccountControl: uac,
  });

  it('reads objectGUID in the Windows byte order, and the login from sAMAccountName', () => {
    expect(guidString(guid)).toBe('6f9619ff-8b86-d011-b42d-00c04fc964ff');
    expect(personOf(entry('512'), ad)).toMatchObject({
      externalId: '6f9619ff-8b86-d011-b42d-00c04fc964ff',
      login: 'taro',
      email: 'taro@corp.example',
      disabled: false,
    });
  });

  it('takes ACCOUNTDISABLE (0x2) in userAccountControl as disabled there', () => {
    expect(personOf(entry('514'), ad)).toMatchObject({ disabled: true });
    expect(personOf(entry('66050'), ad)).toMatchObject({ disabled: true });
  });

  it('leaves out an entry without an id or a valid email, saying why', () => {
    expect(personOf({ dn: 'cn=x', mail: 'x@example.com' }, PRESETS.openldap)).toEqual({
      dn: 'cn=x',
      reason: 'no entryUUID',
    });
    expect(personOf({ dn: 'cn=y', entryUUID: 'abc', mail: 'not-an-email' }, PRESETS.openldap)).toMatchObject({
      reason: expect.stringContaining('mail'),
    });
  });
});

describe('settings checks', () => {
  const base = {
    url: 'ldaps://dc1.corp.example',
    caPem: '',
    bindDn: 'CN=svc,DC=corp,DC=example',
    baseDn: 'DC=corp,DC=example',
    userFilter: '',
    groupFilter: '',
    preset: 'active-directory' as const,
    syncIntervalMinutes: 60,
    maxDisablePercent: 10,
  };
  it('fills the preset user filter and mapping', () => {
    expect(validateSettings(base)).toMatchObject({
      userFilter: '(&(objectCategory=person)(objectClass=user))',
      mapping: { uniqueId: 'objectGUID', login: 'sAMAccountName', disabledFlag: 'userAccountControl' },
    });
  });
  it.each(['(a=b))(c=d', 'a=b', '(a=b)(c=d)', '((a=b)'])('refuses the filter %j', (f) => {
    expect(filterProblem(f)).not.toBeNull();
  });
  it('normalizes DNs for the group comparison', () => {
    expect(normalizeDn('UID=Alice , OU=People,DC=Example')).toBe('uid=alice,ou=people,dc=example');
  });
});

describe('planRun', () => {
  const row = (id: string, externalId: string, extra: Partial<UserRow> = {}): UserRow => ({
    id,
    email: `${id}@example.com`,
    email_norm: `${id}@example.com`,
    display_name: id,
    locale: 'ja',
    source: 'ldap',
    external_id: externalId,
    directory_dn: `uid=${id}`,
    directory_login: id,
    directory_state: null,
    password_hash: null,
    must_change_password: 0,
    disabled: 0,
    created_at: '',
    updated_at: '',
    deleted_at: null,
    ...extra,
  });
  const person = (id: string, externalId: string, extra = {}) => ({
    externalId,
    dn: `uid=${id}`,
    email: `${id}@example.com`,
    displayName: id,
    login: id,
    disabled: false,
    ...extra,
  });

  it('updates by unique id, disables who left, leaves an admin-disabled user alone, and enables who came back', () => {
    const users = [
      row('a', '1'),
      row('b', '2'),
      row('c', '3', { disabled: 1 }),
      row('d', '4', { disabled: 1, directory_state: 'left' }),
    ];
    const plan = planRun(
      {
        entries: 3,
        persons: [person('a2', '1'), person('d', '4'), person('e', '5')],
        skipped: [],
      },
      users,
      new Map(),
      new Set(),
    );
    expect(plan.update.map((u) => u.row.id)).toEqual(['a']);
    expect(plan.disable.map((d) => [d.row.id, d.state])).toEqual([['b', 'left']]);
    expect(plan.enable.map((e) => e.row.id)).toEqual(['d']);
    expect(plan.create.map((p) => p.externalId)).toEqual(['5']);
  });
});
