import type { KeyObject } from 'node:crypto';
import type { CertificateRef } from '../../pki/certificate-ref.js';
import {
  attribute,
  attributeValue,
  buildSignedData,
  buildSignedDataAsync,
  parseSignedData,
  verifySignedData,
  type SignedData,
  type SignerCheck,
  type SignerInfo,
  type SignOptions,
  type VerifiedSigner,
} from '../../pki/cms-signed.js';
import { octets, readOctets, readString, readTime, str, Tag, type Node } from '../../pki/der.js';
import { OID, type DigestName } from '../../pki/oids.js';
import { FailInfo, MessageType, PkiStatus, SCEP_OID, type FailInfoName } from './scep.oids.js';
import { PkiError } from '../../pki/errors.js';

// The SCEP pkiMessage (RFC 8894 §3.2): a SignedData whose signed attributes carry the transaction and whose
// content is the pkcsPKIEnvelope. Parsing and verifying are separate steps so that a message with a bad
// signature can still be answered with a CertRep FAILURE that echoes its transactionID and nonce.

/** Bounds on the SCEP attributes. */
export const PKI_MESSAGE_LIMITS = Object.freeze({
  bytes: 64 * 1024,
  transactionIdChars: 256,
  nonceBytes: 256,
  failInfoTextChars: 1024,
});

/** A parsed (not yet verified) pkiMessage. */
export interface PkiMessage {
  signed: SignedData;
  signer: SignerInfo;
  messageType: string;
  transactionId: string;
  /** The transactionID value as sent, echoed verbatim in the reply (RFC 8894 §3.2.1.1). */
  transactionIdNode: Node;
  senderNonce: Buffer | null;
  recipientNonce: Buffer | null;
  pkiStatus: string | null;
  failInfo: string | null;
  failInfoText: string | null;
  signingTime: Date | null;
  /** The DER pkcsPKIEnvelope, or null when the message carries no content. */
  envelope: Buffer | null;
}

const REQUEST_TYPES = new Set<string>([
  MessageType.RenewalReq,
  MessageType.UpdateReq,
  MessageType.PKCSReq,
  MessageType.CertPoll,
  MessageType.GetCert,
  MessageType.GetCRL,
]);

/** Parses a DER pkiMessage and its SCEP attributes; throws PKI_MALFORMED or PKI_TOO_LARGE. */
export function parsePkiMessage(der: Buffer): PkiMessage {
  if (der.length > PKI_MESSAGE_LIMITS.bytes)
    throw new PkiError('PKI_TOO_LARGE', `The pkiMessage is larger than ${PKI_MESSAGE_LIMITS.bytes} bytes.`);
  const signed = parseSignedData(der, 'pkiMessage');
  const signer = signed.signers[0];
  if (!signer || signed.signers.length !== 1)
    throw new PkiError('PKI_MALFORMED', 'The pkiMessage must have exactly one signer.');
  if (signed.eContentType !== OID.data)
    throw new PkiError('PKI_MALFORMED', 'The pkiMessage content type must be id-data.');
  const attrs = signer.attributes;
  const messageType = requiredString(attributeValue(attrs, SCEP_OID.messageType, 'messageType'), 'messageType', 8);
  if (!/^\d{1,3}$/.test(messageType)) throw new PkiError('PKI_MALFORMED', 'The messageType is not a number.');
  const transactionIdNode = attributeValue(attrs, SCEP_OID.transactionId, 'transactionID');
  const transactionId = requiredString(transactionIdNode, 'transactionID', PKI_MESSAGE_LIMITS.transactionIdChars);
  const msg: PkiMessage = {
    signed,
    signer,
    messageType,
    transactionId,
    transactionIdNode: transactionIdNode as Node,
    senderNonce: nonce(attributeValue(attrs, SCEP_OID.senderNonce, 'senderNonce'), 'senderNonce'),
    recipientNonce: nonce(attributeValue(attrs, SCEP_OID.recipientNonce, 'recipientNonce'), 'recipientNonce'),
    pkiStatus: optionalString(attributeValue(attrs, SCEP_OID.pkiStatus, 'pkiStatus'), 'pkiStatus', 8),
    failInfo: optionalString(attributeValue(attrs, SCEP_OID.failInfo, 'failInfo'), 'failInfo', 8),
    failInfoText: optionalString(
      attributeValue(attrs, SCEP_OID.failInfoText, 'failInfoText'),
      'failInfoText',
      PKI_MESSAGE_LIMITS.failInfoTextChars,
    ),
    signingTime: lenientTime(attrs.get(OID.signingTime)?.[0]),
    envelope: signed.eContent,
  };
  checkShape(msg);
  return msg;
}

function checkShape(msg: PkiMessage): void {
  if (REQUEST_TYPES.has(msg.messageType) && !msg.senderNonce)
    throw new PkiError('PKI_MALFORMED', 'The request has no senderNonce (RFC 8894 §3.2.1.5).');
  if (msg.messageType === MessageType.CertRep) {
    if (!msg.pkiStatus) throw new PkiError('PKI_MALFORMED', 'The CertRep has no pkiStatus.');
    if (msg.pkiStatus === PkiStatus.FAILURE && !msg.failInfo)
      throw new PkiError('PKI_MALFORMED', 'The CertRep FAILURE has no failInfo.');
  }
}

function requiredString(node: Node | undefined, what: string, max: number): string {
  const value = optionalString(node, what, max);
  if (!value) throw new PkiError('PKI_MALFORMED', `The pkiMessage has no ${what}.`);
  return value;
}

function optionalString(node: Node | undefined, what: string, max: number): string | null {
  return node === undefined ? null : readString(node, what, max).text;
}

