import { describe, expect, it } from 'vitest';
import {
  DEEP_LINK_MAX_LENGTH,
  DeepLinkError,
  deepLinkInArgv,
  formatDeepLink,
  parseDeepLink,
  type DeepLinkProblem,
} from './deep-link.js';

const HEX = 'c7a082af666e67abff9a4e6811cece0f63fd5cfe24869e53238b484b93f4215b';
const COLONS = 'C7:A0:82:AF:66:6E:67:AB:FF:9A:4E:68:11:CE:CE:0F:63:FD:5C:FE:24:86:9E:53:23:8B:48:4B:93:F4:21:5B';
const TOKEN = 'Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA';
const server = encodeURIComponent('https://mdm.office.lan:8443');

/** The problem `parseDeepLink` names for `raw`, or 'accepted'. */
function problemOf(raw: string): DeepLinkProblem | 'accepted' {
  try {
    parseDeepLink(raw);
    return 'accepted';
  } catch (e) {
    if (e instanceof DeepLinkError) return e.problem;
    throw e;
  }
}

describe('parseDeepLink', () => {
  it('reads the link the portal writes: the server origin, the CA fingerprint in one spelling, the token', () => {
    expect(parseDeepLink(`tsunagu://enroll?server=${server}&ca=${HEX}&token=${TOKEN}`)).toEqual({
      server: 'https://mdm.office.lan:8443',
      caSha256: HEX,
      token: TOKEN,
    });
  });

  it('takes a link without a token (the user signs in), any fingerprint spelling, and ignores unknown fields', () => {
    const spaced = COLONS.replace(/:/g, ' ').toLowerCase();
    expect(
      parseDeepLink(`tsunagu://enroll/?ca=${encodeURIComponent(spaced)}&server=https://192.168.1.20:8443&v=2`),
    ).toEqual({ server: 'https://192.168.1.20:8443', caSha256: HEX, token: null });
    expect(parseDeepLink(`TSUNAGU:enroll?server=https://[fe80::1]:8443/&ca=${COLONS}`).server).toBe(
      'https://[fe80::1]:8443',
    );
  });

  it('round-trips what formatDeepLink writes', () => {
    const link = { server: 'https://mdm.office.lan:8443', caSha256: HEX, token: TOKEN };
    expect(parseDeepLink(formatDeepLink(link))).toEqual(link);
    expect(parseDeepLink(formatDeepLink({ ...link, token: null }))).toEqual({ ...link, token: null });
  });

  it.each<[string, DeepLinkProblem]>([
    [`https://enroll?server=${server}&ca=${HEX}`, 'wrong-scheme'],
    [`javascript:alert(1)//enroll?server=${server}&ca=${HEX}`, 'wrong-scheme'],
    [`tsunagu://wipe?server=${server}&ca=${HEX}`, 'unknown-action'],
    [`tsunagu://enroll?ca=${HEX}`, 'missing'],
    [`tsunagu://enroll?server=${server}`, 'missing'],
    [`tsunagu://enroll?server=&ca=${HEX}`, 'missing'],
    [`tsunagu://enroll?server=${server}&server=https://evil.example&ca=${HEX}`, 'repeated'],
    [`tsunagu://enroll?server=${server}&ca=${HEX}&ca=${HEX}`, 'repeated'],
    [`tsunagu://enroll?server=http://mdm.office.lan:8080&ca=${HEX}`, 'bad-server'],
    [`tsunagu://enroll?server=https://user:pw@mdm.office.lan&ca=${HEX}`, 'bad-server'],
    [`tsunagu://enroll?server=${encodeURIComponent('https://mdm.office.lan/x')}&ca=${HEX}`, 'bad-server'],
    [`tsunagu://enroll?server=${encodeURIComponent('https://mdm.office.lan/?a=1')}&ca=${HEX}`, 'bad-server'],
    [`tsunagu://enroll?server=not%20a%20url&ca=${HEX}`, 'bad-server'],
    [`tsunagu://enroll?server=${server}&ca=${HEX.slice(2)}`, 'bad-fingerprint'],
    [`tsunagu://enroll?server=${server}&ca=${HEX.replace('c', 'g')}`, 'bad-fingerprint'],
    [`tsunagu://enroll?server=${server}&ca=${'ab'.repeat(20)}`, 'bad-fingerprint'],
    [`tsunagu://enroll?server=${server}&ca=${HEX}&token=short`, 'bad-token'],
    [
      `tsunagu://enroll?server=${server}&ca=${HEX}&token=${encodeURIComponent('<script>aaaaaaaaaaaaaaaaaaaa')}`,
      'bad-token',
    ],
    ['not a link', 'not-a-link'],
    [`tsunagu://enroll?server=${server}&ca=${HEX}&pad=${'x'.repeat(DEEP_LINK_MAX_LENGTH)}`, 'too-long'],
  ])('refuses %s (%s)', (raw, problem) => {
    expect(problemOf(raw)).toBe(problem);
  });

  it('says what was wrong and what to do, and names the field', () => {
    try {
      parseDeepLink(`tsunagu://enroll?server=http://mdm.office.lan&ca=${HEX}`);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DeepLinkError);
      const error = e as DeepLinkError;
      expect(error.field).toBe('server');
      expect(error.message).toContain('must start with https://');
      expect(error.message).toContain('Open the link again from the enrollment page');
    }
  });
});

describe('deepLinkInArgv', () => {
  it('finds the link among the arguments Windows and Linux pass, or none', () => {
    const link = `tsunagu://enroll?server=${server}&ca=${HEX}`;
    expect(deepLinkInArgv(['/opt/Tsunagu/tsunagu', '--helper', link])).toBe(link);
    expect(deepLinkInArgv(['/opt/Tsunagu/tsunagu', '--helper'])).toBeNull();
  });
});
