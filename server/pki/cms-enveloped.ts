import type { KeyObject } from 'node:crypto';
import type { Random } from '../core/random.js';
import {
  issuerAndSerialNumber,
  readIssuerSerial,
  sameIssuerSerial,
  type CertificateRef,
  type IssuerSerial,
} from './certificate-ref.js';
import { cipherByOid, decryptContent, encryptContent, type ContentCipher } from './ciphers.js';
import { contentInfo, parseContentInfo } from './cms-signed.js';
import {
  algorithm,
  contextPrimitive,
  encode,
  int,
  isContext,
  isUniversal,
  octets,
  oid,
  readAlgorithm,
  readOctets,
  readOid,
  readSmallInt,
  seq,
  sequence,
  set,
  setOf,
  Tag,
  type Node,
} from './der.js';
import {
  decryptKeyTransport,
  decryptKeyTransportAsync,
  encryptKeyTransport,
  rawDecryptInThread,
  type RawRsaDecrypt,
  type RsaDecryptionKey,
} from './rsa-key-transport.js';
import { OID } from './oids.js';
import { PkiError } from './errors.js';

// CMS EnvelopedData (RFC 5652 §6) with KeyTransRecipientInfo and RSAES-PKCS1-v1_5 key transport: the
// pkcsPKIEnvelope of RFC 8894 §3.2.2.

/** A SCEP request names one recipient (the CA); a few more are tolerated. */
export const MAX_RECIPIENTS = 8;

/** One KeyTransRecipientInfo. */
export interface KeyTransRecipient {
  /** The recipient's issuerAndSerialNumber, or null when it was named by subjectKeyIdentifier. */
  rid: IssuerSerial | null;
  keyEncryptionOid: string;
  encryptedKey: Buffer;
}

/** A parsed EnvelopedData. */
export interface EnvelopedData {
  recipients: KeyTransRecipient[];
  contentType: string;
  cipherOid: string;
  /** The CBC IV from the algorithm parameters, or null when the parameters are not an OCTET STRING. */
  iv: Buffer | null;
  encryptedContent: Buffer;
}

/** Parses DER ContentInfo(EnvelopedData); other RecipientInfo kinds (kari, kekri, pwri) are skipped. */
export function parseEnvelopedData(der: Buffer, what = 'EnvelopedData'): EnvelopedData {
  const { contentType, content } = parseContentInfo(der, what);
  if (contentType !== OID.envelopedData)
    throw new PkiError('PKI_MALFORMED', `${what} is not an EnvelopedData (content type ${contentType}).`);
  const fields = sequence(content, what, 3, 5);
  readSmallInt(fields[0], `${what} version`);
  const i = isContext(fields[1], 0) ? 2 : 1;
  const infos = setOf(fields[i], `${what} recipientInfos`, 1, MAX_RECIPIENTS);
  const recipients = infos
    .filter((r) => isUniversal(r, Tag.SEQUENCE))
    .map((r, n) => readKeyTrans(r, `${what} recipient ${n + 1}`));
  const [type, alg, encrypted] = sequence(fields[i + 1], `${what} encryptedContentInfo`, 2, 3);
  const { oid: cipherOid, params } = readAlgorithm(alg, `${what} contentEncryptionAlgorithm`);
  if (!encrypted) throw new PkiError('PKI_MALFORMED', `${what} has no encrypted content.`);
  return {
    recipients,
    contentType: readOid(type, `${what} content type`),
    cipherOid,
    iv: isUniversal(params, Tag.OCTET_STRING) ? readOctets(params, `${what} IV`) : null,
    encryptedContent: readOctets(encrypted, `${what} encryptedContent`, 0),
  };
}

function readKeyTrans(node: Node, what: string): KeyTransRecipient {
  const [version, rid, alg, key] = sequence(node, what, 4, 4);
  readSmallInt(version, `${what} version`);
  return {
    rid: isContext(rid, 0) ? null : readIssuerSerial(rid, `${what} rid`),
    keyEncryptionOid: readAlgorithm(alg, `${what} keyEncryptionAlgorithm`).oid,
    encryptedKey: readOctets(key, `${what} encryptedKey`),
  };
}