function nonce(node: Node | undefined, what: string): Buffer | null {
  if (node === undefined) return null;
  const value = readOctets(node, what);
  if (value.length === 0 || value.length > PKI_MESSAGE_LIMITS.nonceBytes)
    throw new PkiError('PKI_MALFORMED', `The ${what} must be 1 to ${PKI_MESSAGE_LIMITS.nonceBytes} bytes.`);
  return value;
}

// signingTime is informational for SCEP: a client with an odd clock or encoding must still enroll.
function lenientTime(node: Node | undefined): Date | null {
  try {
    return node === undefined ? null : readTime(node, 'signingTime');
  } catch {
    return null;
  }
}

/**
 * Verifies the pkiMessage signature against the certificate it carries (RFC 8894 §3.2; self-signed for PKCSReq),
 * after `checkSigner` accepted that certificate (what it throws propagates as is).
 */
export function verifyPkiMessage(msg: PkiMessage, checkSigner?: SignerCheck): VerifiedSigner {
  return verifySignedData(msg.signed, 'pkiMessage', checkSigner);
}

/** Who signs an outgoing pkiMessage and with which digest. */
export interface PkiSigner {
  cert: CertificateRef;
  key: KeyObject;
  digest: DigestName;
}

/** Everything an outgoing pkiMessage carries besides the signature. */
export interface PkiMessageContent {
  messageType: string;
  /** A new transactionID (PrintableString), or the request's node to echo verbatim. */
  transactionId: string | Node;
  senderNonce: Buffer;
  recipientNonce?: Buffer;
  pkiStatus?: string;
  failInfo?: string;
  failInfoText?: string;
  envelope: Buffer | null;
  /** Certificates to include, in order (RFC 8894 §3.3.2: the issued certificate first). */
  certificates: readonly Node[];
  signingTime: Date;
}

function signOptions(content: PkiMessageContent, signer: PkiSigner): SignOptions {
  const attrs = [
    attribute(SCEP_OID.messageType, str(Tag.PRINTABLE, content.messageType)),
    attribute(
      SCEP_OID.transactionId,
      typeof content.transactionId === 'string' ? str(Tag.PRINTABLE, content.transactionId) : content.transactionId,
    ),
    attribute(SCEP_OID.senderNonce, octets(content.senderNonce)),
  ];
  if (content.recipientNonce) attrs.push(attribute(SCEP_OID.recipientNonce, octets(content.recipientNonce)));
  if (content.pkiStatus) attrs.push(attribute(SCEP_OID.pkiStatus, str(Tag.PRINTABLE, content.pkiStatus)));
  if (content.failInfo) attrs.push(attribute(SCEP_OID.failInfo, str(Tag.PRINTABLE, content.failInfo)));
  if (content.failInfoText) attrs.push(attribute(SCEP_OID.failInfoText, str(Tag.UTF8, content.failInfoText)));
  return {
    eContent: content.envelope,
    certificates: content.certificates,
    signerCert: signer.cert,
    signerKey: signer.key,
    digest: signer.digest,
    attributes: attrs,
    signingTime: content.signingTime,
  };
}

/** Builds and signs a pkiMessage on the calling thread (what a client does). */
export function buildPkiMessage(content: PkiMessageContent, signer: PkiSigner): Buffer {
  return buildSignedData(signOptions(content, signer));
}

/** Builds a pkiMessage with the signature computed off the event loop (what the server does). */
export function buildPkiMessageAsync(content: PkiMessageContent, signer: PkiSigner): Promise<Buffer> {
  return buildSignedDataAsync(signOptions(content, signer));
}

/** What every CertRep echoes from its request and adds of its own (RFC 8894 §3.2.1.1, §3.2.1.5). */
export interface CertRepHeader {
  request: Pick<PkiMessage, 'transactionIdNode' | 'senderNonce'>;
  /** A fresh nonce of our own. */
  senderNonce: Buffer;
  signingTime: Date;
}

/**
 * Builds a CertRep SUCCESS (RFC 8894 §3.3.2): content = the envelope holding the degenerate certs-only
 * SignedData, certificates = [issued certificate, CA certificate].
 */
export function buildCertRepSuccess(
  header: CertRepHeader,
  envelope: Buffer,
  certificates: readonly Node[],
  signer: PkiSigner,
): Promise<Buffer> {
  return buildPkiMessageAsync({ ...replyFields(header), pkiStatus: PkiStatus.SUCCESS, envelope, certificates }, signer);
}

/** Builds a CertRep FAILURE (RFC 8894 §3.3.2.2): no content, pkiStatus 2, failInfo and optional failInfoText. */
export function buildCertRepFailure(
  header: CertRepHeader,
  failInfo: FailInfoName,
  failInfoText: string | null,
  certificates: readonly Node[],
  signer: PkiSigner,
): Promise<Buffer> {
  return buildPkiMessageAsync(
    {
      ...replyFields(header),
      pkiStatus: PkiStatus.FAILURE,
      failInfo: FailInfo[failInfo],
      ...(failInfoText ? { failInfoText } : {}),
      envelope: null,
      certificates,
    },
    signer,
  );
}

function replyFields(
  header: CertRepHeader,
): Pick<PkiMessageContent, 'messageType' | 'transactionId' | 'senderNonce' | 'recipientNonce' | 'signingTime'> {
  return {
    messageType: MessageType.CertRep,
    transactionId: header.request.transactionIdNode,
    senderNonce: header.senderNonce,
    ...(header.request.senderNonce ? { recipientNonce: header.request.senderNonce } : {}),
    signingTime: header.signingTime,
  };
}
