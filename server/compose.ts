import type { Clock } from './core/clock.js';
import type { PasswordHasher } from './core/password.js';
import type { Random } from './core/random.js';
import type { Db } from './db/open.js';
import { createAdminsService, type AdminsService } from './modules/admins/admins.service.js';
import { createAdminsStore } from './modules/admins/admins.store.js';
import { createAuditService, type AuditService } from './modules/audit/audit.service.js';
import { createAuditStore } from './modules/audit/audit.store.js';
import { createCaService, type CaService, type TlsNames } from './modules/ca/ca.service.js';
import { createCaStore } from './modules/ca/ca.store.js';
import { createIssuedStore, type IssuedStore } from './modules/ca/issued.store.js';
import { createAgentService, type AgentService } from './modules/agent/agent.service.js';
import { createAgentStore } from './modules/agent/agent.store.js';
import { agentQrPayload } from './modules/agent/agent-qr.js';
import { AppError } from './core/errors.js';
import { createDeviceActionsService, type DeviceActionsService } from './modules/devices/device-actions.service.js';
import { createDevicesService, type DevicesService } from './modules/devices/devices.service.js';
import { createDevicesStore } from './modules/devices/devices.store.js';
import { createEnrollmentService, type EnrollmentService } from './modules/enrollment/enrollment.service.js';
import { createEnrollmentStore } from './modules/enrollment/enrollment.store.js';
import { challengePort, issuedCertificatePort } from './modules/enrollment/scep-ports.js';
import { createMdmService, type MdmService } from './modules/mdm/mdm.service.js';
import { createScepService, type ScepService } from './modules/scep/scep.service.js';
import { createMdmStore } from './modules/mdm/mdm.store.js';
import { createApnsClient, type ApnsClient } from './modules/push/apns-client.js';
import { createPushService, type PushService } from './modules/push/push.service.js';
import { createPushStore } from './modules/push/push.store.js';
import type { SecretBox } from './modules/secrets/secret-box.js';
import { createEnrollmentUrls, type EnrollmentUrls } from './modules/invitations/enrollment-url.js';
import { createInvitationsService, type InvitationsService } from './modules/invitations/invitations.service.js';
import { createInvitationsStore } from './modules/invitations/invitations.store.js';
import { createMailService, type MailService, type MailTransport } from './modules/mail/mail.service.js';
import { createMailStore } from './modules/mail/mail.store.js';
import { createPortalService, type PortalService } from './modules/portal/portal.service.js';
import { createPortalStore } from './modules/portal/portal.store.js';
import { createThrottle, type LockoutPolicy as ThrottlePolicy } from './modules/throttle/throttle.service.js';
import { createThrottleStore } from './modules/throttle/throttle.store.js';
import { createSettingsService, type SettingsService } from './modules/settings/settings.service.js';
import { createSettingsStore } from './modules/settings/settings.store.js';
import { createUsersService, type UsersService } from './modules/users/users.service.js';
import { createUsersStore, type UserRow } from './modules/users/users.store.js';

/** What the services are built from. */
export interface Foundation {
  db: Db;
  clock: Clock;
  random: Random;
  hasher: PasswordHasher;
  secrets: SecretBox;
  /** Base URL of the HTTPS device listener; known once it listens. */
  deviceBaseUrl?: () => string;
  lockout?: ThrottlePolicy;
  /** SMTP transport (nodemailer by default). */
  mailTransport?: MailTransport;
  organization?: string;
  caKeyBits?: number;
  tlsKeyBits?: number;
  /** Extra CA the APNs client trusts (the local APNs stand-in in tests). */
  apnsCa?: string;
  /** Called when a device should be woken, instead of pushing right away (tests). */
  onWake?: (deviceId: string) => void;
  /** Logs background failures (pushes after a check-in). */
  logError?: (err: unknown, message: string) => void;
  /** The names the generated TLS certificate must cover (configured host names and LAN addresses). */
  tlsNames?: () => TlsNames;
  /** Loads a new TLS credential into the running device listener. */
  onTlsChanged?: (credential: { keyPem: string; certPem: string; chainPem: string }) => void;
}

