import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { secureRandom, type Random } from '../../server/core/random.js';
import { issueCertificate, randomSerialHex } from '../../server/pki/x509.js';
import { certificateFromDer } from '../../server/pki/certificate-ref.js';
import { cipherByName, type ContentCipher } from '../../server/pki/ciphers.js';
import { parseSignedData } from '../../server/pki/cms-signed.js';
import { buildEnvelopedData, openEnvelope, parseEnvelopedData } from '../../server/pki/cms-enveloped.js';
import {
  algorithm,
  bitString,
  context,
  contextPrimitive,
  encode,
  int,
  octets,
  oid,
  parseDer,
  seq,
  set,
  str,
  Tag,
  type Node,
} from '../../server/pki/der.js';
import { buildPkiMessage, parsePkiMessage, verifyPkiMessage } from '../../server/modules/scep/pki-message.js';
import { rsaDecryptionKey } from '../../server/pki/rsa-key-transport.js';
import { DIGESTS, OID, type DigestName } from '../../server/pki/oids.js';
import { FailInfo, MessageType, PkiStatus, type FailInfoName } from '../../server/modules/scep/scep.oids.js';

// A SCEP client that builds requests the way an Apple device does (apple-protocols §2.4, §2.5): a
// self-signed signer certificate (or the existing identity for RenewalReq), a CSR carrying the challenge,
// the CSR enveloped to the CA certificate, all signed with the signer key. Used by the device emulator,
// the integration tests and the benchmark.

/** A certificate and its private key, PEM. */
export interface ScepIdentity {
  certPem: string;
  keyPem: string;
  /** `keyPem` already parsed, when the holder has it (a device parses its keychain key once). */
  key?: KeyObject;
}

/** A subject attribute by short name (CN, O, OU, C, L, ST) or OID, optionally with an explicit string tag. */
export interface CsrNameAttr {
  shortName?: 'CN' | 'O' | 'OU' | 'C' | 'L' | 'ST';
  type?: string;
  value: string;
  tag?: 'utf8' | 'printable' | 'ia5' | 'bmp';
}

/** What goes into a CSR. */
export interface CsrOptions {
  keyPem: string;
  /** `keyPem` already parsed, to skip parsing it again. */
  key?: KeyObject;
  subject: CsrNameAttr[];
  challenge?: string | null;
  challengeTag?: 'utf8' | 'printable' | 'ia5' | 'bmp';
  dnsNames?: string[];
  /** More requested extensions (whole Extension nodes), after the subjectAltName of `dnsNames`. */
  extensions?: Node[];
  digest?: 'sha1' | 'sha256' | 'sha512';
  /** PKCS#10 says 0; some Apple-era CSRs carry 2 (apple-protocols §2.5). */
  version?: number;
}

/** Errors of the SCEP client, by stable code. */
export class ScepClientError extends Error {
  constructor(
    readonly code: 'HTTP_STATUS' | 'TIMEOUT' | 'BAD_RESPONSE',
    message: string,
    readonly status?: number,
    readonly body?: string,
  ) {
    super(message);
    this.name = 'ScepClientError';
  }
}

const NAME_OIDS: Readonly<Record<string, string>> = Object.freeze({
  CN: '2.5.4.3',
  C: '2.5.4.6',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  L: '2.5.4.7',
  ST: '2.5.4.8',
});
const TAGS = Object.freeze({ utf8: Tag.UTF8, printable: Tag.PRINTABLE, ia5: Tag.IA5, bmp: Tag.BMP });

function defaultTag(value: string): number {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value) ? Tag.PRINTABLE : Tag.UTF8;
}

function nameNode(subject: readonly CsrNameAttr[]): Node {
  return seq(
    ...subject.map((a) => {
      const type = a.type ?? NAME_OIDS[a.shortName ?? ''];
      if (!type) throw new Error(`Unknown subject attribute ${a.shortName ?? '?'}.`);
      return set(seq(oid(type), str(a.tag ? TAGS[a.tag] : defaultTag(a.value), a.value)));
    }),
  );
}

const ECDSA_WITH: Readonly<Record<DigestName, string>> = Object.freeze({
  sha1: '1.2.840.10045.4.1',
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
  sha512: '1.2.840.10045.4.3.4',
});

function sanExtension(dnsNames: readonly string[]): Node {
  const names = seq(...dnsNames.map((n) => contextPrimitive(2, Buffer.from(n, 'ascii'))));
  return seq(oid(OID.subjectAltName), octets(encode(names)));
}

