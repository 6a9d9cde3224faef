import { createPrivateKey, createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { AppError } from '../../core/errors.js';
import { isDict, parsePlist, PlistError, type PlistValue } from '../../core/plist.js';
import { certificateFromDer } from '../../pki/certificate-ref.js';
import { openEnvelope, parseEnvelopedData } from '../../pki/cms-enveloped.js';
import { parseCsr } from '../../pki/csr.js';
import { isPkiError } from '../../pki/errors.js';
import { rsaDecryptionKey } from '../../pki/rsa-key-transport.js';
import { pemToDer } from '../../pki/x509.js';

// The two ways a push CSR gets the MDM vendor signature Apple's portal insists on (apple-protocols §5.3):
// a vendor-signing service of the mdmcert.download kind, which signs the CSR and mails the signed request back
// encrypted to a certificate we send along, or a signed request made elsewhere and uploaded here.

/** The signing API of mdmcert.download, the service's default address. */
export const DEFAULT_VENDOR_SERVICE_URL = 'https://mdmcert.download/api/v1/signrequest';

/** Bounds on what the vendor service and the admin may hand us. */
export const PUSH_REQUEST_LIMITS = Object.freeze({
  /** The encrypted file as uploaded (hex text of a DER EnvelopedData, or the DER itself). */
  encryptedFileBytes: 160 * 1024,
  /** A signed request (base64 plist, or the plist XML). */
  signedRequestBytes: 96 * 1024,
  /** Certificates in PushCertCertificateChain (vendor, WWDR intermediate, Apple root). */
  chainCertificates: 5,
  /** The vendor service's answer to the signing request (a tiny JSON). */
  serviceResponseBytes: 64 * 1024,
  /** How long the vendor service may take to answer. */
  serviceTimeoutMs: 20_000,
});

const SIGNED_REQUEST_PLIST_LIMITS = Object.freeze({
  maxBytes: PUSH_REQUEST_LIMITS.signedRequestBytes,
  maxDepth: 4,
  maxNodes: 64,
});

/** A vendor-signed push certificate request, checked against our pending CSR and ready for Apple's portal. */
export interface CheckedSignedRequest {
  /** What the admin uploads at identity.apple.com: the plist, base64-encoded. */
  forApple: string;
  vendorSubject: string;
  vendorNotAfter: string;
}

function invalid(message: string, field: string, cause?: unknown): AppError {
  return new AppError('VALIDATION_FAILED', message, { field }, cause === undefined ? undefined : { cause });
}

/**
 * Reads the file the vendor service mailed: the hex text of a DER CMS EnvelopedData (what mdmcert.download sends),
 * or the DER itself. Whitespace in the hex is ignored.
 */
export function decodeEncryptedFile(bytes: Buffer, field = 'fileBase64'): Buffer {
  if (bytes.length === 0)
    throw invalid('The file is empty. Upload the attachment of the mail the service sent.', field);
  if (bytes.length > PUSH_REQUEST_LIMITS.encryptedFileBytes)
    throw invalid(
      `The file is larger than ${PUSH_REQUEST_LIMITS.encryptedFileBytes / 1024} KB, so it is not the encrypted request the service mails. Upload the attachment of that mail.`,
      field,
    );
  if (bytes[0] === 0x30) return bytes;
  const text = bytes.toString('latin1').replace(/\s+/g, '');
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(text))
    throw invalid(
      'The file is neither hex text nor DER, so it is not the encrypted request the service mails (a file ending .p7). Upload that attachment as it came.',
      field,
    );
  return Buffer.from(text, 'hex');
}

/**
 * Opens the EnvelopedData the vendor service encrypted to our exchange certificate (RFC 5652 §6) and returns the
 * content: the signed request. Canonical DER goes through the hardened SCEP envelope code; other BER encodings
 * (OpenSSL's streaming output) through node-forge.
 */
export function openEncryptedAnswer(der: Buffer, exchangeCertPem: string, exchangeKeyPem: string): Buffer {
  const field = 'fileBase64';
  try {
    const env = parseEnvelopedData(der, 'The encrypted file');
    const id = certificateFromDer(pemToDer(exchangeCertPem), 'exchange certificate').id;
    return openEnvelope(env, { id, key: rsaDecryptionKey(createPrivateKey(exchangeKeyPem)) }).content;
  } catch (err) {
    if (!isPkiError(err)) throw err;
    if (err.code === 'PKI_MALFORMED' && /canonical DER/.test(err.message))
      return openWithForge(der, exchangeCertPem, exchangeKeyPem);
    if (err.code === 'PKI_NOT_FOR_US' || err.code === 'PKI_UNDECRYPTABLE')
      throw invalid(
        'This file was not encrypted for the request made here (an older request, or another server). Upload the file from the mail of the latest request, or send the request again.',
        field,
        err,
      );
    if (err.code === 'PKI_UNSUPPORTED_ALGORITHM')
      throw invalid(`The file uses an encryption this server does not support: ${err.message}`, field, err);
    throw invalid(
      'The file is not an encrypted request (CMS EnvelopedData). Upload the attachment of the mail the service sent, unchanged.',
      field,
      err,
    );
  }
}

