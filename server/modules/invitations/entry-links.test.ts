import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_CTX } from '../../../tests/helpers/foundation.js';
import { testPublicCa } from '../../../tests/helpers/public-cert.js';
import { createServices, type Services } from '../../compose.js';
import { FakeClock } from '../../core/clock.js';
import { argon2Hasher } from '../../core/password.js';
import { SeededRandom } from '../../core/random.js';
import { migrate } from '../../db/migrate.js';
import { openDatabase, type Db } from '../../db/open.js';
import type { MailTransport, OutgoingMail } from '../mail/mail.service.js';
import { createSecretBox } from '../secrets/secret-box.js';
import { createEntryLinks } from './entry-links.js';
import { linkQrPng } from './invitation-mail.js';

const DEVICE = 'https://mdm.office.test:8443';
const BOOTSTRAP = 'http://mdm.office.test:8080';

describe('createEntryLinks', () => {
  const links = (officeCa: boolean) =>
    createEntryLinks({
      urls: { current: () => ({ version: 3, key: 'k3y' }) },
      officeCa: () => officeCa,
      deviceBaseUrl: () => DEVICE,
      bootstrapBaseUrl: () => BOOTSTRAP,
    });

  it('leads through the first-visit page while the office CA is in use, the token only in the fragment', () => {
    const l = links(true);
    expect(l.throughFirstVisit()).toBe(true);
    expect(l.invitation('T0k3n_-x')).toBe(`${BOOTSTRAP}/e/k3y/go#invite=T0k3n_-x`);
    expect(l.portal()).toBe(`${BOOTSTRAP}/e/k3y/go`);
    expect(l.go()).toBe(`${BOOTSTRAP}/go`);
  });

  it('leads straight to the HTTPS portal with a publicly trusted certificate', () => {
    const l = links(false);
    expect(l.throughFirstVisit()).toBe(false);
    expect(l.invitation('T0k3n_-x')).toBe(`${DEVICE}/e/k3y/i/T0k3n_-x/go`);
    expect(l.portal()).toBe(`${DEVICE}/e/k3y/go`);
    expect(l.go()).toBe(`${DEVICE}/go`);
  });
});

/** A certificate for mdm.office.test from a stand-in public CA, as an admin would import it. */
function publicCertificate(now: Date): { certificatePem: string; privateKeyPem: string } {
  const { certPem, keyPem } = testPublicCa(now).server({ dns: ['mdm.office.test'] });
  return { certificatePem: certPem, privateKeyPem: keyPem };
}

describe('invitation emails', () => {
  let db: Db | null = null;
  afterEach(() => {
    db?.close();
    db = null;
  });

  /** Services with both listeners' addresses and a transport that keeps what it is asked to send. */
  function setup(): { s: Services; clock: FakeClock; sent: OutgoingMail[] } {
    db = openDatabase(':memory:');
    const clock = new FakeClock('2026-04-01T09:00:00.000Z');
    migrate(db, undefined, clock.now());
    const sent: OutgoingMail[] = [];
    const transport: MailTransport = {
      async send(_smtp, mail) {
        sent.push(mail);
        return { messageId: `<${sent.length}@test>` };
      },
    };
    const s = createServices({
      db,
      clock,
      random: new SeededRandom(7),
      hasher: argon2Hasher,
      secrets: createSecretBox(randomBytes(32)),
      caKeyBits: 2048,
      deviceBaseUrl: () => DEVICE,
      bootstrapBaseUrl: () => BOOTSTRAP,
      mailTransport: transport,
    });
    s.ca.ensureTlsCredential({ dnsNames: ['mdm.office.test'], ipAddresses: ['127.0.0.1'] });
    s.mail.updateSmtp(
      {
        host: 'smtp.office.test',
        port: 587,
        security: 'starttls',
        username: '',
        fromAddress: 'it@office.test',
        fromName: 'Office IT',
        allowSelfSigned: false,
      },
      TEST_CTX.actor,
      null,
    );
    return { s, clock, sent };
  }

  /** Invites a new user and returns the email that was sent, once the outbox has sent it. */
  async function inviteMail(s: Services, sent: OutgoingMail[], email: string): Promise<OutgoingMail> {
    const before = sent.length;
    const user = await s.users.create({ email, displayName: 'Yamada', locale: 'en' }, TEST_CTX);
    await s.invitations.invite([user.id], TEST_CTX);
    for (let i = 0; i < 50 && sent.length === before; i++) {
      await s.mail.dispatchDue();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const mail = sent[before];
    if (!mail) throw new Error('the invitation email was not sent');
    return mail;
  }

  /** The invitation token the link carries must be the one that opens the invitation. */
  const opens = (s: Services, token: string) => expect(() => s.invitations.open(token, null)).not.toThrow();

  it('while the office CA is in use: text, HTML and QR code lead to the first-visit page, the token in the fragment', async () => {
    const { s, sent } = setup();
    expect(s.ca.tlsMode()).toBe('office');
    const mail = await inviteMail(s, sent, 'office@example.com');
    const key = s.urls.current().key;
    const link = new RegExp(`${BOOTSTRAP}/e/${key}/go#invite=([A-Za-z0-9_-]{43})`).exec(mail.text);
    expect(link, mail.text).not.toBeNull();
    const [url, token] = link as unknown as [string, string];
    expect(mail.html).toContain(`href="${url}"`);
    // The QR code encodes exactly that address.
    const qr = mail.attachments?.find((a) => a.cid === 'enroll-qr');
    expect(qr?.content.equals(await linkQrPng(url))).toBe(true);
    // No address carries the token in a path, and nothing leads to HTTPS directly.
    expect(`${mail.text}\n${mail.html}`).not.toContain(`/i/${token}`);
    expect(`${mail.text}\n${mail.html}`).not.toContain(DEVICE);
    // The email says the link checks trust first.
    expect(mail.text).toContain('checks that your device trusts the office certificate');
    opens(s, token);
    expect(s.invitations.enrollmentUrl().url).toBe(`${BOOTSTRAP}/e/${key}/go`);
  });

  it('with an imported, publicly trusted certificate: straight to the HTTPS portal, as before', async () => {
    const { s, clock, sent } = setup();
    s.ca.importTls(publicCertificate(clock.now()), TEST_CTX.actor, null);
    expect(s.ca.tlsMode()).toBe('public');
    const mail = await inviteMail(s, sent, 'public@example.com');
    const key = s.urls.current().key;
    const link = new RegExp(`${DEVICE}/e/${key}/i/([A-Za-z0-9_-]{43})/go`).exec(mail.text);
    expect(link, mail.text).not.toBeNull();
    const [url, token] = link as unknown as [string, string];
    expect(mail.html).toContain(`href="${url}"`);
    const qr = mail.attachments?.find((a) => a.cid === 'enroll-qr');
    expect(qr?.content.equals(await linkQrPng(url))).toBe(true);
    expect(`${mail.text}\n${mail.html}`).not.toContain(BOOTSTRAP);
    expect(`${mail.text}\n${mail.html}`).not.toContain('#invite=');
    expect(mail.text).not.toContain('checks that your device trusts the office certificate');
    opens(s, token);
    expect(s.invitations.enrollmentUrl().url).toBe(`${DEVICE}/e/${key}/go`);
  });
});
