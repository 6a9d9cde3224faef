import { X509Certificate } from 'node:crypto';
import type { Services } from '../../server/compose.js';
import { buildPlist } from '../../server/core/plist.js';
import type { Db } from '../../server/db/open.js';
import type { TestFoundation } from './foundation.js';
import { TEST_ADMIN, TEST_CTX } from './foundation.js';
import { issueTestIdentity, mdmSignature, type TestIdentity } from './mdm-identity.js';
import { fakePushCertificate } from './push-cert.js';
import { buildScepRequest, createCsr, parseCertRep, selfSignedIdentity, type CsrNameAttr } from './scep-client.js';
import { testKey } from './scep-fixtures.js';

// An enrolled, Active iPhone over the real services (an MDM identity, Authenticate and TokenUpdate), a configuration
// row for configuration challenges to name, and SCEP requests straight to the service: for the tests of the identities
// configurations carry.

export const CONFIG_TOPIC = 'com.apple.mgmt.External.e0bd1eac-1f17-4c8e-8a63-dd17d3dd35d9';

/** An Active device with its MDM identity. */
export interface ActiveDevice {
  deviceId: string;
  enrollmentId: string;
  udid: string;
  identity: TestIdentity;
}

/** Signs and sends a check-in message as the holder of `identity`. */
export function checkinAs(
  services: Services,
  identity: { certPem: string; keyPem: string },
  message: Record<string, string | Buffer>,
) {
  const body = buildPlist(message);
  return services.mdm.checkin(Buffer.from(body), mdmSignature(body, identity), '10.0.0.9');
}

/** What an Active device is made with: the services and the time they run on (a foundation, or a running server). */
export type DeviceMaker = { services: Services; clock: { now(): Date } };

/** Uploads a push certificate unless one is there. */
export function withPush(f: DeviceMaker): void {
  if (f.services.push.topic()) return;
  const pki = fakePushCertificate({ uid: CONFIG_TOPIC });
  f.services.push.upload({ certificatePem: pki.certPem, privateKeyPem: pki.keyPem }, TEST_ADMIN, null);
}

/** Enrolls an iPhone for a new user: MDM identity, Authenticate, TokenUpdate; the device is Active. */
export async function activeDevice(f: DeviceMaker, name: string): Promise<ActiveDevice> {
  withPush(f);
  const user = await f.services.users.create({ email: `${name}@example.com`, displayName: name }, TEST_CTX);
  const enrollmentId = f.services.enrollment.create({ userId: user.id, platform: 'ios' }, TEST_ADMIN, null).id;
  const identity = issueTestIdentity(f.services, enrollmentId, f.clock.now());
  const udid = `UDID-${name.toUpperCase()}`;
  const topic = f.services.push.topic() ?? CONFIG_TOPIC;
  await checkinAs(f.services, identity, { MessageType: 'Authenticate', Topic: topic, UDID: udid });
  await checkinAs(f.services, identity, {
    MessageType: 'TokenUpdate',
    Topic: topic,
    UDID: udid,
    Token: Buffer.alloc(32, 7),
    PushMagic: 'MAGIC-1',
  });
  const deviceId = f.services.enrollment.get(enrollmentId).deviceId;
  if (!deviceId) throw new Error('the test device did not enroll');
  return { deviceId, enrollmentId, udid, identity };
}

/** A configuration row (the library is another module's): challenges and certificates reference it. */
export function insertConfiguration(
  db: Pick<Db, 'prepare'>,
  id: string,
  kind: 'wifi' | 'vpn' | 'identity' = 'wifi',
): string {
  const at = '2026-01-01T00:00:00.000Z';
  db.prepare(
    `INSERT INTO configurations (id, name, description, kind, platforms, mac_channel, scope, version, created_by, created_at, updated_by, updated_at, deleted_at)
     VALUES (?, ?, NULL, ?, '["ios","macos"]', 'device', 'everyone', 1, 'test', ?, 'test', ?, NULL)`,
  ).run(id, `Configuration ${id}`, kind, at, at);
  return id;
}

/** A CSR subject asking for something the template does not say. */
export const EVIL_CSR_SUBJECT: CsrNameAttr[] = [
  { shortName: 'O', value: 'Apple' },
  { shortName: 'CN', value: 'evil' },
];

/** The outcome of one SCEP request to the service: the certificate (SUCCESS) or the failInfo. */
export type ScepOutcome = { certPem: string; keyPem: string } | { failInfo: string };

/** A PKCSReq with `challenge` for a fresh or named key, its CSR asking for `subject` (and SANs `dnsNames`). */
export async function scepEnroll(
  f: TestFoundation,
  challenge: string,
  o: { key?: string; subject?: CsrNameAttr[]; dnsNames?: string[] } = {},
): Promise<ScepOutcome> {
  const keyPem = testKey(o.key ?? 'configuration-identity');
  const csr = createCsr({
    keyPem,
    subject: o.subject ?? EVIL_CSR_SUBJECT,
    challenge,
    ...(o.dnsNames ? { dnsNames: o.dnsNames } : {}),
  });
  const caPem = f.services.ca.caCertificate().pem;
  const req = buildScepRequest({ csr, signer: selfSignedIdentity(keyPem), caCertPem: caPem });
  const result = parseCertRep(await f.services.scep.pkiOperation(req.der, {}), req);
  return result.status === 'SUCCESS'
    ? { certPem: result.certificatePem, keyPem }
    : { failInfo: result.status === 'FAILURE' ? result.failInfo : 'PENDING' };
}

/** A RenewalReq signed by `identity` for a new key. */
export async function scepRenew(
  f: TestFoundation,
  identity: { certPem: string; keyPem: string },
  key = 'configuration-renewed',
): Promise<ScepOutcome> {
  const keyPem = testKey(key);
  const csr = createCsr({ keyPem, subject: EVIL_CSR_SUBJECT });
  const req = buildScepRequest({
    messageType: 'RenewalReq',
    csr,
    signer: identity,
    caCertPem: f.services.ca.caCertificate().pem,
  });
  const result = parseCertRep(await f.services.scep.pkiOperation(req.der, {}), req);
  return result.status === 'SUCCESS'
    ? { certPem: result.certificatePem, keyPem }
    : { failInfo: result.status === 'FAILURE' ? result.failInfo : 'PENDING' };
}

/** The issued_certificates row of a PEM certificate. */
export function issuedRowOf(services: Services, certPem: string) {
  return services.issued.bySerial(new X509Certificate(certPem).serialNumber.toLowerCase().replace(/^(00)+(?=..)/, ''));
}

/** Narrows a SCEP outcome to its certificate, failing the test otherwise. */
export function issued(outcome: ScepOutcome): { certPem: string; keyPem: string } {
  if ('failInfo' in outcome) throw new Error(`expected a certificate, got failInfo ${outcome.failInfo}`);
  return outcome;
}
