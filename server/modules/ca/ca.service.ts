import { X509Certificate } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import type { TlsCertificateDto, TlsImportRequest, TlsMode, TlsStatusDto } from '../../contract/tls.js';
import { AppError } from '../../core/errors.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import { keyMatches, readPkcs12, splitPemCertificates } from '../../pki/pkcs12.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { CaStore, CredentialRow } from './ca.store.js';
import { baseUrlWithHost, publicNameOf } from './public-name.js';
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

/** A TLS credential: certificate, private key and the chain sent after the certificate, in PEM. */
export interface TlsCredential extends KeyedCertificate {
  chainPem: string;
}

/**
 * What the TLS listeners present: the office CA's certificate to every name and to clients without SNI, and in public
 * mode the imported certificate to clients that ask for one of its DNS names.
 */
export interface TlsCredentials {
  office: TlsCredential;
  public: TlsCredential | null;
}

/**
 * The office CA: created on first run; issues the TLS certificate for the office names. In public mode an imported
 * certificate for a public DNS name is kept beside it: links use that name, and the office names keep the office
 * CA's certificate, so devices enrolled before keep working.
 */
export interface CaService {
  /** Creates the office root CA if there is none; returns it. */
  ensureOfficeCa(): KeyedCertificate;
  /**
   * Returns the office CA's TLS credential covering `names`, issuing a new one when names changed or expiry is near;
   * also in public mode, where the office names still use it.
   */
  ensureTlsCredential(names: TlsNames): TlsCredential & { reissued: boolean };
  /** The CA certificate (PEM), its DER, SHA-256 fingerprint and name (its common name), for /trust and profiles. */
  caCertificate(): { pem: string; der: Buffer; fingerprint256: string; name: string };
  /** The credential presented under the name links use: the imported one in public mode, else the office one (it also signs enrollment profiles). */
  currentTls(): TlsCredential & { source: 'generated' | 'imported' };
  /** Both credentials, for the listeners. */
  tlsCredentials(): TlsCredentials;
  /**
   * 'public' when an imported certificate for a public DNS name is in use: links use its name, devices trust the server
   * already (no trust step; new profiles carry no root and no pinning). 'office' otherwise. See `TlsMode`.
   */
  tlsMode(): TlsMode;
  /** The DNS name links use in public mode (the imported certificate's first DNS name that is not a wildcard); null in office mode. */
  publicName(): string | null;
  /** The device base URL links, profile URLs and QR codes use now: under the public name in public mode, else the office one. */
  deviceBaseUrl(): string;
  tlsStatus(): TlsStatusDto;
  /** Installs an admin's certificate for a public DNS name (public mode, at once); it is never replaced automatically. */
  importTls(input: TlsImportRequest, actor: Actor, sourceAddress: string | null): TlsStatusDto;
  /** Goes back to office mode: the imported certificate is removed and the office CA's, issued for `names`, serves every name. */
  useGeneratedTls(names: TlsNames, actor: Actor, sourceAddress: string | null): TlsStatusDto;
  /**
   * Replaces the office CA with an existing one (certificate and key in PEM) and re-issues the office TLS certificate
   * from it for `names`. The caller refuses this while devices hold certificates of the current CA.
   */
  importOfficeCa(
    input: { certificatePem: string; privateKeyPem: string },
    names: TlsNames,
    actor: Actor,
    sourceAddress: string | null,
  ): void;
}

/** Dependencies of the CA service. */
export interface CaDeps {
  store: CaStore;
  secrets: SecretBox;
  audit: AuditService;
  clock: Clock;
  random: Random;
  /** Runs `fn` in one database transaction (a store write and its audit event). */
  transaction?: <T>(fn: () => T) => T;
  /** Organization shown in certificate subjects. */
  organization: string;
  /** The device listener's base URL under the office name (configured host name or LAN address); '' until it listens. */
  officeBaseUrl?: () => string;
  /** Called after a TLS credential changed, so the listeners can load them without a restart. */
  onTlsChanged?: (credentials: TlsCredentials) => void;
  caKeyBits?: number;
  tlsKeyBits?: number;
}

