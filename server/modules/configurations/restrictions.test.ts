import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixturePath } from '../../../tests/helpers/fixtures.js';
import { CONFIGURATION_KINDS, MAC_CHANNELS } from './configuration-profile.js';
import { RESTRICTIONS, restrictionUsable, type RestrictionSupport } from './restrictions.js';

// The tables the builders and the console rely on, read back from Apple's schemas: which restrictions work on
// unsupervised devices, and which Mac channels each kind of payload may use.

interface OsSupport {
  introduced?: string;
  supervised?: boolean;
  devicechannel?: boolean;
  userchannel?: boolean;
}
interface SchemaKey {
  key: string;
  default?: unknown;
  content?: string;
  supportedOS?: { iOS?: OsSupport; macOS?: OsSupport };
}
interface Schema {
  payload: { supportedOS: { iOS?: OsSupport; macOS?: OsSupport } };
  payloadkeys: SchemaKey[];
}

function schema(file: string): Schema {
  return parse(readFileSync(fixturePath('apple', 'schema', 'profiles', file), 'utf8')) as Schema;
}

/** What the schema says of a key on a platform, in the terms of RestrictionSupport. */
function supportOf(key: SchemaKey, os: 'iOS' | 'macOS'): RestrictionSupport {
  const s = key.supportedOS?.[os] ?? {};
  if (s.introduced === 'n/a') return 'no';
  if (s.supervised) return 'supervised';
  const text = key.content ?? '';
  if (os === 'iOS' && /on unsupervised devices[^.]*deprecated/.test(text)) return 'deprecated';
  return 'yes';
}

describe('the restrictions offered', () => {
  const keys = new Map(schema('com.apple.applicationaccess.yaml').payloadkeys.map((k) => [k.key, k]));

  it.each(RESTRICTIONS.map((r) => [r.key, r] as const))(
    '%s: default and support as Apple’s schema says',
    (key, entry) => {
      const spec = keys.get(key);
      expect(spec, `${key} is in com.apple.applicationaccess.yaml`).toBeDefined();
      expect(entry.default).toBe(spec?.default);
      expect({ ios: entry.ios, macos: entry.macos }).toEqual({
        ios: supportOf(spec as SchemaKey, 'iOS'),
        macos: supportOf(spec as SchemaKey, 'macOS'),
      });
    },
  );

  it('are a useful set: most work on unsupervised iPhones and Macs, and each key once', () => {
    expect(new Set(RESTRICTIONS.map((r) => r.key)).size).toBe(RESTRICTIONS.length);
    expect(RESTRICTIONS.filter((r) => restrictionUsable(r, ['ios'])).length).toBeGreaterThanOrEqual(20);
    expect(RESTRICTIONS.filter((r) => restrictionUsable(r, ['macos'])).length).toBeGreaterThanOrEqual(15);
    // The supervised-only ones are listed so the console can say why they cannot be chosen.
    expect(RESTRICTIONS.filter((r) => r.ios === 'supervised').map((r) => r.key)).toContain('allowAppInstallation');
    expect(
      restrictionUsable(
        RESTRICTIONS.find((r) => r.key === 'allowAirDrop')!,
        ['ios', 'macos'],
      ),
    ).toBe(false);
    expect(
      restrictionUsable(
        RESTRICTIONS.find((r) => r.key === 'allowAirDrop')!,
        ['macos'],
      ),
    ).toBe(true);
  });
});

describe('the Mac channels of each kind', () => {
  const files: Record<(typeof CONFIGURATION_KINDS)[number], string | null> = {
    wifi: 'com.apple.wifi.managed.yaml',
    vpn: 'com.apple.vpn.managed.yaml',
    passcode: 'com.apple.mobiledevice.passwordpolicy.yaml',
    restrictions: 'com.apple.applicationaccess.yaml',
    'office-ca': 'com.apple.security.root.yaml',
    identity: 'com.apple.security.scep.yaml',
    webclip: 'com.apple.webClip.managed.yaml',
    uploaded: null,
  };

  it.each(CONFIGURATION_KINDS.filter((k) => files[k]).map((k) => [k, files[k] as string] as const))(
    '%s follows %s',
    (kind, file) => {
      const mac = schema(file).payload.supportedOS.macOS ?? {};
      const expected = [...(mac.devicechannel ? ['device'] : []), ...(mac.userchannel ? ['user'] : [])];
      expect([...MAC_CHANNELS[kind]]).toEqual(expected);
      // Every payload kind we build is allowed on unsupervised iPhones and iPads too.
      expect(schema(file).payload.supportedOS.iOS?.supervised).toBe(false);
    },
  );
});
