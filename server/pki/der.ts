import forge from 'node-forge';
import { PkiError } from './errors.js';

// DER reading and writing for the PKI codecs. node-forge lays out the structures; every reader checks the
// tag it expects and throws a typed PkiError instead of letting a malformed input reach a TypeError.

const { asn1 } = forge;

/** One parsed ASN.1 element (node-forge's representation: `value` is a binary string or the children). */
export type Node = forge.asn1.Asn1;

/** The universal tags the PKI codecs read and write. */
export const Tag = Object.freeze({
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8: 12,
  SEQUENCE: 16,
  SET: 17,
  PRINTABLE: 19,
  T61: 20,
  IA5: 22,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
  VISIBLE: 26,
  BMP: 30,
});

const UNIVERSAL = asn1.Class.UNIVERSAL;
const CONTEXT = asn1.Class.CONTEXT_SPECIFIC;

/** Largest DER input the codec parses: a pkiMessage is a few KiB, and the HTTP body limit is 64 KiB. */
export const MAX_DER_BYTES = 64 * 1024;

// The deepest legitimate nesting is a Name inside a certificate inside SignedData (about 10 levels).
const MAX_DEPTH = 32;

interface FromDerOptions {
  strict: boolean;
  parseAllBytes: boolean;
  decodeBitStrings: boolean;
  maxDepth: number;
}

const fromDer = asn1.fromDer as unknown as (bytes: forge.util.ByteStringBuffer, options: FromDerOptions) => Node;

/**
 * Parses one complete DER element, bounding its size and depth; anything else is PKI_MALFORMED.
 *
 * Signatures cover exact bytes (signed attributes, the CSR info, certificates), and the codec gets them by
 * re-encoding parsed nodes. That is only faithful for canonical DER (forge writes definite minimal lengths and
 * trims a redundant leading zero of an INTEGER), so the input must re-encode to itself: BER and non-minimal
 * encodings are refused rather than silently altered.
 */
export function parseDer(der: Buffer, what: string, maxBytes: number = MAX_DER_BYTES): Node {
  if (der.length === 0) throw new PkiError('PKI_MALFORMED', `${what} is empty.`);
  if (der.length > maxBytes) throw new PkiError('PKI_TOO_LARGE', `${what} is larger than ${maxBytes} bytes.`);
  let root: Node;
  try {
    root = fromDer(forge.util.createBuffer(der.toString('binary')), {
      strict: true,
      parseAllBytes: true,
      decodeBitStrings: false,
      maxDepth: MAX_DEPTH,
    });
  } catch (err) {
    throw new PkiError('PKI_MALFORMED', `${what} is not valid DER.`, { cause: err });
  }
  if (!encode(root).equals(der)) throw new PkiError('PKI_MALFORMED', `${what} is not in canonical DER.`);
  return root;
}

/** The DER encoding of a node. */
export function encode(node: Node): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'binary');
}

function malformed(what: string, why: string): PkiError {
  return new PkiError('PKI_MALFORMED', `${what} ${why}.`);
}

/** True when `node` has the universal tag `tag`. */
export function isUniversal(node: Node | undefined, tag: number): node is Node {
  return node !== undefined && node.tagClass === UNIVERSAL && node.type === tag;
}

/** True when `node` is the context-specific tag [n]. */
export function isContext(node: Node | undefined, n: number): node is Node {
  return node !== undefined && node.tagClass === CONTEXT && node.type === n;
}

function childrenOf(node: Node, what: string): Node[] {
  if (!node.constructed || !Array.isArray(node.value)) throw malformed(what, 'is not a constructed element');
  return node.value;
}

/** The children of any constructed node (such as an IMPLICIT [n] SET OF), bounded in number. */
export function children(node: Node, what: string, max: number): Node[] {
  const list = childrenOf(node, what);
  if (list.length > max) throw new PkiError('PKI_TOO_LARGE', `${what} has more than ${max} elements.`);
  return list;
}

/** The fields of a SEQUENCE of fixed shape: between `min` and `max` of them, otherwise PKI_MALFORMED. */
export function sequence(node: Node | undefined, what: string, min: number, max: number): Node[] {
  if (!isUniversal(node, Tag.SEQUENCE)) throw malformed(what, 'is not a SEQUENCE');
  const list = childrenOf(node, what);
  if (list.length < min || list.length > max)
    throw malformed(what, `has ${list.length} fields instead of ${min === max ? min : `${min} to ${max}`}`);
  return list;
}

