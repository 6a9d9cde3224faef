import { randomBytes } from 'node:crypto';
import { createServices, type Services } from '../../server/compose.js';
import { FakeClock } from '../../server/core/clock.js';
import { argon2Hasher, type PasswordHasher } from '../../server/core/password.js';
import { SeededRandom } from '../../server/core/random.js';
import { migrate } from '../../server/db/migrate.js';
import { openDatabase, type Db } from '../../server/db/open.js';
import type { LockoutPolicy } from '../../server/modules/admins/admins.service.js';
import type { Actor } from '../../server/modules/audit/audit.service.js';
import type { AgentDelivery } from '../../server/modules/configurations/ports.js';
import { createSecretBox } from '../../server/modules/secrets/secret-box.js';

/** Services over a fresh in-memory SQLite database with a fake clock, for unit tests. */
export interface TestFoundation {
  db: Db;
  clock: FakeClock;
  services: Services;
}

/** Builds every service over `:memory:` SQLite with a fake clock and seeded randomness. */
export function testFoundation(
  options: {
    hasher?: PasswordHasher;
    lockout?: LockoutPolicy;
    start?: string;
    /** The listeners' base URLs the services put into profiles and links (compose.ts has defaults). */
    deviceBaseUrl?: string;
    bootstrapBaseUrl?: string;
    /** Configurations on the Android agent's channel (an in-memory delivery in the agent's unit tests). */
    agentDelivery?: AgentDelivery;
  } = {},
): TestFoundation {
  const db = openDatabase(':memory:');
  const clock = new FakeClock(options.start ?? '2026-04-01T09:00:00.000Z');
  migrate(db, undefined, clock.now());
  const services = createServices({
    db,
    clock,
    random: new SeededRandom(42),
    hasher: options.hasher ?? argon2Hasher,
    secrets: createSecretBox(randomBytes(32)),
    caKeyBits: 2048,
    ...(options.lockout ? { lockout: options.lockout } : {}),
    ...(options.agentDelivery ? { agentDelivery: options.agentDelivery } : {}),
    ...(options.deviceBaseUrl !== undefined ? { deviceBaseUrl: () => options.deviceBaseUrl as string } : {}),
    ...(options.bootstrapBaseUrl !== undefined ? { bootstrapBaseUrl: () => options.bootstrapBaseUrl as string } : {}),
  });
  return { db, clock, services };
}

/** An admin actor for service calls in tests. */
export const TEST_ADMIN: Actor = Object.freeze({ type: 'admin', id: 'admin-1', label: 'admin@example.com' });

/** A request context for service calls in tests. */
export const TEST_CTX = Object.freeze({ actor: TEST_ADMIN, sourceAddress: '127.0.0.1' });
