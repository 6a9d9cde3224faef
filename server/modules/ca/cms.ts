import { createHash, createPrivateKey, privateEncrypt, constants, verify as nodeVerify, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

/** Why a CMS signature was refused. */
export class CmsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CmsError';
  }
}

/** Digests CMS signers may use, by OID. */
const DIGESTS: Record<string, { node: string; digestInfoPrefix: string }> = {
  '1.3.14.3.2.26': { node: 'sha1', digestInfoPrefix: '3021300906052b0e03021a05000414' },
  '2.16.840.1.101.3.4.2.1': { node: 'sha256', digestInfoPrefix: '3031300d060960864801650304020105000420' },
  '2.16.840.1.101.3.4.2.2': { node: 'sha384', digestInfoPrefix: '3041300d060960864801650304020205000430' },
  '2.16.840.1.101.3.4.2.3': { node: 'sha512', digestInfoPrefix: '3051300d060960864801650304020305000440' },
};

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';

/**
 * A forge-compatible RSA key whose `sign` runs in Node's native crypto (RSASSA-PKCS1-v1_5 over the
 * DigestInfo), about 50 times faster than forge's pure-JS RSA.
 */
export function nativeSigningKey(keyPem: string | KeyObject): { sign(md: forge.md.MessageDigest): string } {
  const key = typeof keyPem === 'string' ? createPrivateKey(keyPem) : keyPem;
  return {
    sign(md) {
      const oid = Object.entries(DIGESTS).find(([, d]) => d.node === md.algorithm)?.[1];
      if (!oid) throw new CmsError(`Unsupported digest ${md.algorithm}.`);
      const digestInfo = Buffer.concat([Buffer.from(oid.digestInfoPrefix, 'hex'), Buffer.from(md.digest().getBytes(), 'binary')]);
      return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo).toString('binary');
    },
  };
}

/** Signs `content` as DER CMS SignedData (RFC 5652) with SHA-256 and signed attributes; attached unless `detached`. */
export function signCms(content: Buffer, signer: { certPem: string; keyPem: string | KeyObject; extraCertsPem?: string[] }, options: { detached?: boolean } = {}): Buffer {
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(content.toString('binary'));
  const cert = forge.pki.certificateFromPem(signer.certPem);
  p7.addCertificate(cert);
  for (const pem of signer.extraCertsPem ?? []) p7.addCertificate(forge.pki.certificateFromPem(pem));
  p7.addSigner({
    key: nativeSigningKey(signer.keyPem) as unknown as forge.pki.rsa.PrivateKey,
    certificate: cert,
    digestAlgorithm: forge.pki.oids.sha256 as string,
    authenticatedAttributes: [
      { type: forge.pki.oids.contentType as string, value: forge.pki.oids.data as string },
      { type: forge.pki.oids.messageDigest as string },
      { type: forge.pki.oids.signingTime as string, value: new Date() as unknown as string },
    ],
  });
  p7.sign({ detached: options.detached ?? false });
  return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
}

/** The result of checking a CMS signature: the signer certificate (DER) and the signed content. */
export interface VerifiedCms {
  signerCertDer: Buffer;
  content: Buffer;
  digestAlgorithm: string;
}

type Asn1 = forge.asn1.Asn1;

function children(node: Asn1 | undefined, what: string): Asn1[] {
  if (!node || !Array.isArray(node.value)) throw new CmsError(`Malformed CMS: ${what} is missing.`);
  return node.value as Asn1[];
}

function oidOf(node: Asn1 | undefined, what: string): string {
  if (!node || node.type !== forge.asn1.Type.OID || typeof node.value !== 'string') throw new CmsError(`Malformed CMS: ${what} is not an OID.`);
  return forge.asn1.derToOid(node.value);
}

