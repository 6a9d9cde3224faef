import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CmsError, signCms, verifyCms } from './cms.js';
import { generateRsaKeyPair, issueCertificate, pemToDer } from './x509.js';

const dir = mkdtempSync(join(tmpdir(), 'tsunagu-cms-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keys = generateRsaKeyPair(2048);
const now = new Date();
const certPem = issueCertificate({
  subject: [{ shortName: 'CN', value: 'signer' }],
  publicKeyPem: keys.publicKeyPem,
  signingKeyPem: keys.privateKeyPem,
  serialHex: '0a1b2c',
  notBefore: new Date(now.getTime() - 60_000),
  notAfter: new Date(now.getTime() + 86_400_000),
  extensions: [
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
  ],
});

describe('CMS signing and verification', () => {
  it('writes attached SignedData that OpenSSL verifies and returns the content', () => {
    const content = Buffer.from('<plist>profile</plist>');
    const signed = signCms(content, { certPem, keyPem: keys.privateKeyPem });
    writeFileSync(join(dir, 'signed.der'), signed);
    writeFileSync(join(dir, 'ca.pem'), certPem);
    const out = execFileSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-inform',
        'DER',
        '-in',
        join(dir, 'signed.der'),
        '-CAfile',
        join(dir, 'ca.pem'),
        '-purpose',
        'any',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(out.toString()).toBe(content.toString());
    const verified = verifyCms(signed);
    expect(verified.content.equals(content)).toBe(true);
    expect(verified.signerCertDer.equals(pemToDer(certPem))).toBe(true);
  });

  it('verifies a detached signature made by OpenSSL (as a device signs Mdm-Signature) and refuses other content', () => {
    const body = Buffer.from('<?xml version="1.0"?><plist><dict><key>Status</key><string>Idle</string></dict></plist>');
    writeFileSync(join(dir, 'body'), body);
    writeFileSync(join(dir, 'key.pem'), keys.privateKeyPem);
    for (const md of ['sha1', 'sha256']) {
      execFileSync('openssl', [
        'cms',
        '-sign',
        '-binary',
        '-md',
        md,
        '-in',
        join(dir, 'body'),
        '-signer',
        join(dir, 'ca.pem'),
        '-inkey',
        join(dir, 'key.pem'),
        '-outform',
        'DER',
        '-out',
        join(dir, `sig-${md}.der`),
      ]);
      const sig = readFileSync(join(dir, `sig-${md}.der`));
      expect(verifyCms(sig, body).digestAlgorithm).toBe(md);
      expect(() => verifyCms(sig, Buffer.concat([body, Buffer.from(' ')]))).toThrow(/messageDigest does not match/);
    }
    const own = signCms(body, { certPem, keyPem: keys.privateKeyPem }, { detached: true });
    expect(verifyCms(own, body).content.equals(body)).toBe(true);
    expect(() => verifyCms(own)).toThrow(/detached but no content/);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['random bytes', Buffer.from('30820102deadbeef', 'hex')],
    ['truncated', () => signCms(Buffer.from('x'), { certPem, keyPem: keys.privateKeyPem }).subarray(0, 200)],
    ['too large', Buffer.alloc(70_000, 0x30)],
  ])('refuses %s with a CmsError', (_name, input) => {
    const bytes = typeof input === 'function' ? input() : input;
    expect(() => verifyCms(bytes, Buffer.from('x'))).toThrow(CmsError);
  });

  it('signs with the credential it is given, also after the signer changed (parsed signers are reused)', () => {
    const other = generateRsaKeyPair(2048);
    const otherCert = issueCertificate({
      subject: [{ shortName: 'CN', value: 'renewed signer' }],
      publicKeyPem: other.publicKeyPem,
      signingKeyPem: other.privateKeyPem,
      serialHex: '0a1b2d',
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + 86_400_000),
      extensions: [{ name: 'keyUsage', digitalSignature: true }],
    });
    for (let i = 0; i < 2; i++) {
      expect(
        verifyCms(signCms(Buffer.from('a'), { certPem, keyPem: keys.privateKeyPem })).signerCertDer.equals(
          pemToDer(certPem),
        ),
      ).toBe(true);
      expect(
        verifyCms(signCms(Buffer.from('b'), { certPem: otherCert, keyPem: other.privateKeyPem })).signerCertDer.equals(
          pemToDer(otherCert),
        ),
      ).toBe(true);
    }
    // The same certificate with a key that does not match it gives a signature that does not verify, never the cached key's.
    expect(() => verifyCms(signCms(Buffer.from('c'), { certPem, keyPem: other.privateKeyPem }))).toThrow(
      /does not verify/,
    );
  });

  it('refuses a signature whose bytes were altered', () => {
    const signed = signCms(Buffer.from('content'), { certPem, keyPem: keys.privateKeyPem });
    const bad = Buffer.from(signed);
    bad[bad.length - 5] = (bad[bad.length - 5] ?? 0) ^ 0xff;
    expect(() => verifyCms(bad)).toThrow(/does not verify/);
  });
});
