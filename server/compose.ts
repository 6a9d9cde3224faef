import type { Clock } from './core/clock.js';
import { normalizeEmail } from './core/ids.js';
import { createEventBus } from './core/events.js';
import type { PasswordHasher } from './core/password.js';
import type { Random } from './core/random.js';
import type { Db } from './db/open.js';
import { createAdminsService, type AdminsService } from './modules/admins/admins.service.js';
import { createAdminsStore } from './modules/admins/admins.store.js';
import { createAuditService, type AuditService } from './modules/audit/audit.service.js';
import { createAuditStore } from './modules/audit/audit.store.js';
import { createBackupService, type BackupService } from './modules/backup/backup.service.js';
import {
  createRestoreService,
  DEFAULT_RESTORE_MAX_BYTES,
  type RestoreDeps,
  type RestoreService,
} from './modules/backup/restore.service.js';
import { createCaService, type CaService, type TlsCredentials, type TlsNames } from './modules/ca/ca.service.js';
import { createCaStore } from './modules/ca/ca.store.js';
import { createIssuedStore, type IssuedStore } from './modules/ca/issued.store.js';
import { createAgentService, type AgentService } from './modules/agent/agent.service.js';
import { createAgentStore } from './modules/agent/agent.store.js';
import type { AgentDelivery } from './modules/configurations/ports.js';
import { createDeviceActionsService, type DeviceActionsService } from './modules/devices/device-actions.service.js';
import { createDevicesService, type DevicesService } from './modules/devices/devices.service.js';
import { createClaimConflictsStore } from './modules/devices/claim-conflicts.store.js';
import { createDeviceLifecycle, type DeviceLifecycle } from './modules/devices/device-lifecycle.service.js';
import { createDevicesStore } from './modules/devices/devices.store.js';
import { createEnrollmentService, type EnrollmentService } from './modules/enrollment/enrollment.service.js';
import { createEnrollmentStore } from './modules/enrollment/enrollment.store.js';
import { challengePort, identityTemplatePort, issuedCertificatePort } from './modules/enrollment/scep-ports.js';
import { createIdentityChallenges, type DeviceBinding } from './modules/enrollment/identity-challenges.js';
import type { IdentityChallenges } from './modules/configurations/ports.js';
import { createMdmService, type MdmService } from './modules/mdm/mdm.service.js';
import { createScepService, type ScepService } from './modules/scep/scep.service.js';
import { createMdmStore } from './modules/mdm/mdm.store.js';
import { createPushService, type PushService } from './modules/push/push.service.js';
import { createPushStore } from './modules/push/push.store.js';
import type { SecretBox } from './modules/secrets/secret-box.js';
import { createEnrollmentUrls, type EnrollmentUrls } from './modules/invitations/enrollment-url.js';
import { createEntryLinks, type EntryLinks } from './modules/invitations/entry-links.js';
import { createInvitationsService, type InvitationsService } from './modules/invitations/invitations.service.js';
import { createInvitationsStore } from './modules/invitations/invitations.store.js';
import { createMailService, type MailService, type MailTransport } from './modules/mail/mail.service.js';
import { createMailStore } from './modules/mail/mail.store.js';
import { createHelperService, type HelperService } from './modules/helper/helper.service.js';
import { createHelperBuildService, type HelperBuildService } from './modules/helper-builds/helper-build.service.js';
import { createPortalService, type PortalService } from './modules/portal/portal.service.js';
import { createPortalStore } from './modules/portal/portal.store.js';
import { createHousekeeping, type HousekeepingCounts } from './modules/housekeeping/housekeeping.service.js';
import {
  createThrottle,
  portalEmailKey,
  type LockoutPolicy as ThrottlePolicy,
  type Throttle,
} from './modules/throttle/throttle.service.js';
import { createThrottleStore } from './modules/throttle/throttle.store.js';
import { createSettingsService, type SettingsService } from './modules/settings/settings.service.js';
import { createSettingsStore } from './modules/settings/settings.store.js';
import { createUsersService, type UserEffects, type UsersService } from './modules/users/users.service.js';
import { createUsersStore } from './modules/users/users.store.js';
import { createDashboardService, type DashboardService } from './modules/dashboard/dashboard.service.js';
import {
  createConfigurationsService,
  type ConfigurationsService,
} from './modules/configurations/configurations.service.js';
import { createConfigurationsStore } from './modules/configurations/configurations.store.js';
import type { ListenerStateDto } from './contract/dashboard.js';
import {
  createDirectoryService,
  type DirectoryLimits,
  type DirectoryService,
} from './modules/directory/directory.service.js';
import { createDirectoryStore } from './modules/directory/directory.store.js';
import type { DirectoryTimeouts } from './modules/directory/directory-client.js';
import { createOnboardingService, type OnboardingService } from './modules/onboarding/onboarding.service.js';
import { createOnboardingStore } from './modules/onboarding/onboarding.store.js';
import { createLiveService, type LiveService } from './modules/live/live.service.js';
import { createDeliveryService, type DeliveryService } from './modules/configurations/delivery.service.js';
import { createDeliveryStore } from './modules/configurations/delivery.store.js';

