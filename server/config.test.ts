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
