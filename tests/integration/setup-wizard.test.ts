// The setup wizard's server side against a real server: state that resumes, the organisation name and host names taking
// effect at once, the device listener answering on them, an imported office CA issuing the TLS certificate, and the
// checklist going from missing to all ok.
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChecklistDto, HostCheckResultDto, HostnamesDto, WizardStateDto } from '../../server/contract/index.js';
import { importableCa } from '../helpers/office-ca.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import { sinkSmtpSettings, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

let h: Harness;
let sink: SmtpSink;

/** The certificate the device listener presents to a client that trusts `ca` and asks for `servername`. */
function presented(port: number, servername: string, ca: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, servername, ca }, () => {
      const cert = s.getPeerX509Certificate();
      s.end();
      if (cert) resolve(cert);
      else reject(new Error('no certificate'));
    });
    s.on('error', reject);
  });
}

beforeAll(async () => {
  sink = await startSmtpSink();
  h = await startHarness({ env: { TSUNAGU_HOSTNAMES: '' } });
});
afterAll(async () => {
  await h.stop();
  await sink.close();
});

const states = (c: ChecklistDto) => Object.fromEntries(c.items.map((i) => [i.id, i.state]));

describe('the setup wizard', () => {
  it('starts at the first step with everything but the CA and TLS missing', async () => {
    expect((await h.admin.call('GET', '/api/setup/wizard')).json()).toEqual({
      step: 'organization',
      skipped: [],
      finished: false,
    });
    const list = (await h.admin.call('GET', '/api/setup/checklist')).json<ChecklistDto>();
    expect(states(list)).toEqual({
      organization: 'missing',
      hostnames: 'missing',
      ca: 'ok',
      tls: 'ok',
      push: 'missing',
      mail: 'missing',
      users: 'missing',
    });
    expect(list.allOk).toBe(false);
    expect(list.items.every((i) => i.link.startsWith('/'))).toBe(true);
  });

  it('resumes where it was left, with skipped steps remembered', async () => {
    await h.admin.call('PUT', '/api/setup/wizard', { step: 'push', skip: 'ca' });
    await h.admin.call('PUT', '/api/setup/wizard', { skip: 'tls' });
    await h.admin.call('PUT', '/api/setup/wizard', { unskip: 'tls' });
    expect((await h.admin.call('GET', '/api/setup/wizard')).json<WizardStateDto>()).toEqual({
      step: 'push',
      skipped: ['ca'],
      finished: false,
    });
  });

  it('saves the organisation name, used by the next certificate at once', async () => {
    const res = await h.admin.call('PUT', '/api/setup/organization', { name: '  Example  Office ' });
    expect(res.json()).toEqual({ name: 'Example Office' });
    expect(h.server.services.onboarding.organization()).toBe('Example Office');
  });

  it('saves host names: the TLS certificate covers them, links use the first, the listener answers on it', async () => {
    const saved = (
      await h.admin.call('PUT', '/api/setup/hostnames', { names: ['Localhost', 'mdm.office.test'] })
    ).json<HostnamesDto>();
    expect(saved).toMatchObject({ names: ['localhost', 'mdm.office.test'], fromEnv: false });
    expect(saved.deviceBaseUrl).toMatch(/^https:\/\/localhost:\d+$/);
    const port = Number(new URL(saved.deviceBaseUrl).port);
    const cert = await presented(port, 'mdm.office.test', h.server.services.ca.caCertificate().pem);
    expect(cert.subjectAltName).toContain('DNS:mdm.office.test');
    expect(cert.subject).toContain('O=Example Office');
    const check = (await h.admin.call('POST', '/api/setup/hostnames/check')).json<HostCheckResultDto>();
    expect(check.port).toBe(port);
    const byTarget = Object.fromEntries(check.results.map((r) => [r.target, r]));
    expect(byTarget.localhost?.ok).toBe(true);
    // Not in DNS: said, not thrown.
    expect(byTarget['mdm.office.test']).toMatchObject({ ok: false });
    expect(byTarget['mdm.office.test']?.detail).toMatch(/ENOTFOUND|EAI_AGAIN|ECONNREFUSED/);
    await h.admin.call('PUT', '/api/setup/hostnames', { names: ['localhost'] });
  });

  it('imports an existing office CA and re-issues the TLS certificate from it, audited', async () => {
    const ca = importableCa({ name: 'Example Office Root' });
    const res = await h.admin.call('PUT', '/api/setup/ca', ca);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Example Office Root' });
    const port = Number(new URL(h.server.services.deviceBaseUrl()).port);
    const cert = await presented(port, 'localhost', ca.certificatePem);
    expect(cert.checkIssued(new X509Certificate(ca.certificatePem))).toBe(true);
    const events = (await h.admin.call('GET', '/api/audit?action=ca.imported')).json<{ items: unknown[] }>();
    expect(events.items).toHaveLength(1);
    // The check trusts the new CA now.
    const check = (await h.admin.call('POST', '/api/setup/hostnames/check')).json<HostCheckResultDto>();
    expect(check.results.every((r) => r.ok)).toBe(true);
  });

  it('ends all green once push, SMTP with a test mail and a first invitation are done', async () => {
    const push = fakePushCertificate();
    expect(
      (await h.admin.call('PUT', '/api/push/certificate', { certificatePem: push.certPem, privateKeyPem: push.keyPem }))
        .status,
    ).toBe(200);
    await h.admin.call('PUT', '/api/mail/smtp', sinkSmtpSettings(sink));
    let list = (await h.admin.call('GET', '/api/setup/checklist')).json<ChecklistDto>();
    expect(states(list).mail).toBe('warning');
    expect((await h.admin.call('POST', '/api/mail/test', { to: 'it@example.com' })).json()).toMatchObject({ ok: true });
    const user = (await h.admin.call('POST', '/api/users', { email: 'first@example.com', displayName: 'First' })).json<{
      id: string;
    }>();
    const invited = await h.admin.call('POST', '/api/invitations', { userIds: [user.id] });
    expect(invited.status).toBeLessThan(300);
    list = (await h.admin.call('GET', '/api/setup/checklist')).json<ChecklistDto>();
    expect(list.items.filter((i) => i.state !== 'ok')).toEqual([]);
    expect(list.allOk).toBe(true);
    expect(list.items.find((i) => i.id === 'push')?.detail).toContain(push.topic);
    // The console words the facts in its language; the English detail is made from the same facts.
    expect(list.items.find((i) => i.id === 'push')?.facts).toEqual([
      { key: 'pushValid', topic: push.topic, until: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    ]);
    expect(list.items.find((i) => i.id === 'users')?.facts).toEqual([{ key: 'usersInvited', count: 1 }]);
    expect(list.items.find((i) => i.id === 'users')?.detail).toBe('1 invitation');
    await h.admin.call('PUT', '/api/setup/wizard', { step: 'checklist', finished: true });
    expect((await h.admin.call('GET', '/api/setup/wizard')).json()).toMatchObject({ finished: true });
  });

  it('keeps the saved names and organisation over a restart', async () => {
    await h.restart();
    expect((await h.admin.call('GET', '/api/setup/hostnames')).json()).toMatchObject({ names: ['localhost'] });
    expect((await h.admin.call('GET', '/api/setup/organization')).json()).toEqual({ name: 'Example Office' });
    expect(h.server.services.deviceBaseUrl()).toMatch(/^https:\/\/localhost:/);
  });
});