/** What the services are built from. */
export interface Foundation {
  db: Db;
  clock: Clock;
  random: Random;
  hasher: PasswordHasher;
  secrets: SecretBox;
  /**
   * Base URL of the HTTPS device listener under the office name (configured host name or LAN address); known once it
   * listens. In public mode the services use the imported certificate's name instead (`Services.deviceBaseUrl`).
   */
  deviceBaseUrl?: () => string;
  /** Base URL of the plain-HTTP bootstrap listener, e.g. http://mdm.office.lan:8080; known once it listens. */
  bootstrapBaseUrl?: () => string;
  lockout?: ThrottlePolicy;
  /** SMTP transport (nodemailer by default). */
  mailTransport?: MailTransport;
  organization?: string;
  caKeyBits?: number;
  tlsKeyBits?: number;
  /** Extra CA the APNs client trusts (the local APNs stand-in in tests). */
  apnsCa?: string;
  /** Configurations on the Android agent's channel in place of the delivery service's (unit tests of the agent). */
  agentDelivery?: AgentDelivery;
  /** Called when a device should be woken, instead of pushing right away (tests). */
  onWake?: (deviceId: string) => void;
  /** Logs background failures (pushes after a check-in). */
  logError?: (err: unknown, message: string) => void;
  /** The names the generated TLS certificate must cover (configured host names and LAN addresses). */
  tlsNames?: () => TlsNames;
  /** Loads changed TLS credentials (the office one, and the public one in public mode) into the running listeners. */
  onTlsChanged?: (credentials: TlsCredentials) => void;
  /**
   * Where the admin's upload of the macOS helper is kept (a folder in the data directory), and the build shipped with
   * the server (TSUNAGU_HELPER_BUILD); without a folder, uploads are refused.
   */
  helperBuilds?: { dir: string | null; bundled: string | null };
  /**
   * Where the console's backup download is made (the data directory), and the seal of the data key under a passphrase
   * (a closure over the key start.ts holds); without it, the download is refused.
   */
  /** How the running server's console listens (for the console's LAN setting); absent: loopback, not from env. */
  consoleAccess?: { lanAdminNow: boolean; fromEnv: boolean };
  backup?: {
    dir: string;
    sealDataKey: (passphrase: string) => Promise<string>;
    /** The console's restore: what it needs besides the data directory (absent: the console cannot restore). */
    restore?: Pick<RestoreDeps, 'maxBytes' | 'keyProblem' | 'requestRestart'>;
  };
  /** TSUNAGU_HOSTNAMES when set: the host names are then not the console's to change. */
  hostnamesFromEnv?: readonly string[] | null;
  /** This machine's LAN addresses as start.ts finds them (absent: the TLS names' addresses other than loopback). */
  lanAddresses?: () => string[];
  /** The device, bootstrap and admin listeners as start.ts knows them (URL, bind, whether they listen); none in tests without listeners. */
  listeners?: () => ListenerStateDto[];
  /** Time limits and size limits of directory (LDAP) conversations; defaults in directory-client.ts and directory.service.ts. */
  directory?: { timeouts?: DirectoryTimeouts; limits?: DirectoryLimits };
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
  /**
   * One-time SCEP challenges for the identities configurations carry (Wi-Fi EAP-TLS, VPN, per-user identity): delivery
   * calls `mint` when it renders a configuration's InstallProfile.
   */
  identityChallenges: IdentityChallenges;
  devices: DevicesService;
  mdm: MdmService;
  push: PushService;
  scep: ScepService;
  mail: MailService;
  invitations: InvitationsService;
  /** The versioned enrollment URL keys (`/e/<key>/go`). */
  urls: EnrollmentUrls;
  /** The addresses people are given to reach the portal (through the first-visit page while the office CA is in use). */
  links: EntryLinks;
  portal: PortalService;
  /** The macOS guided-install helper's API (/helper/v1). */
  helper: HelperService;
  /** The macOS helper build the portal offers: the admin's upload or the shipped one. */
  helperBuilds: HelperBuildService;
  /** The console's backup download (database and sealed data key in one file). */
  backup: BackupService;
  /** The console's restore (upload, verify, stage, restart). */
  restore: RestoreService;
  agent: AgentService;
  deviceActions: DeviceActionsService;
  /** The one writer of device status, user and binding. */
  lifecycle: DeviceLifecycle;
  /**
   * Expires invitations, queues reminders, sends due mail, purges what expired (sessions, sign-in tokens, challenges,
   * old mail): run by the scheduler in start.ts, which logs what was purged.
   */
  tick(): Promise<{ purged: HousekeepingCounts }>;
  /** The names the generated TLS certificate covers. */
  tlsNames: () => TlsNames;
  /** The device base URL links use now: under the public certificate's name in public mode, the office one otherwise. */
  deviceBaseUrl: () => string;
  /** Closes outgoing connections (APNs). */
  close(): Promise<void>;
  /** The console's home page: counts, expiry warnings, mail failures, addresses and listeners in one read. */
  dashboard: DashboardService;
  /** The LDAP connector: settings, test, preview, import and scheduled sync of directory users. */
  directory: DirectoryService;
  /** The console's setup wizard: organisation, host names, CA import, checklist. */
  onboarding: OnboardingService;
  /** The console's live updates (GET /api/events), fed by the audit trail after each commit. */
  live: LiveService;
  /** The configuration library (Wi-Fi, VPN, passcode, ... profiles assigned after enrollment). */
  configurations: ConfigurationsService;
  /** Configurations on devices: reconciliation, MDM follow-ups, state lists (the one writer of device_configurations). */
  delivery: DeliveryService;
}

