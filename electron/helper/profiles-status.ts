/**
 * Reading `profiles status -type enrollment` and deciding whether the MDM server it names is ours.
 */

/** What `profiles status -type enrollment` says about this Mac. */
export interface EnrollmentStatus {
  /** "MDM enrollment: Yes…" */
  enrolled: boolean;
  /** Lower-case host name of the `MDM server:` URL (no port); null when not enrolled. */
  serverHost: string | null;
  /** "(User Approved)" after "Yes". */
  userApproved: boolean;
}

/** Result of {@link parseProfilesStatus}: the status, or why the output could not be trusted. */
export type ProfilesStatusResult = { ok: true; status: EnrollmentStatus } | { ok: false; error: string };

/**
 * Lower-cases a host name and drops a trailing dot and any brackets of an IPv6 literal; '' when empty.
 */
export function normaliseHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '').replace(/^\[/, '').replace(/\]$/, '');
}

/**
 * Whether two hosts name the same server: compared case-insensitively and without ports, because our
 * MDM URL is `https://<host>:8443/mdm/connect` while the user or link may give the host with another port
 * (or none). The CA fingerprint check, not the port, is what guards against an impostor on the same host.
 */
export function sameServerHost(a: string, b: string): boolean {
  const left = normaliseHost(a);
  return left !== '' && left === normaliseHost(b);
}

function field(lines: readonly string[], name: string): string | null | 'duplicate' {
  const prefix = `${name.toLowerCase()}:`;
  const values = lines.filter((line) => line.toLowerCase().startsWith(prefix)).map((l) => l.slice(prefix.length));
  if (values.length > 1) return 'duplicate';
  return values[0]?.trim() ?? null;
}

/**
 * Parses `profiles status -type enrollment` output, e.g.
 * `Enrolled via DEP: No` / `MDM enrollment: Yes (User Approved)` / `MDM server: https://mdm.example.com/mdm`.
 * Anything unexpected (no `MDM enrollment:` line, an unknown value, enrolled without a usable `MDM server:`
 * URL, repeated lines) is an error: the helper must not guess whether a Mac is enrolled.
 */
export function parseProfilesStatus(stdout: string): ProfilesStatusResult {
  const lines = stdout
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const enrollment = field(lines, 'MDM enrollment');
  const server = field(lines, 'MDM server');
  if (enrollment === null) return { ok: false, error: 'no "MDM enrollment:" line' };
  if (enrollment === 'duplicate' || server === 'duplicate') return { ok: false, error: 'repeated lines' };
  if (/^no$/i.test(enrollment)) return { ok: true, status: { enrolled: false, serverHost: null, userApproved: false } };
  const yes = /^yes(?:\s*\((user approved)\))?$/i.exec(enrollment);
  if (yes === null) return { ok: false, error: `unknown "MDM enrollment:" value: ${enrollment}` };
  if (server === null) return { ok: false, error: 'enrolled but no "MDM server:" line' };
  let host: string;
  try {
    host = normaliseHost(new URL(server).hostname);
  } catch {
    return { ok: false, error: `"MDM server:" is not a URL: ${server}` };
  }
  if (host === '') return { ok: false, error: `"MDM server:" has no host: ${server}` };
  return { ok: true, status: { enrolled: true, serverHost: host, userApproved: yes[1] !== undefined } };
}
