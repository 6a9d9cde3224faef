import { describe, expect, it } from 'vitest';
import { bytesToBase64, looksLikePem } from '../composables/use-files.js';
import { daysUntil, expiryWarning, formatFingerprint } from './certificates.js';

const NOW = new Date('2026-04-01T12:00:00.000Z');

describe('certificate expiry', () => {
  it.each([
    ['2026-06-01T12:00:00.000Z', 61, null],
    ['2026-05-01T12:00:00.000Z', 30, 'expiring'],
    ['2026-04-02T11:00:00.000Z', 0, 'expiring'],
    ['2026-04-01T11:00:00.000Z', -1, 'expired'],
  ] as const)('a certificate valid until %s: %i days, warning %s', (notAfter, days, warning) => {
    expect(daysUntil(notAfter, NOW)).toBe(days);
    expect(expiryWarning(notAfter, NOW)).toBe(warning);
  });
});

describe('formatFingerprint', () => {
  it.each([
    ['ab:cd:ef', 'AB:CD:EF'],
    ['abcdef01', 'AB:CD:EF:01'],
    ['', ''],
  ])('%s -> %s', (input, expected) => {
    expect(formatFingerprint(input)).toBe(expected);
  });
});

describe('reading certificate files', () => {
  it('encodes bytes as base64', () => {
    expect(bytesToBase64(new Uint8Array([0, 1, 2, 253, 254, 255]))).toBe('AAEC/f7/');
    expect(bytesToBase64(new Uint8Array(0x8001).fill(65)).length).toBe(Math.ceil(0x8001 / 3) * 4);
  });

  it.each([
    ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', true],
    ['-----BEGIN RSA PRIVATE KEY-----', true],
    ['0\x82\x01', false],
  ])('%j looks like PEM: %s', (text, pem) => {
    expect(looksLikePem(text)).toBe(pem);
  });
});
