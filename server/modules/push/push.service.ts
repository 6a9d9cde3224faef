import { X509Certificate } from 'node:crypto';
import type { PushCertificateUpload, PushCsrDto, PushSettingsDto, PushStatusDto } from '../../contract/push.js';
import type { Clock } from '../../core/clock.js';
import type { EventSink } from '../../core/events.js';
import type { Random } from '../../core/random.js';
import { AppError } from '../../core/errors.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import { generateRsaKeyPair } from '../../pki/x509.js';
import type { MdmStore } from '../mdm/mdm.store.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { SettingsStore } from '../settings/settings.store.js';
import { createApnsClient, type ApnsClient, type PushResult } from './apns-client.js';
import { keyMatches } from '../../pki/pkcs12.js';
import { buildPushCsr, checkPushCredential, fromPkcs12, topicOf } from './push-certificate.js';
import { createPushPaths, type PushPaths } from './push-paths.js';
import type { PushStore } from './push.store.js';
import type { VendorServiceLimits } from './vendor-service.js';

/** APNs production host; the development host is https://api.sandbox.push.apple.com. */
export const DEFAULT_APNS_BASE_URL = 'https://api.push.apple.com';
/** Warn this many days before the push certificate expires. */
export const PUSH_WARN_DAYS = 30;
const DAY = 86_400_000;

/** The outcome of pushing one device: one entry per channel. */
export interface DevicePushOutcome {
  channel: string;
  result: PushResult | null;
  skipped: 'no_token' | 'push_disabled' | null;
}

/** The MDM push certificate and pushes to devices. */
export interface PushService {
  status(): PushStatusDto;
  /** The push certificate's topic (what profiles and check-ins carry), or null before one is uploaded. */
  topic(): string | null;
  upload(input: PushCertificateUpload, actor: Actor, sourceAddress: string | null): PushStatusDto;
  createCsr(actor: Actor, sourceAddress: string | null): PushCsrDto;
  settings(): PushSettingsDto;
  updateSettings(next: PushSettingsDto, actor: Actor, sourceAddress: string | null): PushSettingsDto;
  /** The stored certificate and key, for the APNs client. */
  credentials(): { certPem: string; keyPem: string; topic: string } | null;
  /** Wakes a device: pushes every enabled channel that has a token (only after its first TokenUpdate). */
  pushDevice(deviceId: string): Promise<DevicePushOutcome[]>;
  /**
   * Pushes a device to learn whether its enrollment is gone: true when APNs answers that the device channel's
   * token is dead (410 Unregistered, or a dead-token 400), which an attacker cannot fake; false when the device
   * is reachable, has no token, or push is unavailable. A dead token is reported like any other (`push.token_gone`).
   */
  proveTokenGone(deviceId: string): Promise<boolean>;
  /** Wakes a device in the background (after commands were queued); a failure is logged, outcomes are audited. */
  wake(deviceId: string): void;
  /** Closes the APNs connection, if one is open. */
  close(): Promise<void>;
  /** The ways to a vendor-signed request for Apple's portal (signing service, or signed elsewhere). */
  paths: PushPaths;
}

/** Dependencies of the push service. */
export interface PushDeps {
  store: PushStore;
  settingsStore: SettingsStore;
  mdm: MdmStore;
  secrets: SecretBox;
  audit: AuditService;
  clock: Clock;
  /** Extra CA trusted for APNs (a TLS-inspecting proxy, or the local APNs stand-in in tests). */
  apnsCa?: string;
  organization: string;
  /** Waits between retries; injected so tests need not sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** Told when APNs says a channel's token is dead (`push.token_gone`: reset, or unenrolled without CheckOut). */
  events?: EventSink;
  /** Logs a background push that failed as a whole. */
  logError?: (err: unknown, message: string) => void;
  /** Bounds on the conversation with a vendor-signing service (tests shorten them). */
  vendorService?: Partial<VendorServiceLimits>;
  random?: Random;
}

const RETRY_STATUSES = new Set([429, 500, 503]);
// 410 and these 400 reasons mean the token is dead until the device sends a new TokenUpdate (apple-protocols §5.2).
const DEAD_TOKEN = new Set(['BadDeviceToken', 'DeviceTokenNotForTopic', 'Unregistered', 'ExpiredToken']);

