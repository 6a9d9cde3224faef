import { randomBytes, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TEST_ADMIN, testFoundation } from '../../../tests/helpers/foundation.js';
import { testPublicCa } from '../../../tests/helpers/public-cert.js';
import { createServices } from '../../compose.js';
import { FakeClock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { argon2Hasher } from '../../core/password.js';
import { SeededRandom } from '../../core/random.js';
import { loadMigrations, migrate } from '../../db/migrate.js';
import { openDatabase } from '../../db/open.js';
import { createSecretBox } from '../secrets/secret-box.js';
import { createCaService, type TlsCredentials } from './ca.service.js';
import { createCaStore } from './ca.store.js';

describe('office CA', () => {
  it('creates one root CA with the key usages SCEP clients need, stored encrypted', () => {
    const { services, db } = testFoundation();
    const ca = services.ca.ensureOfficeCa();
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(services.ca.ensureOfficeCa().certPem).toBe(ca.certPem);
    const row = db.prepare("SELECT key_sealed FROM pki_credentials WHERE name = 'office-ca'").get() as {
      key_sealed: string;
    };
    expect(row.key_sealed).not.toMatch(/PRIVATE KEY/);
    expect(services.audit.list({ action: 'ca.created' }).items).toHaveLength(1);
  });

  it('issues a TLS certificate for the names and re-issues it only when they change or expiry nears', () => {
    const { services, clock } = testFoundation();
    const names = { dnsNames: ['mdm.office.lan'], ipAddresses: ['192.168.1.10'] };
    const first = services.ca.ensureTlsCredential(names);
    const cert = new X509Certificate(first.certPem);
    expect(cert.subjectAltName).toBe('DNS:mdm.office.lan, IP Address:192.168.1.10');
    expect(cert.verify(new X509Certificate(services.ca.ensureOfficeCa().certPem).publicKey)).toBe(true);
    expect(first.reissued).toBe(true);
    expect(
      services.ca.ensureTlsCredential({ dnsNames: ['mdm.office.lan'], ipAddresses: ['192.168.1.10'] }).reissued,
    ).toBe(false);
    const moved = services.ca.ensureTlsCredential({ dnsNames: ['mdm.office.lan'], ipAddresses: ['192.168.1.20'] });
    expect(moved.reissued).toBe(true);
    expect(new X509Certificate(moved.certPem).subjectAltName).toContain('192.168.1.20');
    clock.advance(380 * 86_400_000);
    expect(
      services.ca.ensureTlsCredential({ dnsNames: ['mdm.office.lan'], ipAddresses: ['192.168.1.20'] }).reissued,
    ).toBe(true);
    const events = services.audit.list({ action: 'tls.reissued' }).items;
    expect(events).toHaveLength(2);
    expect(events[1]?.details.previous).toEqual(['DNS:mdm.office.lan', 'IP:192.168.1.10']);
  });
});

describe('public certificate mode', () => {
  const officeNames = { dnsNames: ['mdm.office.lan'], ipAddresses: ['192.168.1.10'] };

  function publicOffice() {
    const f = testFoundation();
    const changes: TlsCredentials[] = [];
    // The same services, with a listener that records what it was given to load.
    const ca = createCaService({
      store: createCaStore(f.db),
      secrets: createSecretBox(randomBytes(32)),
      audit: f.services.audit,
      clock: f.clock,
      random: new SeededRandom(7),
      transaction: (fn) => f.db.transaction(fn)(),
      organization: 'Test',
      officeBaseUrl: () => 'https://mdm.office.lan:8443',
      onTlsChanged: (c) => changes.push(c),
      caKeyBits: 2048,
    });
    ca.ensureTlsCredential(officeNames);
    return { ...f, ca, changes, pub: testPublicCa(f.clock.now()) };
  }

  it('starts in office mode: links use the office name', () => {
    const { ca } = publicOffice();
    expect(ca.tlsMode()).toBe('office');
    expect(ca.publicName()).toBeNull();
    expect(ca.deviceBaseUrl()).toBe('https://mdm.office.lan:8443');
    expect(ca.tlsCredentials().public).toBeNull();
    expect(ca.tlsStatus()).toMatchObject({
      mode: 'office',
      publicName: null,
      deviceBaseUrl: 'https://mdm.office.lan:8443',
      officeBaseUrl: 'https://mdm.office.lan:8443',
      office: { names: ['DNS:mdm.office.lan', 'IP Address:192.168.1.10'] },
      imported: null,
      sharedNames: [],
    });
  });

  it('an import switches to public mode at once and keeps the office certificate beside it', () => {
    const { ca, changes, pub, services } = publicOffice();
    const office = ca.tlsCredentials().office;
    const s = pub.server({ dns: ['*.example.org', 'MDM.example.org', 'www.example.org'] });
    const status = ca.importTls({ certificatePem: s.certPem, privateKeyPem: s.keyPem }, TEST_ADMIN, '127.0.0.1');
    expect(status).toMatchObject({
      mode: 'public',
      publicName: 'mdm.example.org',
      deviceBaseUrl: 'https://mdm.example.org:8443',
      officeBaseUrl: 'https://mdm.office.lan:8443',
      office: { fingerprint256: new X509Certificate(office.certPem).fingerprint256 },
      imported: { names: ['DNS:*.example.org', 'DNS:MDM.example.org', 'DNS:www.example.org'] },
    });
    expect(ca.tlsMode()).toBe('public');
    expect(ca.publicName()).toBe('mdm.example.org');
    expect(ca.deviceBaseUrl()).toBe('https://mdm.example.org:8443');
    // Profiles are signed with the certificate under the name links use.
    expect(ca.currentTls()).toMatchObject({ certPem: new X509Certificate(s.certPem).toString(), source: 'imported' });
    const last = changes.at(-1);
    expect(last?.office.certPem).toBe(office.certPem);
    expect(last?.public?.keyPem).toBe(s.keyPem);
    const [event] = services.audit.list({ action: 'tls.imported' }).items;
    expect(event?.details).toMatchObject({ publicName: 'mdm.example.org', previousMode: 'office' });
  });

  it('keeps the office certificate up to date in public mode, and the public one untouched', () => {
    const { ca, changes, pub } = publicOffice();
    const s = pub.server();
    ca.importTls({ certificatePem: s.certPem, privateKeyPem: s.keyPem }, TEST_ADMIN, null);
    const moved = ca.ensureTlsCredential({ dnsNames: ['mdm.office.lan'], ipAddresses: ['10.0.0.7'] });
    expect(moved.reissued).toBe(true);
    expect(new X509Certificate(moved.certPem).subjectAltName).toContain('10.0.0.7');
    expect(changes.at(-1)?.office.certPem).toBe(moved.certPem);
    expect(changes.at(-1)?.public?.certPem).toBe(new X509Certificate(s.certPem).toString());
    expect(ca.tlsMode()).toBe('public');
    expect(ca.tlsStatus().office.names).toContain('IP Address:10.0.0.7');
  });

  it('names office host names the public certificate covers too', () => {
    const { ca, pub } = publicOffice();
    const s = pub.server({ dns: ['mdm.example.org', '*.office.lan'] });
    expect(ca.importTls({ certificatePem: s.certPem, privateKeyPem: s.keyPem }, TEST_ADMIN, null).sharedNames).toEqual([
      'mdm.office.lan',
    ]);
  });

  it.each([
    ['no subjectAltName', { dns: [] }, /names no DNS host name in subjectAltName/],
    ['only an IP address', { dns: [], ips: ['203.0.113.5'] }, /not a wildcard .*it has IP Address:203\.0\.113\.5/],
    ['only a wildcard', { dns: ['*.example.org'] }, /not a wildcard .*it has DNS:\*\.example\.org/],
  ])(
    'refuses a certificate with %s, naming the missing DNS name, and stays in office mode',
    (_what, names, message) => {
      const { ca, pub } = publicOffice();
      const s = pub.server(names);
      let error: unknown;
      try {
        ca.importTls({ certificatePem: s.certPem, privateKeyPem: s.keyPem }, TEST_ADMIN, null);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(message),
        details: { field: 'certificatePem', missing: 'dnsName' },
      });
      expect(ca.tlsMode()).toBe('office');
    },
  );

  it('going back to office mode removes the imported certificate; links use the office name again', () => {
    const { ca, changes, pub, db, services } = publicOffice();
    const s = pub.server();
    ca.importTls({ certificatePem: s.certPem, privateKeyPem: s.keyPem }, TEST_ADMIN, null);
    const office = ca.tlsCredentials().office;
    const status = ca.useGeneratedTls(officeNames, TEST_ADMIN, null);
    expect(status).toMatchObject({ mode: 'office', publicName: null, imported: null });
    expect(ca.deviceBaseUrl()).toBe('https://mdm.office.lan:8443');
    expect(ca.currentTls()).toMatchObject({ certPem: office.certPem, source: 'generated' });
    expect(changes.at(-1)).toEqual({ office, public: null });
    expect(db.prepare("SELECT count(*) AS n FROM pki_credentials WHERE name = 'tls-public'").get()).toEqual({ n: 0 });
    const [event] = services.audit.list({ action: 'tls.generated_restored' }).items;
    expect(event?.details).toMatchObject({ previousPublicName: 'mdm.example.org' });
  });
});

