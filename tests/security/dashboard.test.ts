// The dashboard gathers what many pages show into one answer: a tempting place for a secret to slip out. The attack:
// read GET /api/dashboard without a session (or with a forged one), and, signed in, look in its JSON for every secret
// the seeded server holds: an invitation's PIN and link token (both in mail the outbox could not deliver), an Android
// agent's bearer token, the push certificate's private key, the SMTP password, the admin's session and CSRF token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AndroidAgent, androidFacts, freshAgentState } from '../helpers/android-agent.js';
import { invitationLinkIn } from '../helpers/first-visit.js';
import { AdminClient, send } from '../helpers/http.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { addUser, startHarness, type Harness } from '../helpers/server-harness.js';
import { sinkSmtpSettings, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const SMTP_PASSWORD = 'smtp-password-never-shown-9431';
let h: Harness;
let smtp: SmtpSink;
const secrets: Record<string, string> = {};

/** Polls (bounded) until the outbox holds `n` failed messages. */
async function failedMail(n: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const res = await h.admin.call('GET', '/api/mail/outbox');
    if (res.json<{ counts: { failed: number } }>().counts.failed >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the outbox never held ${n} failed messages`);
}

beforeAll(async () => {
  smtp = await startSmtpSink();
  h = await startHarness();
  expect(
    (await h.admin.call('PUT', '/api/mail/smtp', { ...sinkSmtpSettings(smtp), password: SMTP_PASSWORD })).status,
  ).toBe(200);
  secrets.smtpPassword = SMTP_PASSWORD;

  // A delivered invitation gives its link token; a bounced one and its new PIN stay failed in the outbox.
  smtp.refused.add('bounce@example.com');
  const delivered = await addUser(h, 'delivered@example.com');
  const bounced = await addUser(h, 'bounce@example.com');
  const invited = await h.admin.call('POST', '/api/invitations', { userIds: [delivered, bounced] });
  expect(invited.status, invited.text).toBe(201);
  const [mail] = await smtp.waitFor(1);
  const link = invitationLinkIn(mail?.text ?? '');
  secrets.linkToken = /[#/]invite=([\w-]+)|\/i\/([\w-]+)/.exec(link)?.slice(1).find(Boolean) ?? link;
  const bouncedInvitation = invited
    .json<{ invitations: { id: string; userId: string }[] }>()
    .invitations.find((i) => i.userId === bounced);
  const pin = await h.admin.call('POST', `/api/invitations/${bouncedInvitation?.id}/pin`);
  expect(pin.status, pin.text).toBe(200);
  secrets.pin = pin.json<{ pin: string }>().pin;
  await failedMail(2);

  const pki = fakePushCertificate();
  const push = await h.admin.call('PUT', '/api/push/certificate', {
    certificatePem: pki.certPem,
    privateKeyPem: pki.keyPem,
  });
  expect(push.status, push.text).toBe(200);
  secrets.pushKeyLine = pki.keyPem.split('\n')[1] ?? pki.keyPem;

  const qr = JSON.parse(h.server.services.agent.enrollmentQr(delivered, null).payload) as { token: string };
  secrets.agentQrToken = qr.token;
  const agent = new AndroidAgent(
    freshAgentState(
      h.server.services.deviceBaseUrl(),
      h.server.services.ca.caCertificate().pem,
      androidFacts(34, 'hw-dash-1'),
    ),
  );
  await agent.enroll({ method: 'qr', token: qr.token });
  secrets.agentToken = agent.state.token ?? '';
  agent.close();

  secrets.csrf = h.admin.csrf;
  secrets.setupToken = h.server.setupToken ?? '';
}, 60_000);

afterAll(async () => {
  await h?.stop();
  await smtp?.close();
});

describe('GET /api/dashboard', () => {
  it.each([
    ['no cookie', {}],
    ['a forged session cookie', { cookie: 'tsunagu_admin=forged-session-id' }],
  ])('refuses %s with 401 and tells nothing', async (_name, headers) => {
    const res = await send(new URL('/api/dashboard', h.server.adminUrl).href, { headers });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ code: 'AUTH_REQUIRED' });
    expect(res.text).not.toMatch(/devices|invitations|listeners/);
  });

  it('refuses a signed-out admin', async () => {
    const other = new AdminClient(h.server.adminUrl);
    expect((await other.call('GET', '/api/dashboard')).status).toBe(401);
  });

  it('shows the failed mail and the seeded state, and none of the secrets behind them', async () => {
    const res = await h.admin.call('GET', '/api/dashboard');
    expect(res.status, res.text).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json<{ mail: { failed: number; recentFailures: unknown[] }; pushConfigured: boolean }>();
    // The secrets had a way in: the failed messages carry the PIN, and the push certificate is installed.
    expect(body.mail.failed).toBeGreaterThanOrEqual(2);
    expect(body.mail.recentFailures.length).toBeGreaterThanOrEqual(2);
    expect(body.pushConfigured).toBe(true);

    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length, name).toBeGreaterThanOrEqual(6);
      expect(res.text.includes(secret), `${name} appears in the dashboard`).toBe(false);
    }
    expect(res.text).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
    // No field that could carry a secret, at any depth; a flag (an audit event's `pin: true`) tells nothing.
    const keys: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object')
        for (const [k, inner] of Object.entries(v)) {
          if (typeof inner !== 'boolean') keys.push(k);
          walk(inner);
        }
    };
    walk(body);
    expect(keys.filter((k) => /pin$|token|password|secret|key|body|html|text/i.test(k))).toEqual([]);
  });
});
