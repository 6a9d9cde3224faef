import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import { randomSerialHex } from '../../pki/x509.js';
import { certificateFromDer, subjectKeyIdentifier, type CertificateRef } from '../../pki/certificate-ref.js';
import { cipherByName, type ContentCipher } from '../../pki/ciphers.js';
import { issueClientCertificate, normalizeSerialHex, templateSubjectText } from './client-certificate.js';
import { buildDegenerateSignedData, type VerifiedSigner } from '../../pki/cms-signed.js';
import { checkDeviceKey, DEVICE_KEY_POLICY } from '../../pki/key-policy.js';
import { buildEnvelopedData, openEnvelopeAsync, parseEnvelopedData } from '../../pki/cms-enveloped.js';
import { parseCsr, type ParsedCsr } from '../../pki/csr.js';
import { parseDer } from '../../pki/der.js';
import {
  buildCertRepFailure,
  buildCertRepSuccess,
  parsePkiMessage,
  verifyPkiMessage,
  type CertRepHeader,
  type PkiMessage,
  type PkiSigner,
} from './pki-message.js';
import { keyIdentifier } from '../../pki/public-key.js';
import { rawDecryptInThread, rsaDecryptionKey, type RsaDecryptionKey } from '../../pki/rsa-key-transport.js';
import { startRsaWorker, type RsaWorker } from '../../pki/rsa-worker.js';
import { digestByOid, type DigestName } from '../../pki/oids.js';
import { MessageType, type FailInfoName } from './scep.oids.js';
import { isPkiError } from '../../pki/errors.js';
import type {
  CertificatePurpose,
  ConfigurationIdentity,
  IdentityTemplate,
  IdentityTemplatePort,
  IssuedCertificatePort,
  PreviousIssue,
  ScepChallengePort,
} from './scep.ports.js';

// The SCEP CA (RFC 8894; apple-protocols §2.6): PKCSReq with a one-time challenge, RenewalReq signed by an
// identity we issued, and CertRep SUCCESS or FAILURE for everything that can be answered in SCEP. Cheap checks come
// before expensive ones: the message type, then the signer certificate (issuer, serial and revocation for a renewal;
// the key bounds for every signer) before its signature is verified with that certificate's key, and the CSR's key
// bounds before its self-signature. The identity issued says what the enrollment's template says; the CSR only
// brings its key. A configuration's challenge (Wi-Fi, VPN) gets a configuration identity from the template minted
// with it: recorded with purpose 'configuration', never the device's MDM identity, and its renewal stays one.

/** GetCACaps keywords (RFC 8894 §3.5.2), in the order apple-protocols §2.2 recommends. */
export const SCEP_CAPABILITIES = Object.freeze([
  'POSTPKIOperation',
  'SHA-256',
  'AES',
  'SCEPStandard',
  'Renewal',
  'SHA-1',
  'DES3',
]);

/** Validity of issued device identity certificates unless configured otherwise. */
export const DEFAULT_CLIENT_CERT_VALIDITY_DAYS = 365;

/** Dependencies of the SCEP service. */
export interface ScepDeps {
  /** The office CA: the SCEP CA certificate and its private key (PEM). */
  ca: () => { certPem: string; keyPem: string };
  challenges: ScepChallengePort;
  /** The subject each enrollment's identity gets (the CSR's own subject and extensions are ignored). */
  templates: IdentityTemplatePort;
  certificates: IssuedCertificatePort;
  audit: AuditService;
  clock: Clock;
  random: Random;
  clientCertValidityDays?: number;
  /**
   * Runs `fn` as one database transaction: consuming the challenge, recording the certificate and auditing
   * it land together or not at all. Default: run it as is (the in-memory ports of tests and benchmarks).
   */
  transaction?: <T>(fn: () => T) => T;
}

