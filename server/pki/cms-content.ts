import { PkiError } from './errors.js';

// The content of a signed configuration profile someone uploads. Apple's tools and `security cms` write BER with
// indefinite lengths and the content in a constructed OCTET STRING, which the strict DER codec (der.ts) refuses on
// purpose. Only the path to the content is read here: the signature is neither checked nor trusted (the profile is
// signed again by us before it reaches a device), so nothing else of the structure matters.

const MAX_DEPTH = 12;
const OID_SIGNED_DATA = Buffer.from('06092a864886f70d010702', 'hex');
const OID_DATA = Buffer.from('06092a864886f70d010701', 'hex');

/** One BER element: its identifier octet, where its content lies, and where it ends. */
interface Tlv {
  tag: number;
  constructed: boolean;
  start: number;
  contentStart: number;
  /** End of the content (before the two end-of-contents octets of an indefinite length). */
  contentEnd: number;
  end: number;
}

function malformed(message: string): PkiError {
  return new PkiError('PKI_MALFORMED', `The signed profile ${message}.`);
}

/** Reads the element at `pos` that must end by `limit`; indefinite lengths are followed to their end-of-contents. */
function readTlv(buf: Buffer, pos: number, limit: number, depth: number): Tlv {
  if (depth > MAX_DEPTH) throw malformed(`nests deeper than ${MAX_DEPTH} levels`);
  if (pos + 2 > limit) throw malformed('is truncated');
  const id = buf[pos] as number;
  if ((id & 0x1f) === 0x1f) throw malformed('uses a tag form CMS never needs');
  const constructed = (id & 0x20) !== 0;
  let p = pos + 1;
  const first = buf[p++] as number;
  if (first === 0x80) {
    if (!constructed) throw malformed('has an indefinite length on a primitive element');
    const contentStart = p;
    let q = p;
    for (;;) {
      if (q + 2 > limit) throw malformed('is truncated');
      if (buf[q] === 0 && buf[q + 1] === 0)
        return { tag: id, constructed, start: pos, contentStart, contentEnd: q, end: q + 2 };
      q = readTlv(buf, q, limit, depth + 1).end;
    }
  }
  let length = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4) throw malformed('has a length it cannot hold');
    if (p + n > limit) throw malformed('is truncated');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (buf[p++] as number);
  }
  if (p + length > limit) throw malformed('is truncated');
  return { tag: id, constructed, start: pos, contentStart: p, contentEnd: p + length, end: p + length };
}

function childrenOf(buf: Buffer, node: Tlv, depth: number, max: number): Tlv[] {
  if (!node.constructed) throw malformed('has a primitive element where a structure belongs');
  const out: Tlv[] = [];
  for (let p = node.contentStart; p < node.contentEnd;) {
    if (out.length === max) throw malformed(`has more than ${max} elements in one structure`);
    const child = readTlv(buf, p, node.contentEnd, depth + 1);
    out.push(child);
    p = child.end;
  }
  return out;
}

function sameBytes(buf: Buffer, node: Tlv | undefined, expected: Buffer): boolean {
  return node !== undefined && buf.subarray(node.start, node.end).equals(expected);
}

/** The bytes of an OCTET STRING, primitive or constructed of segments (BER), at most `maxBytes` in all. */
function octets(buf: Buffer, node: Tlv, depth: number, maxBytes: number, out: Buffer[], total: { n: number }): void {
  if ((node.tag & 0x1f) !== 0x04 || (node.tag & 0xc0) !== 0) throw malformed('content is not an OCTET STRING');
  if (!node.constructed) {
    total.n += node.contentEnd - node.contentStart;
    if (total.n > maxBytes)
      throw new PkiError('PKI_TOO_LARGE', `The signed profile's content is larger than ${maxBytes} bytes.`);
    out.push(buf.subarray(node.contentStart, node.contentEnd));
    return;
  }
  for (const part of childrenOf(buf, node, depth, 1_000_000)) octets(buf, part, depth + 1, maxBytes, out, total);
}

/**
 * The content of a CMS SignedData (RFC 5652 §5.2) of type id-data, read from DER or BER, without verifying the
 * signature. `maxBytes` bounds both the input and the content. Throws PkiError PKI_MALFORMED (not SignedData, not
 * id-data, detached, malformed) or PKI_TOO_LARGE.
 */
export function signedDataContent(input: Buffer, maxBytes: number): Buffer {
  if (input.length > maxBytes)
    throw new PkiError('PKI_TOO_LARGE', `The signed profile is larger than ${maxBytes} bytes.`);
  const root = readTlv(input, 0, input.length, 0);
  if (root.end !== input.length) throw malformed('has bytes after its end');
  if (root.tag !== 0x30) throw malformed('is not a CMS ContentInfo');
  const [type, explicit] = childrenOf(input, root, 0, 2);
  if (!sameBytes(input, type, OID_SIGNED_DATA)) throw malformed('is not CMS SignedData');
  if (!explicit || explicit.tag !== 0xa0) throw malformed('has no content');
  const [signedData] = childrenOf(input, explicit, 1, 1);
  if (!signedData || signedData.tag !== 0x30) throw malformed('has no SignedData');
  const fields = childrenOf(input, signedData, 2, 6);
  const encap = fields[2];
  if (!encap || encap.tag !== 0x30) throw malformed('has no encapsulated content');
  const [eType, eWrapped] = childrenOf(input, encap, 3, 2);
  if (!sameBytes(input, eType, OID_DATA)) throw malformed('does not carry data');
  if (!eWrapped) throw malformed('is detached: its content is not inside');
  if (eWrapped.tag !== 0xa0) throw malformed('content is not tagged [0]');
  const [content] = childrenOf(input, eWrapped, 4, 1);
  if (!content) throw malformed('content is empty');
  const parts: Buffer[] = [];
  octets(input, content, 5, maxBytes, parts, { n: 0 });
  return Buffer.concat(parts);
}

/** True when `input` looks like DER or BER CMS (a SEQUENCE first), not like XML text. */
export function looksLikeCms(input: Buffer): boolean {
  return input.length > 2 && input[0] === 0x30;
}
