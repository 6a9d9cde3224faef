import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has defaults and is frozen', () => {
    const c = loadConfig({}, '/srv');
    expect(c).toMatchObject({
      dataDir: '/srv/data',
      adminPort: 8440,
      devicePort: 8443,
      httpPort: 8080,
      lanAdmin: false,
      logLevel: 'info',
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads every variable', () => {
    const c = loadConfig(
      {
        TSUNAGU_DATA_DIR: 'x',
        TSUNAGU_ADMIN_PORT: '0',
        TSUNAGU_DEVICE_PORT: '9443',
        TSUNAGU_HTTP_PORT: '9080',
        TSUNAGU_HOSTNAMES: 'MDM.office.lan, mdm',
        TSUNAGU_LAN_ADMIN: 'on',
      },
      '/srv',
    );
    expect(c).toMatchObject({
      dataDir: '/srv/x',
      adminPort: 0,
      devicePort: 9443,
      httpPort: 9080,
      hostnames: ['mdm.office.lan', 'mdm'],
      lanAdmin: true,
    });
  });

  it.each([
    ['TSUNAGU_ADMIN_PORT', '70000', /0 to 65535/],
    ['TSUNAGU_DEVICE_PORT', 'https', /port number/],
    ['TSUNAGU_HTTP_PORT', '-1', /port number/],
    ['TSUNAGU_HOSTNAMES', 'bad host!,ok', /comma-separated list of DNS names/],
    ['TSUNAGU_LAN_ADMIN', 'maybe', /on or off/],
    ['TSUNAGU_LOG_LEVEL', 'loud', /one of fatal/],
    ['TSUNAGU_DATA_DIR', ' ', /directory path/],
    ['TSUNAGU_SECRET_PASSPHRASE', 'short', /at least 12/],
    ['TSUNAGU_RATE_REFUSALS', '0', /whole number from 1/],
    ['TSUNAGU_RATE_WINDOW_SECONDS', '1m', /whole number/],
    ['TSUNAGU_TRUSTED_PROXIES', '10.0.0.0/8', /IP addresses/],
    ['TSUNAGU_TRUSTED_PROXIES', 'proxy.lan', /IP addresses/],
    ['TSUNAGU_HEADERS_TIMEOUT_SECONDS', '16', /at most TSUNAGU_REQUEST_TIMEOUT_SECONDS/],
  ])('names %s when it is %j', (name, value, allowed) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as Error).message).toMatch(name);
    expect((error as Error).message).toMatch(allowed);
  });

  it('has request limits, no trusted proxy and timeouts by default, and reads them', () => {
    expect(loadConfig({}, '/srv')).toMatchObject({
      rateLimits: { windowSeconds: 60, refusals: 30, requests: 6000, perDevice: 600, global: 20_000 },
      trustedProxies: [],
      timeouts: { headersSeconds: 10, requestSeconds: 15, keepAliveSeconds: 5, idleSeconds: 60 },
    });
    const c = loadConfig(
      {
        TSUNAGU_RATE_WINDOW_SECONDS: '10',
        TSUNAGU_RATE_REFUSALS: '5',
        TSUNAGU_RATE_REQUESTS: '100',
        TSUNAGU_RATE_PER_DEVICE: '7',
        TSUNAGU_RATE_GLOBAL: '1000',
        TSUNAGU_TRUSTED_PROXIES: '192.168.1.10, ::1',
        TSUNAGU_HEADERS_TIMEOUT_SECONDS: '5',
        TSUNAGU_REQUEST_TIMEOUT_SECONDS: '15',
        TSUNAGU_KEEP_ALIVE_TIMEOUT_SECONDS: '3',
        TSUNAGU_IDLE_TIMEOUT_SECONDS: '30',
      },
      '/srv',
    );
    expect(c).toMatchObject({
      rateLimits: { windowSeconds: 10, refusals: 5, requests: 100, perDevice: 7, global: 1000 },
      trustedProxies: ['192.168.1.10', '::1'],
      timeouts: { headersSeconds: 5, requestSeconds: 15, keepAliveSeconds: 3, idleSeconds: 30 },
    });
  });

  describe('TSUNAGU_HELPER_BUILD', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsunagu-config-'));
    writeFileSync(join(dir, 'Tsunagu Helper.dmg'), 'x');
    writeFileSync(join(dir, 'helper.exe'), 'x');
    mkdirSync(join(dir, 'folder.zip'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each([
      ['unset', undefined, null],
      ['empty', '', null],
      ['a relative path to a .dmg', 'Tsunagu Helper.dmg', join(dir, 'Tsunagu Helper.dmg')],
    ])('is read: %s', (_name, value, expected) => {
      const env = value === undefined ? {} : { TSUNAGU_HELPER_BUILD: value };
      expect(loadConfig(env, dir).helperBuild).toBe(expected);
    });

    it.each([
      ['another extension', 'helper.exe'],
      ['a missing file', 'missing.pkg'],
      ['a directory', 'folder.zip'],
    ])('is refused: %s', (_name, value) => {
      expect(() => loadConfig({ TSUNAGU_HELPER_BUILD: value }, dir)).toThrow(
        /TSUNAGU_HELPER_BUILD.*\.dmg, \.pkg or \.zip/,
      );
    });
  });
});
