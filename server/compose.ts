import type { Clock } from './core/clock.js';
import type { PasswordHasher } from './core/password.js';
import type { Random } from './core/random.js';
import type { Db } from './db/open.js';
import { createAdminsService, type AdminsService, type LockoutPolicy } from './modules/admins/admins.service.js';
import { createAdminsStore } from './modules/admins/admins.store.js';
import { createAuditService, type AuditService } from './modules/audit/audit.service.js';
import { createAuditStore } from './modules/audit/audit.store.js';
import { createCaService, type CaService } from './modules/ca/ca.service.js';
import { createCaStore } from './modules/ca/ca.store.js';
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
  lockout?: LockoutPolicy;
  organization?: string;
  caKeyBits?: number;
  tlsKeyBits?: number;
}

/** Every domain service, wired together. */
export interface Services {
  audit: AuditService;
  admins: AdminsService;
  users: UsersService;
  settings: SettingsService;
  ca: CaService;
}

/** Builds the stores and services over one database; the composition root of the server. */
export function createServices(f: Foundation): Services {
  const { db, clock, random, hasher } = f;
  const transaction = <T>(fn: () => T): T => db.transaction(fn).immediate();
  const audit = createAuditService({ store: createAuditStore(db), clock, random });
  return {
    audit,
    admins: createAdminsService({ store: createAdminsStore(db), audit, clock, random, hasher, transaction, ...(f.lockout ? { lockout: f.lockout } : {}) }),
    users: createUsersService({ store: createUsersStore(db), audit, clock, random, hasher, transaction }),
    settings: createSettingsService({ store: createSettingsStore(db), audit, clock, transaction }),
    ca: createCaService({
      store: createCaStore(db), secrets: f.secrets, audit, clock, random, organization: f.organization ?? 'Tsunagu',
      ...(f.caKeyBits ? { caKeyBits: f.caKeyBits } : {}), ...(f.tlsKeyBits ? { tlsKeyBits: f.tlsKeyBits } : {}),
    }),
  };
}
