import type { Clock } from './core/clock.js';
import type { PasswordHasher } from './core/password.js';
import type { Random } from './core/random.js';
import type { Db } from './db/open.js';
import { createAdminsService, type AdminsService, type LockoutPolicy } from './modules/admins/admins.service.js';
import { createAdminsStore } from './modules/admins/admins.store.js';
import { createAuditService, type AuditService } from './modules/audit/audit.service.js';
import { createAuditStore } from './modules/audit/audit.store.js';
import { createCaService, type CaService, type TlsNames } from './modules/ca/ca.service.js';
import { createCaStore } from './modules/ca/ca.store.js';
import { createIssuedStore, type IssuedStore } from './modules/ca/issued.store.js';
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
import { createSettingsService, type SettingsService } from './modules/settings/settings.service.js';
import { createSettingsStore } from './modules/settings/settings.store.js';
import { createUsersService, type UsersService } from './modules/users/users.service.js';
import { createUsersStore } from './modules/users/users.store.js';

/** What the services are built from. */
export interface Foundation {
  db: Db;
  clock: Clock;
  random: Random;
  hasher: PasswordHasher;
  secrets: SecretBox;
  /** Base URL of the HTTPS device listener; known once it listens. */
  deviceBaseUrl?: () => string;
  lockout?: LockoutPolicy;
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
  const settings = createSettingsService({ store: settingsStore, audit, clock, transaction, newId: () => random.uuid() });
  const usersStore = createUsersStore(db);
  const ca = createCaService({
    store: createCaStore(db), secrets, audit, clock, random, organization, ...(f.onTlsChanged ? { onTlsChanged: f.onTlsChanged } : {}),
    ...(f.caKeyBits ? { caKeyBits: f.caKeyBits } : {}), ...(f.tlsKeyBits ? { tlsKeyBits: f.tlsKeyBits } : {}),
  });
  const issued = createIssuedStore(db);
  const mdmStore = createMdmStore(db);
  const devicesStore = createDevicesStore(db);
  const enrollmentStore = createEnrollmentStore(db);

  let apns: ApnsClient | null = null;
  const push: PushService = createPushService({
    store: createPushStore(db), settingsStore, mdm: mdmStore, secrets, audit, clock, organization,
    apns: () => (apns ??= createApnsClient({ baseUrl: () => push.settings().apnsBaseUrl, credentials: () => push.credentials(), ...(f.apnsCa ? { ca: f.apnsCa } : {}) })),
  });
  const topic = () => push.status().topic;
  const enrollment = createEnrollmentService({
    store: enrollmentStore, users: usersStore, settings, ca, signer: () => ca.currentTls(), topic, deviceBaseUrl,
    // With an imported public certificate the device already trusts the server; no need to install our root.
    includeRoot: () => ca.currentTls().source === 'generated',
    serverId: () => settings.instanceId(), organization, audit, clock, random, transaction,
  });
  const wake = f.onWake ?? ((deviceId: string) => {
    push.pushDevice(deviceId).catch((err: unknown) => f.logError?.(err, `push to device ${deviceId} failed`));
  });
  const mdm = createMdmService({
    store: mdmStore, devices: devicesStore, issued, enrollments: enrollmentStore, enrollment, ca, secrets, topic, wake,
    serverId: () => settings.instanceId(), audit, clock, random, transaction,
  });
  const scepCore = createScepService({
    ca: () => ca.ensureOfficeCa(), challenges: challengePort(enrollment), certificates: issuedCertificatePort(issued, clock), audit, clock, random,
  });
  // Consuming the challenge and recording the certificate commit together, or neither does.
  const scep: ScepService = { ...scepCore, pkiOperation: (message, context) => transaction(() => scepCore.pkiOperation(message, context)) };
  return {
    audit,
    scep,
    tlsNames: f.tlsNames ?? (() => ({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] })),
    admins: createAdminsService({ store: createAdminsStore(db), audit, clock, random, hasher, transaction, ...(f.lockout ? { lockout: f.lockout } : {}) }),
    users: createUsersService({ store: usersStore, audit, clock, random, hasher, transaction }),
    settings,
    ca,
    issued,
    enrollment,
    devices: createDevicesService({ store: devicesStore }),
    mdm,
    push,
    async close() {
      await apns?.close();
    },
  };
}
