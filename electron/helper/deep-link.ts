// The helper's deep link, `tsunagu://enroll?server=<https origin>&ca=<SHA-256 of the office CA>&token=<single-use>`,
// as the portal's Mac page writes it. Anything on a web page can open such a link, so it is untrusted input: it is
// parsed strictly here, and the helper still asks the user before it talks to a server it has not seen before.
import { normaliseFingerprint, parseServerAddress } from './server-address.js';

/** The URL scheme the helper registers. */
export const HELPER_SCHEME = 'tsunagu:';

/** Longest link taken: a real one is about 250 characters. */
export const DEEP_LINK_MAX_LENGTH = 2048;

/** What an enrollment link asks the helper to do. */
export interface EnrollLink {
  /** The server's HTTPS origin, e.g. `https://mdm.office.lan:8443`. */
  server: string;
  /** The office CA's SHA-256 fingerprint, lower-case hex without separators (`normaliseFingerprint`). */
  caSha256: string;
  /** The portal's single-use sign-in token, or null: the user signs in with email and password or PIN. */
  token: string | null;
}

/** Why a link was refused. */
export type DeepLinkProblem =
  | 'too-long'
  | 'not-a-link'
  | 'wrong-scheme'
  | 'unknown-action'
  | 'missing'
  | 'repeated'
  | 'bad-server'
  | 'bad-fingerprint'
  | 'bad-token';

/** A refused link: `problem` for the screens, `message` says what was wrong and what to do. */
export class DeepLinkError extends Error {
  constructor(
    readonly problem: DeepLinkProblem,
    message: string,
    readonly field?: 'server' | 'ca' | 'token',
  ) {
    super(message);
    this.name = 'DeepLinkError';
  }
}

const AGAIN = 'Open the link again from the enrollment page on this Mac, or type the server address in the helper.';

/** The one value of `name`: refused when missing (if `required`) or given more than once. */
function single(params: URLSearchParams, name: 'server' | 'ca' | 'token', required: boolean): string | null {
  const values = params.getAll(name);
  if (values.length > 1)
    throw new DeepLinkError('repeated', `The link gives "${name}" more than once, so it is ambiguous. ${AGAIN}`, name);
  const value = values[0] ?? null;
  if (required && !value)
    throw new DeepLinkError('missing', `The link has no "${name}"; it may have been cut short. ${AGAIN}`, name);
  return value || null;
}

/**
 * The server's origin from the link's `server`: stricter than an address the user types (server-address.ts), since
 * the portal writes it: HTTPS spelled out, no user name or password, no path, query or fragment.
 */
export function parseServerOrigin(raw: string): string {
  const refuse = (why: string) => new DeepLinkError('bad-server', `The server address ${why}. ${AGAIN}`, 'server');
  if (!/^https:\/\//i.test(raw)) throw refuse('must start with https://');
  const parsed = parseServerAddress(raw);
  if (!parsed.ok) throw refuse(`"${raw.slice(0, 100)}" is not usable`);
  const url = new URL(raw);
  if (url.username || url.password) throw refuse('must not carry a user name or password');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash)
    throw refuse('must be only https://host:port, without a path');
  return parsed.serverUrl;
}

/**
 * Parses an enrollment deep link. Throws `DeepLinkError` for anything else: another scheme or action, a missing or
 * repeated field, a server that is not a bare HTTPS origin, a fingerprint that is not SHA-256, a token that is not
 * the portal's shape. Parameters the helper does not know are ignored (a newer portal may add some).
 */
export function parseDeepLink(raw: string): EnrollLink {
  if (raw.length > DEEP_LINK_MAX_LENGTH)
    throw new DeepLinkError('too-long', `The link is longer than ${DEEP_LINK_MAX_LENGTH} characters. ${AGAIN}`);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new DeepLinkError('not-a-link', `This is not a link the helper can open. ${AGAIN}`);
  }
  if (url.protocol !== HELPER_SCHEME)
    throw new DeepLinkError('wrong-scheme', `The helper opens only ${HELPER_SCHEME}// links. ${AGAIN}`);
  // `tsunagu://enroll?...` parses with host "enroll"; `tsunagu:enroll?...` with path "enroll".
  const action = (url.host || url.pathname).replace(/^\/+|\/+$/g, '').toLowerCase();
  if (action !== 'enroll')
    throw new DeepLinkError(
      'unknown-action',
      `This helper cannot do "${action.slice(0, 40)}": it may be older than the server. Download the helper again from the enrollment page.`,
    );
  const server = parseServerOrigin(single(url.searchParams, 'server', true) as string);
  const caSha256 = normaliseFingerprint(single(url.searchParams, 'ca', true) as string);
  if (!caSha256)
    throw new DeepLinkError(
      'bad-fingerprint',
      `The link's "ca" is not a SHA-256 fingerprint (64 hexadecimal digits). ${AGAIN}`,
      'ca',
    );
  const token = single(url.searchParams, 'token', false);
  // The portal's tokens are base64url, 128 bits or more (server/core/ids.ts).
  if (token !== null && !/^[A-Za-z0-9_-]{22,100}$/.test(token))
    throw new DeepLinkError(
      'bad-token',
      `The link's sign-in token is damaged. Sign in with your email address instead, or ${AGAIN.charAt(0).toLowerCase()}${AGAIN.slice(1)}`,
      'token',
    );
  return { server, caSha256, token };
}

/**
 * The deep link among a process's arguments (Windows and Linux pass it on the command line, to the first instance
 * through `second-instance`; macOS sends `open-url` instead), or null when there is none.
 */
export function deepLinkInArgv(argv: readonly string[]): string | null {
  return argv.find((arg) => arg.toLowerCase().startsWith(HELPER_SCHEME)) ?? null;
}

/** Builds the link the portal's Mac page offers; `parseDeepLink` reads it back unchanged. */
export function formatDeepLink(link: EnrollLink): string {
  const params = new URLSearchParams({ server: link.server, ca: link.caSha256 });
  if (link.token) params.set('token', link.token);
  return `${HELPER_SCHEME}//enroll?${params.toString()}`;
}
