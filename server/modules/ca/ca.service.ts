import { X509Certificate } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { CaStore, CredentialRow } from './ca.store.js';
import { fingerprint256, generateRsaKeyPair, issueCertificate, pemToDer, randomSerialHex, type KeyedCertificate } from './x509.js';

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
  /** The CA certificate (PEM), its DER and SHA-256 fingerprint, for /trust and profiles. */
  caCertificate(): { pem: string; der: Buffer; fingerprint256: string };
  /** The current TLS credential (it also signs enrollment profiles). */
  currentTls(): KeyedCertificate & { chainPem: string };
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
  let cachedCa: { pem: string; der: Buffer; fingerprint256: string } | null = null;

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
        subject, publicKeyPem: keys.publicKeyPem, signingKeyPem: keys.privateKeyPem, serialHex: randomSerialHex(random.bytes(16)),
        notBefore: new Date(now.getTime() - 600_000), notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY),
        extensions: [
          { name: 'basicConstraints', cA: true, critical: true },
          // keyEncipherment and digitalSignature too: SCEP clients encrypt to and verify with this certificate (RFC 8894 §2.1.2).
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
          { name: 'subjectKeyIdentifier' },
        ],
      });
      store.put({
        name: 'office-ca', cert_pem: certPem, chain_pem: '', key_sealed: secrets.seal(keys.privateKeyPem, 'pki:office-ca'), source: 'generated',
        sans: '[]', not_after: new Date(new X509Certificate(certPem).validTo).toISOString(), created_at: now.toISOString(),
      });
      audit.record({ actor: SYSTEM, action: 'ca.created', subject: { type: 'certificate', id: 'office-ca', label: subject[0]?.value ?? '' }, details: { fingerprint256: fingerprint256(certPem), keyBits: deps.caKeyBits ?? 3072 } });
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
          return { certPem: existing.cert_pem, keyPem: unseal(existing), chainPem: existing.chain_pem, reissued: false };
        }
      }
      const keys = generateRsaKeyPair(deps.tlsKeyBits ?? 2048);
      const certPem = issueCertificate({
        subject: [{ shortName: 'CN', value: names.dnsNames[0] ?? names.ipAddresses[0] ?? 'tsunagu' }, { shortName: 'O', value: deps.organization }],
        issuerCertPem: ca.certPem, publicKeyPem: keys.publicKeyPem, signingKeyPem: ca.keyPem, serialHex: randomSerialHex(random.bytes(16)),
        notBefore: new Date(now.getTime() - 600_000), notAfter: new Date(now.getTime() + TLS_VALIDITY_DAYS * DAY),
        extensions: [
          { name: 'basicConstraints', cA: false, critical: true },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
          { name: 'extKeyUsage', serverAuth: true },
          { name: 'subjectAltName', altNames: [...names.dnsNames.map((value) => ({ type: 2, value })), ...names.ipAddresses.map((ip) => ({ type: 7, ip }))] },
          { name: 'subjectKeyIdentifier' },
          { name: 'authorityKeyIdentifier' },
        ],
      });
      store.put({
        name: 'tls', cert_pem: certPem, chain_pem: ca.certPem, key_sealed: secrets.seal(keys.privateKeyPem, 'pki:tls'), source: 'generated',
        sans: JSON.stringify(wanted), not_after: new Date(new X509Certificate(certPem).validTo).toISOString(), created_at: now.toISOString(),
      });
      audit.record({
        actor: SYSTEM, action: existing ? 'tls.reissued' : 'tls.created', subject: { type: 'certificate', id: 'tls', label: names.dnsNames[0] ?? '' },
        details: { names: wanted, previous: existing ? JSON.parse(existing.sans) as string[] : null, fingerprint256: fingerprint256(certPem) },
      });
      return { certPem, keyPem: keys.privateKeyPem, chainPem: ca.certPem, reissued: true };
    },

    caCertificate() {
      const row = store.get('office-ca');
      if (cachedCa?.pem !== row?.cert_pem || !cachedCa) {
        const { certPem } = row ? { certPem: row.cert_pem } : service.ensureOfficeCa();
        cachedCa = { pem: certPem, der: pemToDer(certPem), fingerprint256: fingerprint256(certPem) };
      }
      return cachedCa;
    },

    currentTls() {
      const row = store.get('tls');
      if (!row) throw new Error('No TLS credential yet: the server issues one at start.');
      return { certPem: row.cert_pem, keyPem: unseal(row), chainPem: row.chain_pem };
    },
  };
  return service;
}
