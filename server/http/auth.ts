import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';
import type { Actor } from '../contract/audit.js';
import type { AdminDto } from '../contract/auth.js';

/** The signed-in administrator of a request. */
export interface AdminPrincipal {
  admin: AdminDto;
  csrfToken: string;
  tokenHash: string;
}

/** What the admin hook asks of the admins module: the principal a session token stands for, if any. */
export interface AdminAuthenticator {
  authenticate(token: string | undefined): AdminPrincipal | null;
}

/** Name of the admin session cookie. */
export const SESSION_COOKIE = 'tsunagu_admin';

/** The token of an `Authorization: Bearer <token>` header (device and helper APIs), or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    admin?: AdminPrincipal;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The audit actor for the signed-in admin of a request. */
export function adminActor(request: FastifyRequest): Actor {
  const p = request.admin;
  if (!p) throw new AppError('AUTH_REQUIRED', 'Sign in first.');
  return { type: 'admin', id: p.admin.id, label: p.admin.email };
}

/** Refuses state-changing requests whose Origin is another site (a second line behind SameSite=Strict). */
export function checkOrigin(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const expected = `${request.protocol}://${request.headers.host ?? ''}`;
  if (origin !== expected) {
    throw new AppError('ORIGIN_REFUSED', 'This request came from another web site and was refused.', { origin });
  }
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A preHandler that requires a signed-in admin, and a matching `x-csrf-token` on state-changing requests. An admin who
 * must change a temporary password is refused (AUTH_PASSWORD_CHANGE_REQUIRED) unless `passwordChangeOk` (the
 * password change itself, the session and sign-out).
 */
export function requireAdmin(admins: AdminAuthenticator, opts: { passwordChangeOk?: boolean } = {}) {
  return async function requireAdminHook(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    checkOrigin(request);
    const principal = admins.authenticate(request.cookies[SESSION_COOKIE]);
    if (!principal)
      throw new AppError('AUTH_REQUIRED', 'Your session has ended or you are not signed in; sign in again.');
    if (!SAFE_METHODS.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameToken(sent, principal.csrfToken)) {
        throw new AppError('CSRF_INVALID', 'The request is missing its security token; reload the page and try again.');
      }
    }
    if (principal.admin.mustChangePassword && !opts.passwordChangeOk)
      throw new AppError(
        'AUTH_PASSWORD_CHANGE_REQUIRED',
        'Choose your own password first: the one you signed in with is temporary.',
      );
    request.admin = principal;
  };
}

/**
 * Sets the session cookie: HttpOnly, SameSite=Strict, Secure when the listener is HTTPS. It is a browser-session
 * cookie; the server enforces the idle and absolute expiry.
 */
export function setSessionCookie(reply: FastifyReply, token: string, secure: boolean): void {
  void reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
}

/** Clears the session cookie. */
export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
}
