import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import forge from 'node-forge';

/** A PEM certificate with its private key (PKCS#8 PEM). */
export interface KeyedCertificate {
  certPem: string;
  keyPem: string;
}

/** One relative distinguished name attribute, by short name (CN, O, OU, C, L, ST) or dotted OID. */
export interface NameAttr {
  shortName?: string;
  type?: string;
  value: string;
}

/** What to put in a new certificate. */
export interface CertificateSpec {
  subject: NameAttr[];
  /** The issuer's certificate; omit for self-signed. */
  issuerCertPem?: string;
  /** PEM public key of the subject. */
  publicKeyPem: string;
  /** PEM private key that signs (the issuer's, or the subject's own when self-signed). */
  signingKeyPem: string | KeyObject;
  /** Hex serial; positive, at most 20 bytes. */
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  /** forge extension objects (basicConstraints, keyUsage, extKeyUsage, subjectAltName, ...). */
  extensions: object[];
}

/** Where test runs take already-generated keys from; null (always, outside tests) means generate. */
let presetKeys: ((bits: number) => { publicKeyPem: string; privateKeyPem: string } | undefined) | null = null;

/**
 * For test runs only (tests/helpers/key-pool.ts): `take` hands out keys generated before the run, each at most once,
 * or undefined, and then a key is generated as usual. The server never calls this.
 */
export function presetRsaKeysForTests(
  take: ((bits: number) => { publicKeyPem: string; privateKeyPem: string } | undefined) | null,
): void {
  presetKeys = take;
}

/** Generates an RSA key pair with Node's native crypto. */
export function generateRsaKeyPair(bits: number): { publicKeyPem: string; privateKeyPem: string } {
  const preset = presetKeys?.(bits);
  if (preset) return preset;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

/** A random positive serial of 16 bytes, hex. */
export function randomSerialHex(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x10;
  return b.toString('hex');
}

function binary(buf: Buffer): string {
  return buf.toString('binary');
}

// Issuer certificates parsed by forge, by PEM: the office CA signs every device identity.
const issuers = new Map<string, forge.pki.Certificate>();

function forgeIssuer(pem: string): forge.pki.Certificate {
  let cert = issuers.get(pem);
  if (!cert) {
    cert = forge.pki.certificateFromPem(pem);
    if (issuers.size > 8) issuers.clear();
    issuers.set(pem, cert);
  }
  return cert;
}

/** A certificate laid out and waiting for its signature: the DER TBSCertificate, and the step that completes it. */
export interface UnsignedCertificate {
  tbs: Buffer;
  key: KeyObject;
  complete(signature: Buffer): string;
}

/** Lays out an X.509 v3 certificate with node-forge (TBSCertificate, SHA-256 with RSA), unsigned. */
export function prepareCertificate(spec: CertificateSpec): UnsignedCertificate {
  const cert = forge.pki.createCertificate();
  cert.version = 2;
  cert.serialNumber = spec.serialHex;
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  cert.publicKey = forge.pki.publicKeyFromPem(spec.publicKeyPem);
  cert.setSubject(spec.subject as forge.pki.CertificateField[]);
  const aki = (keyIdentifier: string) => (e: object) =>
    (e as { name?: string }).name === 'authorityKeyIdentifier' ? { name: 'authorityKeyIdentifier', keyIdentifier } : e;
  if (spec.issuerCertPem) {
    const issuer = forgeIssuer(spec.issuerCertPem);
    cert.setIssuer(issuer.subject.attributes);
    // authorityKeyIdentifier needs the issuer's key id; forge derives it from the issuer certificate.
    cert.setExtensions(spec.extensions.map(aki(issuer.generateSubjectKeyIdentifier().getBytes())));
  } else {
    cert.setIssuer(spec.subject as forge.pki.CertificateField[]);
    cert.setExtensions(spec.extensions.map(aki(cert.generateSubjectKeyIdentifier().getBytes())));
  }
  const sha256WithRSA = forge.pki.oids.sha256WithRSAEncryption as string;
  cert.signatureOid = sha256WithRSA;
  (cert as unknown as { siginfo: { algorithmOid: string } }).siginfo.algorithmOid = sha256WithRSA;
  const tbs = Buffer.from(
    forge.asn1
      .toDer(
        (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(
          cert,
        ),
      )
      .getBytes(),
    'binary',
  );
  const key = typeof spec.signingKeyPem === 'string' ? createPrivateKey(spec.signingKeyPem) : spec.signingKeyPem;
  return {
    tbs,
    key,
    complete(signature) {
      cert.signature = binary(signature);
      return forge.pki.certificateToPem(cert);
    },
  };
}

/**
 * Builds and signs an X.509 v3 certificate: node-forge lays out the TBSCertificate, Node's crypto
 * signs it with SHA-256 (about 50 times faster than forge's pure-JS RSA).
 */
export function issueCertificate(spec: CertificateSpec): string {
  const unsigned = prepareCertificate(spec);
  return unsigned.complete(nodeSign('sha256', unsigned.tbs, unsigned.key));
}

/** issueCertificate with the RSA signature computed on libuv's thread pool, keeping the event loop free. */
export async function issueCertificateAsync(spec: CertificateSpec): Promise<string> {
  const unsigned = prepareCertificate(spec);
  const signature = await new Promise<Buffer>((resolve, reject) => {
    nodeSign('sha256', unsigned.tbs, unsigned.key, (err, sig) => (err ? reject(err) : resolve(sig)));
  });
  return unsigned.complete(signature);
}

/** DER bytes of a PEM certificate. */
export function pemToDer(pem: string): Buffer {
  return Buffer.from(new X509Certificate(pem).raw);
}

/**
 * DER bytes of a certificate PEM this server wrote itself (one block), by its base64 alone: no parse. For PEM from
 * elsewhere use `pemToDer`, which checks that the bytes are a certificate.
 */
export function ownPemToDer(pem: string): Buffer {
  const body = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem)?.[1];
  if (!body) throw new Error('Not a PEM certificate.');
  return Buffer.from(body.replace(/\s+/g, ''), 'base64');
}

/** PEM of DER certificate bytes. */
export function derToPem(der: Buffer): string {
  return new X509Certificate(der).toString();
}

/** The uppercase colon-separated SHA-256 fingerprint of a certificate, as browsers show it. */
export function fingerprint256(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** The PEM public key (SPKI) of a private key. */
export function publicKeyOf(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
}