/**
 * Builds the stores and services over one database: the composition root of the server. It only wires: each
 * service gets its dependencies, and the cross-module reactions subscribe the reacting service's handler to
 * the event bus (server/core/events.ts), so no module imports the module it follows.
 */
export function createServices(f: Foundation): Services {
  const { db, clock, random, hasher, secrets } = f;
  const transaction = <T>(fn: () => T): T => db.transaction(fn).immediate();
  const officeBaseUrl = f.deviceBaseUrl ?? (() => 'https://localhost:8443');
  const bootstrapBaseUrl = f.bootstrapBaseUrl ?? (() => 'http://localhost:8080');
  const logError = f.logError ?? (() => undefined);
  const events = createEventBus();

  // The live updates read the committed trail after each audit write's transaction is over.
  const liveTrail = createAuditService({ store: createAuditStore(db), clock, random });
  const live = createLiveService({
    source: { after: liveTrail.after, head: liveTrail.head, inTransaction: () => db.inTransaction },
    now: () => clock.now(),
  });
  const audit = createAuditService({ store: createAuditStore(db), clock, random, onRecorded: () => live.nudge() });
  const settingsStore = createSettingsStore(db);
  const onboardingStore = createOnboardingStore(settingsStore);
  // The organisation name is read when used (the wizard changes it at run time): services get it through a getter.
  let onboarding: OnboardingService | null = null;
  const organizationNow = () =>
    onboarding?.organization() ?? onboardingStore.organization() ?? f.organization ?? 'Tsunagu';
  const settings = createSettingsService({
    store: settingsStore,
    audit,
    clock,
    transaction,
    newId: () => random.uuid(),
  });
  const serverId = () => settings.instanceId();
  const usersStore = createUsersStore(db);
  const ca = createCaService({
    store: createCaStore(db),
    secrets,
    audit,
    clock,
    random,
    transaction,
    get organization() {
      return organizationNow();
    },
    officeBaseUrl,
    ...(f.onTlsChanged ? { onTlsChanged: f.onTlsChanged } : {}),
    ...(f.caKeyBits ? { caKeyBits: f.caKeyBits } : {}),
    ...(f.tlsKeyBits ? { tlsKeyBits: f.tlsKeyBits } : {}),
  });
  // Every link, profile URL and QR payload is built from this: it follows the TLS mode at once.
  const deviceBaseUrl = () => ca.deviceBaseUrl();
  const issued = createIssuedStore(db);
  const mdmStore = createMdmStore(db);
  const devicesStore = createDevicesStore(db);
  const devices = createDevicesService({ store: devicesStore });
  const issuedBind = (serial: string, deviceId: string) => issued.bindDevice(serial, deviceId);
  const throttle = createThrottle({
    store: createThrottleStore(db),
    clock,
    ...(f.lockout ? { policy: f.lockout } : {}),
  });
  const mail = createMailService({
    store: createMailStore(db),
    settingsStore,
    secrets,
    audit,
    clock,
    random,
    events,
    schedule: (task) => void setImmediate(task),
    logError,
    ...(f.mailTransport ? { transport: f.mailTransport } : {}),
  });
  const push = createPushService({
    store: createPushStore(db),
    settingsStore,
    mdm: mdmStore,
    secrets,
    audit,
    clock,
    get organization() {
      return organizationNow();
    },
    events,
    logError,
    ...(f.apnsCa ? { apnsCa: f.apnsCa } : {}),
  });
  const lifecycle = createDeviceLifecycle({
    devices: devicesStore,
    conflicts: createClaimConflictsStore(db),
    audit,
    clock,
    random,
    transaction,
    bindCertificate: issuedBind,
    agentSilentMs: () => settings.userSettings().agentSilentDays * 86_400_000,
    proveTokenGone: (deviceId) => push.proveTokenGone(deviceId),
    events,
  });
  const topic = () => push.topic();
  const deviceBinding: DeviceBinding = (deviceId) => {
    const row = devicesStore.byId(deviceId);
    return row && { status: row.status, enrollmentId: row.enrollment_id, deleted: row.deleted_at !== null };
  };
  const enrollmentStore = createEnrollmentStore(db);
  const identityChallenges = createIdentityChallenges({
    store: enrollmentStore,
    devices: deviceBinding,
    clock,
    random,
    transaction,
  });
  const enrollment = createEnrollmentService({
    store: enrollmentStore,
    users: usersStore,
    settings,
    ca,
    signer: () => ca.currentTls(),
    topic,
    deviceBaseUrl,
    bootstrapBaseUrl,
    // With an imported public certificate the device already trusts the server: no root to install, nothing to pin.
    tlsTrust: () => (ca.tlsMode() === 'office' ? 'office-ca' : 'public'),
    serverId,
    get organization() {
      return organizationNow();
    },
    audit,
    clock,
    random,
    transaction,
    deviceCount: (userId) => devices.inUse(userId),
    devices: deviceBinding,
    events,
  });
  const urls = createEnrollmentUrls({ store: settingsStore, clock, random });
  const links = createEntryLinks({
    urls,
    officeCa: () => ca.tlsMode() === 'office',
    deviceBaseUrl,
    bootstrapBaseUrl,
  });
  const invitations = createInvitationsService({
    store: createInvitationsStore(db),
    throttle,
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
    get organization() {
      return organizationNow();
    },
    links,
    closeEnrollments: (id, reason) => enrollment.closeForInvitation(id, reason),
  });
  const portal = createPortalService({
    store: createPortalStore(db),
    users: usersStore,
    invitations,
    enrollment,
    urls,
    deviceBaseUrl,
    caFingerprint256: () => ca.caCertificate().fingerprint256,
    devicesOf: (userId, limit) => devices.list({ userId, limit }).items,
    claimsWaiting: (userId) => lifecycle.waitingClaims(userId).length,
    agentEnrollmentQr: (user, sourceAddress) => agent.enrollmentQr(user.id, sourceAddress),
    throttle,
    // Late-bound: the directory service is built further down.
    directorySignIn: (user, typed, password) => directory.authenticate(user, typed, password),
    directoryLogins: () => directory.settings().configured,
    hasher,
    audit,
    clock,
    random,
    transaction,
  });
  const helper = createHelperService({
    portal,
    get organisation() {
      return organizationNow();
    },
    deviceBaseUrl,
    caFingerprint256: () => ca.caCertificate().fingerprint256,
    urlKey: () => urls.current().key,
    clock,
  });
  const helperBuilds = createHelperBuildService({
    dir: f.helperBuilds?.dir ?? null,
    bundled: f.helperBuilds?.bundled ?? null,
    store: settingsStore,
    deviceBaseUrl,
    audit,
    clock,
    random,
    transaction,
  });
  const mdm = createMdmService({
    store: mdmStore,
    devices: devicesStore,
    lifecycle,
    users: usersStore,
    issued,
    enrollment,
    ca,
    secrets,
    topic,
    wake: f.onWake ?? push.wake,
    serverId,
    audit,
    clock,
    random,
    transaction,
    // Late-bound: delivery is built on the MDM queue below.
    hooks: {
      answered: (outcome) => delivery.answered(outcome),
      channelReady: (deviceId, channel) => delivery.channelReady(deviceId, channel),
      render: (command) => delivery.render(command),
    },
  });
  const delivery: DeliveryService = createDeliveryService({
    store: createDeliveryStore(db),
    // Late-bound: the library is built further down (it tells delivery about its changes).
    catalog: {
      assignedTo: (device) => configurations.assignedTo(device),
      version: (id, version) => configurations.version(id, version),
      describe: (id) => configurations.describe(id),
    },
    devices: devicesStore,
    users: usersStore,
    commands: mdm,
    identities: identityChallenges,
    profiles: {
      serverId,
      organization: organizationNow,
      office: () => {
        const c = ca.caCertificate();
        return { der: c.der, name: c.name };
      },
      signer: () => ca.currentTls(),
      scepUrl: () => `${deviceBaseUrl()}/scep`,
    },
    audit,
    clock,
    transaction,
    logError,
  });
  const scep = createScepService({
    ca: () => ca.ensureOfficeCa(),
    challenges: challengePort(enrollment),
    templates: identityTemplatePort(enrollment),
    certificates: issuedCertificatePort(issued, clock),
    audit,
    clock,
    random,
    transaction,
  });
  const agent = createAgentService({
    store: createAgentStore(db),
    devices: devicesStore,
    lifecycle,
    enrollment,
    portal,
    users: usersStore,
    invitationFor: (userId) => invitations.openFor(userId)?.id ?? null,
    deviceBaseUrl,
    caFingerprint256: () => ca.caCertificate().fingerprint256,
    officeCa: () => ca.caCertificate(),
    delivery: f.agentDelivery ?? delivery,
    audit,
    clock,
    random,
    transaction,
  });
  const deviceActions = createDeviceActionsService({
    devices: devicesStore,
    lifecycle,
    users: usersStore,
    mdm,
    agent,
    serverId,
    enrollment,
    enrollmentsPerDay: (from) => enrollment.enrolledPerDay(from),
    audit,
    clock,
    transaction,
  });

  events.on('mail.sent', invitations.onMailSent);
  events.on('enrollment.profile_downloaded', invitations.onProfileDownloaded);
  events.on('enrollment.enrolled', invitations.onEnrolled);
  events.on('enrollment.abandoned', deviceActions.onEnrollmentAbandoned);
  events.on('push.token_gone', deviceActions.onPushTokenGone);
  // Whatever management installed went with the enrollment: delivery marks it removed, without commands.
  events.on('device.management_ended', ({ deviceId }) => delivery.deviceEnded(deviceId));
  // The one invitation step without an audit event of its own: its mail was accepted by the SMTP server.
  events.on('mail.sent', ({ kind, refId }) => {
    if (refId && (kind === 'invitation' || kind === 'reminder'))
      live.announce('invitation.step', 'mail.sent', { type: 'invitation', id: refId });
  });

  const backup = createBackupService({
    db,
    audit,
    clock,
    random,
    dir: f.backup?.dir ?? null,
    sealDataKey: f.backup?.sealDataKey ?? null,
  });
  const restore = createRestoreService({
    audit,
    clock,
    random,
    throttle,
    dir: f.backup?.restore ? f.backup.dir : null,
    maxBytes: f.backup?.restore?.maxBytes ?? DEFAULT_RESTORE_MAX_BYTES,
    keyProblem: f.backup?.restore?.keyProblem ?? (() => null),
    requestRestart: f.backup?.restore?.requestRestart ?? null,
  });
  // Its own store instances (prepared statements over the same database): the services keep theirs.
  const housekeeping = createHousekeeping({
    clock,
    admins: createAdminsStore(db),
    portal: createPortalStore(db),
    enrollment: createEnrollmentStore(db),
    mail,
    throttle,
  });
  const tlsNames = f.tlsNames ?? (() => ({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }));
  onboarding = createOnboardingService({
    store: onboardingStore,
    ca,
    audit,
    clock,
    transaction,
    defaultOrganization: f.organization ?? 'Tsunagu',
    hostnamesFromEnv: f.hostnamesFromEnv ?? null,
    ...(f.lanAddresses ? { lanAddresses: f.lanAddresses } : {}),
    tlsNames,
    deviceBaseUrl,
    devicePort: () => (f.listeners?.() ?? []).find((l) => l.name === 'device' && l.listening)?.port ?? null,
    liveDeviceCertificates: (at) => issued.countLive(at),
    push: () => push.status(),
    smtpConfigured: () => mail.smtpSettings().configured,
    invitationsTotal: () => invitations.list({ limit: 1 }).total,
  });
  const dashboard = createDashboardService({
    deviceSummary: () => deviceActions.summary(),
    invitationsAt: (status) => invitations.list({ status, limit: 1 }).total,
    push: () => push.status(),
    caCertificatePem: () => ca.caCertificate().pem,
    tls: () => ca.tlsStatus(),
    outbox: (limit) => mail.outbox(limit),
    smtpConfigured: () => mail.smtpSettings().configured,
    entryUrl: () => links.go(),
    deviceBaseUrl,
    lanAddresses: () => tlsNames().ipAddresses.filter((a) => !a.startsWith('127.')),
    listeners: f.listeners ?? (() => []),
    recentAudit: (limit) => audit.list({ limit }).items,
    // Deferred: a read transaction, so the counts are one snapshot and no writer waits for it.
    snapshot: (fn) => db.transaction(fn)(),
    clock,
  });
  const effects = userEffects(createPortalStore(db), invitations, throttle);
  const directory = createDirectoryService({
    store: createDirectoryStore(db),
    users: usersStore,
    secrets,
    audit,
    clock,
    random,
    transaction,
    effects: {
      disabled: (user, ctx) => ({
        sessionsEnded: effects.signOut(user),
        invitationsRevoked: invitations.revokeOpenFor(user.id, ctx, 'user disabled by the directory sync'),
      }),
      linked: (user) => effects.signOut(user),
    },
    ...(f.directory?.timeouts ? { timeouts: f.directory.timeouts } : {}),
    ...(f.directory?.limits ? { limits: f.directory.limits } : {}),
  });
  const configurations = createConfigurationsService({
    store: createConfigurationsStore(db),
    users: usersStore,
    delivery: () => delivery,
    secrets,
    ourIdentity: () => ({
      scepUrls: [`${deviceBaseUrl()}/scep`, `${bootstrapBaseUrl()}/scep`],
      caDer: ca.caCertificate().der,
    }),
    audit,
    clock,
    random,
    transaction,
  });
  return {
    configurations,
    delivery,
    dashboard,
    directory,
    onboarding,
    live,
    backup,
    restore,
    audit,
    admins: createAdminsService({
      store: createAdminsStore(db),
      audit,
      clock,
      random,
      hasher,
      transaction,
      throttle,
      ...(f.consoleAccess ? { consoleAccess: f.consoleAccess } : {}),
    }),
    users: createUsersService({
      store: usersStore,
      audit,
      clock,
      random,
      hasher,
      transaction,
      effects: userEffects(createPortalStore(db), invitations, throttle),
    }),
    settings,
    ca,
    issued,
    enrollment,
    identityChallenges,
    devices,
    mdm,
    push,
    scep,
    mail,
    invitations,
    urls,
    links,
    portal,
    helper,
    helperBuilds,
    agent,
    deviceActions,
    lifecycle,
    async tick() {
      await invitations.tick();
      enrollment.closeAbandoned();
      await mail.dispatchDue();
      // Records its own failures as runs (the connector page shows them); never stops the housekeeping below.
      await directory.syncIfDue().catch((err: unknown) => logError(err, 'directory sync failed'));
      // The daily look at what each Apple device has installed (ProfileList), which reinstalls what went missing.
      delivery.queueDueProfileLists();
      // The audit search index is written in batches, not per event (migration 020).
      audit.indexSearch();
      return { purged: housekeeping.run() };
    },
    tlsNames,
    deviceBaseUrl,
    async close() {
      live.closeAll('shutdown');
      await push.close();
      await scep.close();
    },
  };
}

/** What a user's changed credentials or deletion end elsewhere: portal sign-ins, the email's lock, open invitations. */
function userEffects(
  portalStore: ReturnType<typeof createPortalStore>,
  invitations: Pick<InvitationsService, 'revokeOpenFor'>,
  throttle: Pick<Throttle, 'clear'>,
): UserEffects {
  return {
    signOut(user) {
      portalStore.deleteTokensOf(user.id);
      // The admin's change is the way back in now: a lock from earlier failures would only stand in the way.
      throttle.clear([portalEmailKey(normalizeEmail(user.email))]);
      return portalStore.deleteSessionsOf(user.id, null);
    },
    withdrawInvitations: (user, ctx) => invitations.revokeOpenFor(user.id, ctx, 'user deleted'),
  };
}