/** The elements of a SEQUENCE OF list: more than `max` is PKI_TOO_LARGE. */
export function sequenceOf(node: Node | undefined, what: string, max: number): Node[] {
  if (!isUniversal(node, Tag.SEQUENCE)) throw malformed(what, 'is not a SEQUENCE');
  return bounded(childrenOf(node, what), what, 0, max);
}

/** The elements of a SET OF: fewer than `min` is PKI_MALFORMED, more than `max` is PKI_TOO_LARGE. */
export function setOf(node: Node | undefined, what: string, min: number, max: number): Node[] {
  if (!isUniversal(node, Tag.SET)) throw malformed(what, 'is not a SET');
  return bounded(childrenOf(node, what), what, min, max);
}

function bounded(list: Node[], what: string, min: number, max: number): Node[] {
  if (list.length > max) throw new PkiError('PKI_TOO_LARGE', `${what} has more than ${max} elements.`);
  if (list.length < min) throw malformed(what, `has fewer than ${min} elements`);
  return list;
}

function primitive(node: Node | undefined, tag: number, what: string, label: string): string {
  if (!isUniversal(node, tag) || node.constructed || typeof node.value !== 'string')
    throw malformed(what, `is not ${label}`);
  return node.value;
}

/** The dotted string of an OBJECT IDENTIFIER. */
export function readOid(node: Node | undefined, what: string): string {
  const bytes = primitive(node, Tag.OID, what, 'an OBJECT IDENTIFIER');
  if (bytes.length === 0 || bytes.length > 64) throw malformed(what, 'is not a valid OBJECT IDENTIFIER');
  return asn1.derToOid(bytes);
}

/** The content octets of an INTEGER (two's complement, as encoded). */
export function readIntegerBytes(node: Node | undefined, what: string): Buffer {
  const bytes = primitive(node, Tag.INTEGER, what, 'an INTEGER');
  if (bytes.length === 0 || bytes.length > 64) throw malformed(what, 'is not a valid INTEGER');
  return Buffer.from(bytes, 'binary');
}

/** A small non-negative INTEGER such as a version number. */
export function readSmallInt(node: Node | undefined, what: string): number {
  const bytes = readIntegerBytes(node, what);
  if (bytes.length > 4 || (bytes[0] ?? 0) & 0x80) throw malformed(what, 'is not a small non-negative INTEGER');
  return bytes.reduce((acc, b) => acc * 256 + b, 0);
}

/**
 * The content of an OCTET STRING (or of an IMPLICIT-tagged one when `implicit` is its [n]). A constructed
 * (BER) string is joined from its primitive chunks, which some CMS producers emit.
 */
export function readOctets(node: Node | undefined, what: string, implicit?: number): Buffer {
  const tagged = implicit === undefined ? isUniversal(node, Tag.OCTET_STRING) : isContext(node, implicit);
  if (!node || !tagged) throw malformed(what, 'is not an OCTET STRING');
  if (!node.constructed) return Buffer.from(node.value as string, 'binary');
  const parts = children(node, what, 4096).map((chunk) => readOctets(chunk, what));
  return Buffer.concat(parts);
}

/** The bytes of a BIT STRING with no unused bits (signatures, keys). */
export function readBitString(node: Node | undefined, what: string): Buffer {
  const bytes = primitive(node, Tag.BIT_STRING, what, 'a BIT STRING');
  if (bytes.length < 1 || bytes.charCodeAt(0) !== 0) throw malformed(what, 'is not a whole-byte BIT STRING');
  return Buffer.from(bytes.slice(1), 'binary');
}

/** A decoded character string with the tag it was sent in. */
export interface DirectoryString {
  text: string;
  tag: number;
}

const STRING_TAGS = new Set<number>([Tag.UTF8, Tag.PRINTABLE, Tag.T61, Tag.IA5, Tag.VISIBLE, Tag.BMP]);

/** Decodes a UTF8String, PrintableString, IA5String, VisibleString, TeletexString (as Latin-1) or BMPString. */
export function readString(node: Node | undefined, what: string, maxChars = 1024): DirectoryString {
  if (
    !node ||
    node.tagClass !== UNIVERSAL ||
    node.constructed ||
    !STRING_TAGS.has(node.type) ||
    typeof node.value !== 'string'
  ) {
    throw malformed(what, 'is not a character string');
  }
  // forge stores a BMPString as UTF-16 code units and every other string as its raw bytes.
  const text =
    node.type === Tag.BMP
      ? node.value
      : node.type === Tag.UTF8
        ? Buffer.from(node.value, 'binary').toString('utf8')
        : node.value;
  if (text.length > maxChars) throw new PkiError('PKI_TOO_LARGE', `${what} is longer than ${maxChars} characters.`);
  return { text, tag: node.type };
}

