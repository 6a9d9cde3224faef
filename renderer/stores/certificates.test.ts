import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from 'vue';
import type { TlsStatusDto } from '../../server/contract/index.js';
import { API_KEY, ApiError, type Api } from '../api/index.js';
import { bytesToBase64, looksLikePem } from '../composables/use-files.js';
import { daysUntil, expiryWarning, formatFingerprint, importChange, useCertificatesStore } from './certificates.js';

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

describe('the TLS status in the certificates store', () => {
  const status = (mode: 'office' | 'public'): TlsStatusDto => ({
    mode,
    publicName: mode === 'public' ? 'mdm.example.org' : null,
    deviceBaseUrl: mode === 'public' ? 'https://mdm.example.org:8443' : 'https://192.168.1.20:8443',
    officeBaseUrl: 'https://192.168.1.20:8443',
    office: { subject: 'CN=o', issuer: 'CN=ca', names: [], notAfter: '2027-01-01T00:00:00.000Z', fingerprint256: 'AA' },
    imported: null,
    sharedNames: [],
    caFingerprint256: 'BB',
  });

  function storeWith(tls: Partial<Api['tls']>) {
    const api = {
      tls: { status: vi.fn().mockResolvedValue(status('office')), import: vi.fn(), useGenerated: vi.fn(), ...tls },
    } as unknown as Api;
    const app = createApp({});
    app.provide(API_KEY, api);
    const pinia = createPinia();
    app.use(pinia);
    setActivePinia(pinia);
    return { api, store: useCertificatesStore() };
  }

  it('follows the mode: loaded, switched to public by an import, back to office', async () => {
    const { api, store } = storeWith({
      import: vi.fn().mockResolvedValue(status('public')),
      useGenerated: vi.fn().mockResolvedValue(status('office')),
    });
    await store.loadTls();
    expect(store.tls?.mode).toBe('office');
    expect(importChange(store.tls)).toBe('public');
    await store.importTls({ certificatePem: 'c', privateKeyPem: 'k' });
    expect(api.tls.import).toHaveBeenCalledWith({ certificatePem: 'c', privateKeyPem: 'k' });
    expect(store.tls).toMatchObject({ mode: 'public', deviceBaseUrl: 'https://mdm.example.org:8443' });
    expect(importChange(store.tls)).toBe('replace');
    await store.useGeneratedTls();
    expect(store.tls?.mode).toBe('office');
  });

  it('keeps the status when an import is refused', async () => {
    const { store } = storeWith({
      import: vi
        .fn()
        .mockRejectedValue(
          new ApiError('VALIDATION_FAILED', 'The certificate names no DNS host name', 400, { missing: 'dnsName' }),
        ),
    });
    await store.loadTls();
    await expect(store.importTls({ certificatePem: 'c', privateKeyPem: 'k' })).rejects.toMatchObject({
      details: { missing: 'dnsName' },
    });
    expect(store.tls?.mode).toBe('office');
  });
});
