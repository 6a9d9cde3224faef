import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildAdminApp, buildBootstrapApp, buildDeviceApp, type ServerDeps } from './app.js';
import { createServices, type Services } from './compose.js';
import type { TlsNames } from './modules/ca/ca.service.js';
import type { ListenerStateDto } from './contract/dashboard.js';
import { createTlsSelector, type SecureContextHolder, type TlsSelector } from './http/tls-selector.js';
import type { Config } from './config.js';
import { systemClock, type Clock } from './core/clock.js';
import { argon2Hasher, type PasswordHasher } from './core/password.js';
import { secureRandom, type Random } from './core/random.js';
import { migrate } from './db/migrate.js';
import { openDatabase, type Db } from './db/open.js';
import { createLogger } from './http/logger.js';
import { createRateLimiter, type RateLimiter } from './http/rate-limit.js';
import { SYSTEM } from './modules/audit/audit.service.js';
import { savedLanAdmin } from './modules/admins/admins.service.js';
import { createAdminsStore } from './modules/admins/admins.store.js';
import { baseUrlWithHost } from './modules/ca/public-name.js';
import { createOnboardingStore } from './modules/onboarding/onboarding.store.js';
import { createSettingsStore } from './modules/settings/settings.store.js';
import { DEFAULT_RESTORE_MAX_BYTES } from './modules/backup/restore.service.js';
import { applyStagedRestore } from './modules/backup/restore-staging.js';
import { sealKey } from './modules/secrets/key-envelope.js';
import { createSecretBox, loadOrCreateKey } from './modules/secrets/secret-box.js';
import { dataPaths } from './paths.js';
import { VERSION } from './version.js';

/** Options for starting the server; everything has a production default. */
export interface StartOptions {
  consoleDir?: string | null;
  clock?: Clock;
  random?: Random;
  hasher?: PasswordHasher;
  /**
   * The 32-byte data key the secrets at rest are sealed with; headless it comes from the key file or passphrase, the
   * desktop app passes the one it keeps with safeStorage. Only the SecretBox and the backup's key seal hold it.
   */
  dataKey?: Buffer;
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
  /** The largest backup the console's restore accepts (DEFAULT_RESTORE_MAX_BYTES). */
  restoreMaxBytes?: number;
}

