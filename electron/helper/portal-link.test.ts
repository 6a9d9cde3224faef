// The portal writes the helper link with its own writer (server/ may not import electron/): the helper reads it.
import { describe, expect, it } from 'vitest';
import { formatDeepLink, parseDeepLink } from './deep-link.js';
import { helperDeepLink, linkFingerprint } from '../../server/modules/portal/helper-link.js';

const FP = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
const HEX = FP.replace(/:/g, '').toLowerCase();
const TOKEN = 'abcdefghijklmnopqrstuvwxyz012345';

describe('helperDeepLink', () => {
  it.each([
    ['a host name and port', 'https://mdm.office.lan:8443', 'https://mdm.office.lan:8443'],
    ['the default port', 'https://mdm.example.com', 'https://mdm.example.com'],
    ['an IPv4 address', 'https://192.168.1.10:8443', 'https://192.168.1.10:8443'],
    ['a trailing slash', 'https://mdm.office.lan:8443/', 'https://mdm.office.lan:8443'],
    ['an upper-case host', 'https://MDM.Office.LAN:8443', 'https://mdm.office.lan:8443'],
  ])('is read back by the helper’s parseDeepLink: %s', (_name, server, origin) => {
    const link = helperDeepLink({ server, caFingerprint256: FP, token: TOKEN });
    expect(link.startsWith('tsunagu://enroll?')).toBe(true);
    expect(parseDeepLink(link)).toEqual({ server: origin, caSha256: HEX, token: TOKEN });
  });

  it('writes exactly what the helper’s own formatDeepLink writes', () => {
    const server = 'https://mdm.office.lan:8443';
    expect(helperDeepLink({ server, caFingerprint256: FP, token: TOKEN })).toBe(
      formatDeepLink({ server, caSha256: HEX, token: TOKEN }),
    );
  });

  it.each([
    ['colons, upper case', FP],
    ['spaces', FP.replace(/:/g, ' ')],
    ['already plain', HEX],
  ])('writes the fingerprint as lower-case hex: %s', (_name, fp) => {
    expect(linkFingerprint(fp)).toBe(HEX);
  });
});
