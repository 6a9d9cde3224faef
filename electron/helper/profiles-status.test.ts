import { describe, expect, it } from 'vitest';
import { parseProfilesStatus, sameServerHost } from './profiles-status.js';

describe('parseProfilesStatus', () => {
  it('reads an enrolled, user-approved Mac', () => {
    const out =
      'Enrolled via DEP: No\nMDM enrollment: Yes (User Approved)\nMDM server: https://MDM.Example.com:8443/mdm/connect\n';
    expect(parseProfilesStatus(out)).toEqual({
      ok: true,
      status: { enrolled: true, serverHost: 'mdm.example.com', userApproved: true },
    });
  });

  it('reads an enrolled Mac that is not user approved', () => {
    const out = 'Enrolled via DEP: No\nMDM enrollment: Yes\nMDM server: https://other.example.net/mdm\n';
    expect(parseProfilesStatus(out)).toEqual({
      ok: true,
      status: { enrolled: true, serverHost: 'other.example.net', userApproved: false },
    });
  });

  it('reads a Mac that is not enrolled', () => {
    expect(parseProfilesStatus('Enrolled via DEP: No\r\nMDM enrollment: No\r\n')).toEqual({
      ok: true,
      status: { enrolled: false, serverHost: null, userApproved: false },
    });
  });

  it.each([
    ['empty output', ''],
    ['garbage', 'profiles: command not found'],
    ['unknown value', 'MDM enrollment: Maybe\n'],
    ['enrolled without a server', 'MDM enrollment: Yes (User Approved)\n'],
    ['a server that is not a URL', 'MDM enrollment: Yes\nMDM server: not a url\n'],
    ['repeated lines', 'MDM enrollment: No\nMDM enrollment: Yes\n'],
  ])('refuses %s', (_name, out) => {
    const result = parseProfilesStatus(out);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).not.toBe('');
  });
});

describe('sameServerHost', () => {
  it('ignores case, ports are not part of a host, and a trailing dot', () => {
    expect(sameServerHost('MDM.example.com', 'mdm.example.com.')).toBe(true);
    expect(sameServerHost('mdm.example.com', 'mdm.example.org')).toBe(false);
    expect(sameServerHost('', '')).toBe(false);
  });
});