function openWithForge(der: Buffer, exchangeCertPem: string, exchangeKeyPem: string): Buffer {
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')), false);
    const msg = forge.pkcs7.messageFromAsn1(asn1) as forge.pkcs7.PkcsEnvelopedData & {
      findRecipient(cert: forge.pki.Certificate): unknown;
      decrypt(recipient: unknown, key: forge.pki.rsa.PrivateKey): void;
      content: forge.util.ByteStringBuffer;
    };
    const recipient = msg.findRecipient(forge.pki.certificateFromPem(exchangeCertPem));
    if (!recipient) throw new Error('not addressed to the exchange certificate');
    msg.decrypt(recipient, forge.pki.privateKeyFromPem(exchangeKeyPem) as forge.pki.rsa.PrivateKey);
    return Buffer.from(msg.content.getBytes(), 'binary');
  } catch (err) {
    throw invalid(
      'The file could not be opened with the key of the request made here. Upload the file from the mail of the latest request, or send the request again.',
      'fileBase64',
      err,
    );
  }
}

function stringField(dict: Record<string, PlistValue>, key: string, field: string): string {
  const v = dict[key];
  if (typeof v !== 'string' || v.trim() === '')
    throw invalid(`The signed request has no ${key}, so it is not an MDM vendor-signed push request.`, field);
  return v;
}

function base64Bytes(text: string, key: string, field: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0)
    throw invalid(`${key} in the signed request is not base64.`, field);
  return Buffer.from(compact, 'base64');
}

/**
 * Checks a vendor-signed push request against the pending CSR key and returns what goes to Apple. The request is the
 * plist Apple's portal reads (PushCertRequestCSR: the DER CSR in base64; PushCertCertificateChain: the vendor's
 * PEM chain; PushCertSignature: the vendor key's RSA signature over the DER CSR, SHA-256 or SHA-1), sent as base64
 * text or as the XML itself. The CSR must carry our key, the signature must verify with the chain's first
 * certificate, each certificate must be issued and signed by the next, and the vendor certificate must be valid now.
 * Whether the chain ends at Apple's root is Apple's check at the portal.
 */
export function checkSignedRequest(
  input: Buffer,
  pendingKey: KeyObject,
  now: Date,
  field = 'fileBase64',
): CheckedSignedRequest {
  if (input.length === 0) throw invalid('The signed request is empty.', field);
  if (input.length > PUSH_REQUEST_LIMITS.signedRequestBytes)
    throw invalid(
      `The signed request is larger than ${PUSH_REQUEST_LIMITS.signedRequestBytes / 1024} KB, so it is not a push certificate request.`,
      field,
    );
  let xml: Buffer = input;
  const text = input.toString('latin1').trim();
  if (!text.startsWith('<')) {
    if (!/^[A-Za-z0-9+/=\s]+$/.test(text))
      throw invalid(
        'The signed request is neither a plist nor base64 text. Upload the request file the vendor produced (often ending .plist or .b64).',
        field,
      );
    xml = Buffer.from(text.replace(/\s+/g, ''), 'base64');
  }
  let plist: PlistValue;
  try {
    plist = parsePlist(xml, SIGNED_REQUEST_PLIST_LIMITS);
  } catch (err) {
    if (err instanceof PlistError)
      throw invalid(`The signed request is not a readable plist: ${err.message}`, field, err);
    throw err;
  }
  if (!isDict(plist)) throw invalid('The signed request plist is not a dictionary.', field);
  const csrDer = base64Bytes(stringField(plist, 'PushCertRequestCSR', field), 'PushCertRequestCSR', field);
  const chainText = stringField(plist, 'PushCertCertificateChain', field);
  const signature = base64Bytes(stringField(plist, 'PushCertSignature', field), 'PushCertSignature', field);

  let csrKey: string;
  try {
    csrKey = parseCsr(csrDer).publicKeyPem;
  } catch (err) {
    throw invalid('PushCertRequestCSR in the signed request is not a valid certificate request.', field, err);
  }
  const ours = pendingKey.export({ type: 'spki', format: 'der' });
  if (!createPublicKey(csrKey).export({ type: 'spki', format: 'der' }).equals(ours))
    throw invalid(
      'This signed request is for a different CSR than the one made here, so Apple’s certificate would not match this server’s key. Have the CSR downloaded here signed, or start again.',
      field,
    );

  const blocks = chainText.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw invalid('PushCertCertificateChain holds no PEM certificate.', field);
  if (blocks.length > PUSH_REQUEST_LIMITS.chainCertificates)
    throw invalid(
      `PushCertCertificateChain holds more than ${PUSH_REQUEST_LIMITS.chainCertificates} certificates.`,
      field,
    );
  let chain: X509Certificate[];
  try {
    chain = blocks.map((pem) => new X509Certificate(pem));
  } catch (err) {
    throw invalid('A certificate in PushCertCertificateChain cannot be read.', field, err);
  }
  const vendor = chain[0] as X509Certificate;
  const signedBy = (digest: string) => {
    try {
      return verify(digest, csrDer, vendor.publicKey, signature);
    } catch {
      return false;
    }
  };
  if (!signedBy('sha256') && !signedBy('sha1'))
    throw invalid(
      'PushCertSignature does not verify with the vendor certificate in the request, so Apple would refuse it. Have the request signed again.',
      field,
    );
  for (let i = 0; i + 1 < chain.length; i++) {
    const cert = chain[i] as X509Certificate;
    const issuer = chain[i + 1] as X509Certificate;
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey))
      throw invalid(
        `Certificate ${i + 1} of PushCertCertificateChain is not signed by the certificate after it, so the chain is broken.`,
        field,
      );
  }
  const notAfter = new Date(vendor.validTo);
  if (notAfter <= now || new Date(vendor.validFrom) > now)
    throw invalid(
      `The vendor certificate that signed this request is not valid now (valid until ${notAfter.toISOString().slice(0, 10)}). Have the request signed again.`,
      field,
    );
  return {
    forApple: xml.toString('base64'),
    vendorSubject: vendor.subject.replace(/\n/g, ', '),
    vendorNotAfter: notAfter.toISOString(),
  };
}
