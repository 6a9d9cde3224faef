import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildAdminApp, buildBootstrapApp, buildDeviceApp, type ServerDeps } from './app.js';
import { createServices, type Services } from './compose.js';
import type { Config } from './config.js';
import { systemClock, type Clock } from './core/clock.js';
import { argon2Hasher, type PasswordHasher } from './core/password.js';
import { secureRandom, type Random } from './core/random.js';
import { migrate } from './db/migrate.js';
import { openDatabase, type Db } from './db/open.js';
import { createLogger } from './http/logger.js';
import { createSecretBox, loadOrCreateKey, type SecretBox } from './modules/secrets/secret-box.js';
import { dataPaths } from './paths.js';
import { VERSION } from './version.js';

/** Options for starting the server; everything has a production default. */
export interface StartOptions {
  consoleDir?: string | null;
  clock?: Clock;
  random?: Random;
  hasher?: PasswordHasher;
  /** Secret protection; headless uses a key file or passphrase, Electron passes one backed by safeStorage. */
  secrets?: SecretBox;
  /** LAN addresses for the TLS certificate and the printed URL; defaults to the machine's non-internal IPv4 addresses. */
  lanAddresses?: () => string[];
  logToConsole?: boolean;
  caKeyBits?: number;
  /** Extra CA for the APNs connection (a local APNs stand-in in tests). */
  apnsCa?: string;
  /** How often LAN addresses are checked for a certificate re-issue. */
  addressCheckMs?: number;
  /** How often the scheduler (reminders, expiry, mail) runs. */
  tickMs?: number;
}

/** A running server: its URLs, the one-time setup token (when no admin exists yet) and a clean shutdown. */
export interface RunningServer {
  adminUrl: string;
  enrollmentUrl: string;
  bootstrapUrl: string;
  setupToken: string | null;
  services: Services;
  logger: Logger;
  /** Stops accepting connections, lets in-flight requests finish, closes the database. */
  close(): Promise<void>;
}

/** Non-internal IPv4 addresses of this machine. */
export function machineAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => (a as { address: string }).address);
}

function portOf(app: FastifyInstance): number {
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Holds `serve.lock` so two servers, or a restore, never use one data directory at once. */
export function acquireLock(lockFile: string): () => void {
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    // This process counts too: two servers in one process must not share a directory either.
    if (pid && isAlive(pid)) {
      throw new Error(
        `Another Tsunagu (process ${pid}) is using this data directory. Stop it first, or set TSUNAGU_DATA_DIR to another directory.`,
      );
    }
  }
  writeFileSync(lockFile, String(process.pid), { mode: 0o600 });
  return () => rmSync(lockFile, { force: true });
}

/** True when a live server holds the data directory's lock. */
export function isLocked(lockFile: string): number | null {
  if (!existsSync(lockFile)) return null;
  const pid = Number(readFileSync(lockFile, 'utf8').trim());
  return pid && pid !== process.pid && isAlive(pid) ? pid : null;
}

