// Servers the user accepted in the helper (host, CA fingerprint, organisation), kept in a small JSON file so a second
// visit goes straight to sign-in and a server that changed its CA is refused instead of silently trusted.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RememberedServer } from './step-types.js';

/** A server the user accepted, with what it showed then. */
export interface AcceptedServer extends RememberedServer {
  organisation: string;
  acceptedAt: string;
}

/** The accepted servers, read and written as one file. */
export interface RememberedServers {
  list(): AcceptedServer[];
  /** Adds a server, or replaces the entry of the same host. */
  remember(server: RememberedServer & { organisation: string }): void;
}

const MAX_SERVERS = 50;

function valid(entry: unknown): entry is AcceptedServer {
  const e = entry as Partial<AcceptedServer> | null;
  return (
    typeof e?.host === 'string' &&
    typeof e.caSha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(e.caSha256) &&
    typeof e.organisation === 'string' &&
    typeof e.acceptedAt === 'string'
  );
}

/** The store in `file`; an unreadable or damaged file counts as empty (the user is asked again, nothing is trusted). */
export function createRememberedServers(file: string, now: () => Date = () => new Date()): RememberedServers {
  const read = (): AcceptedServer[] => {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      return Array.isArray(parsed) ? parsed.filter(valid) : [];
    } catch {
      return [];
    }
  };
  return {
    list: read,
    remember(server) {
      const entry: AcceptedServer = {
        host: server.host,
        caSha256: server.caSha256,
        organisation: server.organisation.slice(0, 200),
        acceptedAt: now().toISOString(),
      };
      const next = [entry, ...read().filter((s) => s.host !== server.host)].slice(0, MAX_SERVERS);
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const temp = `${file}.tmp`;
      writeFileSync(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, file);
    },
  };
}
