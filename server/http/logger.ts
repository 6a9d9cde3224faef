import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { RotatingFileStream } from '../core/rotating-file.js';

/** Options for the server's structured log. */
export interface LogOptions {
  level: string;
  /** Directory for `tsunagu.log` and its rotated copies; null logs to the console only. */
  dir: string | null;
  /** Rotate when the file passes this many bytes. */
  maxBytes?: number;
  /** Rotated files to keep. */
  keep?: number;
  /** Also write to standard error (the console). */
  console?: boolean;
}

/** Paths and headers that must never be logged. */
const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.setupToken',
];

/** A URL with its bearer secrets (profile, invitation and QR tokens) and bulky SCEP messages replaced, for logs. */
export function redactUrl(url: string): string {
  return url
    .replace(/^\/profile\/[^/?]+/, '/profile/[token]')
    .replace(/\/i\/[^/?]+\/go/, '/i/[token]/go')
    .replace(/\/go\/t\/[^/?]+/, '/go/t/[token]')
    .replace(/([?&]message=)[^&]*/, '$1[message]');
}

/** Builds the JSON logger: a size-rotated file in the data directory and the console. */
export function createLogger(options: LogOptions): { logger: Logger; file: RotatingFileStream | null } {
  const streams: pino.StreamEntry[] = [];
  let file: RotatingFileStream | null = null;
  if (options.dir) {
    mkdirSync(options.dir, { recursive: true });
    file = new RotatingFileStream(
      join(options.dir, 'tsunagu.log'),
      options.maxBytes ?? 10 * 1024 * 1024,
      options.keep ?? 5,
    );
    streams.push({ level: options.level as pino.Level, stream: file });
  }
  if (options.console ?? true) streams.push({ level: options.level as pino.Level, stream: process.stderr });
  const logger = pino(
    {
      level: options.level,
      redact: { paths: REDACT, censor: '[hidden]' },
      base: { app: 'tsunagu' },
      serializers: {
        req: (req: { method?: string; url?: string; ip?: string; id?: string }) => ({
          method: req.method,
          url: redactUrl(req.url ?? ''),
          remoteAddress: req.ip,
        }),
      },
    },
    pino.multistream(streams),
  );
  return { logger, file };
}
