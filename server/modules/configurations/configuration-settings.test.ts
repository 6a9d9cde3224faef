import { describe, expect, it } from 'vitest';
import type { ConfigurationPlatform, ConfigurationSettingsInput } from '../../contract/configurations.js';
import { isAppError } from '../../core/errors.js';
import {
  checkTargets,
  contentFromSettings,
  readStoredContent,
  settingsDto,
  splitSecrets,
  storedContent,
} from './configuration-settings.js';

// Between the console's settings and what the library stores: secrets apart, binary values kept, edits keeping what
// was left out, and the platforms each kind may target.

const us = () => ({ scepUrls: ['http://mdm.office.test:8080/scep'], caDer: Buffer.from([0x30, 0x00]) });

/** The head of a PNG (signature, IHDR with its size): what the web clip check reads. */
function pngHead(side: number): Buffer {
  const b = Buffer.alloc(40);
  Buffer.from('89504e470d0a1a0a', 'hex').copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(side, 16);
  b.writeUInt32BE(side, 20);
  return b;
}

const roundTrip = (settings: ConfigurationSettingsInput, platforms: ConfigurationPlatform[] = ['ios', 'macos']) => {
  const content = contentFromSettings(settings, platforms, undefined, us);
  const { secrets } = splitSecrets(content.spec);
  return { content, again: readStoredContent(storedContent(content), secrets), stored: storedContent(content) };
};

describe('stored content', () => {
  it('keeps the Wi-Fi password out of the stored plist and puts it back from the secrets', () => {
    const { content, again, stored } = roundTrip({
      kind: 'wifi',
      ssid: 'Office',
      security: 'wpa2-personal',
      password: 'correct horse battery',
    });
    expect(stored).not.toContain('correct horse battery');
    expect(again).toEqual(content);
    expect(settingsDto(again)).toEqual({
      kind: 'wifi',
      ssid: 'Office',
      security: 'wpa2-personal',
      hidden: false,
      autoJoin: true,
      hasPassword: true,
    });
  });

  it('keeps a web clip icon as bytes and gives it back as base64', () => {
    const icon = pngHead(180);
    const { again } = roundTrip(
      { kind: 'webclip', url: 'https://intranet.example.com/', label: 'Intranet', iconBase64: icon.toString('base64') },
      ['ios'],
    );
    expect(again.spec.kind === 'webclip' && again.spec.webclip.icon).toEqual(icon);
    expect(settingsDto(again)).toMatchObject({ kind: 'webclip', iconBase64: icon.toString('base64') });
  });

  it('an edit that leaves the password out keeps the stored one; Enterprise drops it', () => {
    const first = contentFromSettings(
      { kind: 'wifi', ssid: 'Office', security: 'wpa3-personal', password: 'first long password' },
      ['ios'],
      undefined,
      us,
    );
    const kept = contentFromSettings({ kind: 'wifi', ssid: 'Office 2', security: 'wpa3-personal' }, ['ios'], first, us);
    expect(kept.spec.kind === 'wifi' && kept.spec.wifi.password).toBe('first long password');
    const enterprise = contentFromSettings(
      { kind: 'wifi', ssid: 'Office', security: 'wpa3-enterprise', trustedServerNames: ['radius.example.com'] },
      ['ios'],
      first,
      us,
    );
    expect(enterprise.spec.kind === 'wifi' && enterprise.spec.wifi.password).toBeUndefined();
  });

  it('refuses a changed kind and an upload that is not base64', () => {
    const first = contentFromSettings({ kind: 'office-ca' }, ['ios'], undefined, us);
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        if (isAppError(err)) return err.details?.field;
      }
      return 'accepted';
    };
    expect(refusal(() => contentFromSettings({ kind: 'identity' }, ['ios'], first, us))).toBe('settings.kind');
    expect(
      refusal(() => contentFromSettings({ kind: 'uploaded', profileBase64: 'not base64!' }, ['ios'], undefined, us)),
    ).toBe('settings.profileBase64');
    expect(refusal(() => contentFromSettings({ kind: 'uploaded' }, ['ios'], undefined, us))).toBe(
      'settings.profileBase64',
    );
  });
});

describe('targets', () => {
  const personal: ConfigurationSettingsInput = {
    kind: 'wifi',
    ssid: 'O',
    security: 'wpa2-personal',
    password: 'x'.repeat(8),
  };
  it('orders the platforms and defaults the Mac channel to the kind’s first', () => {
    expect(checkTargets('wifi', ['android', 'ios'], undefined, personal)).toEqual({
      platforms: ['ios', 'android'],
      macChannel: 'device',
    });
    expect(checkTargets('webclip', ['macos'], undefined, { kind: 'webclip', url: 'https://a', label: 'a' })).toEqual({
      platforms: ['macos'],
      macChannel: 'user',
    });
  });

  it('takes Android only for Personal Wi-Fi, and a Mac channel the kind may use', () => {
    const field = (fn: () => unknown) => {
      try {
        fn();
        return 'accepted';
      } catch (err) {
        return isAppError(err) ? err.details?.field : String(err);
      }
    };
    expect(field(() => checkTargets('vpn', ['android'], undefined, { kind: 'identity' }))).toBe('platforms');
    expect(
      field(() =>
        checkTargets('wifi', ['ios', 'android'], undefined, {
          kind: 'wifi',
          ssid: 'O',
          security: 'wpa2-enterprise',
          trustedServerNames: ['r.example.com'],
        }),
      ),
    ).toBe('platforms');
    expect(
      field(() => checkTargets('webclip', ['macos'], 'device', { kind: 'webclip', url: 'https://a', label: 'a' })),
    ).toBe('macChannel');
    expect(field(() => checkTargets('wifi', [], undefined, personal))).toBe('platforms');
    expect(field(() => checkTargets('wifi', ['windows'], undefined, personal))).toBe('platforms');
  });
});
