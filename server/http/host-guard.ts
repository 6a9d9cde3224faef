// The admin listener answers only the names it is reached by on purpose. A DNS-rebinding page (evil.example
// re-pointed at 127.0.0.1) makes the admin's browser send `Host: evil.example`: refused with 421 before any route.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.js';

/** Names every admin listener answers: the loopback addresses and localhost. */
const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

/** The host name of a `Host` header, lower-cased, without port, brackets or trailing dot; null when unreadable. */
export function hostOf(header: string | undefined): string | null {
  if (!header || header.length > 300) return null;
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::\d{1,5})?$/i.exec(header.trim());
  const host = (match?.[1] ?? match?.[2] ?? '').toLowerCase().replace(/\.$/, '');
  return host === '' ? null : host;
}

/**
 * Whether `header` names this listener: loopback, localhost, or one of `names` (host names and addresses). `names`
 * may be a function: it is called only for a name that is not loopback (it reads the machine's addresses).
 */
export function isOwnHost(header: string | undefined, names: readonly string[] | (() => readonly string[])): boolean {
  const host = hostOf(header);
  if (host === null) return false;
  if (LOOPBACK.includes(host)) return true;
  return (typeof names === 'function' ? names() : names).some((n) => n.toLowerCase().replace(/\.$/, '') === host);
}

/** Refuses, with 421 MISDIRECTED_REQUEST, every request whose Host is not one of the listener's own names. */
export function guardHost(app: FastifyInstance, names: () => readonly string[]): void {
  app.addHook('onRequest', async (request) => {
    if (!isOwnHost(request.headers.host, names))
      throw new AppError(
        'MISDIRECTED_REQUEST',
        'This server does not answer that name. Open the console at http://127.0.0.1 (or the address Tsunagu printed).',
      );
  });
}
