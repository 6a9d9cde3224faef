// The host's own decisions with a scripted server client: what the integration test against a real server cannot
// provoke on demand (a dropped network mid-way, a refused enrollment), and the window's actions.
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp-dir.js';
import { HelperApiError, type HelperApiClient } from './api-client.js';
import { FakeMacPlatform } from './fake-platform.js';
import { createHelperHost, type HelperHost } from './host.js';
import { notificationText } from './notification-text.js';
import { createProfileFiles } from './profile-files.js';
import { createRememberedServers } from './remembered-servers.js';

const CA = 'ab'.repeat(32);
const SERVER = 'https://mdm.office.lan:8443';
const dir = tempDir('host');
const hosts: HelperHost[] = [];
let made = 0;
afterEach(() => {
  for (const h of hosts.splice(0)) h.dispose();
});

type Script = Partial<{ [K in keyof HelperApiClient]: HelperApiClient[K] }>;

function client(script: Script = {}): HelperApiClient & { calls: string[] } {
  const calls: string[] = [];
  const base: HelperApiClient = {
    serverInfo: async () => ({
      info: { api: 1, organisation: 'Office', server: SERVER, caSha256: CA, minimumMacos: '13.0', portalUrl: SERVER },
      caSha256: CA,
    }),
    signIn: async () => ({ token: 's', expiresAt: '', user: { email: 'a@b.c', displayName: 'A' } }),
    signOut: async () => undefined,
    openEnrollment: async () => ({ enrollmentId: 'e1', status: 'pending', expiresAt: '' }),
    profile: async () => ({
      enrollmentId: 'e1',
      expiresAt: '',
      validSeconds: 900,
      fileName: 'p.mobileconfig',
      profile: Buffer.from('profile').toString('base64'),
    }),
    status: async () => ({
      enrollmentId: 'e1',
      status: 'pending',
      tokenUpdateSeen: false,
      profile: { state: 'valid', expiresAt: null, secondsLeft: 1 },
    }),
  };
  const wrapped = {} as HelperApiClient;
  for (const key of Object.keys(base) as (keyof HelperApiClient)[]) {
    (wrapped as unknown as Record<string, unknown>)[key] = (...args: unknown[]) => {
      calls.push(key);
      const fn = (script[key] ?? base[key]) as (...a: unknown[]) => unknown;
      return fn(...args);
    };
  }
  return Object.assign(wrapped, { calls });
}

function host(api: HelperApiClient, mac = new FakeMacPlatform()) {
  const opened: string[] = [];
  made += 1;
  const h = createHelperHost({
    platform: mac,
    clientFor: () => api,
    servers: createRememberedServers(`${dir.path}/servers-${made}.json`),
    profiles: createProfileFiles(`${dir.path}/profiles-${made}`),
    schedule: (run, ms) => {
      const t = setTimeout(run, Math.min(ms, 5));
      return { cancel: () => clearTimeout(t) };
    },
    now: () => Date.now(),
    notificationText,
    reminder: { schedule: () => undefined, clear: () => undefined },
    quit: () => opened.push('quit'),
    locale: 'ja',
  });
  hosts.push(h);
  return h;
}

const link = (token: string | null) => ({ kind: 'deep-link' as const, link: { server: SERVER, caSha256: CA, token } });
const networkDown = () => Promise.reject(new HelperApiError({ kind: 'network', detail: 'ECONNRESET' }));

