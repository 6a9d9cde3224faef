/**
 * Turning what the user typed (or the link carried) into a server origin, and CA fingerprints into one form.
 */
import { normaliseHost } from './profiles-status.js';

/** A usable server address, or why not. */
export type ServerAddress =
  { ok: true; serverUrl: string; host: string } | { ok: false; reason: 'bad-url' | 'not-https' };

/**
 * Normalises a server address: "mdm.example.com" becomes "https://mdm.example.com"; a path, query or
 * credentials are dropped; only https is accepted (the helper pins the server's CA over TLS).
 */
export function parseServerAddress(input: string): ServerAddress {
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, reason: 'bad-url' };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, reason: 'bad-url' };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: 'not-https' };
  const host = normaliseHost(url.hostname);
  if (host === '') return { ok: false, reason: 'bad-url' };
  return { ok: true, serverUrl: url.origin, host };
}

/**
 * A SHA-256 fingerprint in one form: lower-case hex without colons or spaces; null unless 64 hex digits.
 */
export function normaliseFingerprint(value: string): string | null {
  const hex = value.replace(/[\s:]/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}
