import type { KeyObject } from 'node:crypto';
import { issueCertificateAsync, type NameAttr } from '../../pki/x509.js';
import { subjectToString, type ParsedCsr } from '../../pki/csr.js';
import { contextPrimitive, encode, octets, seq, Tag } from '../../pki/der.js';
import { OID } from '../../pki/oids.js';
import type { IdentityTemplate, TemplateNameAttr } from './scep.ports.js';

// The device identity certificate issued for a SCEP request (apple-protocols §2.10): the subject (and, for a
// configuration's identity, the rfc822Name) of the server's template and the CSR's key, nothing else from the CSR (its
// subject, subjectAltName and requested extensions are ignored); 10 minutes of back-dating for clock skew, clientAuth,
// never a CA.

const MINUTE = 60_000;
const DAY = 86_400_000;

/** What the issued certificate is made from. */
export interface ClientCertificateInput {
  /** The verified CSR: only its key is used. */
  csr: Pick<ParsedCsr, 'publicKeyPem' | 'keyIdentifier'>;
  template: IdentityTemplate;
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

const NAME_OIDS: Readonly<Record<TemplateNameAttr['shortName'], string>> = Object.freeze({
  CN: '2.5.4.3',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
});

// UTF8String (RFC 5280 §4.1.2.6) for every attribute but countryName, which is a PrintableString (RFC 5280 App. A).
function nameAttr(a: TemplateNameAttr): NameAttr & { valueTagClass: number } {
  return { shortName: a.shortName, value: a.value, valueTagClass: a.shortName === 'C' ? Tag.PRINTABLE : Tag.UTF8 };
}

/** The RFC 4514 text of a template subject, as the issued certificates are recorded and audited. */
export function templateSubjectText(template: IdentityTemplate): string {
  return subjectToString(
    template.subject.map((a) => ({ type: NAME_OIDS[a.shortName], value: a.value, tag: Tag.UTF8 })),
  );
}

/** A mailbox an identity may name: ASCII (rfc822Name is an IA5String), one @, no spaces or controls, at most 254. */
export function isTemplateEmail(email: string): boolean {
  return email.length <= 254 && /^[!-?A-~]+@[!-?A-~]+$/.test(email);
}

// subjectAltName with the one rfc822Name ([1] IA5String, RFC 5280 §4.2.1.6), written as finished DER.
function subjectAltNameExtension(email: string): { id: string; value: string } {
  if (!isTemplateEmail(email)) throw new Error('The identity template names an email that is not an ASCII mailbox.');
  return {
    id: OID.subjectAltName,
    value: encode(seq(contextPrimitive(1, Buffer.from(email, 'ascii')))).toString('binary'),
  };
}

/** Issues the client identity certificate for a verified CSR's key, signed by the CA key with SHA-256 (on the thread pool). */
export async function issueClientCertificate(input: ClientCertificateInput): Promise<IssuedClientCertificate> {
  const notBefore = new Date(input.now.getTime() - 10 * MINUTE);
  const notAfter = new Date(input.now.getTime() + input.validityDays * DAY);
  const certPem = await issueCertificateAsync({
    subject: input.template.subject.map(nameAttr),
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
      // Both key identifiers are given as finished values: the AKI repeats the CA's actual SKI (forge would
      // recompute it from the CA key, which differs for CAs that used another method), and neither needs
      // forge's big-number key re-encoding.
      { id: OID.subjectKeyIdentifier, value: encode(octets(input.csr.keyIdentifier)).toString('binary') },
      {
        id: OID.authorityKeyIdentifier,
        value: encode(seq(contextPrimitive(0, input.caKeyIdentifier))).toString('binary'),
      },
      ...(input.template.email ? [subjectAltNameExtension(input.template.email)] : []),
    ],
  });
  // LF line ends like Node's PEM (forge writes CRLF), so stored certificates compare equal everywhere.
  const pem = certPem.replace(/\r\n/g, '\n');
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return { certPem: pem, der, serialHex: normalizeSerialHex(input.serialHex), notBefore, notAfter };
}
