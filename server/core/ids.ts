import { createHash } from 'node:crypto';
import type { Random } from './random.js';

/** A new opaque token of `bytes` random bytes, base64url encoded (for sessions, setup and CSRF tokens). */
export function newToken(random: Random, bytes = 32): string {
  return random.bytes(bytes).toString('base64url');
}

/**
 * How a bearer token (session, link, challenge, agent token) is stored: SHA-256, hex. Tokens are 128 bits or
 * more of randomness, so a fast hash is enough; only the hash reaches the database.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new numeric code of `length` digits, uniformly distributed (for PINs). */
export function newDigits(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(random.int(0, 10));
  return out;
}

/** Normalizes an email address for uniqueness checks: trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