/** Builds a PKCS#10 CSR (RFC 2986) signed natively with the subject key; returns DER. */
export function createCsr(o: CsrOptions): Buffer {
  const key = o.key ?? createPrivateKey(o.keyPem);
  const spki = parseDer(createPublicKey(key).export({ type: 'spki', format: 'der' }), 'public key');
  const attrs: Node[] = [];
  if (o.challenge != null)
    attrs.push(seq(oid(OID.challengePassword), set(str(TAGS[o.challengeTag ?? 'utf8'], o.challenge))));
  const extensions = [...(o.dnsNames?.length ? [sanExtension(o.dnsNames)] : []), ...(o.extensions ?? [])];
  if (extensions.length) attrs.push(seq(oid(OID.extensionRequest), set(seq(...extensions))));
  const info = seq(int(o.version ?? 0), nameNode(o.subject), spki, context(0, attrs));
  const digest: DigestName = o.digest ?? 'sha256';
  const signature = nodeSign(digest, encode(info), key);
  // An EC key signs with ECDSA (RFC 5758 §3.2: no parameters); RSA keys with PKCS#1 v1.5.
  const sigAlg = key.asymmetricKeyType === 'ec' ? seq(oid(ECDSA_WITH[digest])) : algorithm(DIGESTS[digest].withRsaOid);
  return encode(seq(info, sigAlg, bitString(signature)));
}

/** A self-signed signer certificate for PKCSReq, like the `MDM SCEP SIGNER` certificate Apple devices make. */
export function selfSignedIdentity(
  keyPem: string,
  options: { cn?: string; now?: Date; random?: Random; key?: KeyObject } = {},
): ScepIdentity {
  const now = options.now ?? new Date();
  const key = options.key ?? createPrivateKey(keyPem);
  const certPem = issueCertificate({
    subject: [
      { shortName: 'CN', value: options.cn ?? 'MDM SCEP SIGNER' },
      { shortName: 'C', value: 'US' },
    ],
    publicKeyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(),
    signingKeyPem: key,
    serialHex: randomSerialHex((options.random ?? secureRandom).bytes(16)),
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + 30 * 86_400_000),
    extensions: [{ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true }],
  });
  return { certPem, keyPem, key };
}

/** What a PKIOperation request is built from. */
export interface ScepRequestOptions {
  messageType?: 'PKCSReq' | 'RenewalReq';
  csr: Buffer;
  /** The signer: a self-signed identity for PKCSReq, the identity being renewed for RenewalReq. */
  signer: ScepIdentity;
  /** The CA certificate the CSR is enveloped to. */
  caCertPem: string;
  cipher?: ContentCipher['name'];
  digest?: 'sha1' | 'sha256' | 'sha512';
  transactionId?: string;
  senderNonce?: Buffer;
  random?: Random;
  now?: Date;
}

/** A built request and what is needed to check its reply. */
export interface ScepRequest {
  der: Buffer;
  transactionId: string;
  senderNonce: Buffer;
  signer: ScepIdentity;
  caCertPem: string;
}

/** Builds a signed PKCSReq or RenewalReq pkiMessage (RFC 8894 §3.3.1). */
export function buildScepRequest(o: ScepRequestOptions): ScepRequest {
  const random = o.random ?? secureRandom;
  const ca = new X509Certificate(o.caCertPem);
  const signer = certificateFromDer(Buffer.from(new X509Certificate(o.signer.certPem).raw), 'signer certificate');
  const envelope = buildEnvelopedData(
    o.csr,
    certificateFromDer(Buffer.from(ca.raw), 'CA certificate'),
    ca.publicKey,
    cipherByName(o.cipher ?? 'aes-128-cbc'),
    random,
  );
  // Apple sends a 40-hex-digit transactionID (a SHA-1 of the key, RFC 8894 §3.2.1.1).
  const transactionId = o.transactionId ?? createHash('sha1').update(random.bytes(32)).digest('hex').toUpperCase();
  const senderNonce = o.senderNonce ?? random.bytes(16);
  const der = buildPkiMessage(
    {
      messageType: o.messageType === 'RenewalReq' ? MessageType.RenewalReq : MessageType.PKCSReq,
      transactionId,
      senderNonce,
      envelope,
      certificates: [signer.node],
      signingTime: o.now ?? new Date(),
    },
    { cert: signer, key: o.signer.key ?? createPrivateKey(o.signer.keyPem), digest: o.digest ?? 'sha256' },
  );
  return { der, transactionId, senderNonce, signer: o.signer, caCertPem: o.caCertPem };
}

