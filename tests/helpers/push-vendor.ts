// Stand-ins for the two outside parties of the push certificate: a vendor-signing service of the mdmcert.download
// kind (JSON POST in, the signed request mailed back as hex of a CMS EnvelopedData encrypted to the certificate that
// came with the request), and Apple's push certificates portal (a push certificate for the CSR inside a signed
// request, topic com.apple.mgmt.External.<uuid> in the subject UID). Both listen on / run in 127.0.0.1 only.
import { createPublicKey, randomBytes, randomUUID, sign, verify, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { certificateFromDer } from '../../server/pki/certificate-ref.js';
import { cipherByName } from '../../server/pki/ciphers.js';
import { parseCsr } from '../../server/pki/csr.js';
import { buildEnvelopedData } from '../../server/pki/cms-enveloped.js';
import { buildPlist, isDict, parsePlist } from '../../server/core/plist.js';
import { secureRandom } from '../../server/core/random.js';
import { generateRsaKeyPair, issueCertificate, pemToDer, randomSerialHex } from '../../server/pki/x509.js';

const DAY = 86_400_000;
const serial = () => randomSerialHex(randomBytes(16));

/** A stand-in MDM vendor: its signing certificate and the chain up to a stand-in Apple root. */
export interface StandInVendor {
  certPem: string;
  keyPem: string;
  /** Vendor certificate, then the intermediate, then the root, as PushCertCertificateChain carries them. */
  chainPem: string;
}

/** Makes a vendor signing certificate under a stand-in WWDR intermediate and Apple root. */
export function standInVendor(now = new Date()): StandInVendor {
  const root = generateRsaKeyPair(2048);
  const rootPem = issueCertificate({
    subject: [{ shortName: 'CN', value: 'Test Apple Root CA' }],
    publicKeyPem: root.publicKeyPem,
    signingKeyPem: root.privateKeyPem,
    serialHex: serial(),
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 3650 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const wwdr = generateRsaKeyPair(2048);
  const wwdrPem = issueCertificate({
    subject: [{ shortName: 'CN', value: 'Test Apple Worldwide Developer Relations CA' }],
    issuerCertPem: rootPem,
    publicKeyPem: wwdr.publicKeyPem,
    signingKeyPem: root.privateKeyPem,
    serialHex: serial(),
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 1825 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const vendor = generateRsaKeyPair(2048);
  const certPem = issueCertificate({
    subject: [
      { shortName: 'CN', value: 'MDM Vendor: Test Stand-in Signer' },
      { shortName: 'O', value: 'Test' },
    ],
    issuerCertPem: wwdrPem,
    publicKeyPem: vendor.publicKeyPem,
    signingKeyPem: wwdr.privateKeyPem,
    serialHex: serial(),
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 365 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
    ],
  });
  return { certPem, keyPem: vendor.privateKeyPem, chainPem: [certPem, wwdrPem, rootPem].join('') };
}

/** The DER of a PEM CSR. */
export function csrDer(csrPem: string): Buffer {
  return Buffer.from(csrPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

/** A vendor-signed request for `csrPem` as the portal takes it: the plist, base64 (what signing tools produce). */
export function vendorSignedRequest(
  csrPem: string,
  vendor: StandInVendor,
  options: { signature?: Buffer; chainPem?: string; xml?: boolean } = {},
): string {
  const der = csrDer(csrPem);
  const xml = buildPlist({
    PushCertRequestCSR: der.toString('base64'),
    PushCertCertificateChain: options.chainPem ?? vendor.chainPem,
    PushCertSignature: (options.signature ?? sign('sha256', der, vendor.keyPem)).toString('base64'),
  });
  return options.xml ? xml : Buffer.from(xml).toString('base64');
}

/** Encrypts `content` to `recipientCertPem` and hex-encodes it, as the service's mail attachment is. */
export function encryptForMail(content: Buffer, recipientCertPem: string): string {
  const der = buildEnvelopedData(
    content,
    certificateFromDer(pemToDer(recipientCertPem), 'recipient'),
    createPublicKey(recipientCertPem),
    cipherByName('aes-256-cbc'),
    secureRandom,
  );
  return der.toString('hex');
}

/** How the stand-in service behaves. */
export type SignerMode = 'ok' | 'refuse' | 'forever' | 'huge' | 'error500';

/** A running stand-in signing service. */
export interface VendorSigner {
  /** The signing API, http://127.0.0.1:<port>/api/v1/signrequest */
  url: string;
  apiKey: string;
  vendor: StandInVendor;
  mode: SignerMode;
  /** The attachment last "mailed" to `email` (hex text), or undefined. */
  mailFor(email: string): string | undefined;
  /** Requests received. */
  received: number;
  close(): Promise<void>;
}

/** Starts the stand-in signing service on 127.0.0.1. */
export async function startVendorSigner(options: { apiKey?: string; mode?: SignerMode } = {}): Promise<VendorSigner> {
  const vendor = standInVendor();
  const outbox = new Map<string, string>();
  const open = new Set<ServerResponse>();
  const signer: VendorSigner = {
    url: '',
    apiKey: options.apiKey ?? 'test-api-key-0123456789',
    vendor,
    mode: options.mode ?? 'ok',
    received: 0,
    mailFor: (email) => outbox.get(email),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    signer.received++;
    if (req.method !== 'POST' || req.url !== '/api/v1/signrequest') {
      res.writeHead(404).end();
      return;
    }
    if (signer.mode === 'forever') {
      open.add(res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"result":');
      return;
    }
    if (signer.mode === 'huge') {
      // 50 MB of answer, written as fast as the peer reads it, stopping when it hangs up.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 50 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return;
    }
    if (signer.mode === 'error500') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
      return;
    }
    let json: { csr?: string; email?: string; key?: string; encrypt?: string };
    try {
      json = JSON.parse(body.toString('utf8')) as typeof json;
    } catch {
      res.writeHead(400).end('{"result":"failure","error":"bad json"}');
      return;
    }
    if (signer.mode === 'refuse' || json.key !== signer.apiKey) {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"result":"failure","error":"invalid key"}');
      return;
    }
    const csrPem = Buffer.from(json.csr ?? '', 'base64').toString('utf8');
    const encryptPem = Buffer.from(json.encrypt ?? '', 'base64').toString('utf8');
    const signed = vendorSignedRequest(csrPem, vendor);
    outbox.set(json.email ?? '', encryptForMail(Buffer.from(signed), encryptPem));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"result":"success"}');
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 256 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  signer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/signrequest`;
  return signer;
}

/** A stand-in for Apple's push certificates portal. */
export interface StandInApple {
  caPem: string;
  /** Issues the push certificate for the CSR in a vendor-signed request (base64 plist), as the portal does. */
  issue(signedRequestB64: string, options?: { now?: Date; days?: number }): { certPem: string; topic: string };
}

/** Makes the stand-in portal with its own push CA. */
export function standInApple(): StandInApple {
  const now = new Date();
  const ca = generateRsaKeyPair(2048);
  const caPem = issueCertificate({
    subject: [{ shortName: 'CN', value: 'Test Apple Application Integration 2 CA' }],
    publicKeyPem: ca.publicKeyPem,
    signingKeyPem: ca.privateKeyPem,
    serialHex: serial(),
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 3650 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return {
    caPem,
    issue(signedRequestB64, options = {}) {
      const plist = parsePlist(Buffer.from(signedRequestB64, 'base64'));
      if (!isDict(plist)) throw new Error('the portal wants a plist dictionary');
      const der = Buffer.from(String(plist.PushCertRequestCSR), 'base64');
      const vendorCert = new X509Certificate(
        String(plist.PushCertCertificateChain).split(/(?<=-----END CERTIFICATE-----)/)[0] ?? '',
      );
      if (!verify('sha256', der, vendorCert.publicKey, Buffer.from(String(plist.PushCertSignature), 'base64')))
        throw new Error('the portal refuses a request whose vendor signature does not verify');
      const publicKeyPem = parseCsr(der).publicKeyPem;
      const uuid = randomUUID();
      const topic = `com.apple.mgmt.External.${uuid}`;
      const at = options.now ?? new Date();
      const certPem = issueCertificate({
        subject: [
          { type: '0.9.2342.19200300.100.1.1', value: topic },
          { shortName: 'CN', value: `APSP:${uuid}` },
          { shortName: 'C', value: 'US' },
        ],
        issuerCertPem: caPem,
        publicKeyPem,
        signingKeyPem: ca.privateKeyPem,
        serialHex: serial(),
        notBefore: new Date(at.getTime() - DAY),
        notAfter: new Date(at.getTime() + (options.days ?? 365) * DAY),
        extensions: [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
          { name: 'extKeyUsage', clientAuth: true },
        ],
      });
      return { certPem, topic };
    },
  };
}
