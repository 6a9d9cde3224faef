import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './http/rate-limit.js';
import { DEFAULT_TIMEOUTS, type ServerTimeouts } from './http/timeouts.js';

/** Validated, frozen server settings; read once from the environment by `loadConfig`. */
export interface Config {
  dataDir: string;
  adminPort: number;
  devicePort: number;
  httpPort: number;
  /** DNS names the device listener answers to, first one used in URLs. */
  hostnames: readonly string[];
  /** True when the admin set TSUNAGU_HOSTNAMES; otherwise URLs use the first LAN address, which needs no DNS. */
  hostnamesConfigured: boolean;
  /** When true the admin listener binds all interfaces instead of 127.0.0.1. */
  lanAdmin: boolean;
  /** Address the device and bootstrap listeners bind. */
  deviceBind: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Optional passphrase that protects secrets at rest instead of the key file. */
  secretPassphrase: string | null;
  /** PEM of an extra CA trusted for the APNs connection (a TLS-inspecting proxy, or a local APNs stand-in). */
  apnsCaPem: string | null;
  /**
   * A build of the macOS helper (.dmg, .pkg or .zip) shipped with the server, e.g. inside the desktop app; the portal
   * offers it when the admin has not uploaded one.
   */
  helperBuild: string | null;
  /** Request budgets of the device and bootstrap listeners (see http/rate-limit.ts). */
  rateLimits: Readonly<RateLimits>;
  /**
   * Addresses of reverse proxies whose X-Forwarded-For names the client (fastify `trustProxy`); none by default, so
   * the address of the connection is the client's and a forged header changes nothing.
   */
  trustedProxies: readonly string[];
  /** Connection and request timeouts of every listener (see http/timeouts.ts). */
  timeouts: Readonly<ServerTimeouts>;
}