/** Where a PKIOperation came from, for the audit trail. */
export interface ScepRequestContext {
  sourceAddress?: string | null;
  /** Told when the answer is a CertRep FAILURE (a refusal the HTTP status does not show), for the request limits. */
  refused?: () => void;
}

/** The SCEP operations behind /scep. */
export interface ScepService {
  /** The GetCACaps body. */
  caps(): string;
  /** The GetCACert body: the CA certificate in DER (RFC 8894 §4.2.1.1). */
  caCertificate(): Buffer;
  /**
   * Answers a PKIOperation with a DER CertRep; rejects with AppError VALIDATION_FAILED (HTTP 400) only when
   * the bytes are not a pkiMessage at all, since without a transactionID and nonce no CertRep can be built.
   */
  pkiOperation(message: Buffer, context: ScepRequestContext): Promise<Buffer>;
  /** Stops the RSA worker thread (it never keeps the process alive, so this is for tidy shutdowns and tests). */
  close(): Promise<void>;
}

/** Why a request got a CertRep FAILURE; recorded in the `scep.refused` audit event. */
export type ScepRefusalReason =
  | 'bad_signature'
  | 'unsupported_algorithm'
  | 'unsupported_message_type'
  | 'missing_envelope'
  | 'not_for_this_ca'
  | 'undecryptable'
  | 'challenge_missing'
  | 'challenge_unknown'
  | 'challenge_expired'
  | 'challenge_used'
  | 'renewal_not_issued_by_ca'
  | 'renewal_unknown_certificate'
  | 'renewal_revoked'
  | 'renewal_expired'
  | 'key_not_allowed'
  | 'signer_key_not_allowed'
  | 'enrollment_unknown';

// failInfoText (RFC 8894 §3.2.1.4) is deliberately coarse: one text per failInfo family, so it tells a
// prober nothing about a challenge's state or about why an envelope did not open.
const TEXT = {
  message: 'The message could not be verified or decrypted by this CA.',
  algorithm: 'The message uses an algorithm this CA does not support.',
  request: 'This CA does not handle this kind of request.',
  challenge: 'The enrollment challenge is missing, wrong, expired or already used; download a new enrollment profile.',
  renewal: 'The signing certificate cannot be renewed by this CA; enroll again.',
  key: `The key is not accepted: this CA issues identities for RSA keys of ${DEVICE_KEY_POLICY.minRsaBits} to ${DEVICE_KEY_POLICY.maxRsaBits} bits with exponent ${DEVICE_KEY_POLICY.rsaExponent}.`,
} as const;

class Refusal {
  constructor(
    readonly failInfo: FailInfoName,
    readonly reason: ScepRefusalReason,
    readonly text: string,
  ) {}
}

interface CaMaterial {
  certPem: string;
  keyPem: string;
  ref: CertificateRef;
  x509: X509Certificate;
  key: KeyObject;
  publicKey: KeyObject;
  keyIdentifier: Buffer;
  decryption: RsaDecryptionKey;
  /** Started on the first PKIOperation, so GetCACaps and GetCACert never spawn a thread. */
  worker: RsaWorker | null;
}

function loadCa(certPem: string, keyPem: string): CaMaterial {
  const x509 = new X509Certificate(certPem);
  const key = createPrivateKey(keyPem);
  const ref = certificateFromDer(Buffer.from(x509.raw), 'CA certificate');
  return {
    certPem,
    keyPem,
    x509,
    key,
    publicKey: x509.publicKey,
    ref,
    decryption: rsaDecryptionKey(key),
    keyIdentifier: subjectKeyIdentifier(ref) ?? keyIdentifier(ref.spkiNode, 'CA public key'),
    worker: null,
  };
}

// The issuer name (and key identifier) match the CA: no signature involved.
function namesCa(cert: X509Certificate, material: CaMaterial): boolean {
  try {
    return cert.checkIssued(material.x509);
  } catch {
    return false;
  }
}

