// A lived-in office for the console screenshots: users, invitations in every state (through the real portal and
// SMTP), devices enrolled over several weeks (emulated iPhones and Macs, an Android agent) in every status, other
// users' refused enrollments of an enrolled iPhone, a failed email, and a push certificate about to expire. Built
// on an in-process server with a fake clock.
import { randomBytes } from 'node:crypto';
import { expect } from '@playwright/test';
import { FakeClock } from '../../server/core/clock.js';
import { AndroidAgent, androidFacts } from '../helpers/android-agent.js';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { EmulatedAppleDevice, iphoneSpec, macSpec, type AppleDeviceSpec } from '../helpers/apple-device.js';
import { PortalClient } from '../helpers/portal-client.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { HARNESS_ADMIN, local, startHarness, type Harness } from '../helpers/server-harness.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { linkIn, mailsTo, pinIn, waitForMails } from './console-kit.js';

const DAY = 86_400_000;
const PASSWORD = 'a long user password';

/** The seeded office and what it runs on. */
export interface SeededOffice {
  h: Harness;
  sink: SmtpSink;
  apns: ApnsMock;
  clock: FakeClock;
  users: Record<string, string>;
  devices: Record<string, EmulatedAppleDevice>;
  android: AndroidAgent;
  close(): Promise<void>;
}

/** The users of the office: email, display name, language. */
export const SEED_USERS = [
  ['yamada.taro@example.com', '山田 太郎', 'ja'],
  ['suzuki.hanako@example.com', '鈴木 花子', 'ja'],
  ['sato.kenji@example.com', '佐藤 健二', 'ja'],
  ['takahashi.misaki.long-address@sales.example.co.jp', '高橋 美咲（営業部 第二課 シニアマネージャー）', 'ja'],
  ['tanaka@example.com', '田中 一郎', 'ja'],
  ['alex.smith@example.com', 'Alex Smith', 'en'],
  ['maria.garcia@example.com', 'María García', 'en'],
  ['kobayashi@example.com', '小林 誠', 'ja'],
  ['mori@example.com', '森 由美', 'ja'],
  ['ito@example.com', '伊藤 美香', 'ja'],
  ['watanabe@example.com', '渡辺 健', 'ja'],
  ['nakamura@example.com', '中村 さくら', 'ja'],
  ['bounce@example.com', 'Typo Address', 'en'],
  ['late@example.com', '遅刻 太郎', 'ja'],
] as const;

