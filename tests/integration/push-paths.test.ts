// The two paths to Apple's push certificate without a vendor certificate of our own, end to end against the
// stand-ins: a signing service of the mdmcert.download kind (request -> mailed encrypted answer -> decrypt -> signed
// request -> Apple's certificate -> status), and a request signed elsewhere (CSR -> signed request -> Apple).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushCsrDto, PushSignedRequestDto, PushStatusDto } from '../../server/contract/index.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import {
  standInApple,
  standInVendor,
  startVendorSigner,
  vendorSignedRequest,
  type StandInApple,
  type VendorSigner,
} from '../helpers/push-vendor.js';

const EMAIL = 'it@office.example';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('push certificate paths', () => {
  let h: Harness;
  let signer: VendorSigner;
  let apple: StandInApple;

  beforeAll(async () => {
    [h, signer] = await Promise.all([startHarness(), startVendorSigner()]);
    apple = standInApple();
  }, 90_000);
  afterAll(async () => {
    await signer?.close();
    await h?.stop();
  });

  const status = async () => (await h.admin.call('GET', '/api/push')).json<PushStatusDto>();
  const actions = async () =>
    (await h.admin.call('GET', '/api/audit?limit=200'))
      .json<{ items: { action: string }[] }>()
      .items.map((e) => e.action);

  it('path A: the service signs, mails the encrypted request, it opens here, Apple issues, status shows topic and expiry', async () => {
    expect((await status()).request).toMatchObject({ step: 'none', path: null });

    const sent = await h.admin.call('POST', '/api/push/request/service', {
      serviceUrl: signer.url,
      email: EMAIL,
      apiKey: signer.apiKey,
    });
    expect(sent.status, sent.text).toBe(200);
    expect(sent.json<PushStatusDto>().request).toMatchObject({ path: 'service', step: 'sent', email: EMAIL });
    expect(sent.json<PushStatusDto>().csrPending).toBe(true);

    // Resumable: after a restart the step is still known and the file still opens.
    await h.restart();
    expect((await status()).request).toMatchObject({ path: 'service', step: 'sent' });

    const mailed = signer.mailFor(EMAIL);
    expect(mailed).toMatch(/^[0-9a-f]+$/);
    const opened = await h.admin.call('POST', '/api/push/request/encrypted', { fileBase64: b64(mailed ?? '') });
    expect(opened.status, opened.text).toBe(200);
    expect(opened.json<PushStatusDto>().request).toMatchObject({
      step: 'signed',
      vendorSubject: expect.stringContaining('MDM Vendor: Test Stand-in Signer'),
    });

    const forApple = (await h.admin.call('GET', '/api/push/request/signed')).json<PushSignedRequestDto>();
    expect(forApple.fileName).toMatch(/\.plist\.b64$/);
    const issued = apple.issue(forApple.signedRequest);

    const uploaded = await h.admin.call('PUT', '/api/push/certificate', { certificatePem: issued.certPem });
    expect(uploaded.status, uploaded.text).toBe(200);
    const done = uploaded.json<PushStatusDto>();
    expect(done).toMatchObject({ configured: true, topic: issued.topic, csrPending: false, warning: null });
    expect(done.topic).toMatch(/^com\.apple\.mgmt\.External\.[0-9a-f-]{36}$/);
    expect(done.daysLeft).toBeGreaterThan(360);
    expect(done.request).toMatchObject({ step: 'none', path: null });
    expect(await actions()).toEqual(
      expect.arrayContaining(['push.request_sent', 'push.request_opened', 'push.certificate_uploaded']),
    );
  }, 60_000);

  it('path B: the CSR is downloaded, a request signed elsewhere is checked, Apple issues for it', async () => {
    const made = await h.admin.call('POST', '/api/push/csr');
    expect(made.status, made.text).toBe(200);
    expect((await status()).request).toMatchObject({ path: 'elsewhere', step: 'csr' });
    const { csrPem } = (await h.admin.call('GET', '/api/push/csr')).json<PushCsrDto>();
    expect(csrPem).toBe(made.json<PushCsrDto>().csrPem);

    // The vendor tool's output comes as base64 text or as the plist itself; both are accepted.
    const vendor = standInVendor();
    const xml = vendorSignedRequest(csrPem, vendor, { xml: true });
    const checked = await h.admin.call('POST', '/api/push/request/signed', { fileBase64: b64(xml) });
    expect(checked.status, checked.text).toBe(200);
    expect(checked.json<PushStatusDto>().request).toMatchObject({ path: 'elsewhere', step: 'signed' });

    const forApple = (await h.admin.call('GET', '/api/push/request/signed')).json<PushSignedRequestDto>();
    const issued = apple.issue(forApple.signedRequest);
    const uploaded = await h.admin.call('PUT', '/api/push/certificate', { certificatePem: issued.certPem });
    expect(uploaded.status, uploaded.text).toBe(200);
    expect(uploaded.json<PushStatusDto>()).toMatchObject({ configured: true, topic: issued.topic });
    expect(await actions()).toContain('push.signed_request_checked');
  }, 60_000);

  it("refuses Apple's certificate for another key while a request is pending, and keeps the request", async () => {
    await h.admin.call('POST', '/api/push/csr');
    const foreign = fakePushCertificate();
    const refused = await h.admin.call('PUT', '/api/push/certificate', { certificatePem: foreign.certPem });
    expect(refused.status).toBe(400);
    expect(refused.json<{ details: { field: string }; message: string }>()).toMatchObject({
      details: { field: 'certificatePem' },
      message: expect.stringContaining('not the one Apple issued for the request made here'),
    });
    expect((await status()).request).toMatchObject({ path: 'elsewhere', step: 'csr' });
  }, 60_000);
});
