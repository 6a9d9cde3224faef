import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createServices } from './compose.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { systemClock } from './core/clock.js';
import { AppError } from './core/errors.js';
import { argon2Hasher } from './core/password.js';
import { secureRandom } from './core/random.js';
import { backupDatabase, restoreDatabase, verifyBackup } from './db/backup.js';
import type { Db } from './db/open.js';
import type { Actor } from './modules/audit/audit.service.js';
import { extractDatabase, isBackupContainer, readBackupHeader } from './modules/backup/backup-file.js';
import { isKeyEnvelope, MIN_BACKUP_PASSPHRASE, openKey, sealKey } from './modules/secrets/key-envelope.js';
import { createSecretBox, loadOrCreateKey } from './modules/secrets/secret-box.js';
import { decodeCsvBytes } from './modules/users/users-csv.js';
import { dataPaths } from './paths.js';
import type { ServerReadyFacts } from './contract/ipc.js';
import { processSignals, runHostedServer, stdioChannel } from './hosted.js';
import { isLocked, openDataDb, startServer, type RunningServer } from './start.js';
import { PROJECT_ROOT, VERSION } from './version.js';

/** The last line `serve` prints once every URL (and the setup token) is out; parents wait for it. */
export const SERVE_READY_LINE = 'Ready.';

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const USAGE = `Usage: tsunagu <command> [options]

Commands:
  serve [--json]                         Run the enrollment server headless (Ctrl-C stops it cleanly); --json:
                                         say it is ready in one JSON line instead of the banner
  admin create --email E --name N        Create an administrator (password from a prompt or --password-stdin)
  user add --email E --name N [--locale ja|en] [--password-stdin [--temporary]]
  user import FILE.csv                   Import users from CSV: all rows or none
  audit verify                           Check the audit trail's hash chain; exit 1 at the first broken link
  audit export [--format jsonl|csv] [--out FILE] [--from T] [--to T] [--action A] [--actor X] [--subject S]
  backup FILE [--without-key]            Write an online backup of the database, and FILE.key: the data key sealed
                                         with a passphrase (TSUNAGU_BACKUP_PASSPHRASE, or asked on a terminal)
  restore FILE                           Replace the database with a verified backup (the server must be stopped),
                                         and the key file with the one in FILE.key (same passphrase); FILE may
                                         also be the console's download (.tsunagu-backup), which carries its key
  version                                Print the version

Settings come from the environment: TSUNAGU_DATA_DIR (default ./data), TSUNAGU_ADMIN_PORT (8440),
TSUNAGU_DEVICE_PORT (8443), TSUNAGU_HTTP_PORT (8080), TSUNAGU_HOSTNAMES, TSUNAGU_LAN_ADMIN (on/off),
TSUNAGU_LOG_LEVEL, TSUNAGU_SECRET_PASSPHRASE, TSUNAGU_APNS_CA_FILE, TSUNAGU_HELPER_BUILD; TSUNAGU_BACKUP_PASSPHRASE for
backup and restore. Port 0 picks any free port.`;

class UsageError extends Error {}

