import { OID } from './oids.js';
import {
  children,
  encode,
  isContext,
  parseDer,
  readIntegerBytes,
  readOctets,
  readOid,
  seq,
  sequence,
  sequenceOf,
  type Node,
} from './der.js';

// Just enough of an X.509 certificate to name it in CMS: its DER and its issuerAndSerialNumber
// (RFC 5652 §10.2.4). Everything else about certificates is left to Node's X509Certificate.

/** A certificate as CMS refers to it. */
export interface CertificateRef {
  der: Buffer;
  node: Node;
  issuerNode: Node;
  serialNode: Node;
  /** The SubjectPublicKeyInfo node. */
  spkiNode: Node;
  id: IssuerSerial;
}

/** An IssuerAndSerialNumber as comparable bytes. */
export interface IssuerSerial {
  issuerDer: Buffer;
  serial: Buffer;
}

/** Reads the issuer, serial and key of a parsed Certificate node (RFC 5280 §4.1). */
export function readCertificate(node: Node, what: string): CertificateRef {
  const [tbs] = sequence(node, what, 3, 3);
  const fields = sequence(tbs, `${what} TBSCertificate`, 6, 10);
  const offset = isContext(fields[0], 0) ? 1 : 0;
  const serialNode = fields[offset] as Node;
  const issuerNode = fields[offset + 2] as Node;
  sequenceOf(issuerNode, `${what} issuer`, 64);
  const spkiNode = fields[offset + 5] as Node;
  return {
    der: encode(node),
    node,
    issuerNode,
    serialNode,
    spkiNode,
    id: { issuerDer: encode(issuerNode), serial: readIntegerBytes(serialNode, `${what} serial number`) },
  };
}

/** The subjectKeyIdentifier extension value of a certificate (RFC 5280 §4.2.1.2), or null when it has none. */
export function subjectKeyIdentifier(cert: CertificateRef): Buffer | null {
  const [tbs] = sequence(cert.node, 'certificate', 3, 3);
  const extensions = sequence(tbs, 'TBSCertificate', 6, 10).find((f) => isContext(f, 3));
  if (!extensions) return null;
  const [list] = children(extensions, 'extensions', 1);
  for (const ext of sequenceOf(list, 'extensions', 64)) {
    const fields = sequence(ext, 'extension', 2, 3);
    if (readOid(fields[0], 'extension id') !== OID.subjectKeyIdentifier) continue;
    return readOctets(
      parseDer(readOctets(fields[fields.length - 1], 'extension value'), 'subjectKeyIdentifier'),
      'subjectKeyIdentifier',
    );
  }
  return null;
}

/** Parses a DER certificate into a CertificateRef. */
export function certificateFromDer(der: Buffer, what: string): CertificateRef {
  return readCertificate(parseDer(der, what), what);
}

/** Reads an IssuerAndSerialNumber SEQUENCE. */
export function readIssuerSerial(node: Node | undefined, what: string): IssuerSerial {
  const [issuer, serial] = sequence(node, what, 2, 2);
  sequenceOf(issuer, `${what} issuer`, 64);
  return { issuerDer: encode(issuer as Node), serial: readIntegerBytes(serial, `${what} serial number`) };
}

/** True when two IssuerAndSerialNumber values name the same certificate. */
export function sameIssuerSerial(a: IssuerSerial, b: IssuerSerial): boolean {
  return a.serial.equals(b.serial) && a.issuerDer.equals(b.issuerDer);
}

/** The IssuerAndSerialNumber node that names `cert`. */
export function issuerAndSerialNumber(cert: CertificateRef): Node {
  return seq(cert.issuerNode, cert.serialNode);
}
