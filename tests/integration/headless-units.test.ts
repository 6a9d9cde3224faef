// The example service units in build/headless/ for a small office box: they run `tsunagu serve` as the CLI expects,
// with settings the server accepts, stop it with the signal it drains on, and restart it only when it fails.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { isDict, parsePlist, type PlistDict } from '../../server/core/plist.js';
import { PROJECT_ROOT } from '../../server/version.js';

const dir = join(PROJECT_ROOT, 'build', 'headless');

/** A systemd unit as section -> key -> values (keys may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1] as string, current);
      continue;
    }
    const at = line.indexOf('=');
    if (!current || at < 1) throw new Error(`not a unit line: ${line}`);
    const key = line.slice(0, at);
    current.set(key, [...(current.get(key) ?? []), line.slice(at + 1)]);
  }
  return sections;
}

/** The repository path a command's script argument names, as installed in /opt/tsunagu. */
const inRepo = (installed: string) => join(PROJECT_ROOT, installed.replace(/^\/opt\/tsunagu\//, ''));

describe('the systemd unit', () => {
  const unit = parseUnit(readFileSync(join(dir, 'tsunagu.service'), 'utf8'));
  const service = unit.get('Service') as Map<string, string[]>;
  const one = (key: string) => service.get(key)?.at(-1);

  it('runs `tsunagu serve` from the installed tree as its own user', () => {
    const [node, script, command, ...rest] = (one('ExecStart') ?? '').split(' ');
    expect(node).toMatch(/\/node$/);
    expect(existsSync(inRepo(script as string))).toBe(true);
    expect([command, ...rest]).toEqual(['serve']);
    expect(one('User')).toBe('tsunagu');
    expect(unit.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('gives the server settings it accepts, with the data folder writable and private', () => {
    const env = Object.fromEntries((service.get('Environment') ?? []).map((e) => e.split('=', 2) as [string, string]));
    const config = loadConfig(env, '/opt/tsunagu');
    expect(config.dataDir).toBe('/var/lib/tsunagu');
    expect(one('ReadWritePaths')).toBe(config.dataDir);
    expect(`/var/lib/${one('StateDirectory')}`).toBe(config.dataDir);
    expect(one('StateDirectoryMode')).toBe('0700');
    expect(one('ProtectSystem')).toBe('strict');
  });

  it('stops with SIGTERM (serve drains and closes the database) and restarts only on failure', () => {
    expect(one('KillSignal')).toBe('SIGTERM');
    expect(Number(one('TimeoutStopSec'))).toBeGreaterThanOrEqual(30);
    expect(one('Restart')).toBe('on-failure');
  });
});

describe('the launchd job', () => {
  const job = parsePlist(readFileSync(join(dir, 'jp.tsunagu.server.plist'))) as PlistDict;

  it('runs `tsunagu serve` from the installed tree as its own user, at boot', () => {
    const args = job.ProgramArguments as string[];
    expect(args[0]).toMatch(/\/node$/);
    expect(existsSync(inRepo(args[1] as string))).toBe(true);
    expect(args.slice(2)).toEqual(['serve']);
    expect(job.Label).toBe('jp.tsunagu.server');
    expect(job.UserName).toBe('_tsunagu');
    expect(job.RunAtLoad).toBe(true);
  });

  it('gives the server settings it accepts, private files, and restarts it only after a failure', () => {
    const env = job.EnvironmentVariables as Record<string, string>;
    expect(loadConfig(env, '/opt/tsunagu').dataDir).toBe('/Library/Application Support/Tsunagu');
    expect(job.Umask).toBe(0o077);
    expect(isDict(job.KeepAlive) && job.KeepAlive.SuccessfulExit).toBe(false);
    expect(job.ExitTimeOut).toBeGreaterThanOrEqual(30);
  });
});
