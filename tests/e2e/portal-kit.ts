// Shared pieces of the /go portal specs: an in-process server on a clock that can jump ahead, a real SMTP server,
// browser contexts that look like an iPhone or a Mac, and reading invitations out of the emails.
import { expect, type Browser, type BrowserContext, type ConsoleMessage, type Page } from '@playwright/test';
import type { ParsedMail } from 'mailparser';
import type { Clock } from '../../server/core/clock.js';
import { startApnsMock, type ApnsMock } from '../helpers/apns-mock.js';
import { fakePushCertificate } from '../helpers/push-cert.js';
import { invitationLinkIn } from '../helpers/first-visit.js';
import { HARNESS_ADMIN, local, startHarness, type Harness } from '../helpers/server-harness.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { linkIn, mailsTo, pinIn, waitForMails } from './console-kit.js';

/** Safari on an iPhone. */
export const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
/** Safari on a Mac. */
export const MAC_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';

/** The two kinds of browser the portal is checked in. */
export const BROWSERS = {
  phone: { userAgent: IPHONE_UA, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  desktop: { userAgent: MAC_UA, viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false },
} as const;

/**
 * Wall-clock time plus an offset the test moves forward. The server and the page's countdown then agree on how
 * time passes (a frozen clock would make the page's countdown jump back at every status poll), and expiry can
 * still be reached at once by jumping ahead.
 */
export class JumpingClock implements Clock {
  private offset = 0;

  now(): Date {
    return new Date(Date.now() + this.offset);
  }

  /** Jumps `ms` milliseconds ahead. */
  advance(ms: number): void {
    this.offset += ms;
  }
}

/** The server, its SMTP server and APNs stand-in, and helpers over them. */
export interface PortalWorld {
  h: Harness;
  sink: SmtpSink;
  apns: ApnsMock;
  clock: JumpingClock;
  caPem: string;
  /** The device listener on 127.0.0.1, e.g. https://127.0.0.1:41234 */
  origin: string;
  /** Adds a user (no password: the invitation carries a PIN); returns the id. */
  addUser(email: string, displayName: string, locale: 'ja' | 'en', password?: string): Promise<string>;
  /**
   * Sends an invitation and waits for its email; returns the link as the email has it (`entry`: the first-visit page
   * on the plain-HTTP bootstrap listener, the token in its fragment), the HTTPS portal page it hands on to (`link`, on
   * 127.0.0.1), and the PIN.
   */
  invite(email: string): Promise<{ entry: string; link: string; pin: string; mail: ParsedMail }>;
  /** Jumps the clock ahead, signs the admin API client in again, and runs the scheduled work. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts the world: push certificate, SMTP to the sink, APNs to the stand-in. */
export async function startPortalWorld(): Promise<PortalWorld> {
  const clock = new JumpingClock();
  const sink = await startSmtpSink();
  const pki = fakePushCertificate();
  const apns = await startApnsMock(pki.appleCaPem);
  const h = await startHarness({ clock, apnsCa: apns.caPem });
  const caPem = h.server.services.ca.caCertificate().pem;
  const origin = local(h.server.enrollmentUrl).replace(/\/$/, '');
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await h.admin.call(method, path, body);
    expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
    return res;
  };
  await ok('PUT', '/api/push/certificate', { certificatePem: pki.certPem, privateKeyPem: pki.keyPem });
  await ok('PUT', '/api/push/settings', { apnsBaseUrl: apns.url });
  await ok('PUT', '/api/mail/smtp', {
    host: '127.0.0.1',
    port: sink.port,
    security: 'none',
    username: '',
    fromAddress: 'it@office.example',
    fromName: 'Office IT',
    allowSelfSigned: false,
  });
  const settings = (await ok('GET', '/api/settings/users')).json<{ settings: Record<string, unknown> }>().settings;
  await ok('PUT', '/api/settings/users', { ...settings, deviceLimitPerUser: 50 });
  const users: Record<string, string> = {};
  return {
    h,
    sink,
    apns,
    clock,
    caPem,
    origin,
    async addUser(email, displayName, locale, password) {
      users[email] = (
        await ok('POST', '/api/users', { email, displayName, locale, ...(password ? { password } : {}) })
      ).json<{ id: string }>().id;
      return users[email] as string;
    },
    async invite(email) {
      const before = mailsTo(sink.messages, email).length;
      await ok('POST', '/api/invitations', { userIds: [users[email]] });
      // A send requested while another is under way waits for the next scheduler tick: run two.
      await h.server.services.tick();
      await h.server.services.tick();
      const mail = (await waitForMails(sink.messages, email, before + 1)).at(-1) as ParsedMail;
      return { entry: invitationLinkIn(mail.text ?? ''), link: linkIn(mail, origin), pin: pinIn(mail) ?? '', mail };
    },
    async advance(ms) {
      clock.advance(ms);
      await ok('POST', '/api/auth/login', { email: HARNESS_ADMIN.email, password: HARNESS_ADMIN.password });
      await h.server.services.tick();
    },
    async close() {
      await h.stop();
      await apns.close();
      await sink.close();
    },
  };
}

/** A page watched for script errors and console errors (CSP violations included); refused requests are expected. */
export interface PortalPage {
  context: BrowserContext;
  page: Page;
  problems: string[];
  assertClean(): void;
}

/** Opens a browser that looks like an iPhone (phone) or a Mac (desktop), trusting the office TLS certificate. */
export async function openPortal(
  browser: Browser,
  kind: keyof typeof BROWSERS,
  locale: 'ja-JP' | 'en-US',
): Promise<PortalPage> {
  const context = await browser.newContext({
    ...BROWSERS[kind],
    locale,
    ignoreHTTPSErrors: true,
    acceptDownloads: true,
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  // The portal answers a wrong PIN with 401, a locked one with 423, a dead link with 404/409/410: on purpose.
  const expected = (m: ConsoleMessage) =>
    /^Failed to load resource: the server responded with a status of 4\d\d\b/.test(m.text());
  page.on('console', (m) => {
    if (m.type() === 'error' && !expected(m)) problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return {
    context,
    page,
    problems,
    assertClean() {
      if (problems.length > 0)
        throw new Error(`The page reported ${problems.length} problem(s):\n${problems.join('\n')}`);
    },
  };
}

/** The portal session cookie of a context, as a Cookie header for the device emulator. */
export async function portalCookie(context: BrowserContext, origin: string): Promise<string> {
  return (await context.cookies(origin)).map((c) => `${c.name}=${c.value}`).join('; ');
}

/** The countdown's seconds, from its "m:ss" text. */
export async function countdownSeconds(page: Page): Promise<number> {
  const text = (await page.locator('#countdown').textContent()) ?? '';
  const m = /^(\d+):(\d{2})$/.exec(text.trim());
  if (!m) throw new Error(`the countdown reads "${text}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}
