// The Settings pages against an in-process server: SMTP to a real SMTP server on 127.0.0.1 (test message, outbox,
// retry of a refused message), the Apple push certificate (PEM, PKCS#12, a CSR signed and uploaded without a key,
// expiry warning, APNs address), the macOS helper app (refusals, upload, removal), the backup download, and the TLS mode (office CA, a
// public certificate with its confirmation, then back), with emulated iPhones enrolled before and during public mode.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import forge from 'node-forge';
import { expect, test, type Page } from '@playwright/test';
import { generateRsaKeyPair, issueCertificate } from '../../server/pki/x509.js';
import { EmulatedAppleDevice, iphoneSpec } from '../helpers/apple-device.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { testPublicCa } from '../helpers/public-cert.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { expectToast, input, openConsole, waitForMails, type ConsolePage } from './console-kit.js';

test.describe.configure({ mode: 'serial' });

const DAY = 86_400_000;

let h: Harness;
let sink: SmtpSink;
let c: ConsolePage;
let page: Page;

async function nav(name: string, url: RegExp): Promise<void> {
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name, exact: true }).click();
  await expect(page).toHaveURL(url);
}

/** A push certificate for the public key in `csrPem`, issued by a stand-in for Apple's CA (what identity.apple.com returns). */
function signPushCsr(csrPem: string): { certPem: string; topic: string } {
  const csr = forge.pki.certificationRequestFromPem(csrPem);
  const ca = generateRsaKeyPair(2048);
  const now = Date.now();
  const caPem = issueCertificate({
    subject: [{ shortName: 'CN', value: 'Test Apple Application Integration CA' }],
    publicKeyPem: ca.publicKeyPem,
    signingKeyPem: ca.privateKeyPem,
    serialHex: '0c01',
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, critical: true },
    ],
  });
  const topic = 'com.apple.mgmt.External.7a2f6c1e-3d4b-4f5a-9e8d-1c2b3a4d5e6f';
  const certPem = issueCertificate({
    subject: [
      { type: '0.9.2342.19200300.100.1.1', value: topic },
      { shortName: 'CN', value: 'APSP:7a2f6c1e' },
      { shortName: 'C', value: 'US' },
    ],
    issuerCertPem: caPem,
    publicKeyPem: forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey),
    signingKeyPem: ca.privateKeyPem,
    serialHex: '0c02',
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 365 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  return { certPem, topic };
}

/** The subject CN the device listener presents for `servername`. */
function presentedCn(port: number, servername: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, ...(servername ? { servername } : {}), rejectUnauthorized: false };
    const socket = connect(options, () => {
      const cn = socket.getPeerX509Certificate()?.subject.match(/CN=([^\n]+)/)?.[1] ?? '';
      socket.end();
      resolve(cn);
    });
    socket.on('error', reject);
  });
}

/**
 * An emulated iPhone enrolled by `email`'s profile from the admin API (profile, SCEP, Authenticate and TokenUpdate,
 * the first command loop), trusting only `trustPem` for TLS.
 */
async function enrolledIphone(email: string, trustPem: string): Promise<EmulatedAppleDevice> {
  const user = await h.admin.call('POST', '/api/users', { email, displayName: email, locale: 'en' });
  expect(user.status, user.text).toBe(201);
  const res = await h.admin.call('POST', '/api/enrollments', {
    userId: user.json<{ id: string }>().id,
    platform: 'ios',
  });
  expect(res.status, res.text).toBe(201);
  const device = new EmulatedAppleDevice(iphoneSpec(), { caPem: trustPem });
  expect((await device.downloadProfile(res.json<{ profileUrl: string }>().profileUrl)).status).toBe(200);
  expect(await device.scep()).toEqual({ status: 'SUCCESS' });
  expect((await device.enrollMdm()).every((r) => r.status === 200)).toBe(true);
  await device.commandLoop();
  return device;
}

/** Polls ServerURL after a full TLS handshake (the certificate the server presents is what a mode change affects). */
async function pollsAnew(device: EmulatedAppleDevice): Promise<string[]> {
  device.reconnect();
  return device.commandLoop();
}

/** The plain-HTTP bootstrap listener's origin (http://tsunagu.test:<port>). */
const bootstrapOrigin = (): string => new URL(h.server.bootstrapUrl).origin;