/** Opens the database in the data directory and brings its schema up to date. */
export function openDataDb(dataDir: string, clock: Clock = systemClock): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = openDatabase(dataPaths(dataDir).db);
  try {
    migrate(db, undefined, clock.now());
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Starts the three listeners; the only code that opens sockets. */
export async function startServer(config: Readonly<Config>, options: StartOptions = {}): Promise<RunningServer> {
  const paths = dataPaths(config.dataDir);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const releaseLock = acquireLock(paths.lock);
  const { logger, file: logFile } = createLogger({
    level: config.logLevel,
    dir: paths.logs,
    console: options.logToConsole ?? true,
  });
  const clock = options.clock ?? systemClock;
  let db: Db | null = null;
  const opened: FastifyInstance[] = [];
  try {
    db = openDataDb(config.dataDir, clock);
    const secrets = options.secrets ?? createSecretBox(loadOrCreateKey(paths.secretKey, config.secretPassphrase));
    let deviceBaseUrl = '';
    type TlsServer = { setSecureContext(options: { key: string; cert: string }): void };
    let deviceServer: TlsServer | null = null;
    let adminServer: TlsServer | null = null;
    const lanAddresses = options.lanAddresses ?? machineAddresses;
    const tlsNames = () => ({
      dnsNames: [...config.hostnames, 'localhost'],
      ipAddresses: [...new Set([...lanAddresses(), '127.0.0.1'])],
    });
    const services = createServices({
      tlsNames,
      onTlsChanged: (c) => {
        // New connections get the new certificate; open ones finish on the old.
        deviceServer?.setSecureContext({ key: c.keyPem, cert: `${c.certPem}${c.chainPem}` });
        adminServer?.setSecureContext({ key: c.keyPem, cert: `${c.certPem}${c.chainPem}` });
        logger.info('loaded a new TLS certificate into the device listener');
      },
      db,
      clock,
      random: options.random ?? secureRandom,
      hasher: options.hasher ?? argon2Hasher,
      secrets,
      deviceBaseUrl: () => deviceBaseUrl,
      logError: (err, message) => logger.error({ err }, message),
      ...(options.caKeyBits ? { caKeyBits: options.caKeyBits } : {}),
      ...((options.apnsCa ?? config.apnsCaPem) ? { apnsCa: (options.apnsCa ?? config.apnsCaPem) as string } : {}),
    });
    const lan = lanAddresses();
    const tls = services.ca.ensureTlsCredential(tlsNames());
    if (tls.reissued)
      logger.info({ names: config.hostnames, addresses: lan }, 'issued a new TLS certificate for the device listener');

    const deps: ServerDeps = {
      // On the LAN the console is served over HTTPS with the device listener's certificate (cookies become Secure);
      // on loopback only, plain HTTP never leaves the machine.
      services,
      logger,
      consoleDir: options.consoleDir ?? null,
      adminTls: config.lanAdmin ? { key: tls.keyPem, cert: `${tls.certPem}${tls.chainPem}` } : null,
      deviceTls: { key: tls.keyPem, cert: `${tls.certPem}${tls.chainPem}` },
      deviceBaseUrl: () => deviceBaseUrl,
      version: VERSION,
    };
    const device = await buildDeviceApp(deps);
    await device.listen({ host: config.deviceBind, port: config.devicePort });
    opened.push(device);
    deviceServer = device.server as unknown as typeof deviceServer;
    // LAN addresses change (DHCP, another network): re-issue the certificate when they do.
    const addressWatch = setInterval(() => {
      try {
        services.ca.ensureTlsCredential(tlsNames());
      } catch (err) {
        logger.error({ err }, 'could not renew the TLS certificate');
      }
    }, options.addressCheckMs ?? 60_000);
    addressWatch.unref();
    const lanHost = config.hostnamesConfigured ? config.hostnames[0] : (lan[0] ?? config.hostnames[0]);
    deviceBaseUrl = `https://${lanHost}:${portOf(device)}`;

    const bootstrap = await buildBootstrapApp(deps);
    await bootstrap.listen({ host: config.deviceBind, port: config.httpPort });
    opened.push(bootstrap);

    const admin = await buildAdminApp(deps);
    await admin.listen({ host: config.lanAdmin ? '0.0.0.0' : '127.0.0.1', port: config.adminPort });
    opened.push(admin);
    if (config.lanAdmin) adminServer = admin.server as unknown as TlsServer;

    const setupToken = services.admins.issueSetupToken();
    // The scheduler: invitation expiry, reminders and the mail outbox survive restarts because their state is in the database.
    let ticking: Promise<void> | null = null;
    const runTick = () => {
      ticking ??= services
        .tick()
        .catch((err: unknown) => logger.error({ err }, 'scheduled work failed'))
        .finally(() => {
          ticking = null;
        });
    };
    const scheduler = setInterval(runTick, options.tickMs ?? 30_000);
    scheduler.unref();
    runTick();
    const liveDb = db;
    let closing: Promise<void> | null = null;
    return {
      adminUrl: config.lanAdmin ? `https://${lanHost}:${portOf(admin)}/` : `http://127.0.0.1:${portOf(admin)}/`,
      enrollmentUrl: `${deviceBaseUrl}/`,
      bootstrapUrl: `http://${lanHost}:${portOf(bootstrap)}/trust`,
      setupToken,
      services,
      logger,
      close() {
        closing ??= (async () => {
          clearInterval(addressWatch);
          clearInterval(scheduler);
          await ticking;
          // Admin last: the console stays usable until devices are done.
          for (const app of [bootstrap, device, admin]) await app.close();
          await services.close();
          liveDb.close();
          logger.info('server stopped; database closed');
          releaseLock();
          await new Promise<void>((resolve) => (logFile ? logFile.end(resolve) : resolve()));
        })();
        return closing;
      },
    };
  } catch (err) {
    for (const app of opened) await app.close().catch(() => undefined);
    db?.close();
    releaseLock();
    logFile?.end();
    throw err;
  }
}
