import { createHash, createPrivateKey, privateEncrypt, constants, type KeyObject } from 'node:crypto';
import type forge from 'node-forge';
import { certificateFromDer } from './certificate-ref.js';
import {
  buildSignedData,
  buildSignedDataAsync,
  parseSignedData,
  verifySignedData,
  type SignerCheck,
  type SignOptions,
} from './cms-signed.js';
import { isPkiError } from './errors.js';
import type { DigestName } from './oids.js';
import { splitPemCertificates } from './pkcs12.js';
import { pemToDer } from './x509.js';

// Profiles and Mdm-Signature use the same CMS SignedData code as SCEP (cms-signed.ts, RFC 5652 §5);
// this module adapts it to PEM credentials and to detached content.

/** Why a CMS signature was refused. */
export class CmsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CmsError';
  }
}

const DIGEST_INFO_PREFIX: Record<string, string> = {
  sha1: '3021300906052b0e03021a05000414',
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

/**
 * A forge-compatible RSA key whose `sign` runs in Node's native crypto (RSASSA-PKCS1-v1_5 over the
 * DigestInfo), about 50 times faster than forge's pure-JS RSA; for the structures forge still builds (CSRs).
 */
export function nativeSigningKey(keyPem: string | KeyObject): { sign(md: forge.md.MessageDigest): string } {
  const key = typeof keyPem === 'string' ? createPrivateKey(keyPem) : keyPem;
  return {
    sign(md) {
      const prefix = DIGEST_INFO_PREFIX[md.algorithm];
      if (!prefix) throw new CmsError(`Unsupported digest ${md.algorithm}.`);
      const digestInfo = Buffer.concat([Buffer.from(prefix, 'hex'), Buffer.from(md.digest().getBytes(), 'binary')]);
      return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo).toString('binary');
    },
  };
}

/** A PEM credential that signs CMS messages, with the chain to include. */
export interface CmsSigner {
  certPem: string;
  keyPem: string | KeyObject;
  extraCertsPem?: string[];
}

/** A signer's certificates and key, parsed once: profiles and CertReps are signed on every request. */
interface PreparedSigner {
  cert: ReturnType<typeof certificateFromDer>;
  chain: ReturnType<typeof certificateFromDer>[];
  key: KeyObject;
}

// Keyed by a digest of the PEM inputs (never the key text itself); a new TLS credential is a new entry.
const preparedSigners = new Map<string, PreparedSigner>();
const PREPARED_SIGNERS_MAX = 8;

function prepareSigner(signer: CmsSigner): PreparedSigner {
  // A KeyObject is already parsed; it is identified by itself, so only PEM keys go through the cache.
  if (typeof signer.keyPem !== 'string') return parseSigner(signer, signer.keyPem);
  const id = createHash('sha256')
    .update(signer.certPem)
    .update('\0')
    .update((signer.extraCertsPem ?? []).join('\0'))
    .update('\0')
    .update(signer.keyPem)
    .digest('hex');
  const hit = preparedSigners.get(id);
  if (hit) return hit;
  const prepared = parseSigner(signer, createPrivateKey(signer.keyPem));
  if (preparedSigners.size >= PREPARED_SIGNERS_MAX)
    preparedSigners.delete(preparedSigners.keys().next().value as string);
  preparedSigners.set(id, prepared);
  return prepared;
}

function parseSigner(signer: CmsSigner, key: KeyObject): PreparedSigner {
  const cert = certificateFromDer(pemToDer(signer.certPem), 'signer certificate');
  const chain = (signer.extraCertsPem ?? [])
    .flatMap((pem) => splitPemCertificates(pem, 'chain'))
    .map((pem) => certificateFromDer(pemToDer(pem), 'chain certificate'));
  return { cert, chain, key };
}

function signOptions(content: Buffer, signer: CmsSigner, options: { detached?: boolean; now?: Date }): SignOptions {
  const { cert, chain, key } = prepareSigner(signer);
  return {
    eContent: content,
    detached: options.detached ?? false,
    certificates: [cert.node, ...chain.map((c) => c.node)],
    signerCert: cert,
    signerKey: key,
    digest: 'sha256',
    attributes: [],
    signingTime: options.now ?? new Date(),
  };
}

/** Signs `content` as DER CMS SignedData with SHA-256 and signed attributes; attached unless `detached`. */
export function signCms(content: Buffer, signer: CmsSigner, options: { detached?: boolean; now?: Date } = {}): Buffer {
  return buildSignedData(signOptions(content, signer, options));
}

/** signCms with the RSA signature computed on libuv's thread pool (profiles are signed on every download). */
export function signCmsAsync(
  content: Buffer,
  signer: CmsSigner,
  options: { detached?: boolean; now?: Date } = {},
): Promise<Buffer> {
  return buildSignedDataAsync(signOptions(content, signer, options));
}

/** The result of checking a CMS signature: the signer certificate (DER) and the signed content. */
export interface VerifiedCms {
  signerCertDer: Buffer;
  content: Buffer;
  digestAlgorithm: DigestName;
}

/**
 * Verifies a CMS SignedData over its attached content or the given detached `content`: the signer's
 * certificate must be included, the messageDigest attribute must match, and the RSA signature over the signed
 * attributes must hold. Trust in the certificate is the caller's decision, made by `checkSigner` before any
 * verification (what it throws propagates as is). Throws CmsError otherwise.
 */
export function verifyCms(cmsDer: Buffer, detachedContent?: Buffer, checkSigner?: SignerCheck): VerifiedCms {
  if (cmsDer.length === 0) throw new CmsError('The signature is empty.');
  try {
    const sd = parseSignedData(cmsDer, 'signature');
    const content = detachedContent ?? sd.eContent;
    if (!content) throw new CmsError('The signature is detached but no content was given.');
    const verified = verifySignedData({ ...sd, eContent: content }, 'signature', checkSigner);
    return { signerCertDer: verified.certificate.der, content, digestAlgorithm: verified.digest };
  } catch (err) {
    if (isPkiError(err)) throw new CmsError(err.message, { cause: err });
    throw err;
  }
}
