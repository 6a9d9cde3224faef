import type { KeyObject } from 'node:crypto';
import { keyIdentifier, publicKeyFromSpki, rsaVerify, spkiToPem } from './public-key.js';
import {
  children,
  encode,
  isContext,
  isUniversal,
  parseDer,
  readAlgorithm,
  readBitString,
  readOctets,
  readOid,
  readSmallInt,
  readString,
  sequence,
  sequenceOf,
  setOf,
  Tag,
  type Node,
} from './der.js';
import { digestByRsaSignatureOid, OID, type DigestName } from './oids.js';
import { PkiError } from './errors.js';
import { checkDeviceKey, DEVICE_KEY_POLICY } from './key-policy.js';

// PKCS#10 CertificationRequest (RFC 2986) as SCEP clients send it (RFC 8894 §3.3.1, apple-protocols §2.5):
// tolerant of version 2, UTF8String names and SHA-1, strict about the self-signature.

/** Bounds on a CSR's contents. */
export const CSR_LIMITS = Object.freeze({
  bytes: 16 * 1024,
  rdns: 32,
  rdnValues: 8,
  attributes: 16,
  extensions: 32,
});

/** One subject attribute as sent: OID, the decoded text, and the string tag to keep when copying it. */
export interface SubjectAttribute {
  type: string;
  value: string;
  tag: number;
}

/** One requested extension (RFC 2985 §5.4.2 extensionRequest), kept as DER for copying verbatim. */
export interface RequestedExtension {
  oid: string;
  critical: boolean;
  /** The extnValue content (the DER of the extension's own structure). */
  value: Buffer;
}

/** A parsed CSR whose self-signature has been verified. */
export interface ParsedCsr {
  der: Buffer;
  version: number;
  subject: SubjectAttribute[];
  /** The subject as an RFC 4514 string, e.g. `CN=dev-1,OU=MDM,O=scep-client,C=US`. */
  subjectText: string;
  publicKey: KeyObject;
  publicKeyPem: string;
  publicKeyBits: number;
  /** SHA-1 of the public key bits, the subjectKeyIdentifier of RFC 5280 §4.2.1.2 method 1. */
  keyIdentifier: Buffer;
  challengePassword: string | null;
  extensions: RequestedExtension[];
  signatureDigest: DigestName;
}

/**
 * Parses a PKCS#10 CSR and verifies its self-signature natively. The key is checked against the device key policy
 * first (key-policy.ts; PKI_KEY_NOT_ALLOWED), before it is used; only RSA keys pass, since the certificate builder
 * (node-forge) and the CertRep envelope (RSA key transport) handle RSA only (PKI_UNSUPPORTED_ALGORITHM for EC).
 */
export function parseCsr(der: Buffer): ParsedCsr {
  const [info, sigAlg, sigBits] = sequence(parseDer(der, 'CSR', CSR_LIMITS.bytes), 'CSR', 3, 3);
  const [version, name, spki, attrs] = sequence(info, 'CSR info', 3, 4);
  const key = checkDeviceKey(spki as Node, 'The CSR key');
  if (key.type !== 'rsa')
    throw new PkiError(
      'PKI_UNSUPPORTED_ALGORITHM',
      `The CSR key is EC ${key.curve}; this CA issues identities for RSA keys of ${DEVICE_KEY_POLICY.minRsaBits} to ${DEVICE_KEY_POLICY.maxRsaBits} bits only.`,
    );
  const digest = digestByRsaSignatureOid(readAlgorithm(sigAlg, 'CSR signatureAlgorithm').oid);
  if (!digest)
    throw new PkiError(
      'PKI_UNSUPPORTED_ALGORITHM',
      'The CSR signature algorithm is not supported; use RSA with SHA-1 or SHA-2.',
    );
  const publicKey = publicKeyFromSpki(spki as Node, 'CSR subjectPublicKeyInfo');
  verifySelfSignature(encode(info as Node), publicKey, digest, readBitString(sigBits, 'CSR signature'));
  const bits = key.bits;
  const subject = readName(name as Node);
  const attributes = attrs === undefined ? new Map<string, Node[]>() : readCsrAttributes(attrs);
  return {
    der,
    version: readSmallInt(version, 'CSR version'),
    subject,
    subjectText: subjectToString(subject),
    publicKey,
    publicKeyPem: spkiToPem(spki as Node),
    keyIdentifier: keyIdentifier(spki as Node, 'CSR subjectPublicKeyInfo'),
    publicKeyBits: bits,
    challengePassword: challengeOf(attributes),
    extensions: extensionsOf(attributes),
    signatureDigest: digest,
  };
}

