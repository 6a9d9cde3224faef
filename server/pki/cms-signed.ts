import { constants, createHash, sign as nodeSign, type KeyObject } from 'node:crypto';
import {
  readCertificate,
  issuerAndSerialNumber,
  readIssuerSerial,
  sameIssuerSerial,
  type CertificateRef,
  type IssuerSerial,
} from './certificate-ref.js';
import {
  algorithm,
  children,
  context,
  encode,
  isContext,
  octets,
  oid,
  int,
  parseDer,
  readAlgorithm,
  readOctets,
  readOid,
  readSmallInt,
  seq,
  sequence,
  set,
  setOf,
  sortedSet,
  utcTime,
  type Node,
} from './der.js';
import { publicKeyFromSpki, rsaVerify } from './public-key.js';
import { DIGESTS, digestByOid, digestByRsaSignatureOid, OID, type DigestName } from './oids.js';
import { PkiError } from './errors.js';

// CMS SignedData (RFC 5652 §5) as SCEP uses it: parse, verify with Node's crypto (forge cannot verify
// PKCS#7), and build with signed attributes (RFC 5652 §5.3, §5.4, §11).

/** Bounds on what a SignedData may hold; a pkiMessage needs one signer and one or two certificates. */
export const SIGNED_DATA_LIMITS = Object.freeze({
  certificates: 8,
  signers: 4,
  attributes: 32,
  attributeValues: 4,
  digestAlgorithms: 8,
});

/** Signed attributes by OID, each with its values. */
export type Attributes = ReadonlyMap<string, readonly Node[]>;

/** One SignerInfo, with the exact bytes its signature covers. */
export interface SignerInfo {
  sid: IssuerSerial;
  digestOid: string;
  /** DER of the signed attributes re-tagged as SET OF (0x31), the input of the signature (RFC 5652 §5.4). */
  signedAttrsDer: Buffer | null;
  attributes: Attributes;
  signatureOid: string;
  signature: Buffer;
}

/** A parsed SignedData. */
export interface SignedData {
  eContentType: string;
  /** The encapsulated content, or null when absent (CertRep FAILURE, degenerate certs-only). */
  eContent: Buffer | null;
  certificates: CertificateRef[];
  signers: SignerInfo[];
}

/** The result of verifying the signer. */
export interface VerifiedSigner {
  signer: SignerInfo;
  certificate: CertificateRef;
  /** The signer's RSA public key. */
  publicKey: KeyObject;
  digest: DigestName;
}

/** Reads a ContentInfo (RFC 5652 §3) and returns its type and the content inside the [0] EXPLICIT tag. */
export function parseContentInfo(der: Buffer, what: string): { contentType: string; content: Node } {
  const [type, wrapped] = sequence(parseDer(der, what), what, 2, 2);
  const contentType = readOid(type, `${what} contentType`);
  if (!isContext(wrapped, 0)) throw new PkiError('PKI_MALFORMED', `${what} has no [0] content.`);
  const [content] = children(wrapped, `${what} content`, 1);
  if (!content) throw new PkiError('PKI_MALFORMED', `${what} content is empty.`);
  return { contentType, content };
}

/** Parses DER ContentInfo(SignedData); throws PKI_MALFORMED or PKI_TOO_LARGE on anything unexpected. */
export function parseSignedData(der: Buffer, what = 'SignedData'): SignedData {
  const { contentType, content } = parseContentInfo(der, what);
  if (contentType !== OID.signedData)
    throw new PkiError('PKI_MALFORMED', `${what} is not a SignedData (content type ${contentType}).`);
  const fields = sequence(content, what, 4, 6);
  readSmallInt(fields[0], `${what} version`);
  setOf(fields[1], `${what} digestAlgorithms`, 0, SIGNED_DATA_LIMITS.digestAlgorithms);
  const { eContentType, eContent } = readEncapContent(fields[2] as Node, what);
  let i = 3;
  let certificates: CertificateRef[] = [];
  if (isContext(fields[i], 0)) {
    certificates = children(fields[i] as Node, `${what} certificates`, SIGNED_DATA_LIMITS.certificates)
      // CertificateChoices other than a plain Certificate are tagged [0]..[3]; SCEP never sends them.
      .filter((c) => !isContext(c, 0) && !isContext(c, 1) && !isContext(c, 2) && !isContext(c, 3))
      .map((c, n) => readCertificate(c, `${what} certificate ${n + 1}`));
    i++;
  }
  if (isContext(fields[i], 1)) i++;
  if (i !== fields.length - 1) throw new PkiError('PKI_MALFORMED', `${what} has unexpected fields.`);
  const signers = setOf(fields[i], `${what} signerInfos`, 0, SIGNED_DATA_LIMITS.signers).map((s, n) =>
    readSignerInfo(s, `${what} signer ${n + 1}`),
  );
  return { eContentType, eContent, certificates, signers };
}

