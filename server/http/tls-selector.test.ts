import { describe, expect, it } from 'vitest';
import { testPublicCa } from '../../tests/helpers/public-cert.js';
import { createTlsSelector, type PemCredential } from './tls-selector.js';

const ca = testPublicCa();
const credential = (dns: string[]): PemCredential => {
  const s = ca.server({ dns });
  return { certPem: s.certPem, keyPem: s.keyPem, chainPem: ca.rootPem };
};
const office = credential(['mdm.office.lan']);
const pub = credential(['mdm.example.org', '*.example.net']);

describe('the TLS certificate a listener presents', () => {
  it('is the public one only for the names it covers, by SNI; the office one for the rest and without SNI', () => {
    const selector = createTlsSelector({ office, public: pub });
    expect(selector.choose('mdm.example.org')).toBe('public');
    expect(selector.choose('MDM.EXAMPLE.ORG')).toBe('public');
    expect(selector.choose('enroll.example.net')).toBe('public');
    expect(selector.choose('mdm.office.lan')).toBe('office');
    expect(selector.choose('other.example.org')).toBe('office');
    expect(selector.choose(undefined)).toBe('office');
  });

  it('is always the office one in office mode', () => {
    const selector = createTlsSelector({ office, public: null });
    expect(selector.choose('mdm.example.org')).toBe('office');
  });

  it('loads new credentials: the public one at once, the office one into every listener when it changed', () => {
    const selector = createTlsSelector({ office, public: null });
    const loaded: { key: string; cert: string }[] = [];
    selector.attach({ setSecureContext: (o) => loaded.push(o) });
    selector.load({ office, public: pub });
    expect(selector.choose('mdm.example.org')).toBe('public');
    expect(loaded).toEqual([]);
    const renewed = credential(['mdm.office.lan']);
    selector.load({ office: renewed, public: null });
    expect(selector.choose('mdm.example.org')).toBe('office');
    expect(loaded).toEqual([{ key: renewed.keyPem, cert: `${renewed.certPem}${renewed.chainPem}` }]);
    expect(selector.options()).toMatchObject({ key: renewed.keyPem, cert: `${renewed.certPem}${renewed.chainPem}` });
  });

  it('answers SNI with the public context or none (the listener’s default, the office certificate)', () => {
    const selector = createTlsSelector({ office, public: pub });
    const answers: unknown[] = [];
    const { SNICallback } = selector.options();
    SNICallback('mdm.example.org', (err, context) => answers.push(err, context !== undefined));
    SNICallback('mdm.office.lan', (err, context) => answers.push(err, context !== undefined));
    expect(answers).toEqual([null, true, null, false]);
  });
});