describe('an imported certificate from before public mode', () => {
  it('moves to its own slot: it stays the public certificate, its key still opens, and an office one is issued beside it', () => {
    const db = openDatabase(':memory:');
    const clock = new FakeClock('2026-04-01T09:00:00.000Z');
    migrate(db, loadMigrations().slice(0, 7), clock.now());
    const secrets = createSecretBox(randomBytes(32));
    const s = testPublicCa(clock.now()).server();
    // The row as version 7 wrote it: one 'tls' slot, the key sealed under its label.
    db.prepare(
      `INSERT INTO pki_credentials (name, cert_pem, chain_pem, key_sealed, source, sans, not_after, created_at)
       VALUES ('tls', ?, '', ?, 'imported', '["DNS:mdm.example.org"]', '2026-06-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z')`,
    ).run(s.certPem, secrets.seal(s.keyPem, 'pki:tls'));
    migrate(db, undefined, clock.now());
    const services = createServices({
      db,
      clock,
      random: new SeededRandom(3),
      hasher: argon2Hasher,
      secrets,
      caKeyBits: 2048,
      deviceBaseUrl: () => 'https://192.168.1.10:8443',
    });
    expect(services.ca.tlsMode()).toBe('public');
    expect(services.deviceBaseUrl()).toBe('https://mdm.example.org:8443');
    const office = services.ca.ensureTlsCredential({ dnsNames: ['mdm.office.lan'], ipAddresses: ['192.168.1.10'] });
    expect(office.reissued).toBe(true);
    expect(services.audit.list({ action: 'tls.created' }).items).toHaveLength(1);
    const both = services.ca.tlsCredentials();
    expect(both.public?.keyPem).toBe(s.keyPem);
    expect(both.office.certPem).toBe(office.certPem);
  });
});