const SYSTEM: Actor = { type: 'system', label: 'ca' };

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function certificateFacts(certPem: string): TlsCertificateDto {
  const x = new X509Certificate(certPem);
  return {
    subject: x.subject.replace(/\n/g, ', '),
    issuer: x.issuer.replace(/\n/g, ', '),
    names: (x.subjectAltName ?? '').split(', ').filter(Boolean),
    notAfter: new Date(x.validTo).toISOString(),
    fingerprint256: x.fingerprint256,
  };
}

/** The office CA keys accepted on import: RSA (SCEP on Apple devices encrypts to it), 2048 to 4096 bits, e = 65537. */
export const CA_IMPORT_RULE =
  'an RSA key of 2048 to 4096 bits with exponent 65537 (devices encrypt their SCEP requests to the office CA, which needs RSA)';

/**
 * Checks an office CA an admin imports: one certificate, a CA (basicConstraints CA:TRUE), valid now, its key allowed
 * and matching. Throws VALIDATION_FAILED naming the field and what to do; returns the normalized PEM and its facts.
 */
export function checkCaImport(
  input: { certificatePem: string; privateKeyPem: string },
  now: Date,
): {
  certPem: string;
  keyPem: string;
  facts: { subject: string; fingerprint256: string; notAfter: string; key: string };
} {
  const bad = (field: string, message: string, details: Record<string, unknown> = {}) =>
    new AppError('VALIDATION_FAILED', message, { field, ...details });
  const certs = splitPemCertificates(input.certificatePem, 'certificatePem');
  if (certs.length !== 1)
    throw bad(
      'certificatePem',
      certs.length === 0
        ? 'Paste the CA certificate in PEM form (-----BEGIN CERTIFICATE-----).'
        : `Paste only the CA certificate (${certs.length} certificates were given); the office CA is a root.`,
    );
  let x: X509Certificate;
  try {
    x = new X509Certificate(certs[0] as string);
  } catch {
    throw bad('certificatePem', 'The CA certificate cannot be read; paste it in PEM form.');
  }
  if (!x.ca)
    throw bad(
      'certificatePem',
      'This certificate is not a CA (its basicConstraints do not say CA:TRUE); import the CA certificate itself, not a server certificate.',
      { reason: 'notCa' },
    );
  // The key is judged from the certificate first: a huge or odd key is refused before it is parsed as a private key.
  const pub = x.publicKey;
  const details = pub.asymmetricKeyDetails ?? {};
  let key: string;
  if (pub.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < 2048 || bits > 4096 || details.publicExponent !== 65537n)
      throw bad('certificatePem', `The CA key is RSA ${bits} bits; the office CA needs ${CA_IMPORT_RULE}.`, {
        reason: 'keyNotAllowed',
      });
    key = `RSA ${bits}`;
  } else {
    const kind =
      pub.asymmetricKeyType === 'ec' ? `EC ${details.namedCurve ?? ''}`.trim() : String(pub.asymmetricKeyType);
    throw bad('certificatePem', `The CA key is ${kind}; the office CA needs ${CA_IMPORT_RULE}.`, {
      reason: 'keyNotAllowed',
    });
  }
  if (new Date(x.validTo) <= now || new Date(x.validFrom) > now)
    throw bad('certificatePem', `This CA certificate is not valid now (valid ${x.validFrom} to ${x.validTo}).`, {
      reason: 'notValidNow',
    });
  if (!keyMatches(x.toString(), input.privateKeyPem))
    throw bad(
      'privateKeyPem',
      'The private key does not belong to this CA certificate (or is not an unencrypted PEM key); paste the key of this CA.',
      { reason: 'keyMismatch' },
    );
  return {
    certPem: x.toString(),
    keyPem: input.privateKeyPem,
    facts: {
      subject: /^CN=(.*)$/m.exec(x.subject)?.[1] ?? x.subject.replace(/\n/g, ', '),
      fingerprint256: x.fingerprint256,
      notAfter: new Date(x.validTo).toISOString(),
      key,
    },
  };
}