/**
 * Checks that the Enrollment address page shows an address under `origin` (in office CA mode, the first-visit page on
 * the plain-HTTP bootstrap listener), then returns to the TLS settings.
 */
async function expectEnrollmentAddressUnder(origin: string): Promise<void> {
  await nav('Enrollment address', /\/settings\/enrollment-url$/);
  const escaped = origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await expect(input(page, 'enrollment-url')).toHaveValue(new RegExp(`^${escaped}/e/[\\w-]+/go$`));
  await nav('Server certificate', /\/settings\/tls$/);
}

test.beforeAll(async ({ browser }) => {
  sink = await startSmtpSink();
  h = await startHarness();
  c = await openConsole(browser, h);
  page = c.page;
});

test.afterEach(() => c.guard.assertClean());

test.afterAll(async () => {
  await c?.context.close();
  await h?.stop();
  await sink?.close();
});

test('SMTP: not set up yet; a server-side refusal is shown on its field; then saved', async () => {
  await nav('Mail', /\/settings\/mail$/);
  await expect(page.getByTestId('smtp-not-configured')).toContainText('No SMTP server is set up yet');
  await expect(page.getByTestId('mail-test-send')).toBeDisabled();
  const form = page.getByTestId('smtp-form');
  await input(form, 'smtp-host').fill('bad host!');
  await form.getByTestId('smtp-security').getByText('None').click();
  await expect(input(form, 'smtp-port')).toHaveValue('25');
  await input(form, 'smtp-port').fill(String(sink.port));
  await input(form, 'smtp-from-address').fill('it@office.example');
  await input(form, 'smtp-from-name').fill('Office IT');
  await page.getByTestId('smtp-save').click();
  await expect(page.getByTestId('smtp-error')).toContainText('Some of the values are not valid.');
  await expect(page.getByTestId('smtp-error')).toContainText('The SMTP host must be a host name or IP address.');
  await expect(form.locator('.el-form-item.is-error')).toContainText('Host');

  await input(form, 'smtp-host').fill('127.0.0.1');
  await page.getByTestId('smtp-save').click();
  await expectToast(page, 'SMTP settings saved.');
  await expect(page.getByTestId('smtp-not-configured')).toHaveCount(0);
  await expect(page.getByTestId('smtp-error')).toHaveCount(0);

  await page.reload();
  await expect(input(page.getByTestId('smtp-form'), 'smtp-port')).toHaveValue(String(sink.port));
  await expect(input(page.getByTestId('smtp-form'), 'smtp-host')).toHaveValue('127.0.0.1');
});

test('SMTP password: write-only, kept when left empty, and removable', async () => {
  const form = page.getByTestId('smtp-form');
  await expect(form).toContainText('No password is saved.');
  await input(form, 'smtp-password').fill('relay secret 1');
  await page.getByTestId('smtp-save').click();
  await expectToast(page, 'SMTP settings saved.');
  await expect(form).toContainText('A password is saved. It is never shown');
  await expect(input(form, 'smtp-password')).toHaveValue('');
  await expect(input(form, 'smtp-password')).toHaveAttribute('placeholder', 'Leave empty to keep the saved password');
  const saved = (await h.admin.call('GET', '/api/mail/smtp')).json<{ hasPassword: boolean }>();
  expect(saved.hasPassword).toBe(true);

  await form.getByTestId('smtp-remove-password').click();
  await expect(input(form, 'smtp-password')).toBeDisabled();
  await page.getByTestId('smtp-save').click();
  await expectToast(page, 'SMTP settings saved.');
  await expect(form).toContainText('No password is saved.');
  expect((await h.admin.call('GET', '/api/mail/smtp')).json<{ hasPassword: boolean }>().hasPassword).toBe(false);
});

test('a test message: the SMTP server’s answer is shown plainly, for an accepted and a refused address', async () => {
  sink.refused.add('nobody@office.example');
  await input(page, 'mail-test-to').fill('admin@office.example');
  await page.getByTestId('mail-test-send').click();
  const result = page.getByTestId('mail-test-result');
  await expect(result).toContainText('The SMTP server accepted the test message for admin@office.example.');
  await expect(result).toContainText('The SMTP server accepted a message for admin@office.example.');
  const [mail] = await waitForMails(sink.messages, 'admin@office.example', 1);
  expect(mail?.subject).toContain('Tsunagu test message');

  await input(page, 'mail-test-to').fill('nobody@office.example');
  await page.getByTestId('mail-test-send').click();
  await expect(result).toContainText('The test message to nobody@office.example was not sent.');
  await expect(result).toContainText('550');
});