function readEncapContent(node: Node, what: string): { eContentType: string; eContent: Buffer | null } {
  const [type, wrapped] = sequence(node, `${what} encapContentInfo`, 1, 2);
  const eContentType = readOid(type, `${what} eContentType`);
  if (wrapped === undefined) return { eContentType, eContent: null };
  if (!isContext(wrapped, 0)) throw new PkiError('PKI_MALFORMED', `${what} eContent is not tagged [0].`);
  const [inner] = children(wrapped, `${what} eContent`, 1);
  return { eContentType, eContent: readOctets(inner, `${what} eContent`) };
}

function readSignerInfo(node: Node, what: string): SignerInfo {
  const fields = sequence(node, what, 5, 7);
  readSmallInt(fields[0], `${what} version`);
  if (isContext(fields[1], 0))
    throw new PkiError(
      'PKI_MALFORMED',
      `${what} names its certificate by subjectKeyIdentifier; SCEP signers use issuerAndSerialNumber.`,
    );
  const sid = readIssuerSerial(fields[1], `${what} sid`);
  const digestOid = readAlgorithm(fields[2], `${what} digestAlgorithm`).oid;
  let i = 3;
  let signedAttrsDer: Buffer | null = null;
  let attributes: Attributes = new Map();
  if (isContext(fields[i], 0)) {
    const attrsNode = fields[i] as Node;
    attributes = readAttributes(children(attrsNode, `${what} signedAttrs`, SIGNED_DATA_LIMITS.attributes), what);
    signedAttrsDer = encode(attrsNode);
    signedAttrsDer[0] = 0x31;
    i++;
  }
  const signatureOid = readAlgorithm(fields[i], `${what} signatureAlgorithm`).oid;
  const signature = readOctets(fields[i + 1], `${what} signature`);
  const rest = fields.length - (i + 2);
  if (rest > 1 || (rest === 1 && !isContext(fields[i + 2], 1)))
    throw new PkiError('PKI_MALFORMED', `${what} has unexpected fields.`);
  return { sid, digestOid, signedAttrsDer, attributes, signatureOid, signature };
}

function readAttributes(list: Node[], what: string): Attributes {
  const map = new Map<string, Node[]>();
  for (const attr of list) {
    const [type, values] = sequence(attr, `${what} attribute`, 2, 2);
    const id = readOid(type, `${what} attribute type`);
    // RFC 5652 §5.3 and RFC 8894 §3.2.1: each of these attributes appears once.
    if (map.has(id)) throw new PkiError('PKI_MALFORMED', `${what} repeats attribute ${id}.`);
    map.set(id, setOf(values, `${what} attribute ${id}`, 1, SIGNED_DATA_LIMITS.attributeValues));
  }
  return map;
}

/** The single value of attribute `id`, or undefined when absent; several values are PKI_MALFORMED. */
export function attributeValue(attributes: Attributes, id: string, what: string): Node | undefined {
  const values = attributes.get(id);
  if (!values) return undefined;
  if (values.length !== 1) throw new PkiError('PKI_MALFORMED', `${what} must have exactly one value.`);
  return values[0];
}

function digestOf(name: DigestName, content: Buffer | null): Buffer {
  return createHash(name)
    .update(content ?? Buffer.alloc(0))
    .digest();
}

/** A check of the signer's certificate that throws to refuse it; it runs before anything is verified with its key. */
export type SignerCheck = (certificate: CertificateRef) => void;

/**
 * Verifies the single signer of a SignedData that carries signed attributes (RFC 5652 §5.4, §5.6): the
 * signer certificate must be in `certificates`, `checkSigner` (the caller's trust decision: issuer, serial, key
 * bounds) must accept it, contentType must match, messageDigest must equal the hash of the content (of empty
 * content when absent), and the RSA signature over the re-tagged attributes must hold.
 */
export function verifySignedData(sd: SignedData, what = 'SignedData', checkSigner?: SignerCheck): VerifiedSigner {
  const signer = sd.signers[0];
  if (!signer || sd.signers.length !== 1) throw new PkiError('PKI_MALFORMED', `${what} must have exactly one signer.`);
  const certificate = sd.certificates.find((c) => sameIssuerSerial(c.id, signer.sid));
  if (!certificate) throw new PkiError('PKI_MALFORMED', `${what} does not include the signer's certificate.`);
  // Cheap refusals first: a certificate the caller does not accept costs no hashing and no RSA.
  checkSigner?.(certificate);
  const digest = digestByOid(signer.digestOid);
  if (!digest)
    throw new PkiError('PKI_UNSUPPORTED_ALGORITHM', `${what} uses digest ${signer.digestOid}, which is not supported.`);
  if (!signer.signedAttrsDer) throw new PkiError('PKI_MALFORMED', `${what} has no signed attributes.`);
  const contentType = attributeValue(signer.attributes, OID.contentType, `${what} contentType`);
  if (!contentType || readOid(contentType, `${what} contentType`) !== sd.eContentType)
    throw new PkiError('PKI_BAD_SIGNATURE', `${what} contentType attribute does not match the content.`);
  const messageDigest = attributeValue(signer.attributes, OID.messageDigest, `${what} messageDigest`);
  if (!messageDigest || !readOctets(messageDigest, `${what} messageDigest`).equals(digestOf(digest, sd.eContent))) {
    throw new PkiError('PKI_BAD_SIGNATURE', `${what} messageDigest does not match the content.`);
  }
  // Only the key is needed to check the signature; a PKCSReq signer is self-signed and not trusted as such.
  const publicKey = publicKeyFromSpki(certificate.spkiNode, `${what} signer key`);
  checkSignature(signer, publicKey, digest, what);
  return { signer, certificate, publicKey, digest };
}