/** Builds the CA service. */
export function createCaService(deps: CaDeps): CaService {
  const { store, secrets, audit, clock, random } = deps;
  const transaction = deps.transaction ?? (<T>(fn: () => T): T => fn());
  const officeBaseUrl = deps.officeBaseUrl ?? (() => '');
  const unseal = (row: CredentialRow) => secrets.open(row.key_sealed, row.key_label).toString('utf8');
  // Unsealed once per row: every profile download signs with the TLS credential.
  const unsealed = new WeakMap<CredentialRow, TlsCredential>();
  const credentialOf = (row: CredentialRow): TlsCredential => {
    let credential = unsealed.get(row);
    if (!credential) {
      credential = { certPem: row.cert_pem, keyPem: unseal(row), chainPem: row.chain_pem };
      unsealed.set(row, credential);
    }
    return credential;
  };
  // The office TLS row, read once: this service is its only writer (ensureTlsCredential forgets it on a reissue).
  let cachedOffice: CredentialRow | null = null;
  const officeRow = () => {
    cachedOffice ??= store.get('tls') ?? null;
    if (!cachedOffice) throw new Error('No TLS credential yet: the server issues one at start.');
    return cachedOffice;
  };
  let cachedCa: ReturnType<CaService['caCertificate']> | null = null;
  // The office CA is read on every SCEP message and Mdm-Signature check (a query and an unseal each time before);
  // this service creates the row and nothing replaces it, so it is read once.
  let officeCa: KeyedCertificate | null = null;
  // Links ask for the public name on every URL they build; this service is the only writer of the row.
  let cachedPublic: { row: CredentialRow | undefined; name: string | null } | null = null;
  const publicState = () => {
    if (!cachedPublic) {
      const row = store.get('tls-public');
      cachedPublic = { row, name: row ? publicNameOf(JSON.parse(row.sans) as string[]) : null };
    }
    return cachedPublic;
  };
  // A row imported by an older version may name no usable DNS name: it is stored but not used (office mode).
  const publicRow = () => {
    const state = publicState();
    return state.name ? state.row : undefined;
  };
  const changed = () => deps.onTlsChanged?.(service.tlsCredentials());

  const service: CaService = {
    ensureOfficeCa() {
      if (officeCa) return officeCa;
      const existing = store.get('office-ca');
      if (existing) {
        officeCa = { certPem: existing.cert_pem, keyPem: unseal(existing) };
        return officeCa;
      }
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
      transaction(() => {
        store.put({
          name: 'office-ca',
          cert_pem: certPem,
          chain_pem: '',
          key_sealed: secrets.seal(keys.privateKeyPem, 'pki:office-ca'),
          key_label: 'pki:office-ca',
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
        if (fresh && sameSet(JSON.parse(existing.sans) as string[], wanted))
          return { ...credentialOf(existing), reissued: false };
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
      transaction(() => {
        store.put({
          name: 'tls',
          cert_pem: certPem,
          chain_pem: ca.certPem,
          key_sealed: secrets.seal(keys.privateKeyPem, 'pki:tls'),
          key_label: 'pki:tls',
          source: 'generated',
          sans: JSON.stringify(wanted),
          not_after: new Date(new X509Certificate(certPem).validTo).toISOString(),
          created_at: now.toISOString(),
        });
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
      });
      cachedOffice = null;
      changed();
      return { certPem, keyPem: keys.privateKeyPem, chainPem: ca.certPem, reissued: true };
    },

    caCertificate() {
      const { certPem } = service.ensureOfficeCa();
      if (cachedCa?.pem !== certPem || !cachedCa) {
        const x = new X509Certificate(certPem);
        const name = /^CN=(.*)$/m.exec(x.subject)?.[1] ?? x.subject;
        cachedCa = { pem: certPem, der: pemToDer(certPem), fingerprint256: x.fingerprint256, name };
      }
      return cachedCa;
    },

    currentTls() {
      const row = publicRow() ?? officeRow();
      return { ...credentialOf(row), source: row.source };
    },

    tlsCredentials() {
      const imported = publicRow();
      return { office: credentialOf(officeRow()), public: imported ? credentialOf(imported) : null };
    },

    tlsMode() {
      return publicRow() ? 'public' : 'office';
    },

    publicName() {
      return publicState().name;
    },

    deviceBaseUrl() {
      const name = publicState().name;
      return name ? baseUrlWithHost(officeBaseUrl(), name) : officeBaseUrl();
    },

    tlsStatus() {
      const office = officeRow();
      const { row: imported, name } = publicState();
      const importedCert = imported ? new X509Certificate(imported.cert_pem) : null;
      const officeDnsNames = (JSON.parse(office.sans) as string[])
        .filter((n) => n.startsWith('DNS:'))
        .map((n) => n.slice(4));
      return {
        mode: service.tlsMode(),
        publicName: name,
        deviceBaseUrl: service.deviceBaseUrl(),
        officeBaseUrl: officeBaseUrl(),
        office: certificateFacts(office.cert_pem),
        imported: imported ? certificateFacts(imported.cert_pem) : null,
        sharedNames:
          importedCert && name
            ? officeDnsNames.filter((n) => importedCert.checkHost(n, { subject: 'never' }) !== undefined)
            : [],
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
      const publicName = publicNameOf(names);
      // Links, profile URLs and QR codes point devices at this name, and devices reach it by SNI: an IP address or a
      // wildcard cannot be that name (and Apple devices ignore the common name, HT210176).
      if (!publicName)
        throw new AppError(
          'VALIDATION_FAILED',
          names.length === 0
            ? 'The certificate names no DNS host name in subjectAltName (such as mdm.example.com); links and profiles need one.'
            : `The certificate names no DNS host name that is not a wildcard in subjectAltName (it has ${names.join(', ')}); links and profiles need one such as mdm.example.com.`,
          { field: 'certificatePem', missing: 'dnsName', names },
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
      const previousName = service.publicName();
      const previousMode = service.tlsMode();
      const chainPem = chain.join('');
      transaction(() => {
        store.put({
          name: 'tls-public',
          cert_pem: x.toString(),
          chain_pem: chainPem,
          key_sealed: secrets.seal(keyPem, 'pki:tls-public'),
          key_label: 'pki:tls-public',
          source: 'imported',
          sans: JSON.stringify(names),
          not_after: new Date(x.validTo).toISOString(),
          created_at: now.toISOString(),
        });
        audit.record({
          actor,
          action: 'tls.imported',
          subject: { type: 'certificate', id: 'tls-public', label: publicName },
          details: {
            names,
            publicName,
            issuer: x.issuer.replace(/\n/g, ', '),
            notAfter: new Date(x.validTo).toISOString(),
            previousMode,
            previousPublicName: previousName,
            fingerprint256: x.fingerprint256,
          },
          sourceAddress,
        });
      });
      cachedPublic = null;
      changed();
      return service.tlsStatus();
    },

    importOfficeCa(input, names, actor, sourceAddress) {
      const { certPem, keyPem, facts } = checkCaImport(input, clock.now());
      const previous = store.get('office-ca');
      const now = clock.now();
      transaction(() => {
        store.put({
          name: 'office-ca',
          cert_pem: certPem,
          chain_pem: '',
          key_sealed: secrets.seal(keyPem, 'pki:office-ca'),
          key_label: 'pki:office-ca',
          // The schema keeps 'imported' for the public certificate (migration 008); the audit trail says it was imported.
          source: 'generated',
          sans: '[]',
          not_after: facts.notAfter,
          created_at: now.toISOString(),
        });
        // The office TLS certificate was signed by the old CA: it goes, and is issued again below from the new one.
        store.remove('tls');
        audit.record({
          actor,
          action: 'ca.imported',
          subject: { type: 'certificate', id: 'office-ca', label: facts.subject },
          details: {
            fingerprint256: facts.fingerprint256,
            key: facts.key,
            notAfter: facts.notAfter,
            previousFingerprint256: previous ? fingerprint256(previous.cert_pem) : null,
          },
          sourceAddress,
        });
      });
      officeCa = null;
      cachedCa = null;
      cachedOffice = null;
      service.ensureTlsCredential(names);
    },

    useGeneratedTls(names, actor, sourceAddress) {
      const imported = store.get('tls-public');
      const previousName = service.publicName();
      transaction(() => {
        if (imported) store.remove('tls-public');
        audit.record({
          actor,
          action: 'tls.generated_restored',
          subject: { type: 'certificate', id: 'tls', label: names.dnsNames[0] ?? '' },
          details: {
            previousPublicName: previousName,
            removedFingerprint256: imported ? fingerprint256(imported.cert_pem) : null,
          },
          sourceAddress,
        });
      });
      cachedPublic = null;
      // The office credential was kept up to date meanwhile; this re-issues it only if the names changed since.
      const { reissued } = service.ensureTlsCredential(names);
      if (!reissued) changed();
      return service.tlsStatus();
    },
  };
  return service;
}