/** A UTCTime or GeneralizedTime as a Date. */
export function readTime(node: Node | undefined, what: string): Date {
  if (isUniversal(node, Tag.UTC_TIME) && typeof node.value === 'string')
    return checkedDate(asn1.utcTimeToDate(node.value), what);
  if (isUniversal(node, Tag.GENERALIZED_TIME) && typeof node.value === 'string')
    return checkedDate(asn1.generalizedTimeToDate(node.value), what);
  throw malformed(what, 'is not a time');
}

function checkedDate(date: Date, what: string): Date {
  if (Number.isNaN(date.getTime())) throw malformed(what, 'is not a valid time');
  return date;
}

/** An AlgorithmIdentifier: the OID and the parameters node, if any. */
export function readAlgorithm(node: Node | undefined, what: string): { oid: string; params: Node | undefined } {
  const [oid, params] = sequence(node, what, 1, 2);
  return { oid: readOid(oid, `${what} algorithm`), params };
}

// ---- builders --------------------------------------------------------------------------------------------

/** A SEQUENCE of the given children. */
export function seq(...items: Node[]): Node {
  return asn1.create(UNIVERSAL, asn1.Type.SEQUENCE, true, items);
}

/** A SET of the given children in the given order. */
export function set(...items: Node[]): Node {
  return asn1.create(UNIVERSAL, asn1.Type.SET, true, items);
}

/** A DER SET OF: children sorted by their encodings (X.690 §11.6), which verifiers re-encode before hashing. */
export function sortedSet(items: Node[]): Node {
  const encoded = items.map((node) => ({ node, der: encode(node) }));
  encoded.sort((a, b) => compareDer(a.der, b.der));
  return set(...encoded.map((e) => e.node));
}

// X.690 §11.6: the shorter encoding is compared as if padded with trailing zero octets.
function compareDer(a: Buffer, b: Buffer): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** An OBJECT IDENTIFIER from its dotted form. */
export function oid(dotted: string): Node {
  return asn1.create(UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(dotted).getBytes());
}

/** An INTEGER from a small non-negative number. */
export function int(n: number): Node {
  return asn1.create(UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
}

/** An OCTET STRING. */
export function octets(bytes: Buffer): Node {
  return asn1.create(UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes.toString('binary'));
}

/** A NULL. */
export function nul(): Node {
  return asn1.create(UNIVERSAL, asn1.Type.NULL, false, '');
}

/** A character string with an explicit tag (PrintableString, UTF8String, IA5String, BMPString). */
export function str(tag: number, text: string): Node {
  // forge writes a BMPString value as UTF-16 code units and every other value as raw bytes.
  const value =
    tag === Tag.BMP
      ? text
      : tag === Tag.UTF8
        ? Buffer.from(text, 'utf8').toString('binary')
        : Buffer.from(text, 'latin1').toString('binary');
  return asn1.create(UNIVERSAL, tag, false, value);
}

/** A BIT STRING with no unused bits. */
export function bitString(bytes: Buffer): Node {
  return asn1.create(UNIVERSAL, asn1.Type.BITSTRING, false, `\u0000${bytes.toString('binary')}`);
}

/** A UTCTime (RFC 5652 §11.3: dates from 1950 to 2049 are UTCTime). */
export function utcTime(date: Date): Node {
  return asn1.create(UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date));
}

/** A context-specific constructed [n] holding `items` (EXPLICIT tagging, or IMPLICIT SET/SEQUENCE OF). */
export function context(n: number, items: Node[]): Node {
  return asn1.create(CONTEXT, n, true, items);
}

/** A context-specific primitive [n] holding raw bytes (IMPLICIT OCTET STRING). */
export function contextPrimitive(n: number, bytes: Buffer): Node {
  return asn1.create(CONTEXT, n, false, bytes.toString('binary'));
}

/** An AlgorithmIdentifier with NULL parameters (as RSA and the SHA digests are written by Go's pkcs7 and Apple). */
export function algorithm(dotted: string, params: Node = nul()): Node {
  return seq(oid(dotted), params);
}