/** A checked CertRep. */
export type CertRepResult =
  | { status: 'SUCCESS'; certificatePem: string; digest: DigestName; cipher: ContentCipher['name'] }
  | { status: 'FAILURE'; failInfo: FailInfoName; failInfoText: string | null; digest: DigestName }
  | { status: 'PENDING'; digest: DigestName };

function failInfoName(value: string): FailInfoName {
  const name = (Object.keys(FailInfo) as FailInfoName[]).find((k) => FailInfo[k] === value);
  if (!name) throw new ScepClientError('BAD_RESPONSE', `Unknown failInfo ${value}.`);
  return name;
}

/**
 * Parses and checks a CertRep against its request: signature by the CA certificate, transactionID echoed,
 * recipientNonce = our senderNonce; on SUCCESS opens the envelope with the signer key and returns the
 * issued certificate.
 */
export function parseCertRep(der: Buffer, request: ScepRequest): CertRepResult {
  const msg = parsePkiMessage(der);
  const verified = verifyPkiMessage(msg);
  const caDer = Buffer.from(new X509Certificate(request.caCertPem).raw);
  if (!verified.certificate.der.equals(caDer))
    throw new ScepClientError('BAD_RESPONSE', 'The CertRep is not signed by the CA certificate.');
  if (msg.messageType !== MessageType.CertRep)
    throw new ScepClientError('BAD_RESPONSE', `Expected a CertRep, got messageType ${msg.messageType}.`);
  if (msg.transactionId !== request.transactionId)
    throw new ScepClientError('BAD_RESPONSE', 'The CertRep transactionID does not match the request.');
  if (!msg.recipientNonce?.equals(request.senderNonce))
    throw new ScepClientError('BAD_RESPONSE', 'The CertRep recipientNonce does not match our senderNonce.');
  if (msg.pkiStatus === PkiStatus.FAILURE)
    return {
      status: 'FAILURE',
      failInfo: failInfoName(msg.failInfo ?? ''),
      failInfoText: msg.failInfoText,
      digest: verified.digest,
    };
  if (msg.pkiStatus === PkiStatus.PENDING) return { status: 'PENDING', digest: verified.digest };
  if (msg.pkiStatus !== PkiStatus.SUCCESS || !msg.envelope)
    throw new ScepClientError('BAD_RESPONSE', `Unexpected pkiStatus ${msg.pkiStatus ?? 'none'}.`);
  const signer = certificateFromDer(Buffer.from(new X509Certificate(request.signer.certPem).raw), 'signer certificate');
  const { content, cipher } = openEnvelope(parseEnvelopedData(msg.envelope), {
    id: signer.id,
    key: rsaDecryptionKey(request.signer.key ?? createPrivateKey(request.signer.keyPem)),
  });
  const [issued] = parseSignedData(content, 'degenerate SignedData').certificates;
  if (!issued) throw new ScepClientError('BAD_RESPONSE', 'The CertRep holds no certificate.');
  return {
    status: 'SUCCESS',
    certificatePem: new X509Certificate(issued.der).toString(),
    digest: verified.digest,
    cipher: cipher.name,
  };
}

/** HTTP settings of the client. */
export interface ScepHttpOptions {
  /** CA certificate(s) (PEM) trusted for an https:// server URL instead of the system store (the office CA). */
  ca?: string;
  /** Bound on every request; default 10 s. */
  timeoutMs?: number;
  agent?: http.Agent;
}

/** A raw HTTP answer. */
export interface ScepHttpResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

