// The console's home page over a seeded server: Android devices in three statuses (real agents over the device
// listener), invitations at every open step, a mail the SMTP server refused, a push certificate 20 days from its end
// (then past it, and the TLS certificate near its end, by moving the harness clock), the listeners start.ts opened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardDto, DeviceSummaryDto, InvitationDto } from '../../server/contract/index.js';
import { FakeClock } from '../../server/core/clock.js';
import { AndroidAgent, androidFacts, freshAgentState } from '../helpers/android-agent.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { addUser, HARNESS_ADMIN, startHarness, type Harness } from '../helpers/server-harness.js';
import { sinkSmtpSettings, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const DAY = 86_400_000;
const clock = new FakeClock(new Date());
let h: Harness;
let smtp: SmtpSink;
const agents: AndroidAgent[] = [];

async function dashboard(): Promise<DashboardDto> {
  const res = await h.admin.call('GET', '/api/dashboard');
  expect(res.status, res.text).toBe(200);
  return res.json<DashboardDto>();
}

/** Signs the admin in again (moving the clock by days ends the session). */
async function signIn(): Promise<void> {
  const res = await h.admin.call('POST', '/api/auth/login', {
    email: HARNESS_ADMIN.email,
    password: HARNESS_ADMIN.password,
  });
  expect(res.status, res.text).toBe(200);
}

/** An Android agent enrolled with a single-use QR token for `userId`, checked in `checkIns` times with admin rights. */
async function android(userId: string, n: number, active: boolean): Promise<{ agent: AndroidAgent; deviceId: string }> {
  const qr = JSON.parse(h.server.services.agent.enrollmentQr(userId, null).payload) as { token: string };
  const agent = new AndroidAgent(
    freshAgentState(
      h.server.services.deviceBaseUrl(),
      h.server.services.ca.caCertificate().pem,
      androidFacts(34, `hw-dash-${n}`, n),
    ),
  );
  agents.push(agent);
  const enrolled = await agent.enroll({ method: 'qr', token: qr.token });
  if (active) {
    agent.grantAdmin();
    expect((await agent.checkIn()).status).toBe('active');
  }
  return { agent, deviceId: enrolled.deviceId };
}

async function waitForFailedMail(n: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await dashboard()).mail.failed >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never ${n} failed messages`);
}

beforeAll(async () => {
  smtp = await startSmtpSink();
  h = await startHarness({ clock });
  expect((await h.admin.call('PUT', '/api/mail/smtp', sinkSmtpSettings(smtp))).status).toBe(200);

  // Invitations: one refused by the SMTP server (stays `created`), the rest delivered, then moved along.
  smtp.refused.add('bounce@example.com');
  const steps = ['sent', 'opened', 'pin_verified', 'profile_downloaded'] as const;
  const ids = [await addUser(h, 'bounce@example.com')];
  for (const step of steps) ids.push(await addUser(h, `${step}@example.com`));
  const invited = await h.admin.call('POST', '/api/invitations', { userIds: ids });
  expect(invited.status, invited.text).toBe(201);
  await smtp.waitFor(steps.length);
  await waitForFailedMail(1);
  const invitations = invited.json<{ invitations: InvitationDto[] }>().invitations;
  for (const step of steps.slice(1)) {
    const id = invitations.find((i) => i.userEmail === `${step}@example.com`)?.id as string;
    h.server.services.invitations.advance(id, step);
  }

  // Devices, of users without invitations (an enrollment would move theirs on): active, pending, and one retired by
  // the admin (inactive once its agent reports the retire).
  const owner = await addUser(h, 'devices@example.com');
  await android(owner, 1, true);
  await android(owner, 2, false);
  const retired = await android(await addUser(h, 'retired@example.com'), 3, true);
  const act = await h.admin.call('POST', '/api/devices/actions', { action: 'retire', deviceIds: [retired.deviceId] });
  expect(act.status, act.text).toBe(200);
  await retired.agent.checkIn();
  expect(await retired.agent.checkIn()).toMatchObject({ status: 'inactive' });

  const pki = fakePushCertificate({ now: clock.now(), days: 20 });
  const push = await h.admin.call('PUT', '/api/push/certificate', {
    certificatePem: pki.certPem,
    privateKeyPem: pki.keyPem,
  });
  expect(push.status, push.text).toBe(200);
}, 90_000);

afterAll(async () => {
  for (const agent of agents) agent.close();
  await h?.stop();
  await smtp?.close();
});

describe('GET /api/dashboard', () => {
  it('counts devices by status and platform as the devices page does, with today’s enrollments', async () => {
    const d = await dashboard();
    expect(d.devices).toEqual((await h.admin.call('GET', '/api/devices/summary')).json<DeviceSummaryDto>());
    expect(d.devices.byStatus).toMatchObject({ active: 1, pending: 1, inactive: 1, wiped: 0, reset: 0 });
    expect(d.devices.byPlatform).toEqual({ ios: 0, macos: 0, android: 3 });
    expect(d.devices.enrollmentsPerDay).toHaveLength(30);
    expect(d.devices.enrollmentsPerDay.at(-1)?.day).toBe(clock.now().toISOString().slice(0, 10));
  });

  it('counts the invitations waiting at each step, as the invitations list filters them', async () => {
    const d = await dashboard();
    expect(d.invitations.waiting).toEqual({ created: 1, sent: 1, opened: 1, pin_verified: 1, profile_downloaded: 1 });
    expect(d.invitations.open).toBe(5);
    for (const [status, n] of Object.entries(d.invitations.waiting)) {
      const listed = (await h.admin.call('GET', `/api/invitations?status=${status}`)).json<{ total: number }>();
      expect(listed.total, status).toBe(n);
    }
  });

  it('names the refused mail, without its text', async () => {
    const { mail } = await dashboard();
    expect(mail).toMatchObject({ smtpConfigured: true, failed: 1, queued: 0 });
    expect(mail.recentFailures).toHaveLength(1);
    expect(mail.recentFailures[0]).toMatchObject({ kind: 'invitation', to: 'bounce@example.com' });
    expect(mail.recentFailures[0]?.lastError).toMatch(/550|Mailbox unavailable/);
  });

  it('gives the addresses and the three listeners start.ts opened, all listening', async () => {
    const d = await dashboard();
    expect(d.addresses.entryUrl).toBe(h.server.entryUrl);
    expect(d.addresses.deviceBaseUrl).toBe(h.server.enrollmentUrl.replace(/\/$/, ''));
    const byName = Object.fromEntries(d.listeners.map((l) => [l.name, l]));
    expect(Object.keys(byName).sort()).toEqual(['admin', 'bootstrap', 'device']);
    expect(byName.admin).toMatchObject({
      url: h.server.adminUrl.replace(/\/$/, ''),
      bind: '127.0.0.1',
      tls: false,
      listening: true,
    });
    expect(byName.device).toMatchObject({
      url: d.addresses.deviceBaseUrl,
      bind: '127.0.0.1',
      tls: true,
      listening: true,
    });
    expect(byName.bootstrap).toMatchObject({ url: new URL(h.server.bootstrapUrl).origin, tls: false, listening: true });
    for (const l of d.listeners) expect(l.port, l.name).toBe(Number(new URL(l.url).port));
  });

  it('lists the newest audit events, newest first', async () => {
    const { recentAudit } = await dashboard();
    expect(recentAudit).toHaveLength(8);
    const seqs = recentAudit.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const newest = (await h.admin.call('GET', '/api/audit?limit=1')).json<{ items: { id: string }[] }>().items[0];
    expect(recentAudit[0]?.id).toBe(newest?.id);
  });

  it('warns 30 days ahead and after the end: push, then TLS; the office CA stays quiet', async () => {
    const at = async () => {
      const d = await dashboard();
      return {
        warned: Object.fromEntries(d.warnings.map((w) => [w.certificate, w.state])),
        watched: Object.fromEntries(d.certificates.map((c) => [c.certificate, c])),
      };
    };
    let now = await at();
    expect(now.warned).toEqual({ push: 'expiring' });
    expect(now.watched.push?.daysLeft).toBeGreaterThanOrEqual(19);
    expect(now.watched.push?.daysLeft).toBeLessThanOrEqual(20);
    expect(now.watched.ca).toMatchObject({ state: 'ok' });
    expect(now.watched.tls_office).toMatchObject({ state: 'ok', name: 'tsunagu.test' });

    clock.advance(21 * DAY);
    await signIn();
    now = await at();
    expect(now.warned).toEqual({ push: 'expired' });
    expect(now.watched.push?.daysLeft).toBeLessThan(0);

    // The office TLS certificate lives 397 days: 370 days in, it is within 30 days of its end.
    clock.advance(349 * DAY);
    await signIn();
    now = await at();
    expect(now.warned).toEqual({ push: 'expired', tls_office: 'expiring' });
    expect(now.watched.ca).toMatchObject({ state: 'ok' });
    // Soonest first.
    expect((await dashboard()).warnings.map((w) => w.certificate)).toEqual(['push', 'tls_office']);
  });
});
