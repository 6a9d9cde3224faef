import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApnsMock, type ApnsMock } from '../../../tests/helpers/apns-mock.js';
import { testFoundation, TEST_ADMIN } from '../../../tests/helpers/foundation.js';
import { fakePushCertificate, type FakePushPki } from '../../../tests/helpers/push-cert.js';
import { createApnsClient } from './apns-client.js';
import { topicOf } from './push-certificate.js';

let pki: FakePushPki;
let apns: ApnsMock;
beforeAll(async () => {
  pki = fakePushCertificate();
  apns = await startApnsMock(pki.appleCaPem);
});
afterAll(async () => {
  await apns.close();
});

function toP12(certPem: string, keyPem: string, password: string): string {
  const p12 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(keyPem),
    [forge.pki.certificateFromPem(certPem)],
    password,
    { algorithm: '3des' },
  );
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary').toString('base64');
}

describe('the MDM push certificate', () => {
  it('reads the topic from the subject UID and refuses certificates that are not MDM push certificates', () => {
    expect(topicOf(pki.certPem)).toBe(pki.topic);
    expect(() => topicOf(fakePushCertificate({ uid: null }).certPem)).toThrow(/no UID/);
    expect(() => topicOf(fakePushCertificate({ uid: 'com.example.app' }).certPem)).toThrow(
      /does not start with com\.apple\.mgmt\./,
    );
  });

  it('accepts PEM and PKCS#12 uploads, checks the key, and warns 30 days ahead', () => {
    const { services, clock } = testFoundation({ start: new Date().toISOString() });
    expect(services.push.topic()).toBeNull();
    const other = fakePushCertificate();
    expect(() =>
      services.push.upload({ certificatePem: pki.certPem, privateKeyPem: other.keyPem }, TEST_ADMIN, null),
    ).toThrow(/does not belong to this certificate/);
    expect(() =>
      services.push.upload(
        { pkcs12Base64: toP12(pki.certPem, pki.keyPem, 'secret'), password: 'wrong' },
        TEST_ADMIN,
        null,
      ),
    ).toThrow(/password is wrong/);
    const status = services.push.upload(
      { pkcs12Base64: toP12(pki.certPem, pki.keyPem, 'secret'), password: 'secret' },
      TEST_ADMIN,
      null,
    );
    expect(status).toMatchObject({ configured: true, topic: pki.topic, warning: null });
    expect(services.push.credentials()?.keyPem).toContain('PRIVATE KEY');
    const replaced = services.push.upload(
      { certificatePem: other.certPem, privateKeyPem: other.keyPem },
      TEST_ADMIN,
      null,
    );
    expect(replaced.topic).toBe(other.topic);
    expect(services.push.topic()).toBe(other.topic);
    // Pushes use the new certificate and key from now on, not the ones read at the first push.
    const now = services.push.credentials();
    expect(now?.topic).toBe(other.topic);
    expect(new X509Certificate(now?.certPem ?? '').fingerprint256).toBe(
      new X509Certificate(other.certPem).fingerprint256,
    );
    expect(services.audit.list({ action: 'push.certificate_uploaded' }).items[0]?.details).toMatchObject({
      topicChanged: true,
      previousTopic: pki.topic,
    });
    clock.advance(340 * 86_400_000);
    expect(services.push.status().warning).toBe('expiring');
    clock.advance(30 * 86_400_000);
    expect(services.push.status().warning).toBe('expired');
    expect(() =>
      services.push.upload({ certificatePem: pki.certPem, privateKeyPem: pki.keyPem }, TEST_ADMIN, null),
    ).toThrow(/expired on/);
  });

  it('generates a CSR whose key later pairs with the uploaded certificate', () => {
    const { services } = testFoundation();
    const { csrPem } = services.push.createCsr(TEST_ADMIN, null);
    const csr = forge.pki.certificationRequestFromPem(csrPem);
    expect(csr.verify()).toBe(true);
    expect(services.push.status().csrPending).toBe(true);
    // Sign the CSR as "Apple" would, then upload the certificate alone.
    const cert = forge.pki.createCertificate();
    cert.publicKey = csr.publicKey as forge.pki.rsa.PublicKey;
    cert.serialNumber = '0badc0de';
    cert.validity.notBefore = new Date(Date.now() - 60_000);
    cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
    cert.setSubject([
      { type: '0.9.2342.19200300.100.1.1', value: 'com.apple.mgmt.External.11111111-2222-3333-4444-555555555555' },
      { shortName: 'CN', value: 'APSP:x' },
    ]);
    cert.setIssuer(forge.pki.certificateFromPem(pki.appleCaPem).subject.attributes);
    cert.sign(forge.pki.privateKeyFromPem(pki.appleCaKeyPem), forge.md.sha256.create());
    const status = services.push.upload({ certificatePem: forge.pki.certificateToPem(cert) }, TEST_ADMIN, null);
    expect(status).toMatchObject({
      configured: true,
      topic: 'com.apple.mgmt.External.11111111-2222-3333-4444-555555555555',
      csrPending: false,
    });
  });

  it('validates the APNs base URL setting', () => {
    const { services } = testFoundation();
    expect(services.push.settings().apnsBaseUrl).toBe('https://api.push.apple.com');
    expect(() => services.push.updateSettings({ apnsBaseUrl: 'http://api.push.apple.com' }, TEST_ADMIN, null)).toThrow(
      /https:\/\/ origin/,
    );
    expect(() => services.push.updateSettings({ apnsBaseUrl: 'nope' }, TEST_ADMIN, null)).toThrow(/must be a URL/);
    expect(
      services.push.updateSettings({ apnsBaseUrl: 'https://api.sandbox.push.apple.com' }, TEST_ADMIN, null).apnsBaseUrl,
    ).toBe('https://api.sandbox.push.apple.com');
  });
});