/** Sends one HTTP(S) request with a timeout and collects the answer. */
export function scepHttp(
  url: URL,
  method: 'GET' | 'POST',
  body: Buffer | null,
  options: ScepHttpOptions = {},
): Promise<ScepHttpResponse> {
  const transport = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string | number> = body
    ? { 'content-type': 'application/x-pki-message', 'content-length': body.length }
    : {};
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method,
        headers,
        ...(options.agent ? { agent: options.agent } : {}),
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(options.timeoutMs ?? 10_000, () =>
      req.destroy(
        new ScepClientError('TIMEOUT', `No answer from ${url.origin} within ${options.timeoutMs ?? 10_000} ms.`),
      ),
    );
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

/** What a device enrolls with (the SCEP payload's Subject, Challenge, Keysize, and the algorithms it picks). */
export interface EnrollOptions {
  /** The identity key the CSR carries. */
  keyPem: string;
  subject: CsrNameAttr[];
  challenge: string | null;
  dnsNames?: string[];
  /** A separate key for the self-signed signer certificate, as the Apple fixture has; default: `keyPem`. */
  signerKeyPem?: string;
  digest?: 'sha1' | 'sha256' | 'sha512';
  cipher?: ContentCipher['name'];
  method?: 'POST' | 'GET';
  /** The CA certificate to encrypt to; fetched with GetCACert when omitted. */
  caCertPem?: string;
}

function keysMatch(certPem: string, keyPem: string): boolean {
  return (
    new X509Certificate(certPem).publicKey.export({ format: 'jwk' }).n ===
    createPublicKey(keyPem).export({ format: 'jwk' }).n
  );
}

/** A SCEP client bound to one server URL (the SCEP payload's `URL`). */
export class ScepClient {
  constructor(
    readonly serverUrl: string,
    private readonly options: ScepHttpOptions = {},
  ) {}

  private url(operation: string, message?: string): URL {
    const url = new URL(this.serverUrl);
    url.searchParams.set('operation', operation);
    if (message !== undefined) url.searchParams.set('message', message);
    return url;
  }

  private async ok(res: ScepHttpResponse, operation: string): Promise<ScepHttpResponse> {
    if (res.status !== 200)
      throw new ScepClientError(
        'HTTP_STATUS',
        `${operation} answered HTTP ${res.status}.`,
        res.status,
        res.body.toString('utf8'),
      );
    return res;
  }

  /** GetCACaps: the capability keywords. */
  async getCaCaps(): Promise<string[]> {
    const res = await this.ok(await scepHttp(this.url('GetCACaps'), 'GET', null, this.options), 'GetCACaps');
    return res.body.toString('utf8').split(/\r?\n/).filter(Boolean);
  }

  /** GetCACert: the CA certificate (PEM). */
  async getCaCert(): Promise<string> {
    const res = await this.ok(await scepHttp(this.url('GetCACert', 'CA'), 'GET', null, this.options), 'GetCACert');
    return new X509Certificate(res.body).toString();
  }

  /** PKIOperation by POST (the default) or by GET with a base64 `message`; returns the DER CertRep. */
  async pkiOperation(der: Buffer, method: 'POST' | 'GET' = 'POST'): Promise<Buffer> {
    const res =
      method === 'POST'
        ? await scepHttp(this.url('PKIOperation'), 'POST', der, this.options)
        : await scepHttp(this.url('PKIOperation', der.toString('base64')), 'GET', null, this.options);
    return (await this.ok(res, 'PKIOperation')).body;
  }

  /** Sends a built request and checks the CertRep. */
  async send(request: ScepRequest, method: 'POST' | 'GET' = 'POST'): Promise<CertRepResult> {
    return parseCertRep(await this.pkiOperation(request.der, method), request);
  }

  /** Enrolls like a device installing a SCEP payload: GetCACert, PKCSReq, and a check that the certificate holds our key. */
  async enroll(o: EnrollOptions): Promise<{ request: ScepRequest; result: CertRepResult }> {
    const caCertPem = o.caCertPem ?? (await this.getCaCert());
    const csr = createCsr({
      keyPem: o.keyPem,
      subject: o.subject,
      challenge: o.challenge,
      ...(o.dnsNames ? { dnsNames: o.dnsNames } : {}),
      digest: o.digest ?? 'sha256',
    });
    const signer = selfSignedIdentity(o.signerKeyPem ?? o.keyPem);
    const request = buildScepRequest({
      csr,
      signer,
      caCertPem,
      ...(o.digest ? { digest: o.digest } : {}),
      ...(o.cipher ? { cipher: o.cipher } : {}),
    });
    const result = await this.send(request, o.method);
    if (result.status === 'SUCCESS' && !keysMatch(result.certificatePem, o.keyPem))
      throw new ScepClientError('BAD_RESPONSE', 'The issued certificate does not hold the CSR key.');
    return { request, result };
  }

  /** Renews an identity with a RenewalReq signed by it (RFC 8894 §3.3.1.2), for a CSR with `keyPem`. */
  async renew(
    identity: ScepIdentity,
    o: Omit<EnrollOptions, 'challenge' | 'signerKeyPem'>,
  ): Promise<{ request: ScepRequest; result: CertRepResult }> {
    const caCertPem = o.caCertPem ?? (await this.getCaCert());
    const csr = createCsr({
      keyPem: o.keyPem,
      subject: o.subject,
      ...(o.dnsNames ? { dnsNames: o.dnsNames } : {}),
      digest: o.digest ?? 'sha256',
    });
    const request = buildScepRequest({
      messageType: 'RenewalReq',
      csr,
      signer: identity,
      caCertPem,
      ...(o.digest ? { digest: o.digest } : {}),
      ...(o.cipher ? { cipher: o.cipher } : {}),
    });
    return { request, result: await this.send(request, o.method) };
  }
}