test('the outbox: a refused invitation fails with the server’s answer, and Retry sends it once the address works', async () => {
  sink.refused.add('typo@example.com');
  const user = await h.admin.call('POST', '/api/users', {
    email: 'typo@example.com',
    displayName: 'Typo',
    locale: 'en',
    sendInvitation: true,
  });
  expect(user.status).toBe(201);
  await expect
    .poll(
      async () => (await h.admin.call('GET', '/api/mail/outbox')).json<{ counts: { failed: number } }>().counts.failed,
    )
    .toBe(1);
  await page.getByTestId('outbox-refresh').click();
  const failedRow = page
    .getByTestId('outbox-table')
    .locator('.el-table__body tr')
    .filter({ hasText: 'typo@example.com' });
  await expect(failedRow.getByTestId('outbox-status')).toHaveText('Failed');
  await expect(failedRow.getByTestId('outbox-error')).toContainText('550');
  await expect(page.getByTestId('outbox-counts')).toContainText('Failed: 1');

  sink.refused.delete('typo@example.com');
  await failedRow.getByTestId('outbox-retry').click();
  await expectToast(page, 'The message to typo@example.com is queued again');
  await expect(failedRow.getByTestId('outbox-status')).toHaveText('Queued');
  await h.server.services.tick();
  await waitForMails(sink.messages, 'typo@example.com', 1);
  await page.getByTestId('outbox-refresh').click();
  await expect(failedRow.getByTestId('outbox-status')).toHaveText('Sent');
  await expect(failedRow.getByTestId('outbox-retry')).toHaveCount(0);
});

test('push certificate: none yet; an unreadable one, and one without its key, are refused with the server’s reason', async () => {
  await nav('Push certificate', /\/settings\/push$/);
  await expect(page.getByTestId('push-missing')).toContainText('No push certificate yet');
  await input(page, 'push-certificate').fill(
    '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n',
  );
  await page.getByTestId('push-upload').click();
  const error = page.getByTestId('push-upload-error');
  await expect(error).toContainText('Some of the values are not valid.');
  await expect(error).toContainText('The push certificate is not a readable PEM certificate.');
  // A readable certificate without its key (and no CSR made here): the server asks for the key.
  await input(page, 'push-certificate').fill(fakePushCertificate({ days: 200 }).certPem);
  await page.getByTestId('push-upload').click();
  await expect(error).toContainText('Upload the private key too, or generate a CSR here first');
});

test('push certificate: a PEM expiring in 20 days is taken, with a clear warning and how to renew', async () => {
  const pki = fakePushCertificate({ days: 20 });
  await input(page, 'push-certificate').fill(pki.certPem);
  await page
    .getByTestId('push-key-file')
    .setInputFiles({ name: 'push.key', mimeType: 'application/x-pem-file', buffer: Buffer.from(pki.keyPem) });
  await expect(page.getByTestId('push-upload-section')).toContainText('Read from push.key');
  await page.getByTestId('push-upload').click();
  await expectToast(page, `Push certificate saved (topic ${pki.topic}).`);
  const warning = page.getByTestId('push-warning');
  await expect(warning).toContainText(/The push certificate expires in (19|20) days\. Renew it now\./);
  await expect(warning).toContainText('identity.apple.com with the same Apple ID');
  await expect(warning).toContainText('A renewal keeps the topic');
  await expect(page.getByTestId('push-topic')).toHaveText(pki.topic);
});