/** Builds the push service. */
export function createPushService(deps: PushDeps): PushService {
  const { store, secrets, audit, clock } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const SYSTEM: Actor = { type: 'system', label: 'push' };
  // The certificate and its unsealed key, read at the first push and again after an upload (this service is the only
  // writer of the row): every push asks for them. undefined = not read yet; null = none uploaded.
  let cachedCredentials: { certPem: string; keyPem: string; topic: string } | null | undefined;
  // One HTTP/2 connection, opened at the first push: most servers push rarely, and tests never.
  let client: ApnsClient | null = null;
  const apns = (): ApnsClient =>
    (client ??= createApnsClient({
      baseUrl: () => service.settings().apnsBaseUrl,
      credentials: () => service.credentials(),
      ...(deps.apnsCa ? { ca: deps.apnsCa } : {}),
    }));

  const makeCsr = () => {
    const keys = generateRsaKeyPair(2048);
    return {
      csrPem: buildPushCsr(keys.privateKeyPem, keys.publicKeyPem, deps.organization),
      keyPem: keys.privateKeyPem,
    };
  };
  const paths = createPushPaths({
    store,
    settingsStore: deps.settingsStore,
    secrets,
    audit,
    clock,
    makeCsr,
    ...(deps.random ? { random: deps.random } : {}),
    ...(deps.vendorService ? { vendorService: deps.vendorService } : {}),
  });

  const service: PushService = {
    paths,

    topic: () => store.get('push')?.topic ?? null,

    status() {
      const row = store.get('push');
      const notAfter = row?.not_after ? new Date(row.not_after) : null;
      const daysLeft = notAfter ? Math.floor((notAfter.getTime() - clock.now().getTime()) / DAY) : null;
      return {
        configured: Boolean(row?.cert_pem),
        topic: row?.topic ?? null,
        subject: row?.cert_pem ? new X509Certificate(row.cert_pem).subject.replace(/\n/g, ', ') : null,
        notAfter: row?.not_after ?? null,
        daysLeft,
        warning: daysLeft === null ? null : daysLeft < 0 ? 'expired' : daysLeft < PUSH_WARN_DAYS ? 'expiring' : null,
        csrPending: store.get('push-csr') !== undefined,
        apnsBaseUrl: service.settings().apnsBaseUrl,
        request: paths.request(),
      };
    },

    upload(input, actor, sourceAddress) {
      let certPem: string;
      let keyPem: string | undefined;
      if ('pkcs12Base64' in input) {
        ({ certPem, keyPem } = fromPkcs12(Buffer.from(input.pkcs12Base64, 'base64'), input.password));
      } else {
        certPem = input.certificatePem;
        keyPem = input.privateKeyPem;
      }
      // A certificate that cannot be read is the first thing to say, before any missing key.
      topicOf(certPem);
      const csr = store.get('push-csr');
      if (!keyPem) {
        if (!csr)
          throw new AppError(
            'VALIDATION_FAILED',
            'Upload the private key too, or generate a CSR here first and upload the certificate Apple issues for it.',
            { field: 'privateKeyPem' },
          );
        keyPem = secrets.open(csr.key_sealed, 'push:push-csr').toString('utf8');
        if (!keyMatches(certPem, keyPem))
          throw new AppError(
            'VALIDATION_FAILED',
            'This certificate is not the one Apple issued for the request made here: its key differs. Upload the certificate Apple issued for the latest signed request, or upload its private key too.',
            { field: 'certificatePem' },
          );
      }
      const checked = checkPushCredential(certPem, keyPem, clock.now());
      const previous = store.get('push');
      store.put({
        name: 'push',
        cert_pem: checked.certPem,
        key_sealed: secrets.seal(checked.keyPem, 'push:push'),
        topic: checked.topic,
        not_after: checked.notAfter.toISOString(),
        created_at: clock.now().toISOString(),
      });
      if (csr) store.remove('push-csr');
      paths.finished();
      cachedCredentials = undefined;
      const topicChanged = previous?.topic != null && previous.topic !== checked.topic;
      audit.record({
        actor,
        action: 'push.certificate_uploaded',
        subject: { type: 'push-certificate', id: checked.topic, label: checked.topic },
        details: { notAfter: checked.notAfter.toISOString(), previousTopic: previous?.topic ?? null, topicChanged },
        sourceAddress,
      });
      return service.status();
    },

    createCsr(actor, sourceAddress) {
      const { csrPem, keyPem } = makeCsr();
      store.put({
        name: 'push-csr',
        cert_pem: null,
        key_sealed: secrets.seal(keyPem, 'push:push-csr'),
        topic: null,
        not_after: null,
        created_at: clock.now().toISOString(),
      });
      audit.record({
        actor,
        action: 'push.csr_created',
        subject: { type: 'push-certificate', id: 'csr', label: 'push CSR' },
        sourceAddress,
      });
      paths.csrCreated(csrPem);
      return { csrPem };
    },

    settings() {
      const saved = deps.settingsStore.get('apns') as Partial<PushSettingsDto> | undefined;
      return { apnsBaseUrl: saved?.apnsBaseUrl ?? DEFAULT_APNS_BASE_URL };
    },

    updateSettings(next, actor, sourceAddress) {
      let url: URL;
      try {
        url = new URL(next.apnsBaseUrl);
      } catch {
        throw new AppError('VALIDATION_FAILED', 'The APNs address must be a URL such as https://api.push.apple.com.', {
          field: 'apnsBaseUrl',
        });
      }
      if (url.protocol !== 'https:' || url.pathname !== '/' || url.search || url.hash) {
        throw new AppError(
          'VALIDATION_FAILED',
          'The APNs address must be an https:// origin with no path, such as https://api.push.apple.com.',
          { field: 'apnsBaseUrl' },
        );
      }
      const before = service.settings();
      const value = { apnsBaseUrl: url.origin };
      deps.settingsStore.put('apns', value, clock.now().toISOString());
      audit.record({
        actor,
        action: 'settings.updated',
        subject: { type: 'settings', id: 'apns', label: 'APNs' },
        details: { changed: { apnsBaseUrl: { from: before.apnsBaseUrl, to: value.apnsBaseUrl } } },
        sourceAddress,
      });
      return value;
    },

    credentials() {
      if (cachedCredentials !== undefined) return cachedCredentials;
      const row = store.get('push');
      cachedCredentials =
        row?.cert_pem && row.topic
          ? {
              certPem: row.cert_pem,
              keyPem: secrets.open(row.key_sealed, 'push:push').toString('utf8'),
              topic: row.topic,
            }
          : null;
      return cachedCredentials;
    },

    async pushDevice(deviceId) {
      const outcomes: DevicePushOutcome[] = [];
      for (const ch of deps.mdm.channels(deviceId)) {
        if (!ch.enabled || !ch.token_hex || !ch.push_magic) {
          outcomes.push({ channel: ch.channel, result: null, skipped: 'no_token' });
          continue;
        }
        if (ch.push_disabled_reason) {
          outcomes.push({ channel: ch.channel, result: null, skipped: 'push_disabled' });
          continue;
        }
        let result: PushResult | null = null;
        for (let attempt = 0; attempt < 3; attempt++) {
          result = await apns().push({ tokenHex: ch.token_hex, pushMagic: ch.push_magic, topic: ch.topic });
          if (!RETRY_STATUSES.has(result.status)) break;
          await sleep(200 * 4 ** attempt);
        }
        const r = result as PushResult;
        if (r.status === 410 || (r.status === 400 && r.reason && DEAD_TOKEN.has(r.reason))) {
          deps.mdm.updateChannel(deviceId, ch.channel, { push_disabled_reason: r.reason ?? `HTTP ${r.status}` });
          deps.events?.emit('push.token_gone', {
            deviceId,
            channel: ch.channel,
            reason: r.reason ?? `HTTP ${r.status}`,
          });
          audit.record({
            actor: SYSTEM,
            action: 'push.token_rejected',
            subject: { type: 'device', id: deviceId, label: ch.channel },
            details: { status: r.status, reason: r.reason },
          });
        } else if (r.status === 403) {
          audit.record({
            actor: SYSTEM,
            action: 'push.certificate_rejected',
            subject: { type: 'device', id: deviceId, label: ch.channel },
            details: { status: r.status, reason: r.reason },
          });
        } else if (r.status !== 200) {
          audit.record({
            actor: SYSTEM,
            action: 'push.failed',
            subject: { type: 'device', id: deviceId, label: ch.channel },
            details: { status: r.status, reason: r.reason },
          });
        }
        outcomes.push({ channel: ch.channel, result: r, skipped: null });
      }
      return outcomes;
    },

    async proveTokenGone(deviceId) {
      let outcomes: DevicePushOutcome[];
      try {
        outcomes = await service.pushDevice(deviceId);
      } catch (err) {
        deps.logError?.(err, `push to device ${deviceId} to check its enrollment failed`);
        return false;
      }
      const r = outcomes.find((o) => o.channel === 'device')?.result;
      return !!r && (r.status === 410 || (r.status === 400 && r.reason !== null && DEAD_TOKEN.has(r.reason)));
    },

    wake(deviceId) {
      service.pushDevice(deviceId).catch((err: unknown) => deps.logError?.(err, `push to device ${deviceId} failed`));
    },

    async close() {
      await client?.close();
      client = null;
    },
  };
  return service;
}