function issuedBy(cert: X509Certificate, material: CaMaterial): boolean {
  try {
    return namesCa(cert, material) && cert.verify(material.publicKey);
  } catch {
    return false;
  }
}

// The reply cipher follows the request's family. A client that encrypted with DES or DES-EDE3 may not do AES
// (Debian's scepclient sends single DES whatever the caps say, stack.md §9), so it gets DES-EDE3, which
// scepclient's pkcs7 decrypts; single DES (56-bit keys) is never used for replies. Everyone else gets
// AES-128-CBC, the RFC 8894 §2.9 mandatory-to-implement cipher that the "AES" capability names.
function replyCipher(requestCipher: ContentCipher): ContentCipher {
  return cipherByName(requestCipher.name.startsWith('des') ? 'des-ede3-cbc' : 'aes-128-cbc');
}

/** What a challenge or a renewal's signer entitles the request to: an enrollment's MDM identity, or a configuration's. */
interface Grant {
  enrollmentId: string;
  configuration?: ConfigurationIdentity;
}

const DEVICE: Actor = Object.freeze({ type: 'device', id: null, label: 'SCEP client' });

/** Builds the SCEP service. */
export function createScepService(deps: ScepDeps): ScepService {
  const { clock, random, audit } = deps;
  const validityDays = deps.clientCertValidityDays ?? DEFAULT_CLIENT_CERT_VALIDITY_DAYS;
  const transaction = deps.transaction ?? (<T>(fn: () => T): T => fn());
  let cached: { certPem: string; keyPem: string; material: CaMaterial } | undefined;

  function ca(): CaMaterial {
    const { certPem, keyPem } = deps.ca();
    if (cached?.certPem !== certPem || cached.keyPem !== keyPem) {
      void cached?.material.worker?.close();
      cached = { certPem, keyPem, material: loadCa(certPem, keyPem) };
    }
    return cached.material;
  }

  function rsaWorker(material: CaMaterial): RsaWorker {
    material.worker ??= startRsaWorker(material.keyPem, rawDecryptInThread(material.decryption));
    return material.worker;
  }

  function verify(msg: PkiMessage, checkSigner: (certificate: CertificateRef) => void): VerifiedSigner {
    try {
      return verifyPkiMessage(msg, checkSigner);
    } catch (err) {
      if (isPkiError(err, 'PKI_UNSUPPORTED_ALGORITHM'))
        throw new Refusal('badAlg', 'unsupported_algorithm', TEXT.algorithm);
      if (isPkiError(err)) throw new Refusal('badMessageCheck', 'bad_signature', TEXT.message);
      throw err;
    }
  }

  // Everything from the envelope to the verified CSR is one stage with one failure, whatever went wrong
  // inside it: with implicit rejection a bad RSA block yields a random key, and a random key must fail
  // exactly like a forged or corrupted envelope (stack.md Addendum).
  async function openRequest(
    msg: PkiMessage,
    material: CaMaterial,
  ): Promise<{ csr: ParsedCsr; cipher: ContentCipher }> {
    if (!msg.envelope) throw new Refusal('badRequest', 'missing_envelope', TEXT.request);
    try {
      const envelope = parseEnvelopedData(msg.envelope, 'pkcsPKIEnvelope');
      const { content, cipher } = await openEnvelopeAsync(envelope, {
        id: material.ref.id,
        key: material.decryption,
        raw: rsaWorker(material).rawDecrypt,
      });
      return { csr: parseCsr(content), cipher };
    } catch (err) {
      if (isPkiError(err, 'PKI_UNSUPPORTED_ALGORITHM'))
        throw new Refusal('badAlg', 'unsupported_algorithm', TEXT.algorithm);
      if (isPkiError(err, 'PKI_NOT_FOR_US')) throw new Refusal('badMessageCheck', 'not_for_this_ca', TEXT.message);
      // Only a CSR that decrypted and parsed gets here: its key was read before it was used for anything.
      if (isPkiError(err, 'PKI_KEY_NOT_ALLOWED')) throw new Refusal('badRequest', 'key_not_allowed', TEXT.key);
      throw new Refusal('badMessageCheck', 'undecryptable', TEXT.message);
    }
  }

  // A device that lost our reply sends the same PKCSReq again: same transactionID, same key, the challenge now
  // spent. It gets the certificate already issued in that transaction (RFC 8894 §3.3.1), not a refusal that
  // would fail the profile install. Only a live PKCSReq certificate for this very key qualifies; the reply is
  // encrypted to the request's signer as always, and a certificate alone is public.
  function previousIssue(msg: PkiMessage, csr: ParsedCsr): PreviousIssue | undefined {
    const key = csr.publicKey.export({ type: 'spki', format: 'der' });
    const now = clock.now().getTime();
    return deps.certificates.findByTransaction(msg.transactionId).find((p) => {
      if (p.kind !== 'PKCSReq' || p.revoked) return false;
      const cert = new X509Certificate(p.certPem);
      return now <= Date.parse(cert.validTo) && cert.publicKey.export({ type: 'spki', format: 'der' }).equals(key);
    });
  }

  function checkChallenge(msg: PkiMessage, csr: ParsedCsr): Grant | { resend: PreviousIssue } {
    const result = deps.challenges.check(csr.challengePassword);
    if (result.ok)
      return result.configuration
        ? { enrollmentId: result.enrollmentId, configuration: result.configuration }
        : { enrollmentId: result.enrollmentId };
    const previous = result.reason === 'used' ? previousIssue(msg, csr) : undefined;
    if (previous) return { resend: previous };
    throw new Refusal('badRequest', `challenge_${result.reason}`, TEXT.challenge);
  }

  function reply(
    header: CertRepHeader,
    issuedDer: Buffer,
    signer: VerifiedSigner,
    cipher: ContentCipher,
    material: CaMaterial,
    digest: DigestName,
  ): Promise<Buffer> {
    const issuedNode = parseDer(issuedDer, 'issued certificate');
    const envelope = buildEnvelopedData(
      buildDegenerateSignedData([issuedNode]),
      signer.certificate,
      signer.publicKey,
      replyCipher(cipher),
      random,
    );
    return buildCertRepSuccess(header, envelope, [issuedNode, material.ref.node], {
      cert: material.ref,
      key: material.key,
      digest,
    });
  }

  // Consumes the challenge checked before signing; it must still grant the same identity (a purpose never changes).
  function consumeChallenge(msg: PkiMessage, csr: ParsedCsr, subject: string, checked: Grant): void {
    const result = deps.challenges.consume(csr.challengePassword, { transactionId: msg.transactionId, subject });
    if (!result.ok) throw new Refusal('badRequest', `challenge_${result.reason}`, TEXT.challenge);
    if (
      result.enrollmentId !== checked.enrollmentId ||
      result.configuration?.configurationId !== checked.configuration?.configurationId
    )
      throw new Refusal('badRequest', 'challenge_used', TEXT.challenge);
  }

  // Every signer's key is bounded before the request's signature is verified with it (key-policy.ts): a
  // self-signed PKCSReq signer is the device's own key, and a renewed identity may predate the bounds.
  function checkSignerKey(certificate: CertificateRef): void {
    try {
      checkDeviceKey(certificate.spkiNode, 'The signer key');
    } catch (err) {
      if (isPkiError(err, 'PKI_KEY_NOT_ALLOWED')) throw new Refusal('badRequest', 'signer_key_not_allowed', TEXT.key);
      if (isPkiError(err, 'PKI_UNSUPPORTED_ALGORITHM'))
        throw new Refusal('badAlg', 'unsupported_algorithm', TEXT.algorithm);
      throw new Refusal('badMessageCheck', 'bad_signature', TEXT.message);
    }
  }

  // The enrollment's identity template; an enrollment that is gone by now gets nothing issued.
  function templateOf(enrollmentId: string): IdentityTemplate {
    const template = deps.templates.templateFor(enrollmentId);
    if (!template) throw new Refusal('badRequest', 'enrollment_unknown', TEXT.challenge);
    return template;
  }

  // RenewalReq (RFC 8894 §3.3.1.2): the request is signed by the identity being renewed, which must be one
  // we issued and still valid; no challenge is needed. Checked before the request's signature: the issuer name,
  // the serial and revocation cost no signature, and the CA signature is verified with our own key.
  function checkRenewal(certificate: CertificateRef, material: CaMaterial): Grant {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certificate.der);
    } catch {
      throw new Refusal('badCertId', 'renewal_not_issued_by_ca', TEXT.renewal);
    }
    if (!namesCa(cert, material)) throw new Refusal('badCertId', 'renewal_not_issued_by_ca', TEXT.renewal);
    const status = deps.certificates.findBySerial(normalizeSerialHex(cert.serialNumber));
    if (!status) throw new Refusal('badCertId', 'renewal_unknown_certificate', TEXT.renewal);
    if (!issuedBy(cert, material)) throw new Refusal('badCertId', 'renewal_not_issued_by_ca', TEXT.renewal);
    if (status.revoked) throw new Refusal('badRequest', 'renewal_revoked', TEXT.renewal);
    const now = clock.now().getTime();
    if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo) || now > Date.parse(status.notAfter))
      throw new Refusal('badRequest', 'renewal_expired', TEXT.renewal);
    // The purpose comes from our record of the signer, never from the request: a configuration identity renews into
    // a configuration identity with the same template, an MDM identity into an MDM identity.
    if (status.purpose === 'configuration') {
      if (!status.configuration) throw new Refusal('badCertId', 'renewal_unknown_certificate', TEXT.renewal);
      return { enrollmentId: status.enrollmentId, configuration: status.configuration };
    }
    return { enrollmentId: status.enrollmentId };
  }

  async function answer(
    msg: PkiMessage,
    material: CaMaterial,
    header: CertRepHeader,
    digest: DigestName,
    context: ScepRequestContext,
  ): Promise<Buffer> {
    const kind =
      msg.messageType === MessageType.PKCSReq
        ? 'PKCSReq'
        : msg.messageType === MessageType.RenewalReq
          ? 'RenewalReq'
          : null;
    if (!kind) throw new Refusal('badRequest', 'unsupported_message_type', TEXT.request);
    let renewal: Grant = { enrollmentId: '' };
    const signer = verify(msg, (certificate) => {
      if (kind === 'RenewalReq') renewal = checkRenewal(certificate, material);
      checkSignerKey(certificate);
    });
    const { csr, cipher } = await openRequest(msg, material);
    // Checked first, so a wrong challenge costs no signature; consumed only once the reply is complete.
    const checked = kind === 'PKCSReq' ? checkChallenge(msg, csr) : renewal;
    if ('resend' in checked) {
      const previous = checked.resend;
      const certRep = await reply(
        header,
        Buffer.from(new X509Certificate(previous.certPem).raw),
        signer,
        cipher,
        material,
        digest,
      );
      audit.record({
        actor: { ...DEVICE, id: previous.enrollmentId },
        action: 'scep.resent',
        subject: { type: 'certificate', id: previous.serialHex, label: csr.subjectText },
        details: { transactionId: msg.transactionId, enrollmentId: previous.enrollmentId, purpose: previous.purpose },
        sourceAddress: context.sourceAddress ?? null,
      });
      return certRep;
    }
    const enrollmentId = checked.enrollmentId;
    const configuration = checked.configuration;
    const purpose: CertificatePurpose = configuration ? 'configuration' : 'mdm';
    const template = configuration ? configuration.template : templateOf(enrollmentId);
    const subject = templateSubjectText(template);
    const now = clock.now();
    const issued = await issueClientCertificate({
      csr,
      template,
      caCertPem: material.certPem,
      caKey: material.key,
      caKeyIdentifier: material.keyIdentifier,
      serialHex: randomSerialHex(random.bytes(16)),
      now,
      validityDays,
    });
    const certRep = await reply(header, issued.der, signer, cipher, material, digest);
    // All or nothing: a failure before this point leaves the challenge usable for the device's retry, and a
    // challenge taken meanwhile by another request makes this one a badRequest with nothing recorded.
    transaction(() => {
      if (kind === 'PKCSReq') consumeChallenge(msg, csr, subject, checked);
      deps.certificates.record({
        serialHex: issued.serialHex,
        subject,
        notBefore: issued.notBefore.toISOString(),
        notAfter: issued.notAfter.toISOString(),
        enrollmentId,
        certPem: issued.certPem,
        kind,
        transactionId: msg.transactionId,
        purpose,
        ...(configuration ? { configuration } : {}),
      });
      audit.record({
        actor: { ...DEVICE, id: enrollmentId },
        action: 'scep.issued',
        subject: { type: 'certificate', id: issued.serialHex, label: subject },
        details: {
          transactionId: msg.transactionId,
          enrollmentId,
          kind,
          purpose,
          ...(configuration
            ? {
                configurationId: configuration.configurationId,
                deviceId: configuration.deviceId,
                channel: configuration.channel,
              }
            : {}),
          notAfter: issued.notAfter.toISOString(),
          keyBits: csr.publicKeyBits,
          digest,
          cipher: cipher.name,
        },
        sourceAddress: context.sourceAddress ?? null,
      });
    });
    return certRep;
  }

  function refuse(
    msg: PkiMessage,
    refusal: Refusal,
    material: CaMaterial,
    header: CertRepHeader,
    signer: PkiSigner,
    context: ScepRequestContext,
  ): Promise<Buffer> {
    context.refused?.();
    audit.record({
      actor: DEVICE,
      action: 'scep.refused',
      subject: { type: 'scep-transaction', id: msg.transactionId },
      details: {
        reason: refusal.reason,
        failInfo: refusal.failInfo,
        messageType: msg.messageType,
        transactionId: msg.transactionId,
      },
      sourceAddress: context.sourceAddress ?? null,
    });
    return buildCertRepFailure(header, refusal.failInfo, refusal.text, [material.ref.node], signer);
  }

  return {
    caps: () => SCEP_CAPABILITIES.join('\n'),

    caCertificate: () => ca().ref.der,

    async pkiOperation(message, context) {
      const material = ca();
      let msg: PkiMessage;
      try {
        msg = parsePkiMessage(message);
      } catch (err) {
        if (!isPkiError(err)) throw err;
        throw new AppError(
          'VALIDATION_FAILED',
          'The SCEP message could not be read: it is not a DER pkiMessage (RFC 8894 §3.2).',
          { scepCode: err.code, problem: err.message },
          { cause: err },
        );
      }
      // Reply in the digest the client signed with: it can certainly verify that one (old clients only do
      // SHA-1). A SHA-1 reply stays safe from chosen-prefix collisions because our fresh 16-byte senderNonce
      // sorts (DER SET OF) ahead of every attacker-chosen attribute long enough to hold collision blocks.
      const digest = digestByOid(msg.signer.digestOid) ?? 'sha256';
      const header: CertRepHeader = { request: msg, senderNonce: random.bytes(16), signingTime: clock.now() };
      try {
        return await answer(msg, material, header, digest, context);
      } catch (err) {
        if (!(err instanceof Refusal)) throw err;
        return refuse(msg, err, material, header, { cert: material.ref, key: material.key, digest }, context);
      }
    },

    async close() {
      await cached?.material.worker?.close();
    },
  };
}
