import { describe, expect, it } from 'vitest';
import { normaliseFingerprint, parseServerAddress } from './server-address.js';

describe('parseServerAddress', () => {
  it('adds https to a bare host and keeps a port', () => {
    expect(parseServerAddress(' MDM.example.com ')).toEqual({
      ok: true,
      serverUrl: 'https://mdm.example.com',
      host: 'mdm.example.com',
    });
    expect(parseServerAddress('https://mdm.example.com:8443/enroll?x=1')).toEqual({
      ok: true,
      serverUrl: 'https://mdm.example.com:8443',
      host: 'mdm.example.com',
    });
  });

  it('refuses plain http and nonsense', () => {
    expect(parseServerAddress('http://mdm.example.com')).toEqual({ ok: false, reason: 'not-https' });
    expect(parseServerAddress('')).toEqual({ ok: false, reason: 'bad-url' });
    expect(parseServerAddress('https://')).toEqual({ ok: false, reason: 'bad-url' });
  });
});

describe('normaliseFingerprint', () => {
  it('accepts colon-separated upper-case hex and refuses short values', () => {
    const hex = 'ab'.repeat(32);
    expect(normaliseFingerprint('AB:'.repeat(31) + 'AB')).toBe(hex);
    expect(normaliseFingerprint('abcd')).toBeNull();
  });
});