test('push certificate: a PKCS#12 file with its password', async () => {
  const pki = fakePushCertificate({ days: 365 });
  const p12 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(pki.keyPem),
    [forge.pki.certificateFromPem(pki.certPem)],
    'p12 secret',
    { algorithm: '3des' },
  );
  await page.getByTestId('push-format').getByText('PKCS#12').click();
  await page.getByTestId('push-p12-file').setInputFiles({
    name: 'push.p12',
    mimeType: 'application/x-pkcs12',
    buffer: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'),
  });
  await expect(page.getByTestId('push-upload-section')).toContainText('push.p12');
  await input(page, 'push-p12-password').fill('wrong');
  await page.getByTestId('push-upload').click();
  await expect(page.getByTestId('push-upload-error')).toContainText('The PKCS#12 password is wrong.');
  await input(page, 'push-p12-password').fill('p12 secret');
  await page.getByTestId('push-upload').click();
  await expectToast(page, `Push certificate saved (topic ${pki.topic}).`);
  await expect(page.getByTestId('push-ok')).toHaveText('The push certificate is valid.');
  await expect(page.getByTestId('push-warning')).toHaveCount(0);
});

test('push certificate: a CSR is downloaded, signed, and the certificate uploaded without a key', async () => {
  await page.getByTestId('push-path-elsewhere').click();
  const download = page.waitForEvent('download');
  await page.getByTestId('push-csr').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('tsunagu-push-request.csr');
  const csrPem = readFileSync(await file.path(), 'utf8');
  expect(csrPem).toContain('-----BEGIN CERTIFICATE REQUEST-----');
  await expect(page.getByTestId('push-csr-pending')).toContainText(
    'Upload the certificate Apple issues for it, without a key.',
  );
  await expect(page.getByTestId('push-signed-step')).toBeVisible();

  const signed = signPushCsr(csrPem);
  await page.getByTestId('push-format').getByText('PEM').click();
  await input(page, 'push-certificate').fill(signed.certPem);
  await page.getByTestId('push-upload').click();
  await expectToast(page, `Push certificate saved (topic ${signed.topic}).`);
  await expect(page.getByTestId('push-csr-pending')).toHaveCount(0);
  await expect(page.getByTestId('push-topic')).toHaveText(signed.topic);
});

test('APNs address: only an https origin is taken', async () => {
  await input(page, 'push-apns-url').fill('http://push.example/path');
  await page.getByTestId('push-apns-save').click();
  await expect(page.getByTestId('push-apns-error')).toContainText('https://');
  await input(page, 'push-apns-url').fill('https://api.sandbox.push.apple.com');
  await page.getByTestId('push-apns-save').click();
  await expectToast(page, 'APNs address saved.');
  expect((await h.admin.call('GET', '/api/push/settings')).json<{ apnsBaseUrl: string }>().apnsBaseUrl).toBe(
    'https://api.sandbox.push.apple.com',
  );
});

test('macOS helper app: none yet; a file of another kind is refused before sending, a mislabelled one by the server; a build uploaded, then removed', async () => {
  await nav('User settings', /\/settings\/users$/);
  const section = page.getByTestId('helper-build-section');
  await expect(section.getByTestId('helper-build-none')).toBeVisible();
  await section.getByTestId('helper-build-file-file').setInputFiles({
    name: 'Tsunagu Helper.app',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from('x'),
  });
  await expect(section.getByTestId('helper-build-problem')).toHaveText(
    'Tsunagu Helper.app is not a .dmg, .pkg or .zip file.',
  );
  await section.getByTestId('helper-build-file-file').setInputFiles({
    name: 'helper.dmg',
    mimeType: 'application/x-apple-diskimage',
    buffer: Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(64)]),
  });
  await section.getByTestId('helper-build-upload').click();
  await expect(section.getByTestId('helper-build-error')).toContainText('This file is not a helper build');
  await expect(section.getByTestId('helper-build-none')).toBeVisible();
  const pkg = Buffer.concat([Buffer.from('xar!', 'latin1'), Buffer.alloc(3 * 1024 * 1024, 1)]);
  await section.getByTestId('helper-build-file-file').setInputFiles({
    name: 'Tsunagu Helper.pkg',
    mimeType: 'application/octet-stream',
    buffer: pkg,
  });
  await section.getByTestId('helper-build-upload').click();
  await expectToast(page, 'Uploaded Tsunagu Helper.pkg.');
  await expect(section.getByTestId('helper-build-name')).toHaveText('Tsunagu Helper.pkg');
  await expect(section.getByTestId('helper-build-size')).toHaveText('3.0 MB');
  await expect(section.getByTestId('helper-build-sha256')).toHaveText(createHash('sha256').update(pkg).digest('hex'));
  await expect(section.getByTestId('helper-build-url')).toHaveText(/\/downloads\/tsunagu-helper\.pkg$/);
  await section.getByTestId('helper-build-remove').click();
  await page.getByTestId('helper-build-remove-dialog-confirm').click();
  await expectToast(page, 'The uploaded helper app was removed.');
  await expect(section.getByTestId('helper-build-none')).toBeVisible();
});