/** A running server: its URLs, the one-time setup token (when no admin exists yet) and a clean shutdown. */
export interface RunningServer {
  adminUrl: string;
  /** The device listener's home page (HTTPS), under the name links use now (it follows the TLS mode). */
  readonly enrollmentUrl: string;
  /**
   * The `/go` address people are given: on the plain-HTTP bootstrap listener (the first-visit page, which checks
   * trust in the office CA) in office CA mode, else on the device listener (it follows the TLS mode).
   */
  readonly entryUrl: string;
  bootstrapUrl: string;
  setupToken: string | null;
  services: Services;
  logger: Logger;
  /** Stops accepting connections, lets in-flight requests finish, closes the database. */
  close(): Promise<void>;
  /** Resolves once a restart in progress (after a console restore) is done; at once when none is. */
  restarted(): Promise<void>;
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

/** The names the generated TLS certificate must cover: the host names and the LAN addresses. */
function tlsNamesOf(hostnames: () => readonly string[], lanAddresses: () => string[]): () => TlsNames {
  return () => ({
    dnsNames: [...new Set([...hostnames(), 'localhost'])],
    ipAddresses: [...new Set([...lanAddresses(), '127.0.0.1'])],
  });
}

/** The services over the opened database, with a TLS certificate that covers today's names, and the listeners' certificate selector. */
function openServices(
  config: Readonly<Config>,
  options: StartOptions,
  run: {
    db: Db;
    clock: Clock;
    logger: Logger;
    secretKeyFile: string;
    helperDir: string;
    deviceBaseUrl: () => string;
    bootstrapBaseUrl: () => string;
    /** Restarts the server on the data a console restore staged. */
    requestRestart: () => void;
    /** TSUNAGU_LAN_ADMIN turned the LAN console on (else the console's saved setting did, or it is off). */
    lanAdminFromEnv: boolean;
    listeners: () => ListenerStateDto[];
    lanAddresses: () => string[];
  },
  tlsNames: () => TlsNames,
): { services: Services; tls: TlsSelector } {
  const { logger } = run;
  // Set once the first credentials exist; changes before that (the first issue) are in them.
  let selector: TlsSelector | null = null;
  const dataKey = options.dataKey ?? loadOrCreateKey(run.secretKeyFile, config.secretPassphrase);
  const secrets = createSecretBox(dataKey);
  const apnsCa = options.apnsCa ?? config.apnsCaPem;
  const services = createServices({
    tlsNames,
    onTlsChanged: (credentials) => {
      if (!selector) return;
      // New connections get the new certificates; open ones finish on the old.
      selector.load(credentials);
      logger.info(
        { publicName: services.ca.publicName() },
        'loaded the TLS certificates into the listeners (the office one, and the public one in public mode)',
      );
    },
    db: run.db,
    clock: run.clock,
    random: options.random ?? secureRandom,
    hasher: options.hasher ?? argon2Hasher,
    secrets,
    deviceBaseUrl: run.deviceBaseUrl,
    bootstrapBaseUrl: run.bootstrapBaseUrl,
    logError: (err, message) => logger.error({ err }, message),
    helperBuilds: { dir: run.helperDir, bundled: config.helperBuild },
    consoleAccess: { lanAdminNow: config.lanAdmin, fromEnv: run.lanAdminFromEnv },
    backup: {
      dir: config.dataDir,
      sealDataKey: (passphrase) => sealKey(dataKey, passphrase),
      restore: {
        maxBytes: options.restoreMaxBytes ?? DEFAULT_RESTORE_MAX_BYTES,
        // With TSUNAGU_SECRET_PASSPHRASE the key is derived, not kept in a file a restore could replace.
        keyProblem: (key) =>
          config.secretPassphrase && !key.equals(dataKey)
            ? 'This server takes its data key from TSUNAGU_SECRET_PASSPHRASE, which is not the key of the backup: unset it, restart, and restore again.'
            : null,
        requestRestart: run.requestRestart,
      },
    },
    listeners: run.listeners,
    hostnamesFromEnv: config.hostnamesConfigured ? config.hostnames : null,
    lanAddresses: run.lanAddresses,
    ...(options.caKeyBits ? { caKeyBits: options.caKeyBits } : {}),
    ...(apnsCa ? { apnsCa } : {}),
  });
  // An older version kept mail bodies (PINs, link tokens) in clear: seal them before anything else runs.
  const sealed = services.mail.sealStored();
  if (sealed > 0) logger.info({ rows: sealed }, 'sealed mail bodies an older version stored in clear');
  const names = tlsNames();
  const tls = services.ca.ensureTlsCredential(names);
  if (tls.reissued)
    logger.info(
      { names: config.hostnames, addresses: names.ipAddresses },
      'issued a new TLS certificate for the device listener',
    );
  selector = createTlsSelector(services.ca.tlsCredentials());
  return { services, tls: selector };
}

/** Re-issues the TLS certificate when the LAN addresses change (DHCP, another network); returns the stop. */
function watchAddresses(services: Services, tlsNames: () => TlsNames, logger: Logger, everyMs: number): () => void {
  const timer = setInterval(() => {
    try {
      services.ca.ensureTlsCredential(tlsNames());
    } catch (err) {
      logger.error({ err }, 'could not renew the TLS certificate');
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Runs the scheduled work (invitation expiry, reminders, abandoned enrollments, the mail outbox, housekeeping) now and then
 * every `everyMs`, one run at a time; its state is in the database, so it survives restarts. Returns the stop,
 * which waits for a run in progress.
 */
function startScheduler(services: Services, logger: Logger, everyMs: number): () => Promise<void> {
  let ticking: Promise<void> | null = null;
  const runTick = () => {
    ticking ??= services
      .tick()
      .then(({ purged }) => {
        if (Object.values(purged).some((n) => n > 0)) logger.info({ purged }, 'purged expired rows');
      })
      .catch((err: unknown) => logger.error({ err }, 'scheduled work failed'))
      .finally(() => {
        ticking = null;
      });
  };
  const timer = setInterval(runTick, everyMs);
  timer.unref();
  runTick();
  return async () => {
    clearInterval(timer);
    await ticking;
  };
}

/**
 * The request budgets of the device and bootstrap listeners; each window in which a source address was limited on a
 * route group becomes one `security.requests_refused` audit event, however many requests it refused.
 */
function limitsFor(config: Readonly<Config>, services: Services, clock: Clock, logger: Logger): RateLimiter {
  return createRateLimiter({
    limits: config.rateLimits,
    clock,
    report: (s) =>
      services.audit.record({
        actor: SYSTEM,
        action: 'security.requests_refused',
        subject: { type: 'address', id: s.sourceAddress, label: s.group },
        details: {
          group: s.group,
          limited: s.limited,
          refused: s.refused,
          firstAt: s.firstAt,
          lastAt: s.lastAt,
          windowSeconds: s.windowSeconds,
        },
        sourceAddress: s.sourceAddress,
      }),
    onReportError: (err) => logger.error({ err }, 'could not record refused requests in the audit trail'),
  });
}

/** The listeners as the dashboard shows them: what was opened where, and whether each still listens. */
function listenerStates(
  config: Readonly<Config>,
  l: Listeners,
  urls: Record<'device' | 'bootstrap' | 'admin', string>,
) {
  const fixed = [
    { name: 'device', app: l.device, bind: config.deviceBind, tls: true },
    { name: 'bootstrap', app: l.bootstrap, bind: config.deviceBind, tls: false },
    { name: 'admin', app: l.admin, bind: config.lanAdmin ? '0.0.0.0' : '127.0.0.1', tls: config.lanAdmin },
  ] as const;
  // Ports are read now: a closed server no longer has an address.
  const opened = fixed.map((f) => ({ ...f, url: urls[f.name], port: portOf(f.app) }));
  return (): ListenerStateDto[] => opened.map(({ app, ...state }) => ({ ...state, listening: app.server.listening }));
}

/** The three listening apps and the LAN host name their URLs use. */
interface Listeners {
  device: FastifyInstance;
  bootstrap: FastifyInstance;
  admin: FastifyInstance;
  lanHost: string;
}

/**
 * Opens the device listener first (its port makes the device base URL), then the bootstrap and admin listeners.
 * Each app that listens is pushed to `opened` at once, so a failure on the way closes what was opened.
 */
async function listen(
  config: Readonly<Config>,
  deps: ServerDeps,
  lanAddresses: string[],
  setBaseUrls: (urls: { device?: string; bootstrap?: string }) => void,
  tls: TlsSelector,
  opened: FastifyInstance[],
): Promise<Listeners> {
  const device = await buildDeviceApp(deps);
  await device.listen({ host: config.deviceBind, port: config.devicePort });
  opened.push(device);
  tls.attach(device.server as unknown as SecureContextHolder);
  const lanHost = config.hostnamesConfigured
    ? (config.hostnames[0] as string)
    : (lanAddresses[0] ?? (config.hostnames[0] as string));
  setBaseUrls({ device: `https://${lanHost}:${portOf(device)}` });

  const bootstrap = await buildBootstrapApp(deps);
  await bootstrap.listen({ host: config.deviceBind, port: config.httpPort });
  opened.push(bootstrap);
  setBaseUrls({ bootstrap: `http://${lanHost}:${portOf(bootstrap)}` });

  const admin = await buildAdminApp(deps);
  await admin.listen({ host: config.lanAdmin ? '0.0.0.0' : '127.0.0.1', port: config.adminPort });
  opened.push(admin);
  if (config.lanAdmin) tls.attach(admin.server as unknown as SecureContextHolder);
  return { device, bootstrap, admin, lanHost };
}

/** One run of the server, with the ports it listens on and the data key a restore brought (if any). */
interface ServerRun extends RunningServer {
  ports: { admin: number; device: number; http: number };
  restoredKey: Buffer | null;
}

/**
 * Starts the three listeners; the only code that opens sockets. A console restore restarts the server in this process:
 * the run is closed, the staged data swapped in, and a new run listens on the same ports; the returned object always
 * speaks for the current run.
 */
export async function startServer(config: Readonly<Config>, options: StartOptions = {}): Promise<RunningServer> {
  let runOptions = options;
  let restarting: Promise<void> | null = null;
  let closed = false;
  let current: ServerRun;
  const restart = (): void => {
    if (restarting || closed) return;
    restarting = (async () => {
      const old = current;
      old.logger.info('restarting on the restored data');
      await old.close();
      if (closed) return;
      try {
        current = await startRun(
          { ...config, adminPort: old.ports.admin, devicePort: old.ports.device, httpPort: old.ports.http },
          runOptions,
          () => setImmediate(restart),
        );
        // The desktop app's key is the one the restored data is sealed with from now on (the key file tells the app).
        if (current.restoredKey && runOptions.dataKey) runOptions = { ...runOptions, dataKey: current.restoredKey };
      } catch (err) {
        old.logger.fatal({ err }, 'could not start again after the restore; start Tsunagu again');
        process.exitCode = 1;
      }
    })().finally(() => {
      restarting = null;
    });
  };
  current = await startRun(config, runOptions, () => setImmediate(restart));
  if (current.restoredKey && runOptions.dataKey) runOptions = { ...runOptions, dataKey: current.restoredKey };
  return {
    get adminUrl() {
      return current.adminUrl;
    },
    get enrollmentUrl() {
      return current.enrollmentUrl;
    },
    get entryUrl() {
      return current.entryUrl;
    },
    get bootstrapUrl() {
      return current.bootstrapUrl;
    },
    get setupToken() {
      return current.setupToken;
    },
    get services() {
      return current.services;
    },
    get logger() {
      return current.logger;
    },
    async close() {
      closed = true;
      await restarting;
      await current.close();
    },
    restarted: () => restarting ?? Promise.resolve(),
  };
}

async function startRun(
  config: Readonly<Config>,
  options: StartOptions,
  requestRestart: () => void,
): Promise<ServerRun> {
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
  const stops: (() => void)[] = [];
  let limiter: RateLimiter | null = null;
  try {
    // A restore the console staged replaces the database (and key file) before anything opens them.
    const restored = applyStagedRestore(config.dataDir, paths.db, config.secretPassphrase ? null : paths.secretKey);
    if (restored && options.dataKey) options = { ...options, dataKey: restored.key };
    db = openDataDb(config.dataDir, clock);
    // The console's saved LAN setting joins TSUNAGU_LAN_ADMIN: either turns the LAN console on.
    const lanAdminFromEnv = config.lanAdmin;
    config = Object.freeze({ ...config, lanAdmin: config.lanAdmin || savedLanAdmin(createAdminsStore(db)) });
    // The device listener's URL under the office name; the services put the public name in it in public mode.
    let officeBaseUrl = '';
    let bootstrapBaseUrl = '';
    let listeners: () => ListenerStateDto[] = () => [];
    const lanAddresses = options.lanAddresses ?? machineAddresses;
    // TSUNAGU_HOSTNAMES wins; else the names the setup wizard saved; else the machine's name.
    const savedNames = createOnboardingStore(createSettingsStore(db));
    const consoleNames = () => (config.hostnamesConfigured ? null : savedNames.hostnames());
    const tlsNames = tlsNamesOf(() => consoleNames() ?? config.hostnames, lanAddresses);
    const { services, tls } = openServices(
      config,
      options,
      {
        db,
        clock,
        logger,
        secretKeyFile: paths.secretKey,
        helperDir: paths.helperBuilds,
        // Names saved in the console apply at once: links use the first.
        deviceBaseUrl: () => {
          const first = consoleNames()?.[0];
          return first ? baseUrlWithHost(officeBaseUrl, first) : officeBaseUrl;
        },
        bootstrapBaseUrl: () => bootstrapBaseUrl,
        requestRestart,
        lanAdminFromEnv,
        listeners: () => listeners(),
        lanAddresses,
      },
      tlsNames,
    );
    if (restored) {
      // Audited in the restored database; every session of the backup's time ends, so the admin signs in again.
      const ended = services.admins.endAllSessions();
      const m = restored.marker;
      services.audit.record({
        actor: m.actor,
        action: 'backup.restored',
        details: {
          via: 'console',
          backupCreatedAt: m.backupCreatedAt,
          schemaVersion: m.schemaVersion,
          bytes: m.bytes,
          stagedAt: m.stagedAt,
          sessionsEnded: ended,
        },
        sourceAddress: m.sourceAddress,
      });
      restored.finish();
      logger.info({ backupCreatedAt: m.backupCreatedAt }, 'restored the backup the console uploaded');
    }
    const tlsOptions = tls.options();
    limiter = limitsFor(config, services, clock, logger);
    const deps: ServerDeps = {
      services,
      logger,
      consoleDir: options.consoleDir ?? null,
      // On the LAN the console is served over HTTPS with the device listener's certificate (cookies become Secure);
      // on loopback only, plain HTTP never leaves the machine.
      adminTls: config.lanAdmin ? tlsOptions : null,
      deviceTls: tlsOptions,
      deviceBaseUrl: services.deviceBaseUrl,
      bootstrapBaseUrl: () => bootstrapBaseUrl,
      version: VERSION,
      rateLimiter: limiter,
      trustedProxies: config.trustedProxies,
      timeouts: config.timeouts,
    };
    const apps = await listen(
      config,
      deps,
      lanAddresses(),
      (urls) => {
        if (urls.device) officeBaseUrl = urls.device;
        if (urls.bootstrap) bootstrapBaseUrl = urls.bootstrap;
      },
      tls,
      opened,
    );
    const { device, bootstrap, admin, lanHost } = apps;
    const adminUrl = config.lanAdmin ? `https://${lanHost}:${portOf(admin)}/` : `http://127.0.0.1:${portOf(admin)}/`;
    listeners = listenerStates(config, apps, {
      device: officeBaseUrl,
      bootstrap: bootstrapBaseUrl,
      admin: adminUrl.replace(/\/$/, ''),
    });
    stops.push(watchAddresses(services, tlsNames, logger, options.addressCheckMs ?? 60_000));
    const setupToken = services.admins.issueSetupToken();
    const stopScheduler = startScheduler(services, logger, options.tickMs ?? 30_000);
    const liveDb = db;
    let closing: Promise<void> | null = null;
    return {
      ports: { admin: portOf(admin), device: portOf(device), http: portOf(bootstrap) },
      restoredKey: restored?.key ?? null,
      restarted: () => Promise.resolve(),
      adminUrl,
      get enrollmentUrl() {
        return `${services.deviceBaseUrl()}/`;
      },
      get entryUrl() {
        return services.links.go();
      },
      bootstrapUrl: `${bootstrapBaseUrl}/trust`,
      setupToken,
      services,
      logger,
      close() {
        closing ??= (async () => {
          for (const stop of stops) stop();
          await stopScheduler();
          // Admin last: the console stays usable until devices are done.
          for (const app of [bootstrap, device, admin]) await app.close();
          // The open windows of limited requests become their audit events before the database closes.
          limiter?.close();
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
    for (const stop of stops) stop();
    for (const app of opened) await app.close().catch(() => undefined);
    limiter?.close();
    db?.close();
    releaseLock();
    logFile?.end();
    throw err;
  }
}