describe('the helper host', () => {
  it('shows the network-lost screen when the download fails mid-way, and resumes the download on retry', async () => {
    let fail = true;
    const api = client({ profile: (...args) => (fail ? networkDown() : client().profile(...args)) });
    const h = host(api);
    await h.start(link('t'));
    await h.send({ type: 'accept-server' });
    await h.idle();
    expect(h.screen().state.kind).toBe('network-lost');
    fail = false;
    await h.send({ type: 'retry' });
    await h.idle();
    expect(h.screen().state.kind).toBe('installing');
    // The session and the enrollment are kept: no second sign-in, no second enrollment.
    expect(api.calls.filter((c) => c === 'signIn')).toHaveLength(1);
    expect(api.calls.filter((c) => c === 'openEnrollment')).toHaveLength(1);
  });

  it('shows the network-lost screen when the server drops while it waits for the TokenUpdate', async () => {
    let down = false;
    const mac = new FakeMacPlatform();
    const api = client({ status: (...args) => (down ? networkDown() : client().status(...args)) });
    const h = host(api, mac);
    await h.start(link('t'));
    await h.send({ type: 'accept-server' });
    await h.idle();
    down = true;
    mac.scriptProfilesStatus(`Enrolled via DEP: No\nMDM enrollment: Yes (User Approved)\nMDM server: ${SERVER}/mdm\n`);
    for (let i = 0; i < 50 && h.screen().state.kind !== 'network-lost'; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(h.screen().state.kind).toBe('network-lost');
  });

  it('opens a fresh enrollment once when the server closed the old one', async () => {
    let first = true;
    const api = client({
      profile: (...args) => {
        if (!first) return client().profile(...args);
        first = false;
        return Promise.reject(
          new HelperApiError({ kind: 'http', status: 409, code: 'ENROLLMENT_CLOSED', message: '' }),
        );
      },
    });
    const h = host(api);
    await h.start(link('t'));
    await h.send({ type: 'accept-server' });
    await h.idle();
    expect(h.screen().state.kind).toBe('installing');
    expect(api.calls.filter((c) => c === 'openEnrollment')).toHaveLength(2);
  });

  it('starts again from a link without its spent token', async () => {
    const api = client({
      signIn: () =>
        Promise.reject(new HelperApiError({ kind: 'http', status: 410, code: 'LINK_OUTDATED', message: '' })),
    });
    const h = host(api);
    await h.start(link('t'));
    await h.send({ type: 'accept-server' });
    await h.idle();
    expect(h.screen().state).toEqual({
      kind: 'sign-in',
      submitting: false,
      problem: 'token-used',
      withLinkToken: false,
    });
    await h.send({ type: 'cancel' });
    await h.send({ type: 'start-again' });
    await h.idle();
    expect(h.screen().state).toMatchObject({ kind: 'sign-in', withLinkToken: false });
  });

  it.each([
    [502, 'DIRECTORY_UNAVAILABLE', 'directory-unavailable'],
    [403, 'DIRECTORY_ACCESS_REVOKED', 'account-refused'],
    [401, 'SIGN_IN_FAILED', 'bad-credentials'],
  ] as const)('shows a directory user’s %i %s as %s, not as a wrong password', async (status, code, problem) => {
    const api = client({
      signIn: () => Promise.reject(new HelperApiError({ kind: 'http', status, code, message: '' })),
    });
    const h = host(api);
    await h.start(null);
    await h.send({ type: 'start', server: SERVER });
    await h.idle();
    await h.send({ type: 'accept-server' });
    await h.send({ type: 'sign-in', credentials: { method: 'password', email: 'user00001', password: 'p' } });
    await h.idle();
    expect(h.screen().state).toEqual({ kind: 'sign-in', submitting: false, problem, withLinkToken: false });
  });

  it('shows a refused link on the address screen, and opens System Settings again on request', async () => {
    const mac = new FakeMacPlatform({
      failingOpenTargets: ['x-apple.systempreferences:com.apple.Profiles-Settings.extension'],
    });
    const h = host(client(), mac);
    await h.start(null, { input: 'tsunagu://evil' });
    expect(h.screen().state).toEqual({ kind: 'enter-address', input: 'tsunagu://evil', problem: 'bad-link' });
    await h.send({ type: 'start', server: SERVER });
    await h.idle();
    await h.send({ type: 'accept-server' });
    await h.send({ type: 'sign-in', credentials: { method: 'password', email: 'a@b.c', password: 'p' } });
    await h.idle();
    expect(h.screen().state.kind).toBe('installing');
    const before = mac.opened.length;
    await h.send({ type: 'reopen-settings' });
    await h.idle();
    // The first pane id fails on this Mac: the next one is tried.
    expect(mac.opened.slice(before)).toEqual([
      'x-apple.systempreferences:com.apple.Profiles-Settings.extension',
      'x-apple.systempreferences:com.apple.preferences.configurationprofiles',
    ]);
    expect(h.screen().server).toEqual({ organisation: 'Office', host: 'mdm.office.lan' });
    expect(h.screen().locale).toBe('ja');
  });

  it('sends a Mac too old for the helper to the portal', async () => {
    const mac = new FakeMacPlatform({ productVersion: '12.7' });
    const h = host(client(), mac);
    await h.start(link('t'));
    expect(h.screen().state).toEqual({ kind: 'unsupported-macos', macosVersion: '12.7', portalUrl: SERVER });
    await h.send({ type: 'open-portal' });
    await h.idle();
    expect(mac.opened).toEqual([SERVER]);
  });
});

describe('a server reached by another address', () => {
  it('continues under the address the server names (once), so the Mac check compares the right host', async () => {
    const api = client({
      serverInfo: async () => ({
        info: { api: 1, organisation: 'Office', server: SERVER, caSha256: CA, minimumMacos: '13.0', portalUrl: SERVER },
        caSha256: CA,
      }),
    });
    const h = host(api);
    await h.start(null);
    await h.send({ type: 'start', server: 'https://192.168.1.20:8443' });
    await h.idle();
    expect(h.screen().state).toEqual({
      kind: 'confirm-server',
      organisation: 'Office',
      host: 'mdm.office.lan',
      caSha256: CA,
    });
    expect(api.calls.filter((c) => c === 'serverInfo')).toHaveLength(2);
  });

  it('does not follow a server that keeps naming another address', async () => {
    let n = 0;
    const api = client({
      serverInfo: async () => {
        n += 1;
        const server = `https://hop${n}.example:8443`;
        return {
          info: { api: 1, organisation: 'Loop', server, caSha256: CA, minimumMacos: '13.0', portalUrl: server },
          caSha256: CA,
        };
      },
    });
    const h = host(api);
    await h.start({ kind: 'typed', server: 'https://start.example:8443' });
    await h.idle();
    expect(h.screen().state).toMatchObject({ kind: 'confirm-server', host: 'hop1.example' });
    expect(n).toBe(2);
  });
});