function verifySelfSignature(data: Buffer, key: KeyObject, digest: DigestName, signature: Buffer): void {
  if (key.asymmetricKeyType !== 'rsa' || !rsaVerify(digest, data, key, signature))
    throw new PkiError('PKI_BAD_SIGNATURE', 'The CSR self-signature does not verify.');
}

function readName(node: Node): SubjectAttribute[] {
  const out: SubjectAttribute[] = [];
  for (const rdn of sequenceOf(node, 'CSR subject', CSR_LIMITS.rdns)) {
    for (const atv of setOf(rdn, 'CSR subject RDN', 1, CSR_LIMITS.rdnValues)) {
      const [type, value] = sequence(atv, 'CSR subject attribute', 2, 2);
      const s = readString(value, 'CSR subject value', 256);
      out.push({ type: readOid(type, 'CSR subject attribute type'), value: s.text, tag: s.tag });
    }
  }
  return out;
}

function readCsrAttributes(node: Node): Map<string, Node[]> {
  if (!isContext(node, 0)) throw new PkiError('PKI_MALFORMED', 'The CSR attributes are not tagged [0].');
  const map = new Map<string, Node[]>();
  for (const attr of children(node, 'CSR attributes', CSR_LIMITS.attributes)) {
    const [type, values] = sequence(attr, 'CSR attribute', 2, 2);
    const id = readOid(type, 'CSR attribute type');
    if (map.has(id)) throw new PkiError('PKI_MALFORMED', `The CSR repeats attribute ${id}.`);
    map.set(id, setOf(values, `CSR attribute ${id}`, 1, 1));
  }
  return map;
}

// RFC 2985 §5.4.1: challengePassword is a DirectoryString (PrintableString or UTF8String; IA5String and
// BMPString are seen from older clients).
function challengeOf(attributes: Map<string, Node[]>): string | null {
  const value = attributes.get(OID.challengePassword)?.[0];
  return value === undefined ? null : readString(value, 'CSR challengePassword', 255).text;
}

function extensionsOf(attributes: Map<string, Node[]>): RequestedExtension[] {
  const value = attributes.get(OID.extensionRequest)?.[0];
  if (value === undefined) return [];
  return sequenceOf(value, 'CSR extensionRequest', CSR_LIMITS.extensions).map((ext) => {
    const fields = sequence(ext, 'CSR extension', 2, 3);
    const critical = fields.length === 3 && isUniversal(fields[1], Tag.BOOLEAN) && fields[1].value !== '\u0000';
    return {
      oid: readOid(fields[0], 'CSR extension id'),
      critical,
      value: readOctets(fields[fields.length - 1], 'CSR extension value'),
    };
  });
}

const SHORT_NAMES: Readonly<Record<string, string>> = Object.freeze({
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
});

/** The RFC 4514 short name of an attribute type, or undefined for types it names by OID. */
export function shortNameOf(type: string): string | undefined {
  return SHORT_NAMES[type];
}

function escapeValue(value: string): string {
  return (
    value
      .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
      .replace(/^[ #]/, (c) => `\\${c}`)
      .replace(/ $/, '\\ ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  );
}

/** The RFC 4514 string of a subject (last attribute first, as RFC 4514 §2.1 orders RDNs). */
export function subjectToString(subject: readonly SubjectAttribute[]): string {
  return [...subject]
    .reverse()
    .map((a) => `${shortNameOf(a.type) ?? a.type}=${escapeValue(a.value)}`)
    .join(',');
}