/** Every domain service, wired together. */
export interface Services {
  audit: AuditService;
  admins: AdminsService;
  users: UsersService;
  settings: SettingsService;
  ca: CaService;
  issued: IssuedStore;
  enrollment: EnrollmentService;
  devices: DevicesService;
  mdm: MdmService;
  push: PushService;
  scep: ScepService;
  mail: MailService;
  invitations: InvitationsService;
  /** The versioned enrollment URL keys (`/e/<key>/go`). */
  urls: EnrollmentUrls;
  portal: PortalService;
  agent: AgentService;
  deviceActions: DeviceActionsService;
  /** Expires invitations, queues reminders, sends due mail: run by the scheduler in start.ts. */
  tick(): Promise<void>;
  /** The names the generated TLS certificate covers. */
  tlsNames: () => TlsNames;
  /** Closes outgoing connections (APNs). */
  close(): Promise<void>;
}

/** Builds the stores and services over one database; the composition root of the server. */
export function createServices(f: Foundation): Services {
  const { db, clock, random, hasher, secrets } = f;
  const organization = f.organization ?? 'Tsunagu';
  const transaction = <T>(fn: () => T): T => db.transaction(fn).immediate();
  const deviceBaseUrl = f.deviceBaseUrl ?? (() => 'https://localhost:8443');
  const audit = createAuditService({ store: createAuditStore(db), clock, random });
  const settingsStore = createSettingsStore(db);
  const settings = createSettingsService({
    store: settingsStore,
    audit,
    clock,
    transaction,
    newId: () => random.uuid(),
  });
  const usersStore = createUsersStore(db);
  const ca = createCaService({
    store: createCaStore(db),
    secrets,
    audit,
    clock,
    random,
    organization,
    ...(f.onTlsChanged ? { onTlsChanged: f.onTlsChanged } : {}),
    ...(f.caKeyBits ? { caKeyBits: f.caKeyBits } : {}),
    ...(f.tlsKeyBits ? { tlsKeyBits: f.tlsKeyBits } : {}),
  });
  const issued = createIssuedStore(db);
  const mdmStore = createMdmStore(db);
  const devicesStore = createDevicesStore(db);
  const enrollmentStore = createEnrollmentStore(db);
  const throttle = createThrottle({
    store: createThrottleStore(db),
    clock,
    ...(f.lockout ? { policy: f.lockout } : {}),
  });
  // Late-bound: invitations and enrollments follow each other (profile downloaded, enrolled, revoked).
  let invitations: InvitationsService | null = null;
  let kick = () => undefined as void;
  const mail = createMailService({
    store: createMailStore(db),
    settingsStore,
    secrets,
    audit,
    clock,
    random,
    ...(f.mailTransport ? { transport: f.mailTransport } : {}),
    onSent: (row) => {
      if (row.ref_id && row.kind !== 'test') invitations?.mailSent(row.ref_id);
    },
    kick: () => kick(),
  });

  let apns: ApnsClient | null = null;
  let deviceActions: DeviceActionsService | null = null;
  const push: PushService = createPushService({
    store: createPushStore(db),
    settingsStore,
    mdm: mdmStore,
    secrets,
    audit,
    clock,
    organization,
    onDeadToken: (deviceId, channel, reason) => {
      if (channel === 'device') deviceActions?.markReset(deviceId, `APNs answered ${reason}`);
    },
    apns: () =>
      (apns ??= createApnsClient({
        baseUrl: () => push.settings().apnsBaseUrl,
        credentials: () => push.credentials(),
        ...(f.apnsCa ? { ca: f.apnsCa } : {}),
      })),
  });
  const topic = () => push.topic();
  const enrollment = createEnrollmentService({
    store: enrollmentStore,
    users: usersStore,
    settings,
    ca,
    signer: () => ca.currentTls(),
    topic,
    deviceBaseUrl,
    // With an imported public certificate the device already trusts the server; no need to install our root.
    includeRoot: () => ca.currentTls().source === 'generated',
    serverId: () => settings.instanceId(),
    organization,
    audit,
    clock,
    random,
    transaction,
    deviceCount: (userId) =>
      devicesStore.count({ userId, status: 'active' }) + devicesStore.count({ userId, status: 'pending' }),
    onProfileDownloaded: (row) => {
      if (row.invitation_id) invitations?.advance(row.invitation_id, 'profile_downloaded');
    },
    onEnrolled: (row) => {
      if (row.invitation_id) invitations?.advance(row.invitation_id, 'enrolled');
    },
    onAbandoned: (row) => {
      if (!row.device_id) return;
      mdm.shutDown(row.device_id, 'enrollment cancelled during profile install');
      const device = devicesStore.byId(row.device_id);
      if (device && device.status === 'pending')
        devicesStore.update(row.device_id, {
          status: 'inactive',
          status_reason: 'install_cancelled',
          updated_at: clock.now().toISOString(),
        });
    },
  });
  const urls = createEnrollmentUrls({ store: settingsStore, clock, random });
  invitations = createInvitationsService({
    store: createInvitationsStore(db),
    users: usersStore,
    mail,
    settings,
    urls,
    secrets,
    hasher,
    audit,
    clock,
    random,
    transaction,
    organization,
    deviceBaseUrl,
    closeEnrollments: (id, reason) => enrollment.closeForInvitation(id, reason),
    kick: () => kick(),
  });
  const devices = createDevicesService({ store: devicesStore });
  // The agent enrollment QR code (the portal's and the console's): a single-use token, and the office CA to pin by
  // fingerprint, since the agent cannot trust it yet.
  const agentEnrollmentQr = (user: UserRow, sourceAddress: string | null) => {
    const { token, expiresAt } = portal.createSignInToken({ user }, 'agent', sourceAddress);
    return {
      payload: agentQrPayload({ server: deviceBaseUrl(), token, caFingerprint256: ca.caCertificate().fingerprint256 }),
      expiresAt,
    };
  };
  const portal: PortalService = createPortalService({
    store: createPortalStore(db),
    users: usersStore,
    invitations,
    enrollment,
    urls,
    deviceBaseUrl,
    devicesOf: (userId, limit) => devices.list({ userId, limit }).items,
    agentEnrollmentQr,
    throttle,
    hasher,
    audit,
    clock,
    random,
    transaction,
  });
  kick = () => {
    mail.dispatchDue().catch((err: unknown) => f.logError?.(err, 'mail dispatch failed'));
  };
  const wake =
    f.onWake ??
    ((deviceId: string) => {
      push.pushDevice(deviceId).catch((err: unknown) => f.logError?.(err, `push to device ${deviceId} failed`));
    });
  const mdm = createMdmService({
    store: mdmStore,
    devices: devicesStore,
    issued,
    enrollments: enrollmentStore,
    enrollment,
    ca,
    secrets,
    topic,
    wake,
    serverId: () => settings.instanceId(),
    audit,
    clock,
    random,
    transaction,
  });
  const scep: ScepService = createScepService({
    ca: () => ca.ensureOfficeCa(),
    challenges: challengePort(enrollment),
    certificates: issuedCertificatePort(issued, clock),
    audit,
    clock,
    random,
    transaction,
  });
  const agent = createAgentService({
    store: createAgentStore(db),
    devices: devicesStore,
    enrollment,
    portal,
    invitationFor: (userId) => invitations?.openFor(userId)?.id ?? null,
    localeOf: (userId) => (userId ? usersStore.byId(userId)?.locale : undefined) ?? 'ja',
    audit,
    clock,
    random,
    transaction,
  });
  deviceActions = createDeviceActionsService({
    devices: devicesStore,
    mdm,
    agent,
    serverId: () => settings.instanceId(),
    enrollmentsPerDay: (from) => enrollment.enrolledPerDay(from),
    audit,
    clock,
    transaction,
    enrollment,
    agentQr: (userId, _actor, sourceAddress) => {
      const user = usersStore.byId(userId);
      if (!user) throw new AppError('USER_NOT_FOUND', "The device's user no longer exists.");
      return agentEnrollmentQr(user, sourceAddress);
    },
  });
  const liveInvitations = invitations;
  return {
    audit,
    scep,
    mail,
    invitations: liveInvitations,
    urls,
    portal,
    agent,
    deviceActions,
    async tick() {
      await liveInvitations.tick();
      enrollment.closeAbandoned(60);
      await mail.dispatchDue();
    },
    tlsNames: f.tlsNames ?? (() => ({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] })),
    admins: createAdminsService({ store: createAdminsStore(db), audit, clock, random, hasher, transaction, throttle }),
    users: createUsersService({ store: usersStore, audit, clock, random, hasher, transaction }),
    settings,
    ca,
    issued,
    enrollment,
    devices,
    mdm,
    push,
    async close() {
      await apns?.close();
      await scep.close();
    },
  };
}