function der(node: Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

function integerHex(node: Asn1 | undefined): string {
  if (!node || typeof node.value !== 'string') throw new CmsError('Malformed CMS: serial number is missing.');
  return Buffer.from(node.value, 'binary').toString('hex').replace(/^(00)+(?=.)/, '').toLowerCase();
}

/**
 * Verifies a CMS SignedData (RFC 5652 §5.4-5.6) over attached or given detached `content`: finds the signer's
 * certificate among those included, checks the messageDigest attribute, and verifies the RSA signature over
 * the DER of the signed attributes (or over the content when there are none). Trust in the certificate is the
 * caller's decision. Throws CmsError on anything malformed or unverified.
 */
export function verifyCms(cmsDer: Buffer, detachedContent?: Buffer, maxBytes = 64 * 1024): VerifiedCms {
  if (cmsDer.length === 0 || cmsDer.length > maxBytes) throw new CmsError(`The signature must be 1 to ${maxBytes} bytes.`);
  let root: Asn1;
  try {
    root = forge.asn1.fromDer(forge.util.createBuffer(cmsDer.toString('binary')), { strict: true, parseAllBytes: true, decodeBitStrings: false } as unknown as Parameters<typeof forge.asn1.fromDer>[1]);
  } catch (err) {
    throw new CmsError(`The signature is not valid DER: ${(err as Error).message}`);
  }
  const [typeNode, wrapped] = children(root, 'ContentInfo');
  if (oidOf(typeNode, 'contentType') !== OID_SIGNED_DATA) throw new CmsError('The signature is not CMS SignedData.');
  const sd = children(children(wrapped, 'SignedData wrapper')[0], 'SignedData');
  const encap = children(sd[2], 'encapContentInfo');
  let content = detachedContent;
  const eContent = encap[1];
  if (eContent) {
    const octets = children(eContent, 'eContent')[0];
    const raw = octets && typeof octets.value === 'string' ? octets.value : Array.isArray(octets?.value) ? (octets.value as Asn1[]).map((p) => p.value as string).join('') : null;
    if (raw === null) throw new CmsError('Malformed CMS: eContent is not an OCTET STRING.');
    content = Buffer.from(raw, 'binary');
  }
  if (!content) throw new CmsError('The signature is detached but no content was given.');
  const certs: Asn1[] = [];
  let signerInfos: Asn1 | undefined;
  for (const node of sd.slice(3)) {
    if (node.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && node.type === 0) certs.push(...children(node, 'certificates'));
    else if (node.tagClass === forge.asn1.Class.UNIVERSAL && node.type === forge.asn1.Type.SET) signerInfos = node;
  }
  const infos = children(signerInfos, 'signerInfos');
  if (infos.length !== 1) throw new CmsError(`Expected one signer, found ${infos.length}.`);
  const si = children(infos[0], 'SignerInfo');
  const sid = children(si[1], 'issuerAndSerialNumber');
  const serial = integerHex(sid[1]);
  const digestOid = oidOf(children(si[2], 'digestAlgorithm')[0], 'digestAlgorithm');
  const digest = DIGESTS[digestOid];
  if (!digest) throw new CmsError(`Unsupported digest algorithm ${digestOid}.`);
  let idx = 3;
  let signedAttrs: Asn1 | undefined;
  if (si[idx]?.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && si[idx]?.type === 0) signedAttrs = si[idx++];
  idx++; // signatureAlgorithm
  const sigNode = si[idx];
  if (!sigNode || typeof sigNode.value !== 'string') throw new CmsError('Malformed CMS: the signature value is missing.');
  const signature = Buffer.from(sigNode.value, 'binary');
  const signerCert = certs.map((c) => ({ node: c, x: new X509Certificate(der(c)) })).find((c) => c.x.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, '') === serial);
  if (!signerCert) throw new CmsError('The signer certificate is not included in the signature.');
  const contentDigest = createHash(digest.node).update(content).digest();
  let signedBytes: Buffer;
  if (signedAttrs) {
    const md = children(signedAttrs, 'signedAttrs').find((a) => oidOf(children(a, 'attribute')[0], 'attribute type') === OID_MESSAGE_DIGEST);
    const value = md ? children(children(md, 'attribute')[1], 'attribute values')[0]?.value : undefined;
    if (typeof value !== 'string' || !Buffer.from(value, 'binary').equals(contentDigest)) throw new CmsError('The message digest does not match the content.');
    // The signature covers the attributes DER-encoded as a SET, not with their [0] IMPLICIT tag (RFC 5652 §5.4).
    const encoded = der(signedAttrs);
    signedBytes = Buffer.concat([Buffer.from([0x31]), encoded.subarray(1)]);
  } else {
    signedBytes = content;
  }
  if (!nodeVerify(digest.node, signedBytes, signerCert.x.publicKey, signature)) throw new CmsError('The signature does not verify.');
  return { signerCertDer: Buffer.from(signerCert.x.raw), content, digestAlgorithm: digest.node };
}
