// Public certificate mode: which name of an imported certificate links use, and the device base URL under it.

// A host name as links can carry it: letters, digits and hyphens in dot-separated labels (no wildcard, no IP).
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

/**
 * The DNS name links use for a certificate, from its subjectAltName entries (`DNS:name`, `IP Address:...` as Node
 * lists them): the first DNS name that is not a wildcard, in lower case; null when it has none.
 */
export function publicNameOf(subjectAltNames: readonly string[]): string | null {
  for (const entry of subjectAltNames) {
    if (!entry.startsWith('DNS:')) continue;
    const name = entry.slice(4).trim();
    if (HOST_NAME.test(name) && !IPV4.test(name)) return name.toLowerCase();
  }
  return null;
}

/** The device base URL under `host`: the office base URL's scheme and port with `host` instead of the office name. */
export function baseUrlWithHost(officeBaseUrl: string, host: string): string {
  // Before the device listener listens there is no URL to derive one from.
  if (!officeBaseUrl) return '';
  const { protocol, port } = new URL(officeBaseUrl);
  return `${protocol}//${host}${port ? `:${port}` : ''}`;
}
