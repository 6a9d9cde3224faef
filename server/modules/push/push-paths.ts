import { createPrivateKey, createPublicKey } from 'node:crypto';
import type {
  PushCsrDto,
  PushRequestDto,
  PushRequestFile,
  PushServiceRequest,
  PushSignedRequestDto,
} from '../../contract/push.js';
import type { Clock } from '../../core/clock.js';
import { AppError, isAppError } from '../../core/errors.js';
import { secureRandom, type Random } from '../../core/random.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import { generateRsaKeyPair, issueCertificate, randomSerialHex } from '../../pki/x509.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { SettingsStore } from '../settings/settings.store.js';
import {
  checkSignedRequest,
  decodeEncryptedFile,
  DEFAULT_VENDOR_SERVICE_URL,
  openEncryptedAnswer,
  PUSH_REQUEST_LIMITS,
} from './push-request.js';
import type { PushStore } from './push.store.js';
import { checkServiceUrl, sendVendorSignRequest, type VendorServiceLimits } from './vendor-service.js';

/** The file name the signed request downloads as, for identity.apple.com. */
export const SIGNED_REQUEST_FILE = 'tsunagu-push-request-signed.plist.b64';
const STATE_KEY = 'push-request';
const EXCHANGE_LABEL = 'push:push-exchange';
const DAY = 86_400_000;
const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,63}$/;

/** The request's progress as stored (settings key `push-request`); the CSR key itself stays in push_credentials. */
interface RequestState {
  path: 'service' | 'elsewhere';
  step: 'csr' | 'sent' | 'signed';
  csrPem: string;
  serviceUrl: string | null;
  email: string | null;
  sentAt: string | null;
  /** The certificate and sealed key the service encrypts its answer to (path `service`). */
  exchangeCertPem: string | null;
  exchangeKeySealed: string | null;
  signedRequest: string | null;
  signedAt: string | null;
  vendorSubject: string | null;
}

/** The ways to a vendor-signed push request: a signing service, or a request signed elsewhere. */
export interface PushPaths {
  request(): PushRequestDto;
  /** Path `service`: makes a new CSR and exchange certificate and asks the service to sign; stores them once it accepted. */
  sendToService(input: PushServiceRequest, actor: Actor, sourceAddress: string | null): Promise<void>;
  /** Path `service`: opens the file the service mailed and checks the signed request inside. */
  uploadEncrypted(input: PushRequestFile, actor: Actor, sourceAddress: string | null): void;
  /** Path `elsewhere`: checks a signed request made elsewhere for our CSR. */
  uploadSigned(input: PushRequestFile, actor: Actor, sourceAddress: string | null): void;
  /** The checked request for Apple's portal. */
  signedRequest(): PushSignedRequestDto;
  /** The pending CSR, to download again. */
  csr(): PushCsrDto;
  /** Told when a CSR was made here (the old button, path `elsewhere`). */
  csrCreated(csrPem: string): void;
  /** Told when Apple's certificate was uploaded: the request is done. */
  finished(): void;
}

/** Dependencies of the request paths. */
export interface PushPathsDeps {
  store: PushStore;
  settingsStore: SettingsStore;
  secrets: SecretBox;
  audit: AuditService;
  clock: Clock;
  random?: Random;
  /** Makes a push key and CSR without storing them. */
  makeCsr: () => { csrPem: string; keyPem: string };
  /** Bounds on the conversation with the signing service (tests shorten them). */
  vendorService?: Partial<VendorServiceLimits>;
}