test('backup (under Administration only): a short or differing passphrase is refused before sending; the download is one file under the dated name', async () => {
  await nav('User settings', /\/settings\/users$/);
  await expect(page.getByTestId('backup-section')).toHaveCount(0);
  await nav('Administration', /\/settings\/admins$/);
  const section = page.getByTestId('backup-section');
  await expect(section.getByTestId('backup-note')).toContainText('cannot be recovered');
  await input(section, 'backup-passphrase').fill('too short');
  await section.getByTestId('backup-download').click();
  await expect(section).toContainText('Use a passphrase of at least 12 characters.');
  await input(section, 'backup-passphrase').fill('a long office passphrase');
  await input(section, 'backup-repeat').fill('a long office passphrasf');
  await section.getByTestId('backup-download').click();
  await expect(section).toContainText('The two passphrases differ.');
  await input(section, 'backup-repeat').fill('a long office passphrase');
  const [download] = await Promise.all([page.waitForEvent('download'), section.getByTestId('backup-download').click()]);
  expect(download.suggestedFilename()).toMatch(/^tsunagu-backup-\d{4}-\d{2}-\d{2}\.tsunagu-backup$/);
  expect(
    readFileSync(await download.path())
      .subarray(0, 15)
      .toString(),
  ).toBe('TSUNAGU-BACKUP\n');
  await expectToast(page, `Saved the backup as ${download.suggestedFilename()}.`);
  await expect(input(section, 'backup-passphrase')).toHaveValue('');
});

