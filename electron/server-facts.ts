// Reads what the server says to the app: the one JSON line `tsunagu serve --json` writes once it listens
// (server/contract/ipc.ts, ServerReadyFacts) and the hosted server's messages (ServerToHostMessage),
// checking every field: the server is our own child, but a log line or a half-written line must not be taken for it.
import type { ServerReadyFacts, ServerToHostMessage } from '../server/contract/ipc.js';

/** A web address (http or https) as a string, or false. */
function isWebUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The ready facts in one line of the server's stdout, or null when the line is something else (not JSON, or JSON
 * of another event). Throws when the line says it is the ready event but a field is missing or wrong.
 */
export function parseReadyLine(line: string): ServerReadyFacts | null {
  const text = line.trim();
  if (!text.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const message = parseServerMessage(value);
  return message?.event === 'ready' ? message : null;
}

/**
 * One message from the hosted server (hosted.ts), checked field by field; null when it is none (a log line, another
 * shape). Throws when it says it is the ready event but a field is missing or wrong.
 */
export function parseServerMessage(value: unknown): ServerToHostMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  switch (v.event) {
    case 'ready':
      return readyFacts(v);
    case 'status':
      if (!Number.isSafeInteger(v.devicesEnrolledToday) || (v.devicesEnrolledToday as number) < 0) return null;
      if (!isWebUrl(v.entryUrl)) return null;
      return { event: 'status', devicesEnrolledToday: v.devicesEnrolledToday as number, entryUrl: v.entryUrl };
    case 'start-failed':
      return { event: 'start-failed', message: typeof v.message === 'string' ? v.message : 'no reason given' };
    case 'stopping':
      return { event: 'stopping' };
    default:
      return null;
  }
}

function readyFacts(v: Record<string, unknown>): ServerReadyFacts {
  for (const field of ['adminUrl', 'entryUrl', 'enrollmentUrl', 'bootstrapUrl'] as const)
    if (!isWebUrl(v[field]))
      throw new Error(`The enrollment server said it is ready, but its ${field} is not a web address.`);
  if (v.setupToken !== null && (typeof v.setupToken !== 'string' || v.setupToken === ''))
    throw new Error('The enrollment server said it is ready, but its setup token is not text.');
  return {
    event: 'ready',
    adminUrl: v.adminUrl as string,
    entryUrl: v.entryUrl as string,
    enrollmentUrl: v.enrollmentUrl as string,
    bootstrapUrl: v.bootstrapUrl as string,
    setupToken: v.setupToken as string | null,
  };
}

/** Splits a stream's chunks into whole lines, keeping a partial last line for the next chunk. */
export function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let rest = '';
  return (chunk) => {
    rest += chunk;
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
}