/** Builds the request paths over the push store. */
export function createPushPaths(deps: PushPathsDeps): PushPaths {
  const { store, settingsStore, secrets, audit, clock } = deps;
  const random = deps.random ?? secureRandom;
  const limits: VendorServiceLimits = {
    timeoutMs: deps.vendorService?.timeoutMs ?? PUSH_REQUEST_LIMITS.serviceTimeoutMs,
    maxResponseBytes: deps.vendorService?.maxResponseBytes ?? PUSH_REQUEST_LIMITS.serviceResponseBytes,
    ...(deps.vendorService?.ca ? { ca: deps.vendorService.ca } : {}),
  };
  let sending = false;

  // The state only counts while its CSR key is still pending: Apple's upload or a new CSR ends it.
  const state = (): RequestState | null => {
    const s = settingsStore.get(STATE_KEY) as RequestState | null | undefined;
    return s && store.get('push-csr') ? s : null;
  };
  const save = (s: RequestState | null) => settingsStore.put(STATE_KEY, s, clock.now().toISOString());
  const pendingKey = () => {
    const row = store.get('push-csr');
    if (!row) return null;
    return createPublicKey(createPrivateKey(secrets.open(row.key_sealed, 'push:push-csr').toString('utf8')));
  };
  const subject = (label: string) => ({ type: 'push-certificate', id: 'request', label });

  function accept(
    s: RequestState,
    bytes: Buffer,
    field: string,
    action: 'push.request_opened' | 'push.signed_request_checked',
    actor: Actor,
    sourceAddress: string | null,
  ): void {
    const key = pendingKey();
    if (!key)
      throw new AppError('VALIDATION_FAILED', 'There is no pending push request here. Start one of the paths again.', {
        field,
      });
    let checked;
    try {
      checked = checkSignedRequest(bytes, key, clock.now(), field);
    } catch (err) {
      if (isAppError(err))
        audit.record({
          actor,
          action: 'push.signed_request_refused',
          subject: subject('signed push request'),
          details: { path: s.path, reason: err.message },
          sourceAddress,
        });
      throw err;
    }
    const at = clock.now().toISOString();
    save({ ...s, step: 'signed', signedRequest: checked.forApple, signedAt: at, vendorSubject: checked.vendorSubject });
    audit.record({
      actor,
      action,
      subject: subject('signed push request'),
      details: { path: s.path, vendor: checked.vendorSubject, vendorNotAfter: checked.vendorNotAfter },
      sourceAddress,
    });
  }

  function fileBytes(input: PushRequestFile, max: number): Buffer {
    // base64 grows 4/3; the route's schema already bounds the text, this bounds the bytes.
    const bytes = Buffer.from(input.fileBase64, 'base64');
    if (bytes.length > max)
      throw new AppError(
        'VALIDATION_FAILED',
        `The file is larger than ${Math.floor(max / 1024)} KB, so it is not the file this step asks for.`,
        {
          field: 'fileBase64',
        },
      );
    return bytes;
  }

  return {
    request() {
      const s = state();
      return {
        path: s?.path ?? null,
        step: s?.step ?? 'none',
        serviceUrl: s?.serviceUrl ?? null,
        email: s?.email ?? null,
        sentAt: s?.sentAt ?? null,
        signedAt: s?.signedAt ?? null,
        vendorSubject: s?.vendorSubject ?? null,
        defaultServiceUrl: DEFAULT_VENDOR_SERVICE_URL,
      };
    },

    async sendToService(input, actor, sourceAddress) {
      const url = checkServiceUrl(input.serviceUrl);
      const email = input.email.trim();
      if (!EMAIL_RE.test(email))
        throw new AppError(
          'VALIDATION_FAILED',
          'Enter the email address you registered with the service; the signed request is mailed there.',
          { field: 'email' },
        );
      const apiKey = input.apiKey.trim();
      if (!/^[\x21-\x7e]{1,200}$/.test(apiKey))
        throw new AppError(
          'VALIDATION_FAILED',
          'Enter the API key the service gave you (letters and digits, no spaces).',
          {
            field: 'apiKey',
          },
        );
      if (sending)
        throw new AppError('RATE_LIMITED', 'A request to the service is already under way. Wait for its answer.');
      sending = true;
      try {
        const now = clock.now();
        const { csrPem, keyPem } = deps.makeCsr();
        const exchange = generateRsaKeyPair(2048);
        const exchangeCertPem = issueCertificate({
          subject: [{ shortName: 'CN', value: 'Tsunagu push request exchange' }],
          publicKeyPem: exchange.publicKeyPem,
          signingKeyPem: exchange.privateKeyPem,
          serialHex: randomSerialHex(random.bytes(16)),
          notBefore: new Date(now.getTime() - 600_000),
          notAfter: new Date(now.getTime() + 365 * DAY),
          extensions: [
            { name: 'basicConstraints', cA: false },
            { name: 'keyUsage', keyEncipherment: true, dataEncipherment: true, digitalSignature: true },
          ],
        });
        try {
          await sendVendorSignRequest(url, { csrPem, email, apiKey, exchangeCertPem }, limits);
        } catch (err) {
          audit.record({
            actor,
            action: 'push.request_failed',
            subject: subject(url.host),
            details: { serviceUrl: url.href, email, reason: err instanceof Error ? err.message : String(err) },
            sourceAddress,
          });
          throw err;
        }
        // Only now, with the service's yes, does the new CSR replace a pending one.
        const at = clock.now().toISOString();
        store.put({
          name: 'push-csr',
          cert_pem: null,
          key_sealed: secrets.seal(keyPem, 'push:push-csr'),
          topic: null,
          not_after: null,
          created_at: at,
        });
        save({
          path: 'service',
          step: 'sent',
          csrPem,
          serviceUrl: url.href,
          email,
          sentAt: at,
          exchangeCertPem,
          exchangeKeySealed: secrets.seal(exchange.privateKeyPem, EXCHANGE_LABEL),
          signedRequest: null,
          signedAt: null,
          vendorSubject: null,
        });
        audit.record({
          actor,
          action: 'push.request_sent',
          subject: subject(url.host),
          details: { serviceUrl: url.href, email },
          sourceAddress,
        });
      } finally {
        sending = false;
      }
    },

    uploadEncrypted(input, actor, sourceAddress) {
      const s = state();
      if (!s || s.path !== 'service' || !s.exchangeCertPem || !s.exchangeKeySealed)
        throw new AppError(
          'VALIDATION_FAILED',
          'No request was sent to a signing service from here, so there is nothing to open this file with. Send the request first.',
          { field: 'fileBase64' },
        );
      let content: Buffer;
      try {
        const der = decodeEncryptedFile(fileBytes(input, PUSH_REQUEST_LIMITS.encryptedFileBytes));
        content = openEncryptedAnswer(
          der,
          s.exchangeCertPem,
          secrets.open(s.exchangeKeySealed, EXCHANGE_LABEL).toString('utf8'),
        );
      } catch (err) {
        if (isAppError(err))
          audit.record({
            actor,
            action: 'push.signed_request_refused',
            subject: subject('encrypted push request'),
            details: { path: s.path, reason: err.message },
            sourceAddress,
          });
        throw err;
      }
      accept(s, content, 'fileBase64', 'push.request_opened', actor, sourceAddress);
    },

    uploadSigned(input, actor, sourceAddress) {
      const s = state();
      if (!s)
        throw new AppError(
          'VALIDATION_FAILED',
          'There is no CSR pending here. Download the CSR first, have it signed, then upload the signed request.',
          { field: 'fileBase64' },
        );
      const bytes = fileBytes(input, PUSH_REQUEST_LIMITS.signedRequestBytes);
      accept(s, bytes, 'fileBase64', 'push.signed_request_checked', actor, sourceAddress);
    },

    signedRequest() {
      const s = state();
      if (!s?.signedRequest)
        throw new AppError('NOT_FOUND', 'There is no checked signed request yet. Finish one of the paths first.');
      return { signedRequest: s.signedRequest, fileName: SIGNED_REQUEST_FILE };
    },

    csr() {
      const s = state();
      if (!s) throw new AppError('NOT_FOUND', 'There is no pending CSR. Make one first.');
      return { csrPem: s.csrPem };
    },

    csrCreated(csrPem) {
      save({
        path: 'elsewhere',
        step: 'csr',
        csrPem,
        serviceUrl: null,
        email: null,
        sentAt: null,
        exchangeCertPem: null,
        exchangeKeySealed: null,
        signedRequest: null,
        signedAt: null,
        vendorSubject: null,
      });
    },

    finished() {
      save(null);
    },
  };
}