function checkSignature(signer: SignerInfo, publicKey: KeyObject, digest: DigestName, what: string): void {
  if (publicKey.asymmetricKeyType !== 'rsa')
    throw new PkiError('PKI_UNSUPPORTED_ALGORITHM', `${what} signer key is not RSA.`);
  // rsaEncryption leaves the hash to digestAlgorithm; shaNNNWithRSAEncryption names it (both are in use).
  const hash = signer.signatureOid === OID.rsaEncryption ? digest : digestByRsaSignatureOid(signer.signatureOid);
  if (!hash)
    throw new PkiError(
      'PKI_UNSUPPORTED_ALGORITHM',
      `${what} uses signature algorithm ${signer.signatureOid}, which is not supported.`,
    );
  if (!rsaVerify(hash, signer.signedAttrsDer as Buffer, publicKey, signer.signature))
    throw new PkiError('PKI_BAD_SIGNATURE', `${what} signature does not verify.`);
}

// ---- building --------------------------------------------------------------------------------------------

/** One signed attribute with a single value. */
export function attribute(id: string, value: Node): Node {
  return seq(oid(id), set(value));
}

/** What to sign. */
export interface SignOptions {
  /** The encapsulated id-data content, or null to leave it absent (RFC 8894 §3.3.2: FAILURE has none). */
  eContent: Buffer | null;
  /** Certificates to include, in order. */
  certificates: readonly Node[];
  signerCert: CertificateRef;
  signerKey: KeyObject;
  digest: DigestName;
  /** Signed attributes besides contentType, messageDigest and signingTime. */
  attributes: readonly Node[];
  signingTime: Date;
  /** Sign `eContent` but leave it out of the message (a detached signature, such as Mdm-Signature). */
  detached?: boolean;
}

/** A SignedData waiting for its signature: the DER signed attributes to sign, and the assembly step. */
export interface UnsignedData {
  toBeSigned: Buffer;
  complete(signature: Buffer): Buffer;
}

/** Lays out DER ContentInfo(SignedData) with one RSA signer and DER-sorted signed attributes, unsigned. */
export function prepareSignedData(o: SignOptions): UnsignedData {
  const digestAlg = algorithm(DIGESTS[o.digest].oid);
  const attrs = sortedSet([
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octets(digestOf(o.digest, o.eContent))),
    attribute(OID.signingTime, utcTime(o.signingTime)),
    ...o.attributes,
  ]);
  return {
    toBeSigned: encode(attrs),
    complete(signature) {
      const signedAttrs = context(0, attrs.value as Node[]);
      const signerInfo = seq(
        int(1),
        issuerAndSerialNumber(o.signerCert),
        digestAlg,
        signedAttrs,
        algorithm(OID.rsaEncryption),
        octets(signature),
      );
      const encap =
        o.eContent && !o.detached ? seq(oid(OID.data), context(0, [octets(o.eContent)])) : seq(oid(OID.data));
      const fields = [int(1), set(digestAlg), encap];
      if (o.certificates.length > 0) fields.push(context(0, [...o.certificates]));
      fields.push(set(signerInfo));
      return encode(contentInfo(OID.signedData, seq(...fields)));
    },
  };
}

/** Builds and signs a SignedData on the calling thread. */
export function buildSignedData(o: SignOptions): Buffer {
  const unsigned = prepareSignedData(o);
  return unsigned.complete(
    nodeSign(o.digest, unsigned.toBeSigned, { key: o.signerKey, padding: constants.RSA_PKCS1_PADDING }),
  );
}

/**
 * Builds a SignedData with the RSA signature computed on libuv's thread pool, so the event loop keeps serving
 * other requests during the most expensive step of a CertRep.
 */
export async function buildSignedDataAsync(o: SignOptions): Promise<Buffer> {
  const unsigned = prepareSignedData(o);
  const signature = await new Promise<Buffer>((resolve, reject) => {
    nodeSign(o.digest, unsigned.toBeSigned, { key: o.signerKey, padding: constants.RSA_PKCS1_PADDING }, (err, sig) =>
      err ? reject(err) : resolve(sig),
    );
  });
  return unsigned.complete(signature);
}

/** Builds a degenerate certificates-only SignedData (RFC 8894 §3.4): no content, no signers. */
export function buildDegenerateSignedData(certificates: readonly Node[]): Buffer {
  const sd = seq(int(1), set(), seq(oid(OID.data)), context(0, [...certificates]), set());
  return encode(contentInfo(OID.signedData, sd));
}

/** A ContentInfo node wrapping `content` in [0] EXPLICIT. */
export function contentInfo(type: string, content: Node): Node {
  return seq(oid(type), context(0, [content]));
}
