import { X509Certificate } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import type { TlsImportRequest, TlsStatusDto } from '../../contract/tls.js';
import { AppError } from '../../core/errors.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import { keyMatches, readPkcs12, splitPemCertificates } from '../../pki/pkcs12.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { CaStore, CredentialRow } from './ca.store.js';
import {
  fingerprint256,
  generateRsaKeyPair,
  issueCertificate,
  pemToDer,
  randomSerialHex,
  type KeyedCertificate,
} from '../../pki/x509.js';

/** Validity of the office root CA. */
export const CA_VALIDITY_DAYS = 3650;
/** Validity of generated TLS certificates; Apple allows at most 825 days (HT210176). */
export const TLS_VALIDITY_DAYS = 397;
/** Re-issue the TLS certificate when it has fewer days than this left. */
export const TLS_RENEW_DAYS = 30;

const DAY = 86_400_000;

/** The names a TLS certificate must cover. */
export interface TlsNames {
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
}

/** The office CA: created on first run; issues the device listener's TLS certificate. */
export interface CaService {
  /** Creates the office root CA if there is none; returns it. */
  ensureOfficeCa(): KeyedCertificate;
  /** Returns a TLS credential covering `names`, issuing a new one when names changed or expiry is near. */
  ensureTlsCredential(names: TlsNames): KeyedCertificate & { chainPem: string; reissued: boolean };
  /** The CA certificate (PEM), its DER, SHA-256 fingerprint and name (its common name), for /trust and profiles. */
  caCertificate(): { pem: string; der: Buffer; fingerprint256: string; name: string };
  /** The current TLS credential (it also signs enrollment profiles). */
  currentTls(): KeyedCertificate & { chainPem: string; source: 'generated' | 'imported' };
  /**
   * Where the device listener's certificate comes from, without unsealing its key: 'generated' by the office CA
   * (devices must trust the CA) or 'imported' (publicly trusted). Before the first one is issued, 'generated'.
   */
  tlsSource(): 'generated' | 'imported';
  tlsStatus(): TlsStatusDto;
  /** Installs an admin's certificate (for a public host name) for the device listener; it is never replaced automatically. */
  importTls(input: TlsImportRequest, actor: Actor, sourceAddress: string | null): TlsStatusDto;
  /** Goes back to a certificate from the office CA, issued for `names`. */
  useGeneratedTls(names: TlsNames, actor: Actor, sourceAddress: string | null): TlsStatusDto;
}

/** Dependencies of the CA service. */
export interface CaDeps {
  store: CaStore;
  secrets: SecretBox;
  audit: AuditService;
  clock: Clock;
  random: Random;
  /** Organization shown in certificate subjects. */
  organization: string;
  /** Called after the TLS credential changed, so the listener can load it without a restart. */
  onTlsChanged?: (credential: { keyPem: string; certPem: string; chainPem: string }) => void;
  caKeyBits?: number;
  tlsKeyBits?: number;
}