/** A setting that failed validation: which variable, what it held, and what is allowed. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly allowed: string,
    value: string,
  ) {
    super(`${variable}=${JSON.stringify(value)} is not valid: ${allowed}.`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const HOSTNAME_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(name, 'use a port number from 0 to 65535 (0 picks any free port)', raw);
  }
  return Number(raw);
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return false;
  if (/^(1|true|on|yes)$/i.test(raw)) return true;
  if (/^(0|false|off|no)$/i.test(raw)) return false;
  throw new ConfigError(name, 'use on or off (also 1/0, true/false, yes/no)', raw);
}

function hostnames(env: NodeJS.ProcessEnv): string[] {
  const raw = env.TSUNAGU_HOSTNAMES;
  if (raw === undefined || raw.trim() === '') {
    const local = hostname().toLowerCase();
    return HOSTNAME_RE.test(local) ? [local.includes('.') ? local : `${local}.local`] : ['localhost'];
  }
  const names = raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0 || names.some((n) => !HOSTNAME_RE.test(n))) {
    throw new ConfigError(
      'TSUNAGU_HOSTNAMES',
      'use a comma-separated list of DNS names such as mdm.office.lan,mdm',
      raw,
    );
  }
  return [...new Set(names)];
}

function count(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `use a whole number from ${min} to ${max}`, raw);
  }
  return Number(raw);
}

function rateLimits(env: NodeJS.ProcessEnv): RateLimits {
  const d = DEFAULT_RATE_LIMITS;
  return Object.freeze({
    windowSeconds: count(env, 'TSUNAGU_RATE_WINDOW_SECONDS', d.windowSeconds, 1, 86_400),
    refusals: count(env, 'TSUNAGU_RATE_REFUSALS', d.refusals, 1, 1_000_000),
    requests: count(env, 'TSUNAGU_RATE_REQUESTS', d.requests, 1, 100_000_000),
    perDevice: count(env, 'TSUNAGU_RATE_PER_DEVICE', d.perDevice, 1, 100_000_000),
    global: count(env, 'TSUNAGU_RATE_GLOBAL', d.global, 1, 1_000_000_000),
  });
}

function timeouts(env: NodeJS.ProcessEnv): ServerTimeouts {
  const d = DEFAULT_TIMEOUTS;
  const t = {
    headersSeconds: count(env, 'TSUNAGU_HEADERS_TIMEOUT_SECONDS', d.headersSeconds, 1, 600),
    requestSeconds: count(env, 'TSUNAGU_REQUEST_TIMEOUT_SECONDS', d.requestSeconds, 1, 3600),
    keepAliveSeconds: count(env, 'TSUNAGU_KEEP_ALIVE_TIMEOUT_SECONDS', d.keepAliveSeconds, 1, 600),
    idleSeconds: count(env, 'TSUNAGU_IDLE_TIMEOUT_SECONDS', d.idleSeconds, 1, 3600),
  };
  if (t.headersSeconds > t.requestSeconds)
    throw new ConfigError(
      'TSUNAGU_HEADERS_TIMEOUT_SECONDS',
      `use at most TSUNAGU_REQUEST_TIMEOUT_SECONDS (${t.requestSeconds})`,
      String(t.headersSeconds),
    );
  return Object.freeze(t);
}

function trustedProxies(env: NodeJS.ProcessEnv): string[] {
  const raw = env.TSUNAGU_TRUSTED_PROXIES;
  if (raw === undefined || raw.trim() === '') return [];
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Explicit addresses only: a range or a name would trust more than the admin may mean.
  if (list.length === 0 || list.some((a) => isIP(a) === 0))
    throw new ConfigError(
      'TSUNAGU_TRUSTED_PROXIES',
      "use a comma-separated list of the reverse proxies' IP addresses, such as 192.168.1.10,::1",
      raw,
    );
  return [...new Set(list)];
}

const HELPER_EXTENSIONS = /\.(dmg|pkg|zip)$/i;

function helperBuild(env: NodeJS.ProcessEnv, cwd: string): string | null {
  const raw = env.TSUNAGU_HELPER_BUILD;
  if (raw === undefined || raw.trim() === '') return null;
  const allowed = 'use the path of a readable .dmg, .pkg or .zip file of the macOS helper, or leave it unset';
  const path = resolve(cwd, raw);
  if (!HELPER_EXTENSIONS.test(path)) throw new ConfigError('TSUNAGU_HELPER_BUILD', allowed, raw);
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
  } catch {
    throw new ConfigError('TSUNAGU_HELPER_BUILD', allowed, raw);
  }
  return path;
}

/** Reads and validates every TSUNAGU_* variable; throws ConfigError naming the first bad one. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Readonly<Config> {
  const level = (env.TSUNAGU_LOG_LEVEL ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError('TSUNAGU_LOG_LEVEL', `use one of ${LOG_LEVELS.join(', ')}`, env.TSUNAGU_LOG_LEVEL ?? '');
  }
  const bind = env.TSUNAGU_DEVICE_BIND ?? '0.0.0.0';
  if (!/^(\d{1,3}(\.\d{1,3}){3}|::|::1)$/.test(bind)) {
    throw new ConfigError(
      'TSUNAGU_DEVICE_BIND',
      'use an IP address such as 0.0.0.0 (all interfaces) or 127.0.0.1',
      bind,
    );
  }
  const passphrase = env.TSUNAGU_SECRET_PASSPHRASE;
  if (passphrase !== undefined && passphrase !== '' && passphrase.length < 12) {
    throw new ConfigError(
      'TSUNAGU_SECRET_PASSPHRASE',
      'use at least 12 characters, or leave it unset to use a key file',
      '(hidden)',
    );
  }
  const dataDir = env.TSUNAGU_DATA_DIR;
  if (dataDir !== undefined && dataDir.trim() === '') {
    throw new ConfigError('TSUNAGU_DATA_DIR', 'use a directory path, or leave it unset for ./data', dataDir);
  }
  const caFile = env.TSUNAGU_APNS_CA_FILE;
  let apnsCaPem: string | null = null;
  if (caFile) {
    try {
      apnsCaPem = readFileSync(resolve(cwd, caFile), 'utf8');
    } catch {
      throw new ConfigError('TSUNAGU_APNS_CA_FILE', 'use the path of a readable PEM certificate file', caFile);
    }
    if (!apnsCaPem.includes('-----BEGIN CERTIFICATE-----'))
      throw new ConfigError('TSUNAGU_APNS_CA_FILE', 'the file must hold a PEM certificate', caFile);
  }
  return Object.freeze({
    apnsCaPem,
    helperBuild: helperBuild(env, cwd),
    dataDir: resolve(cwd, dataDir ?? 'data'),
    adminPort: port(env, 'TSUNAGU_ADMIN_PORT', 8440),
    devicePort: port(env, 'TSUNAGU_DEVICE_PORT', 8443),
    httpPort: port(env, 'TSUNAGU_HTTP_PORT', 8080),
    hostnames: Object.freeze(hostnames(env)),
    hostnamesConfigured: Boolean(env.TSUNAGU_HOSTNAMES?.trim()),
    lanAdmin: flag(env, 'TSUNAGU_LAN_ADMIN'),
    deviceBind: bind,
    logLevel: level as Config['logLevel'],
    secretPassphrase: passphrase ? passphrase : null,
    rateLimits: rateLimits(env),
    trustedProxies: Object.freeze(trustedProxies(env)),
    timeouts: timeouts(env),
  });
}
