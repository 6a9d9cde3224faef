import type { KeyObject } from 'node:crypto';
import { issueCertificateAsync, type NameAttr } from '../../pki/x509.js';
import type { ParsedCsr, SubjectAttribute } from '../../pki/csr.js';
import { shortNameOf } from '../../pki/csr.js';
import { contextPrimitive, encode, octets, seq, Tag } from '../../pki/der.js';
import { OID } from '../../pki/oids.js';

// The device identity certificate issued for a SCEP request (apple-protocols §2.10; micromdm/scep
// depot/signer.go): CSR subject and key, 10 minutes of back-dating for clock skew, clientAuth.

const MINUTE = 60_000;
const DAY = 86_400_000;

/** What the issued certificate is made from. */
export interface ClientCertificateInput {
  csr: ParsedCsr;
  caCertPem: string;
  caKey: KeyObject;
  /** The CA's own subjectKeyIdentifier, which the authorityKeyIdentifier must repeat (RFC 5280 §4.2.1.1). */
  caKeyIdentifier: Buffer;
  serialHex: string;
  now: Date;
  validityDays: number;
}

/** The issued certificate and the facts the service records about it. */
export interface IssuedClientCertificate {
  certPem: string;
  der: Buffer;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
}

/** Normalizes a hex serial for lookups: lowercase, no leading zero octets (Node prints serials in uppercase). */
export function normalizeSerialHex(hex: string): string {
  const clean = hex.toLowerCase().replace(/^(00)+(?=..)/, '');
  return clean.length % 2 === 0 ? clean : `0${clean}`;
}

// forge re-encodes UTF8String values from JS strings and writes every other tag byte for byte, so each
// attribute keeps the string type the device chose (a UTF8String CN stays UTF8String).
function nameAttr(a: SubjectAttribute): NameAttr & { valueTagClass: number } {
  const shortName = shortNameOf(a.type);
  // Non-UTF8 strings were decoded as Latin-1, which is exactly forge's binary string; BMPString becomes UTF8String.
  return {
    ...(shortName ? { shortName } : {}),
    type: a.type,
    value: a.value,
    valueTagClass: a.tag === Tag.BMP ? Tag.UTF8 : a.tag,
  };
}

/** Issues the client identity certificate for a verified CSR, signed by the CA key with SHA-256 (on the thread pool). */
export async function issueClientCertificate(input: ClientCertificateInput): Promise<IssuedClientCertificate> {
  const notBefore = new Date(input.now.getTime() - 10 * MINUTE);
  const notAfter = new Date(input.now.getTime() + input.validityDays * DAY);
  const san = input.csr.extensions.find((e) => e.oid === OID.subjectAltName);
  const certPem = await issueCertificateAsync({
    subject: input.csr.subject.map(nameAttr),
    issuerCertPem: input.caCertPem,
    publicKeyPem: input.csr.publicKeyPem,
    signingKeyPem: input.caKey,
    serialHex: input.serialHex,
    notBefore,
    notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
      // Copied verbatim, so every GeneralName form the device asked for survives (RFC 5280 §4.2.1.6).
      ...(san ? [{ id: OID.subjectAltName, critical: san.critical, value: san.value.toString('binary') }] : []),
      // Both key identifiers are given as finished values: the AKI repeats the CA's actual SKI (forge would
      // recompute it from the CA key, which differs for CAs that used another method), and neither needs
      // forge's big-number key re-encoding.
      { id: OID.subjectKeyIdentifier, value: encode(octets(input.csr.keyIdentifier)).toString('binary') },
      {
        id: OID.authorityKeyIdentifier,
        value: encode(seq(contextPrimitive(0, input.caKeyIdentifier))).toString('binary'),
      },
    ],
  });
  // LF line ends like Node's PEM (forge writes CRLF), so stored certificates compare equal everywhere.
  const pem = certPem.replace(/\r\n/g, '\n');
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return { certPem: pem, der, serialHex: normalizeSerialHex(input.serialHex), notBefore, notAfter };
}
