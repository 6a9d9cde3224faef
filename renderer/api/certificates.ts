// The certificate endpoints: the Apple push certificate (status, upload, CSR, APNs address) and the device listener's TLS certificate.
import type {
  PushCertificateUpload,
  PushCsrDto,
  PushRequestFile,
  PushServiceRequest,
  PushSignedRequestDto,
  PushSettingsDto,
  PushStatusDto,
  TlsImportRequest,
  TlsStatusDto,
} from '../../server/contract/index.js';
import type { ApiClient } from './client.js';

/** The push certificate endpoints. */
export interface PushApi {
  status(): Promise<PushStatusDto>;
  upload(upload: PushCertificateUpload): Promise<PushStatusDto>;
  createCsr(): Promise<PushCsrDto>;
  settings(): Promise<PushSettingsDto>;
  saveSettings(settings: PushSettingsDto): Promise<PushSettingsDto>;
  /** The pending CSR, to download again. */
  csr(): Promise<PushCsrDto>;
  /** Asks a vendor-signing service to sign a new CSR (its answer comes by mail, encrypted). */
  sendToService(request: PushServiceRequest): Promise<PushStatusDto>;
  /** Uploads the encrypted file the service mailed. */
  uploadEncrypted(file: PushRequestFile): Promise<PushStatusDto>;
  /** Uploads a request signed elsewhere. */
  uploadSigned(file: PushRequestFile): Promise<PushStatusDto>;
  /** The checked signed request, for Apple's portal. */
  signedRequest(): Promise<PushSignedRequestDto>;
}

/** The TLS certificate endpoints. */
export interface TlsApi {
  status(): Promise<TlsStatusDto>;
  import(request: TlsImportRequest): Promise<TlsStatusDto>;
  useGenerated(): Promise<TlsStatusDto>;
}

/** Builds the push certificate endpoints over a client. */
export function createPushApi(client: ApiClient): PushApi {
  return {
    status: () => client.get('/api/push'),
    upload: (upload) => client.put('/api/push/certificate', upload),
    createCsr: () => client.post('/api/push/csr'),
    settings: () => client.get('/api/push/settings'),
    saveSettings: (settings) => client.put('/api/push/settings', settings),
    csr: () => client.get('/api/push/csr'),
    sendToService: (request) => client.post('/api/push/request/service', request),
    uploadEncrypted: (file) => client.post('/api/push/request/encrypted', file),
    uploadSigned: (file) => client.post('/api/push/request/signed', file),
    signedRequest: () => client.get('/api/push/request/signed'),
  };
}

/** Builds the TLS certificate endpoints over a client. */
export function createTlsApi(client: ApiClient): TlsApi {
  return {
    status: () => client.get('/api/tls'),
    import: (request) => client.put('/api/tls/certificate', request),
    useGenerated: () => client.post('/api/tls/generated'),
  };
}