describe('the APNs HTTP/2 client', () => {
  it('sends the MDM push to a server that checks path, headers, body and client certificate, on one connection', async () => {
    const client = createApnsClient({ baseUrl: () => apns.url, credentials: () => pki, ca: apns.caPem });
    const before = apns.received.length;
    const sessionsBefore = apns.sessions();
    const token = 'ab'.repeat(32);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.push({ tokenHex: token, pushMagic: `MAGIC-${i}`, topic: pki.topic })),
    );
    expect(results.every((r) => r.status === 200 && r.apnsId)).toBe(true);
    const got = apns.received.slice(before);
    expect(got).toHaveLength(20);
    expect(got[0]).toMatchObject({ tokenHex: token, topic: pki.topic, pushType: 'mdm' });
    expect(JSON.parse(got[0]?.body ?? '{}')).toEqual({ mdm: 'MAGIC-0' });
    expect(apns.sessions() - sessionsBefore).toBe(1);
    expect(apns.violations).toEqual([]);
    await client.close();
  });

  it('reports the reason of a refusal', async () => {
    const client = createApnsClient({ baseUrl: () => apns.url, credentials: () => pki, ca: apns.caPem });
    apns.script(
      { status: 410, reason: 'Unregistered' },
      { status: 400, reason: 'BadDeviceToken' },
      { status: 403, reason: 'BadCertificate' },
    );
    const token = 'cd'.repeat(32);
    expect(await client.push({ tokenHex: token, pushMagic: 'm', topic: pki.topic })).toMatchObject({
      status: 410,
      reason: 'Unregistered',
    });
    expect(await client.push({ tokenHex: token, pushMagic: 'm', topic: pki.topic })).toMatchObject({
      status: 400,
      reason: 'BadDeviceToken',
    });
    expect(await client.push({ tokenHex: token, pushMagic: 'm', topic: pki.topic })).toMatchObject({
      status: 403,
      reason: 'BadCertificate',
    });
    await client.close();
  });

  it('fails clearly without a certificate or when APNs cannot be reached', async () => {
    const none = createApnsClient({ baseUrl: () => apns.url, credentials: () => null });
    await expect(none.push({ tokenHex: '00', pushMagic: 'm', topic: 't' })).rejects.toThrow(/No MDM push certificate/);
    const down = createApnsClient({ baseUrl: () => 'https://127.0.0.1:9', credentials: () => pki, timeoutMs: 2000 });
    await expect(down.push({ tokenHex: '00', pushMagic: 'm', topic: 't' })).rejects.toThrow(/Could not reach APNs/);
    await down.close();
  });
});
