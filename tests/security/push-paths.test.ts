// Attacks on the push certificate paths: what a wrong, hostile or broken file or signing service can make the server
// do. Each refusal must be clear (field and what to do), leave the pending request as it was, and cost little.
import { sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushCsrDto, PushStatusDto } from '../../server/contract/index.js';
import { isAppError } from '../../server/core/errors.js';
import { sendVendorSignRequest } from '../../server/modules/push/vendor-service.js';
import { generateRsaKeyPair, issueCertificate } from '../../server/pki/x509.js';
import {
  csrDer,
  encryptForMail,
  standInVendor,
  startVendorSigner,
  vendorSignedRequest,
  type StandInVendor,
  type VendorSigner,
} from '../helpers/push-vendor.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
type Refusal = { code: string; message: string; details?: { field?: string } };

describe('push certificate paths under attack', () => {
  let h: Harness;
  let signer: VendorSigner;
  let vendor: StandInVendor;

  beforeAll(async () => {
    [h, signer] = await Promise.all([startHarness(), startVendorSigner()]);
    vendor = standInVendor();
  }, 90_000);
  afterAll(async () => {
    await signer?.close();
    await h?.stop();
  });

  const status = async () => (await h.admin.call('GET', '/api/push')).json<PushStatusDto>();
  const freshCsr = async () => (await h.admin.call('POST', '/api/push/csr')).json<PushCsrDto>().csrPem;
  const uploadSigned = (file: string | Buffer) =>
    h.admin.call('POST', '/api/push/request/signed', { fileBase64: b64(file) });

  it('refuses a correctly signed request for another CSR (Apple would issue for a key this server lacks)', async () => {
    await freshCsr();
    const strangerCsr = (await h.admin.call('POST', '/api/push/csr')).json<PushCsrDto>().csrPem;
    await freshCsr(); // the pending CSR is now a third one
    const res = await uploadSigned(vendorSignedRequest(strangerCsr, vendor));
    expect(res.status).toBe(400);
    expect(res.json<Refusal>()).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'fileBase64' },
      message: expect.stringContaining('different CSR'),
    });
    expect((await status()).request).toMatchObject({ path: 'elsewhere', step: 'csr' });
  });

  it('refuses a bad vendor signature and a chain whose links do not sign each other', async () => {
    const csrPem = await freshCsr();
    const forger = generateRsaKeyPair(2048);
    const forged = vendorSignedRequest(csrPem, vendor, {
      signature: sign('sha256', csrDer(csrPem), forger.privateKeyPem),
    });
    const bad = await uploadSigned(forged);
    expect(bad.status).toBe(400);
    expect(bad.json<Refusal>().message).toContain('PushCertSignature does not verify');

    // The signature holds, but the "vendor" certificate is self-made and claims the stand-in intermediate as issuer.
    const other = standInVendor();
    const broken = vendorSignedRequest(csrPem, other, {
      chainPem: other.certPem + vendor.chainPem.slice(vendor.certPem.length),
    });
    const res = await uploadSigned(broken);
    expect(res.status).toBe(400);
    expect(res.json<Refusal>().message).toContain('not signed by the certificate after it');
    expect((await status()).request?.step).toBe('csr');
  });

  it('refuses a plist with an internal DOCTYPE subset (entity expansion), as XML and as base64', async () => {
    const csrPem = await freshCsr();
    const good = vendorSignedRequest(csrPem, vendor, { xml: true });
    const laughs = good.replace(
      /<!DOCTYPE[^>]*>/,
      '<!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    );
    const subsetOnly = good.replace(/<!DOCTYPE[^>]*>/, '<!DOCTYPE plist [<!ELEMENT plist ANY>]>');
    for (const file of [laughs, b64(laughs), subsetOnly]) {
      const res = await uploadSigned(file);
      expect(res.status).toBe(400);
      expect(res.json<Refusal>()).toMatchObject({
        details: { field: 'fileBase64' },
        message: expect.stringMatching(/entities|internal subset/),
      });
    }
  });

  it('refuses oversized and garbage encrypted files, and one encrypted for another request, without a 500', async () => {
    const sent = await h.admin.call('POST', '/api/push/request/service', {
      serviceUrl: signer.url,
      email: 'attack@office.example',
      apiKey: signer.apiKey,
    });
    expect(sent.status, sent.text).toBe(200);
    const cases: [string, Buffer | string, RegExp][] = [
      ['oversized', Buffer.alloc(200 * 1024, 0x41), /too large|larger than|maxLength|must NOT have more/i],
      ['not hex', 'this is not an encrypted request', /neither hex text nor DER/],
      ['hex garbage', 'deadbeef'.repeat(100), /not an encrypted request/],
      ['DER garbage', Buffer.from([0x30, 0x82, 0x01, 0x00, 0x01]), /not an encrypted request|could not be opened/],
    ];
    // Encrypted for a different exchange certificate: the file from another server's request.
    const stranger = generateRsaKeyPair(2048);
    const strangerCert = issueCertificate({
      subject: [{ shortName: 'CN', value: 'someone else' }],
      publicKeyPem: stranger.publicKeyPem,
      signingKeyPem: stranger.privateKeyPem,
      serialHex: '1234',
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      extensions: [],
    });
    cases.push([
      'for another request',
      encryptForMail(Buffer.from('irrelevant'), strangerCert),
      /not encrypted for the request made here/,
    ]);
    for (const [name, file, message] of cases) {
      const res = await h.admin.call('POST', '/api/push/request/encrypted', { fileBase64: b64(file) });
      expect([400, 413], `${name}: ${res.text}`).toContain(res.status);
      expect(res.json<Refusal>().message, name).toMatch(message);
    }
    expect((await status()).request).toMatchObject({ path: 'service', step: 'sent' });
    // Each refusal is in the audit trail with its reason (the schema's own refusals never reach the service).
    const refused = (await h.admin.call('GET', '/api/audit?action=push.signed_request_refused&limit=200')).json<{
      items: { details: { reason?: string } }[];
    }>().items;
    expect(refused.map((e) => e.details.reason)).toEqual(
      expect.arrayContaining([expect.stringMatching(/not encrypted for the request made here/)]),
    );
  });

  it('turns a 50 MB answer, a refusal and an HTTP 500 from the service into clear errors and stores nothing', async () => {
    await freshCsr();
    const { csrPem: before } = (await h.admin.call('GET', '/api/push/csr')).json<PushCsrDto>();
    const cases: [VendorSigner['mode'], RegExp][] = [
      ['huge', /more than \d+ bytes/],
      ['refuse', /API key/],
      ['error500', /HTTP 500/],
    ];
    for (const [mode, message] of cases) {
      signer.mode = mode;
      const res = await h.admin.call('POST', '/api/push/request/service', {
        serviceUrl: signer.url,
        email: 'attack@office.example',
        apiKey: signer.apiKey,
      });
      expect(res.status, res.text).toBe(502);
      expect(res.json<Refusal>()).toMatchObject({ code: 'PUSH_SERVICE_FAILED', details: { field: 'serviceUrl' } });
      expect(res.json<Refusal>().message, mode).toMatch(message);
    }
    signer.mode = 'ok';
    // No partial write: the CSR pending before the failed requests is still the one.
    expect((await h.admin.call('GET', '/api/push/csr')).json<PushCsrDto>().csrPem).toBe(before);
    expect((await status()).request).toMatchObject({ path: 'elsewhere', step: 'csr' });
  });

  it('refuses service addresses that are not https (except this machine) or carry credentials', async () => {
    for (const serviceUrl of [
      'http://mdmcert.example/api',
      'ftp://127.0.0.1/x',
      'https://u:p@mdmcert.example/',
      'nonsense',
    ]) {
      const res = await h.admin.call('POST', '/api/push/request/service', {
        serviceUrl,
        email: 'a@office.example',
        apiKey: 'k',
      });
      expect(res.status, serviceUrl).toBe(400);
      expect(res.json<Refusal>().details?.field).toBe('serviceUrl');
    }
    expect(signer.received).toBeGreaterThan(0);
  });
});

describe('vendor service client bounds', () => {
  let signer: VendorSigner;
  beforeAll(async () => {
    signer = await startVendorSigner({ mode: 'forever' });
  });
  afterAll(async () => {
    await signer?.close();
  });

  it('gives up on a service that never finishes its answer', async () => {
    const err = await sendVendorSignRequest(
      new URL(signer.url),
      { csrPem: 'x', email: 'a@b.example', apiKey: 'k', exchangeCertPem: 'y' },
      { timeoutMs: 300, maxResponseBytes: 64 * 1024 },
    ).catch((e: unknown) => e);
    expect(isAppError(err, 'PUSH_SERVICE_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/did not answer within/);
  });

  it('says so when nothing listens at the address', async () => {
    const closed = await startVendorSigner();
    const url = new URL(closed.url);
    await closed.close();
    const err = await sendVendorSignRequest(url, {
      csrPem: 'x',
      email: 'a@b.example',
      apiKey: 'k',
      exchangeCertPem: 'y',
    }).catch((e: unknown) => e);
    expect(isAppError(err, 'PUSH_SERVICE_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/refused the connection/);
  });
});
