// Certificates: the Apple push certificate (status, upload, CSR, APNs address) and the device listener's TLS certificate.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type {
  PushCertificateUpload,
  PushServiceRequest,
  PushSignedRequestDto,
  PushSettingsDto,
  PushStatusDto,
  TlsImportRequest,
  TlsStatusDto,
} from '../../server/contract/index.js';
import { useApi } from '../api/index.js';

/** Days before expiry when the console warns about a certificate (the push certificate's own threshold is the server's). */
export const EXPIRY_WARNING_DAYS = 30;

/** Whole days from `now` until `iso` (negative once it has passed). */
export function daysUntil(iso: string, now: Date = new Date()): number {
  return Math.floor((new Date(iso).getTime() - now.getTime()) / 86_400_000);
}

/** A certificate's expiry as the console warns about it. */
export function expiryWarning(notAfter: string, now: Date = new Date()): 'expired' | 'expiring' | null {
  const days = daysUntil(notAfter, now);
  if (days < 0) return 'expired';
  return days <= EXPIRY_WARNING_DAYS ? 'expiring' : null;
}

/** A SHA-256 fingerprint grouped for reading aloud: colon-separated pairs, upper case. */
export function formatFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return hex.match(/.{1,2}/g)?.join(':') ?? '';
}

/** A change of TLS mode the console asks about: an import in office mode ('public'), one in public mode ('replace'), back to the office CA ('office'). */
export type TlsModeChange = 'public' | 'replace' | 'office';

/** What importing a certificate changes, given the status now. */
export function importChange(status: TlsStatusDto | null): TlsModeChange {
  return status?.mode === 'public' ? 'replace' : 'public';
}

/** The certificates store: push certificate status and settings, and the TLS status. */
export const useCertificatesStore = defineStore('certificates', () => {
  const api = useApi();
  const push = ref<PushStatusDto | null>(null);
  const pushSettings = ref<PushSettingsDto | null>(null);
  const tls = ref<TlsStatusDto | null>(null);

  /** Loads the push certificate status and the APNs address. */
  async function loadPush(): Promise<void> {
    const [status, settings] = await Promise.all([api.push.status(), api.push.settings()]);
    push.value = status;
    pushSettings.value = settings;
  }

  /** Uploads a push certificate (PEM, with or without its key, or PKCS#12). */
  async function uploadPush(upload: PushCertificateUpload): Promise<PushStatusDto> {
    push.value = await api.push.upload(upload);
    return push.value;
  }

  /** Generates a push CSR; its private key stays on the server until the signed certificate is uploaded. */
  async function createPushCsr(): Promise<string> {
    const { csrPem } = await api.push.createCsr();
    push.value = await api.push.status();
    return csrPem;
  }

  /** Saves the APNs address. */
  async function savePushSettings(settings: PushSettingsDto): Promise<PushSettingsDto> {
    pushSettings.value = await api.push.saveSettings(settings);
    push.value = await api.push.status();
    return pushSettings.value;
  }

  /** Loads the TLS certificate status. */
  async function loadTls(): Promise<TlsStatusDto> {
    tls.value = await api.tls.status();
    return tls.value;
  }

  /** Imports a certificate for a public DNS name: public mode, for new connections and new links at once. */
  async function importTls(request: TlsImportRequest): Promise<TlsStatusDto> {
    tls.value = await api.tls.import(request);
    return tls.value;
  }

  /** Goes back to office CA mode: the imported certificate is removed, links use the office address. */
  async function useGeneratedTls(): Promise<TlsStatusDto> {
    tls.value = await api.tls.useGenerated();
    return tls.value;
  }

  /** Path `service`: asks the signing service to sign a new CSR; the answer comes by mail. */
  async function sendPushRequest(request: PushServiceRequest): Promise<PushStatusDto> {
    push.value = await api.push.sendToService(request);
    return push.value;
  }

  /** Path `service`: the encrypted file from the mail, opened and checked on the server. */
  async function uploadPushEncrypted(fileBase64: string): Promise<PushStatusDto> {
    push.value = await api.push.uploadEncrypted({ fileBase64 });
    return push.value;
  }

  /** Path `elsewhere`: a request signed elsewhere, checked on the server. */
  async function uploadPushSigned(fileBase64: string): Promise<PushStatusDto> {
    push.value = await api.push.uploadSigned({ fileBase64 });
    return push.value;
  }

  /** The checked signed request to upload at identity.apple.com. */
  async function pushSignedRequest(): Promise<PushSignedRequestDto> {
    return api.push.signedRequest();
  }

  /** The pending CSR, to download again. */
  async function pushCsr(): Promise<string> {
    return (await api.push.csr()).csrPem;
  }

  return {
    sendPushRequest,
    uploadPushEncrypted,
    uploadPushSigned,
    pushSignedRequest,
    pushCsr,
    push,
    pushSettings,
    tls,
    loadPush,
    uploadPush,
    createPushCsr,
    savePushSettings,
    loadTls,
    importTls,
    useGeneratedTls,
  };
});