/** Parses `--name value` and `--flag` options after the positional arguments. */
function parseArgs(
  args: string[],
  flags: readonly string[],
  valued: readonly string[],
): { positional: string[]; opts: Record<string, string | true> } {
  const positional: string[] = [];
  const opts: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (flags.includes(name)) {
      opts[name] = true;
      continue;
    }
    if (!valued.includes(name)) throw new UsageError(`Unknown option --${name}.`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value.`);
    opts[name] = value;
  }
  return { positional, opts };
}

function need(opts: Record<string, string | true>, name: string): string {
  const v = opts[name];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name} is required.`);
  return v;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks on the terminal without echoing the answer. */
function askHidden(io: CliIo, prompt: string): Promise<string> {
  return new Promise<string>((resolve) => {
    let muted = false;
    const sink = new Writable({
      write(chunk, _enc, cb) {
        if (!muted) process.stderr.write(chunk);
        cb();
      },
    });
    const rl = createInterface({ input: io.stdin, output: sink, terminal: true });
    rl.question(prompt, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

/** Reads a password: the first line of stdin with --password-stdin, else a hidden prompt asked twice. */
async function readPassword(io: CliIo, fromStdin: boolean): Promise<string> {
  if (fromStdin || !io.stdin.isTTY) {
    const text = await readAll(io.stdin);
    return (text.split(/\r?\n/)[0] ?? '').trimEnd();
  }
  const ask = (prompt: string) => askHidden(io, prompt);
  const first = await ask('Password: ');
  const second = await ask('Repeat the password: ');
  if (first !== second) throw new UsageError('The two passwords differ; nothing was changed.');
  return first;
}

/** The variable a backup's key passphrase is read from when there is no terminal to ask on. */
export const BACKUP_PASSPHRASE_ENV = 'TSUNAGU_BACKUP_PASSPHRASE';

/**
 * The passphrase a backup's data key is sealed with (`backup`, asked twice) or opened with (`restore`): from
 * TSUNAGU_BACKUP_PASSPHRASE, else a hidden prompt on a terminal. Never from argv, where other users can read it.
 */
async function readPassphrase(io: CliIo, purpose: 'backup' | 'restore'): Promise<string> {
  const fromEnv = io.env[BACKUP_PASSPHRASE_ENV];
  let passphrase: string;
  if (fromEnv) passphrase = fromEnv;
  else if (io.stdin.isTTY) {
    passphrase = await askHidden(io, 'Passphrase for the backup’s data key: ');
    if (purpose === 'backup' && (await askHidden(io, 'Repeat the passphrase: ')) !== passphrase)
      throw new UsageError('The two passphrases differ; nothing was written.');
  } else
    throw new UsageError(
      `The backup's data key is sealed with a passphrase: set ${BACKUP_PASSPHRASE_ENV}, or run on a terminal to be asked${purpose === 'backup' ? ' (or back up without the key: --without-key)' : ''}. Nothing was written.`,
    );
  if (purpose === 'backup' && passphrase.length < MIN_BACKUP_PASSPHRASE)
    throw new UsageError(`Use a passphrase of at least ${MIN_BACKUP_PASSPHRASE} characters. Nothing was written.`);
  return passphrase;
}

/** The data key of a backup: a sealed envelope opened with the passphrase, or a plain key file of an older backup. */
async function backupKey(keyFile: string, io: CliIo): Promise<Buffer> {
  const text = readFileSync(keyFile, 'utf8');
  if (isKeyEnvelope(text)) return openKey(text, await readPassphrase(io, 'restore'));
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32)
    throw new AppError('BACKUP_KEY_REFUSED', `${keyFile} does not hold a data key; nothing was restored.`);
  return key;
}

/** Writes the key file as `loadOrCreateKey` reads it, replacing the old one in one rename. */
function writeKeyFile(keyFile: string, key: Buffer): void {
  const tmp = `${keyFile}.restoring`;
  writeFileSync(tmp, key.toString('base64'), { mode: 0o600 });
  renameSync(tmp, keyFile);
}

/** Refuses a backup's key that TSUNAGU_SECRET_PASSPHRASE would not derive (the data directory keeps that key). */
function checkPassphraseKey(config: Config, key: Buffer | null): void {
  if (!key || !config.secretPassphrase) return;
  const paths = dataPaths(config.dataDir);
  const salted = existsSync(`${paths.secretKey}.salt`);
  if (!salted || !loadOrCreateKey(paths.secretKey, config.secretPassphrase).equals(key))
    throw new AppError(
      'VALIDATION_FAILED',
      'This data directory takes its key from TSUNAGU_SECRET_PASSPHRASE, which is not the key of the backup. Unset it to restore with the backup’s key (a key file). Nothing was changed.',
    );
}

/**
 * Restores the checked database `dbFile` (and the opened `key`) into the data directory: everything that can refuse
 * has been checked by the caller, except the passphrase-derived key, checked here before the first write.
 */
async function restoreChecked(
  config: Config,
  io: CliIo,
  r: { file: string; dbFile: string; key: Buffer | null; keySource: string },
): Promise<number> {
  const paths = dataPaths(config.dataDir);
  checkPassphraseKey(config, r.key);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const checked = restoreDatabase(r.dbFile, paths.db);
  if (r.key && !config.secretPassphrase) writeKeyFile(paths.secretKey, r.key);
  io.out(`Restored ${r.file} (schema version ${checked.schemaVersion}) into ${paths.db}.`);
  if (r.key) io.out(`The data key from ${r.keySource} opens its secrets.`);
  return await withDb(config, async (db) => {
    servicesFor(db, config).audit.record({
      actor: cliActor(),
      action: 'backup.restored',
      details: { file: r.file, schemaVersion: checked.schemaVersion, key: r.key !== null },
    });
    return 0;
  });
}

/**
 * Restores a backup container (the console's download): the sealed key is opened and the database copied out to a
 * private temporary directory and checked, all before the data directory is written.
 */
async function restoreContainer(file: string, config: Config, io: CliIo): Promise<number> {
  const { header, dataOffset } = readBackupHeader(file);
  const key = await openKey(JSON.stringify(header.key), await readPassphrase(io, 'restore'));
  const staging = mkdtempSync(join(tmpdir(), 'tsunagu-restore-'));
  try {
    const dbFile = join(staging, 'tsunagu.db');
    await extractDatabase(file, dataOffset, dbFile);
    verifyBackup(dbFile);
    return await restoreChecked(config, io, { file, dbFile, key, keySource: file });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function cliActor(): Actor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    /* no passwd entry in some containers */
  }
  return { type: 'system', id: null, label: `cli (${name})` };
}

function withDb<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = openDataDb(config.dataDir);
  return fn(db).finally(() => db.close());
}

function servicesFor(db: Db, config: Config) {
  const secrets = createSecretBox(loadOrCreateKey(dataPaths(config.dataDir).secretKey, config.secretPassphrase));
  return createServices({ db, clock: systemClock, random: secureRandom, hasher: argon2Hasher, secrets });
}

async function serve(config: Config, io: CliIo, json: boolean): Promise<number> {
  const server = await startServer(config, { consoleDir: join(PROJECT_ROOT, 'dist', 'renderer') });
  // The stop signals are caught before "Ready." goes out: a parent that stops the server as soon as it reads the line
  // must not find the default action (killed, database not closed) still in place.
  const stopped = waitForStop(server, io);
  if (json) {
    // One line for a program to read (the desktop app): the same facts as the banner, nothing to scrape.
    const facts: ServerReadyFacts = {
      event: 'ready',
      adminUrl: server.adminUrl,
      entryUrl: server.entryUrl,
      enrollmentUrl: server.enrollmentUrl,
      bootstrapUrl: server.bootstrapUrl,
      setupToken: server.setupToken,
    };
    io.out(JSON.stringify(facts));
  } else io.out(banner(server).join('\n'));
  return stopped;
}

/**
 * `serve --hosted`, the desktop app's development child: waits for the app's `start` line on stdin (which may carry
 * the data key), then talks JSON lines both ways (hosted.ts) until the app sends `stop`, closes stdin, or signals.
 */
function serveHosted(config: Config, io: CliIo): Promise<number> {
  return runHostedServer(stdioChannel(io.stdin as NodeJS.ReadableStream as Readable, io.out), {
    start: (dataKey) =>
      startServer(config, { consoleDir: join(PROJECT_ROOT, 'dist', 'renderer'), ...(dataKey ? { dataKey } : {}) }),
    now: () => new Date(),
    onSignal: processSignals,
  });
}

/** The human start-up block; one write, ending with "Ready.", so a parent reading the pipe never sees half of it. */
function banner(server: RunningServer): string[] {
  return [
    `Admin console: ${server.adminUrl}`,
    `Enrollment (LAN): ${server.entryUrl}`,
    `Certificate trust page: ${server.bootstrapUrl}`,
    ...(server.setupToken
      ? [
          `Setup token: ${server.setupToken}`,
          `First run: open ${server.adminUrl}setup and enter the setup token to create the first administrator.`,
        ]
      : []),
    SERVE_READY_LINE,
  ];
}

/** Waits for SIGINT or SIGTERM, then lets requests in flight finish and closes the database. */
async function waitForStop(server: RunningServer, io: CliIo): Promise<number> {
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      io.err(`Received ${signal}; finishing requests in flight and closing the database...`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      void server.close().then(resolve);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  io.err('Stopped.');
  return 0;
}

/** Runs one CLI command; returns the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, sub, ...rest] = argv;
  try {
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      io.out(USAGE);
      return command ? 0 : 2;
    }
    if (command === 'version' || command === '--version') {
      io.out(VERSION);
      return 0;
    }
    const config = loadConfig(io.env);
    switch (command) {
      case 'serve': {
        const { positional, opts } = parseArgs(sub === undefined ? [] : [sub, ...rest], ['json', 'hosted'], []);
        if (positional.length > 0) throw new UsageError(`serve takes no ${positional[0]}: use tsunagu serve [--json].`);
        if (opts.hosted === true) return await serveHosted(config, io);
        return await serve(config, io, opts.json === true);
      }
      case 'admin': {
        if (sub !== 'create') throw new UsageError('Use: tsunagu admin create --email E --name N');
        const { opts } = parseArgs(rest, ['password-stdin'], ['email', 'name']);
        const email = need(opts, 'email');
        const name = need(opts, 'name');
        const password = await readPassword(io, opts['password-stdin'] === true);
        return await withDb(config, async (db) => {
          const admin = await servicesFor(db, config).admins.create(
            { email, displayName: name, password },
            cliActor(),
            null,
          );
          io.out(`Created administrator ${admin.email} (${admin.id}).`);
          return 0;
        });
      }
      case 'user': {
        if (sub === 'add') {
          const { opts } = parseArgs(rest, ['password-stdin', 'temporary'], ['email', 'name', 'locale']);
          const locale = opts.locale;
          if (locale !== undefined && locale !== 'ja' && locale !== 'en')
            throw new UsageError('--locale must be ja or en.');
          const password = opts['password-stdin'] ? await readPassword(io, true) : undefined;
          return await withDb(config, async (db) => {
            const user = await servicesFor(db, config).users.create(
              {
                email: need(opts, 'email'),
                displayName: need(opts, 'name'),
                ...(locale ? { locale } : {}),
                ...(password !== undefined ? { password, temporaryPassword: opts.temporary === true } : {}),
              },
              { actor: cliActor(), sourceAddress: null },
            );
            io.out(`Added user ${user.email} (${user.id}).`);
            return 0;
          });
        }
        if (sub === 'import') {
          const { positional } = parseArgs(rest, [], []);
          const file = positional[0];
          if (!file) throw new UsageError('Use: tsunagu user import FILE.csv');
          if (!existsSync(file)) throw new UsageError(`${file} does not exist.`);
          const text = decodeCsvBytes(readFileSync(file));
          return await withDb(config, async (db) => {
            const result = await servicesFor(db, config).users.importCsv(text, {
              actor: cliActor(),
              sourceAddress: null,
              fileName: file.split(/[\\/]/).pop() ?? file,
            });
            io.out(`Imported ${result.created.length} users from ${file}.`);
            return 0;
          });
        }
        throw new UsageError('Use: tsunagu user add ... or tsunagu user import FILE.csv');
      }
      case 'audit': {
        if (sub === 'verify') {
          return await withDb(config, async (db) => {
            const result = servicesFor(db, config).audit.verify();
            if (result.ok) {
              io.out(`Audit trail OK: ${result.checked} events, every link verified.`);
              return 0;
            }
            io.out(`Audit trail BROKEN at event ${result.firstBroken?.seq}: ${result.firstBroken?.reason}.`);
            return 1;
          });
        }
        if (sub === 'export') {
          const { opts } = parseArgs(rest, [], ['format', 'out', 'from', 'to', 'action', 'actor', 'subject']);
          const format = (opts.format ?? 'jsonl') as string;
          if (format !== 'jsonl' && format !== 'csv') throw new UsageError('--format must be jsonl or csv.');
          const query = Object.fromEntries(
            ['from', 'to', 'action', 'actor', 'subject']
              .filter((k) => typeof opts[k] === 'string')
              .map((k) => [k, opts[k] as string]),
          );
          return await withDb(config, async (db) => {
            const audit = servicesFor(db, config).audit;
            audit.list({ ...query, limit: 1 });
            const out = typeof opts.out === 'string' ? createWriteStream(opts.out, { flags: 'wx' }) : null;
            let n = 0;
            for (const line of audit.exportLines(format, query)) {
              if (out) {
                if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
              } else process.stdout.write(line);
              n++;
            }
            if (out) {
              out.end();
              await finished(out);
            }
            audit.record({
              actor: cliActor(),
              action: 'audit.exported',
              details: { format, filters: query, to: typeof opts.out === 'string' ? opts.out : 'stdout' },
            });
            io.err(`Exported ${format === 'csv' ? n - 1 : n} events.`);
            return 0;
          });
        }
        throw new UsageError('Use: tsunagu audit verify | tsunagu audit export [...]');
      }
      case 'backup': {
        const { positional, opts } = parseArgs(sub === undefined ? [] : [sub, ...rest], ['without-key'], []);
        const file = positional[0];
        if (!file || positional.length > 1) throw new UsageError('Use: tsunagu backup FILE [--without-key]');
        const withKey = opts['without-key'] !== true;
        if (withKey && existsSync(`${file}.key`))
          throw new AppError('VALIDATION_FAILED', `${file}.key already exists; choose a new file name.`);
        // Asked before anything is written, so a missing passphrase leaves no half backup.
        const passphrase = withKey ? await readPassphrase(io, 'backup') : null;
        return await withDb(config, async (db) => {
          const { bytes } = await backupDatabase(db, file);
          if (passphrase !== null) {
            const key = loadOrCreateKey(dataPaths(config.dataDir).secretKey, config.secretPassphrase);
            writeFileSync(`${file}.key`, await sealKey(key, passphrase), { mode: 0o600, flag: 'wx' });
          }
          servicesFor(db, config).audit.record({
            actor: cliActor(),
            action: 'backup.created',
            details: { file, bytes, keySealed: passphrase !== null },
          });
          io.out(`Backup written to ${file} (${bytes} bytes).`);
          if (passphrase !== null)
            io.out(
              `The data key, sealed with your passphrase, is in ${file}.key: keep both files together. Without the passphrase the stored secrets (CA, push and mail keys) cannot be restored.`,
            );
          return 0;
        });
      }
      case 'restore': {
        const file = sub;
        if (!file) throw new UsageError('Use: tsunagu restore FILE');
        const paths = dataPaths(config.dataDir);
        const pid = isLocked(paths.lock);
        if (pid)
          throw new AppError(
            'VALIDATION_FAILED',
            `Tsunagu is running (process ${pid}) on this data directory; stop it before restoring. Nothing was changed.`,
          );
        if (existsSync(file) && isBackupContainer(file)) return await restoreContainer(file, config, io);
        verifyBackup(file);
        // Everything that can refuse (the backup, the passphrase, the data directory's key) is checked before a write.
        const key = existsSync(`${file}.key`) ? await backupKey(`${file}.key`, io) : null;
        return await restoreChecked(config, io, { file, dbFile: file, key, keySource: `${file}.key` });
      }
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.err(`Configuration error: ${err.message}`);
      return 2;
    }
    if (err instanceof AppError) {
      io.err(`Error ${err.code}: ${err.message}`);
      const rows = err.details?.errors;
      if (Array.isArray(rows))
        for (const r of rows.slice(0, 50) as { row: number; message: string }[])
          io.err(`  line ${r.row}: ${r.message}`);
      return 1;
    }
    io.err(`Error: ${(err as Error).message}`);
    return 1;
  }
}