/** Builds the office; the fake clock ends at the real time. */
export async function seedOffice(): Promise<SeededOffice> {
  const clock = new FakeClock(new Date(Date.now() - 24 * DAY));
  const sink = await startSmtpSink();
  sink.refused.add('bounce@example.com');
  const pki = fakePushCertificate({ now: clock.now(), days: 400 });
  const apns = await startApnsMock(pki.appleCaPem);
  const h = await startHarness({ clock, apnsCa: apns.caPem });
  const caPem = h.server.services.ca.caCertificate().pem;
  const origin = local(h.server.enrollmentUrl).replace(/\/$/, '');
  const users: Record<string, string> = {};
  const devices: Record<string, EmulatedAppleDevice> = {};

  const call = async (method: string, path: string, body?: unknown, expected = [200, 201, 204]) => {
    const res = await h.admin.call(method, path, body);
    expect(expected, `${method} ${path}: ${res.status} ${res.text}`).toContain(res.status);
    return res;
  };
  /** Moves the fake clock; the admin session idles out on long jumps, so sign in again. */
  const advance = async (days: number) => {
    clock.advance(days * DAY);
    await call('POST', '/api/auth/login', { email: HARNESS_ADMIN.email, password: HARNESS_ADMIN.password });
    await h.server.services.tick();
  };
  const enroll = async (spec: AppleDeviceSpec, email: string) => {
    const res = await call('POST', '/api/enrollments', {
      userId: users[email],
      platform: spec.kind === 'mac' ? 'macos' : 'ios',
    });
    const device = new EmulatedAppleDevice(spec, { caPem });
    expect((await device.downloadProfile(res.json<{ profileUrl: string }>().profileUrl)).status).toBe(200);
    expect(await device.scep()).toEqual({ status: 'SUCCESS' });
    await device.enrollMdm();
    await device.commandLoop();
    devices[spec.deviceName] = device;
    return device;
  };
  const deviceId = async (name: string) =>
    (await call('GET', `/api/devices?q=${encodeURIComponent(name)}`)).json<{ items: { id: string }[] }>().items[0]
      ?.id as string;
  const invite = async (email: string) => {
    const before = mailsTo(sink.messages, email).length;
    await call('POST', '/api/invitations', { userIds: [users[email]] });
    // A send requested while another is under way waits for the next scheduler tick: run two.
    await h.server.services.tick();
    await h.server.services.tick();
    if (email === 'bounce@example.com') return null;
    return (await waitForMails(sink.messages, email, before + 1)).at(-1) ?? null;
  };

  await call('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem });
  await call('PUT', '/api/push/settings', { apnsBaseUrl: apns.url });
  await call('PUT', '/api/mail/smtp', {
    host: '127.0.0.1',
    port: sink.port,
    security: 'none',
    username: '',
    fromAddress: 'it@office.example',
    fromName: 'Office IT',
    allowSelfSigned: false,
  });
  const settings = (await call('GET', '/api/settings/users')).json<{ settings: Record<string, unknown> }>().settings;
  await call('PUT', '/api/settings/users', { ...settings, deviceLimitPerUser: 50 });
  for (const [email, displayName, locale] of SEED_USERS) {
    users[email] = (
      await call('POST', '/api/users', {
        email,
        displayName,
        locale,
        ...(email === 'late@example.com' || email === 'kobayashi@example.com' ? {} : { password: PASSWORD }),
      })
    ).json<{ id: string }>().id;
  }

  // Four weeks of enrollments.
  await invite('late@example.com');
  await advance(4);
  await enroll({ ...iphoneSpec(1), deviceName: '山田の iPhone' }, 'yamada.taro@example.com');
  await advance(5);
  await enroll({ ...macSpec(2), deviceName: '鈴木の MacBook Air' }, 'suzuki.hanako@example.com');
  await enroll({ ...iphoneSpec(3), deviceName: '佐藤の iPhone' }, 'sato.kenji@example.com');
  await advance(5);
  await enroll(
    { ...iphoneSpec(4), deviceName: '高橋の iPhone（営業用）' },
    'takahashi.misaki.long-address@sales.example.co.jp',
  );
  await enroll({ ...iphoneSpec(5), deviceName: 'iPad 会議室 A' }, 'yamada.taro@example.com');
  await advance(4);
  await enroll({ ...iphoneSpec(6), deviceName: '田中の iPhone' }, 'tanaka@example.com');
  await enroll({ ...iphoneSpec(7), deviceName: "Alex's iPhone" }, 'alex.smith@example.com');
  await enroll({ ...macSpec(8), deviceName: 'Alex’s MacBook Air' }, 'alex.smith@example.com');
  await advance(3);
  const android = new AndroidAgent({
    server: origin,
    caPem,
    deviceId: null,
    token: null,
    facts: { ...androidFacts(33, randomBytes(8).toString('hex'), 9), deviceName: 'María’s Pixel 7' },
    pendingResults: [],
    locked: false,
    wiped: false,
    retired: false,
    loopback: true,
  });
  await android.enroll({ method: 'password', email: 'maria.garcia@example.com', password: PASSWORD });
  android.grantAdmin();
  await android.checkIn();
  await call('POST', '/api/enrollment-url/regenerate');
  await advance(2);
  // Align the fake clock with the real one for the rest.
  clock.set(new Date());
  await advance(0);

  // Invitations in every state, through the real portal.
  const signInPath = (link: string) => new URL(link).pathname.replace(/\/i\/[^/]+\/go$/, '/go/sign-in');
  for (const email of [
    'mori@example.com',
    'ito@example.com',
    'watanabe@example.com',
    'nakamura@example.com',
    'kobayashi@example.com',
    'bounce@example.com',
    'tanaka@example.com',
  ])
    await invite(email);
  const portal = async (email: string) => {
    const mail = mailsTo(sink.messages, email).at(-1);
    const client = new PortalClient(origin, caPem, undefined, 'ja');
    await client.get(linkIn(mail!, origin));
    return { client, link: linkIn(mail!, origin), pin: pinIn(mail!) };
  };
  await portal('mori@example.com');
  {
    const { client, link } = await portal('ito@example.com');
    expect((await client.post(signInPath(link), { email: 'ito@example.com', secret: PASSWORD })).status).toBe(303);
  }
  {
    const { client, link } = await portal('watanabe@example.com');
    expect((await client.post(signInPath(link), { email: 'watanabe@example.com', secret: PASSWORD })).status).toBe(303);
    const base = new URL(link).pathname.replace(/\/i\/[^/]+\/go$/, '/go');
    await client.get(`${base}/home`);
    const enrollRes = await client.post(`${base}/enroll`, { csrf: client.csrf(), platform: 'ios' });
    const device = new EmulatedAppleDevice({ ...iphoneSpec(10), deviceName: '渡辺の iPhone' }, { caPem });
    expect(
      (
        await device.downloadProfile(`${origin}${enrollRes.headers.location as string}/profile`, {
          cookie: client.cookieHeader(),
        })
      ).status,
    ).toBe(200);
    devices[device.spec.deviceName] = device;
  }
  {
    const { client, link } = await portal('nakamura@example.com');
    expect((await client.post(signInPath(link), { email: 'nakamura@example.com', secret: PASSWORD })).status).toBe(303);
    const base = new URL(link).pathname.replace(/\/i\/[^/]+\/go$/, '/go');
    await client.get(`${base}/home`);
    const enrollRes = await client.post(`${base}/enroll`, { csrf: client.csrf(), platform: 'ios' });
    const device = new EmulatedAppleDevice({ ...iphoneSpec(11), deviceName: '中村の iPhone' }, { caPem });
    expect(
      (
        await device.downloadProfile(`${origin}${enrollRes.headers.location as string}/profile`, {
          cookie: client.cookieHeader(),
        })
      ).status,
    ).toBe(200);
    expect(await device.scep()).toEqual({ status: 'SUCCESS' });
    await device.enrollMdm();
    await device.commandLoop();
    devices[device.spec.deviceName] = device;
  }
  {
    const { client, link, pin } = await portal('kobayashi@example.com');
    const wrong = pin === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await client.post(signInPath(link), { email: 'kobayashi@example.com', secret: wrong });
  }
  const tanakaInvitation = (await call('GET', `/api/invitations?userId=${users['tanaka@example.com']}`)).json<{
    items: { id: string }[];
  }>().items[0]?.id;
  await call('POST', `/api/invitations/${tanakaInvitation}/revoke`);

  // Devices in every status: a pending one, a retired one, a wiped one, one Apple no longer knows.
  {
    const res = await call('POST', '/api/enrollments', { userId: users['ito@example.com'], platform: 'ios' });
    const pending = new EmulatedAppleDevice({ ...iphoneSpec(12), deviceName: '伊藤の iPhone' }, { caPem });
    await pending.downloadProfile(res.json<{ profileUrl: string }>().profileUrl);
    await pending.scep();
    const s = pending.spec;
    await pending.checkin({
      MessageType: 'Authenticate',
      UDID: s.udid,
      Topic: pending.profile?.mdm.topic ?? '',
      SerialNumber: s.serialNumber,
      OSVersion: s.osVersion,
      BuildVersion: s.buildVersion,
      ProductName: s.productName,
    });
    devices[s.deviceName] = pending;
  }
  await call('POST', '/api/devices/actions', { action: 'retire', deviceIds: [await deviceId('高橋の iPhone')] });
  await devices['高橋の iPhone（営業用）']?.commandLoop();
  await call('POST', '/api/devices/actions', { action: 'wipe', deviceIds: [await deviceId('佐藤の iPhone')] });
  await devices['佐藤の iPhone']?.commandLoop();
  apns.script({ status: 410, reason: 'Unregistered' });
  await call('POST', `/api/devices/${await deviceId('田中の iPhone')}/push`);
  // A DeviceInformation waiting for the iPad, so the detail shows a command that can be cancelled.
  await call('POST', `/api/devices/${await deviceId('iPad 会議室 A')}/commands`, { type: 'DeviceInformation' });

  // Two other users try to enroll Alex's iPhone (same UDID) with their own profiles: Suzuki twice, Takahashi (the
  // long name) once. Each Authenticate is refused, and the drawer shows the claims for the admin to settle.
  const alexUdid = devices["Alex's iPhone"]?.spec.udid as string;
  for (const email of [
    'suzuki.hanako@example.com',
    'suzuki.hanako@example.com',
    'takahashi.misaki.long-address@sales.example.co.jp',
  ]) {
    const res = await call('POST', '/api/enrollments', { userId: users[email], platform: 'ios' });
    const claimant = new EmulatedAppleDevice({ ...iphoneSpec(20), udid: alexUdid }, { caPem });
    try {
      expect((await claimant.downloadProfile(res.json<{ profileUrl: string }>().profileUrl)).status).toBe(200);
      expect(await claimant.scep()).toEqual({ status: 'SUCCESS' });
      expect((await claimant.enrollMdm())[0]?.status).toBe(400);
    } finally {
      claimant.close();
    }
  }

  // The push certificate (same topic) now expires in 25 days.
  const renewed = fakePushCertificate({ now: clock.now(), days: 25, uid: pki.topic });
  await call('PUT', '/api/push/certificate', { certificatePem: renewed.certPem, privateKeyPem: renewed.keyPem });

  return {
    h,
    sink,
    apns,
    clock,
    users,
    devices,
    android,
    async close() {
      for (const d of Object.values(devices)) d.close();
      android.close();
      await h.stop();
      await apns.close();
      await sink.close();
    },
  };
}
