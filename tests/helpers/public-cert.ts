import { randomBytes } from 'node:crypto';
import { generateRsaKeyPair, issueCertificate, randomSerialHex } from '../../server/pki/x509.js';

const DAY = 86_400_000;

/** A server certificate from the stand-in public CA, with its key. */
export interface PublicServerCertificate {
  certPem: string;
  keyPem: string;
}

/** A throw-away stand-in for a public certificate authority: its root (for clients to trust) and what it issues. */
export interface TestPublicCa {
  rootPem: string;
  /** A server certificate for `dns` names (and `ips`), as an office would buy one; `days` of validity from now. */
  server(options?: {
    dns?: string[];
    ips?: string[];
    days?: number;
    bits?: number;
    ca?: boolean;
  }): PublicServerCertificate;
}

/** Creates a stand-in public CA; `now` is when its certificates start (minus a day). */
export function testPublicCa(now: Date = new Date()): TestPublicCa {
  const root = generateRsaKeyPair(2048);
  const rootPem = issueCertificate({
    subject: [{ shortName: 'CN', value: 'Test Public Root' }],
    publicKeyPem: root.publicKeyPem,
    signingKeyPem: root.privateKeyPem,
    serialHex: randomSerialHex(randomBytes(16)),
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 3650 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ],
  });
  return {
    rootPem,
    server(options = {}) {
      const key = generateRsaKeyPair(options.bits ?? 2048);
      const dns = options.dns ?? ['mdm.example.org'];
      const ips = options.ips ?? [];
      const altNames = [...dns.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))];
      const certPem = issueCertificate({
        subject: [{ shortName: 'CN', value: dns[0] ?? ips[0] ?? 'server' }],
        issuerCertPem: rootPem,
        publicKeyPem: key.publicKeyPem,
        signingKeyPem: root.privateKeyPem,
        serialHex: randomSerialHex(randomBytes(16)),
        notBefore: new Date(now.getTime() - DAY),
        notAfter: new Date(now.getTime() + (options.days ?? 90) * DAY),
        extensions: [
          { name: 'basicConstraints', cA: options.ca ?? false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: options.ca ?? false },
          { name: 'extKeyUsage', serverAuth: true },
          ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
        ],
      });
      return { certPem, keyPem: key.privateKeyPem };
    },
  };
}