/** Whose key opens the envelope, and optionally where its raw RSA operation runs. */
export interface EnvelopeRecipient {
  id: IssuerSerial;
  key: RsaDecryptionKey;
  raw?: RawRsaDecrypt;
}

/** What an envelope was opened into. */
export interface OpenedEnvelope {
  content: Buffer;
  cipher: ContentCipher;
}

// The checks that depend only on public data: which recipient, which algorithms, the IV.
function plan(
  env: EnvelopedData,
  recipient: EnvelopeRecipient,
): { chosen: KeyTransRecipient; cipher: ContentCipher; iv: Buffer } {
  const chosen =
    env.recipients.find((r) => r.rid !== null && sameIssuerSerial(r.rid, recipient.id)) ??
    (env.recipients.length === 1 ? env.recipients[0] : undefined);
  if (!chosen) throw new PkiError('PKI_NOT_FOR_US', 'The envelope is not addressed to this CA.');
  if (chosen.keyEncryptionOid !== OID.rsaEncryption)
    throw new PkiError(
      'PKI_UNSUPPORTED_ALGORITHM',
      `Key transport ${chosen.keyEncryptionOid} is not supported; use rsaEncryption.`,
    );
  const cipher = cipherByOid(env.cipherOid);
  if (!cipher)
    throw new PkiError(
      'PKI_UNSUPPORTED_ALGORITHM',
      `Content cipher ${env.cipherOid} is not supported; use AES or DES3.`,
    );
  if (!env.iv || env.iv.length !== cipher.ivLength)
    throw new PkiError('PKI_MALFORMED', `The ${cipher.name} IV is missing or has the wrong length.`);
  return { chosen, cipher, iv: env.iv };
}

/**
 * Opens an envelope addressed to `recipient` (or to a single unnamed recipient) on the calling thread.
 * Algorithm problems are PKI_UNSUPPORTED_ALGORITHM; every problem that depends on the secret key is
 * PKI_UNDECRYPTABLE.
 */
export function openEnvelope(env: EnvelopedData, recipient: EnvelopeRecipient): OpenedEnvelope {
  const { chosen, cipher, iv } = plan(env, recipient);
  const contentKey = decryptKeyTransport(recipient.key, chosen.encryptedKey, cipher.keyLength);
  return { content: decryptContent(cipher, contentKey, iv, env.encryptedContent), cipher };
}

/** openEnvelope with the RSA private operation done by `recipient.raw` (off the event loop). */
export async function openEnvelopeAsync(env: EnvelopedData, recipient: EnvelopeRecipient): Promise<OpenedEnvelope> {
  const { chosen, cipher, iv } = plan(env, recipient);
  const contentKey = await decryptKeyTransportAsync(
    recipient.key,
    chosen.encryptedKey,
    cipher.keyLength,
    recipient.raw ?? rawDecryptInThread(recipient.key),
  );
  return { content: decryptContent(cipher, contentKey, iv, env.encryptedContent), cipher };
}

/** Encrypts `content` (as id-data) to one RSA recipient certificate; returns DER ContentInfo(EnvelopedData). */
export function buildEnvelopedData(
  content: Buffer,
  recipient: CertificateRef,
  recipientKey: KeyObject,
  cipher: ContentCipher,
  random: Random,
): Buffer {
  const contentKey = random.bytes(cipher.keyLength);
  const iv = random.bytes(cipher.ivLength);
  const encryptedKey = encryptKeyTransport(recipientKey, contentKey);
  const ktri = seq(int(0), issuerAndSerialNumber(recipient), algorithm(OID.rsaEncryption), octets(encryptedKey));
  const eci = seq(
    oid(OID.data),
    algorithm(cipher.oid, octets(iv)),
    contextPrimitive(0, encryptContent(cipher, contentKey, iv, content)),
  );
  return encode(contentInfo(OID.envelopedData, seq(int(0), set(ktri), eci)));
}
