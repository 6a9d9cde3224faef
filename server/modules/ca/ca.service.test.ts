import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testFoundation } from '../../../tests/helpers/foundation.js';

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