test('server certificate: office CA mode, then a public certificate (asked first; links use its name, the office name keeps the office certificate), then back', async () => {
  await nav('Server certificate', /\/settings\/tls$/);
  const port = Number(new URL(h.server.enrollmentUrl).port);
  await expect(page.getByTestId('tls-mode')).toHaveAttribute('data-mode', 'office');
  await expect(page.getByTestId('tls-mode')).toHaveText('Office CA mode');
  await expect(page.getByTestId('tls-link-url')).toHaveText(`https://tsunagu.test:${port}`);
  await expect(page.getByTestId('tls-devices-see')).toContainText('the first-visit page walks them through it');
  await expect(page.getByTestId('tls-office-names')).toContainText('tsunagu.test');
  await expect(page.getByTestId('tls-office-names')).toContainText('127.0.0.1');
  const caFingerprint = h.server.services.ca
    .caCertificate()
    .fingerprint256.replace(/[^0-9A-F]/gi, '')
    .toUpperCase()
    .match(/.{2}/g)
    ?.join(':');
  await expect(page.getByTestId('tls-ca-fingerprint')).toHaveText(caFingerprint ?? '-');
  await expect(page.getByTestId('tls-public-section')).toHaveCount(0);
  await expect(page.getByTestId('tls-generated-section')).toHaveCount(0);
  await expect(page.getByTestId('tls-import-section')).toContainText('Use a public certificate');
  await expectEnrollmentAddressUnder(bootstrapOrigin());
  // Enrolled in office mode: its profile carries the office CA, and it trusts nothing else.
  const caPem = h.server.services.ca.caCertificate().pem;
  const before = await enrolledIphone('before@example.com', caPem);
  expect(before.profile?.caDer).not.toBeNull();
  expect(new URL(before.profile?.mdm.serverUrl ?? '').origin).toBe(`https://tsunagu.test:${port}`);

  const pub = testPublicCa();
  const confirmImport = async () => {
    await page.getByTestId('tls-import').click();
    const confirm = page.getByTestId('tls-public-confirm');
    await expect(confirm).toBeVisible();
    await confirm.getByTestId('tls-public-confirm-confirm').click();
    await expect(confirm).toBeHidden();
  };

  const wrong = pub.server();
  await input(page, 'tls-certificate').fill(wrong.certPem);
  await input(page, 'tls-key').fill(pub.server().keyPem);
  await confirmImport();
  await expect(page.getByTestId('tls-import-error')).toContainText(
    'The private key does not belong to this certificate.',
  );

  const addressOnly = pub.server({ dns: [], ips: ['203.0.113.5'] });
  await input(page, 'tls-certificate').fill(addressOnly.certPem);
  await input(page, 'tls-key').fill(addressOnly.keyPem);
  await confirmImport();
  await expect(page.getByTestId('tls-import-error')).toContainText(
    'This certificate names no DNS host name that links could use',
  );
  await expect(page.getByTestId('tls-mode')).toHaveAttribute('data-mode', 'office');

  const good = pub.server({ dns: ['mdm.example.org'] });
  await input(page, 'tls-certificate').fill(good.certPem);
  await input(page, 'tls-key').fill(good.keyPem);
  await input(page, 'tls-chain').fill(pub.rootPem);
  await page.getByTestId('tls-import').click();
  const toPublic = page.getByTestId('tls-public-confirm');
  await expect(toPublic).toContainText('Switch to the public certificate?');
  await expect(toPublic).toContainText(
    `change at once from https://tsunagu.test:${port} to the certificate’s DNS name`,
  );
  await expect(toPublic).toContainText(`Enrolled devices keep working: they use https://tsunagu.test:${port}`);
  // Cancelling changes nothing.
  await toPublic.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(toPublic).toBeHidden();
  expect(h.server.services.ca.tlsMode()).toBe('office');
  await page.getByTestId('tls-import').click();
  await toPublic.getByTestId('tls-public-confirm-confirm').click();
  await expectToast(page, `Public certificate in use. Devices now connect to https://mdm.example.org:${port}.`);
  await expect(page.getByTestId('tls-mode')).toHaveAttribute('data-mode', 'public');
  await expect(page.getByTestId('tls-link-url')).toHaveText(`https://mdm.example.org:${port}`);
  await expect(page.getByTestId('tls-office-url')).toHaveText(`https://tsunagu.test:${port}`);
  await expect(page.getByTestId('tls-devices-see')).toContainText('there is no trust step');
  await expect(page.getByTestId('tls-public-names')).toHaveText('mdm.example.org');
  await expect(page.getByTestId('tls-office-names')).toContainText('tsunagu.test');
  await expect(page.getByTestId('tls-import-section')).toContainText('Replace the public certificate');
  expect(await presentedCn(port, 'mdm.example.org')).toBe('mdm.example.org');
  expect(await presentedCn(port, 'tsunagu.test')).toBe('tsunagu.test');
  expect(await presentedCn(port, undefined)).toBe('tsunagu.test');
  await expectEnrollmentAddressUnder(`https://mdm.example.org:${port}`);
  // The iPhone enrolled before keeps working unchanged under the office name.
  expect(await pollsAnew(before)).toEqual([]);
  // A new iPhone trusts only the public root (as devices trust public authorities): no trust step, no root payload.
  const during = await enrolledIphone('during@example.com', pub.rootPem);
  expect(during.profile?.caDer).toBeNull();
  expect(new URL(during.profile?.mdm.serverUrl ?? '').origin).toBe(`https://mdm.example.org:${port}`);

  await page.getByTestId('tls-use-generated').click();
  const back = page.getByTestId('tls-generated-confirm');
  await expect(back).toContainText(`use https://tsunagu.test:${port} again`);
  await expect(back).toContainText('Devices enrolled while it was in use reach mdm.example.org');
  await expect(back).toContainText('The imported certificate is removed');
  await back.getByTestId('tls-generated-confirm-confirm').click();
  await expectToast(page, `Office CA mode: devices connect to https://tsunagu.test:${port} again.`);
  await expect(page.getByTestId('tls-mode')).toHaveAttribute('data-mode', 'office');
  await expect(page.getByTestId('tls-link-url')).toHaveText(`https://tsunagu.test:${port}`);
  await expect(page.getByTestId('tls-public-section')).toHaveCount(0);
  expect(await presentedCn(port, 'mdm.example.org')).toBe('tsunagu.test');
  await expectEnrollmentAddressUnder(bootstrapOrigin());
  expect(await pollsAnew(before)).toEqual([]);
  // As the confirmation said: the iPhone enrolled during public mode now gets the office certificate, which it does
  // not trust (the office CA is not installed on it), until it is enrolled again.
  await expect(pollsAnew(during)).rejects.toThrow(/certificate/i);
  before.close();
  during.close();
});