const SYSTEM: Actor = { type: 'system', label: 'ca' };

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Builds the CA service. */
export function createCaService(deps: CaDeps): CaService {
  const { store, secrets, audit, clock, random } = deps;
  const unseal = (row: CredentialRow) => secrets.open(row.key_sealed, `pki:${row.name}`).toString('utf8');
  let cachedCa: ReturnType<CaService['caCertificate']> | null = null;

  const service: CaService = {
    ensureOfficeCa() {
      const existing = store.get('office-ca');
      if (existing) return { certPem: existing.cert_pem, keyPem: unseal(existing) };
      const now = clock.now();
      const keys = generateRsaKeyPair(deps.caKeyBits ?? 3072);
      const subject = [
        { shortName: 'CN', value: `${deps.organization} Office CA ${now.toISOString().slice(0, 10)}` },
        { shortName: 'O', value: deps.organization },
      ];
      const certPem = issueCertificate({
        subject,
        publicKeyPem: keys.publicKeyPem,
        signingKeyPem: keys.privateKeyPem,
        serialHex: randomSerialHex(random.bytes(16)),
        notBefore: new Date(now.getTime() - 600_000),
        notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY),
        extensions: [
          { name: 'basicConstraints', cA: true, critical: true },
          // keyEncipherment and digitalSignature too: SCEP clients encrypt to and verify with this certificate (RFC 8894 §2.1.2).
          {
            name: 'keyUsage',
            keyCertSign: true,
            cRLSign: true,
            digitalSignature: true,
            keyEncipherment: true,
            critical: true,
          },
          { name: 'subjectKeyIdentifier' },
        ],
      });
      store.put({
        name: 'office-ca',
        cert_pem: certPem,
        chain_pem: '',
        key_sealed: secrets.seal(keys.privateKeyPem, 'pki:office-ca'),
        source: 'generated',
        sans: '[]',
        not_after: new Date(new X509Certificate(certPem).validTo).toISOString(),
        created_at: now.toISOString(),
      });
      audit.record({
        actor: SYSTEM,
        action: 'ca.created',
        subject: { type: 'certificate', id: 'office-ca', label: subject[0]?.value ?? '' },
        details: { fingerprint256: fingerprint256(certPem), keyBits: deps.caKeyBits ?? 3072 },
      });
      return { certPem, keyPem: keys.privateKeyPem };
    },

    ensureTlsCredential(names) {
      const ca = service.ensureOfficeCa();
      const wanted = [...names.dnsNames.map((n) => `DNS:${n}`), ...names.ipAddresses.map((ip) => `IP:${ip}`)];
      const now = clock.now();
      const existing = store.get('tls');
      if (existing) {
        const fresh = new Date(existing.not_after).getTime() - now.getTime() > TLS_RENEW_DAYS * DAY;
        // An imported certificate is the admin's choice: never replaced automatically.
        if (existing.source === 'imported' || (fresh && sameSet(JSON.parse(existing.sans) as string[], wanted))) {
          return {
            certPem: existing.cert_pem,
            keyPem: unseal(existing),
            chainPem: existing.chain_pem,
            reissued: false,
          };
        }
      }
      const keys = generateRsaKeyPair(deps.tlsKeyBits ?? 2048);
      const certPem = issueCertificate({
        subject: [
          { shortName: 'CN', value: names.dnsNames[0] ?? names.ipAddresses[0] ?? 'tsunagu' },
          { shortName: 'O', value: deps.organization },
        ],
        issuerCertPem: ca.certPem,
        publicKeyPem: keys.publicKeyPem,
        signingKeyPem: ca.keyPem,
        serialHex: randomSerialHex(random.bytes(16)),
        notBefore: new Date(now.getTime() - 600_000),
        notAfter: new Date(now.getTime() + TLS_VALIDITY_DAYS * DAY),
        extensions: [
          { name: 'basicConstraints', cA: false, critical: true },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
          { name: 'extKeyUsage', serverAuth: true },
          {
            name: 'subjectAltName',
            altNames: [
              ...names.dnsNames.map((value) => ({ type: 2, value })),
              ...names.ipAddresses.map((ip) => ({ type: 7, ip })),
            ],
          },
          { name: 'subjectKeyIdentifier' },
          { name: 'authorityKeyIdentifier' },
        ],
      });
      store.put({
        name: 'tls',
        cert_pem: certPem,
        chain_pem: ca.certPem,
        key_sealed: secrets.seal(keys.privateKeyPem, 'pki:tls'),
        source: 'generated',
        sans: JSON.stringify(wanted),
        not_after: new Date(new X509Certificate(certPem).validTo).toISOString(),
        created_at: now.toISOString(),
      });
      deps.onTlsChanged?.({ certPem, keyPem: keys.privateKeyPem, chainPem: ca.certPem });
      audit.record({
        actor: SYSTEM,
        action: existing ? 'tls.reissued' : 'tls.created',
        subject: { type: 'certificate', id: 'tls', label: names.dnsNames[0] ?? '' },
        details: {
          names: wanted,
          previous: existing ? (JSON.parse(existing.sans) as string[]) : null,
          fingerprint256: fingerprint256(certPem),
        },
      });
      return { certPem, keyPem: keys.privateKeyPem, chainPem: ca.certPem, reissued: true };
    },

    caCertificate() {
      const row = store.get('office-ca');
      if (cachedCa?.pem !== row?.cert_pem || !cachedCa) {
        const { certPem } = row ? { certPem: row.cert_pem } : service.ensureOfficeCa();
        const x = new X509Certificate(certPem);
        const name = /^CN=(.*)$/m.exec(x.subject)?.[1] ?? x.subject;
        cachedCa = { pem: certPem, der: pemToDer(certPem), fingerprint256: x.fingerprint256, name };
      }
      return cachedCa;
    },

    currentTls() {
      const row = store.get('tls');
      if (!row) throw new Error('No TLS credential yet: the server issues one at start.');
      return { certPem: row.cert_pem, keyPem: unseal(row), chainPem: row.chain_pem, source: row.source };
    },

    tlsSource() {
      return store.get('tls')?.source ?? 'generated';
    },

    tlsStatus() {
      const row = store.get('tls');
      if (!row) throw new Error('No TLS credential yet: the server issues one at start.');
      const x = new X509Certificate(row.cert_pem);
      return {
        source: row.source,
        subject: x.subject.replace(/\n/g, ', '),
        issuer: x.issuer.replace(/\n/g, ', '),
        names: (x.subjectAltName ?? '').split(', ').filter(Boolean),
        notAfter: new Date(x.validTo).toISOString(),
        fingerprint256: x.fingerprint256,
        caFingerprint256: service.caCertificate().fingerprint256,
      };
    },

    importTls(input, actor, sourceAddress) {
      let certPem: string;
      let keyPem: string;
      let chain: string[];
      if ('pkcs12Base64' in input) {
        ({ certPem, keyPem, chainPems: chain } = readPkcs12(Buffer.from(input.pkcs12Base64, 'base64'), input.password));
      } else {
        const certs = splitPemCertificates(input.certificatePem, 'certificatePem');
        if (certs.length === 0)
          throw new AppError('VALIDATION_FAILED', 'Paste the certificate in PEM form (-----BEGIN CERTIFICATE-----).', {
            field: 'certificatePem',
          });
        [certPem] = certs as [string];
        chain = [...certs.slice(1), ...splitPemCertificates(input.chainPem ?? '', 'chainPem')];
        keyPem = input.privateKeyPem;
      }
      if (!keyMatches(certPem, keyPem))
        throw new AppError('VALIDATION_FAILED', 'The private key does not belong to this certificate.', {
          field: 'privateKeyPem',
        });
      const x = new X509Certificate(certPem);
      const now = clock.now();
      if (new Date(x.validTo) <= now || new Date(x.validFrom) > now)
        throw new AppError(
          'VALIDATION_FAILED',
          `This certificate is not valid now (valid ${x.validFrom} to ${x.validTo}).`,
          { field: 'certificatePem' },
        );
      if (x.ca)
        throw new AppError(
          'VALIDATION_FAILED',
          'This is a CA certificate; import the server certificate issued for your host name.',
          { field: 'certificatePem' },
        );
      const names = (x.subjectAltName ?? '')
        .split(', ')
        .filter((n) => n.startsWith('DNS:') || n.startsWith('IP Address:'));
      if (names.length === 0)
        throw new AppError(
          'VALIDATION_FAILED',
          'The certificate names no host in subjectAltName; Apple devices ignore the common name (HT210176).',
          { field: 'certificatePem' },
        );
      const eku = x.keyUsage;
      if (eku && eku.length > 0 && !eku.includes('1.3.6.1.5.5.7.3.1'))
        throw new AppError(
          'VALIDATION_FAILED',
          'The certificate is not for TLS servers (no serverAuth extended key usage).',
          { field: 'certificatePem' },
        );
      const bits = x.publicKey.asymmetricKeyDetails?.modulusLength;
      if (x.publicKey.asymmetricKeyType === 'rsa' && (bits ?? 0) < 2048)
        throw new AppError('VALIDATION_FAILED', 'The RSA key is shorter than 2048 bits, which Apple devices refuse.', {
          field: 'certificatePem',
        });
      const previous = store.get('tls');
      const chainPem = chain.join('');
      store.put({
        name: 'tls',
        cert_pem: x.toString(),
        chain_pem: chainPem,
        key_sealed: secrets.seal(keyPem, 'pki:tls'),
        source: 'imported',
        sans: JSON.stringify(names),
        not_after: new Date(x.validTo).toISOString(),
        created_at: now.toISOString(),
      });
      audit.record({
        actor,
        action: 'tls.imported',
        subject: { type: 'certificate', id: 'tls', label: names[0] ?? '' },
        details: {
          names,
          issuer: x.issuer.replace(/\n/g, ', '),
          notAfter: new Date(x.validTo).toISOString(),
          previousSource: previous?.source ?? null,
          fingerprint256: x.fingerprint256,
        },
        sourceAddress,
      });
      deps.onTlsChanged?.({ certPem: x.toString(), keyPem, chainPem });
      return service.tlsStatus();
    },

    useGeneratedTls(names, actor, sourceAddress) {
      const row = store.get('tls');
      if (row?.source === 'imported')
        store.put({ ...row, source: 'generated', sans: '[]', not_after: new Date(0).toISOString() });
      const fresh = service.ensureTlsCredential(names);
      audit.record({
        actor,
        action: 'tls.generated_restored',
        subject: { type: 'certificate', id: 'tls', label: names.dnsNames[0] ?? '' },
        sourceAddress,
      });
      deps.onTlsChanged?.(fresh);
      return service.tlsStatus();
    },
  };
  return service;
}
