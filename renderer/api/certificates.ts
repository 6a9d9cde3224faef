// The certificate endpoints: the Apple push certificate (status, upload, CSR, APNs address) and the device listener's TLS certificate.
import type {
  PushCertificateUpload,
  PushCsrDto,
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
