// Which file of the renderer build answers a request on the helper window's app scheme: files by their path, the
// single-page app's index.html for its routes, nothing outside the build folder.
import { extname, join, normalize, sep } from 'node:path';

/** Content types of the files a Vite build writes. */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** A file to send, or a refusal. */
export type StaticAnswer = { status: 200; path: string; type: string } | { status: 404 };

/**
 * Resolves a request path against `root`: an existing file by its path, index.html for a path without an extension
 * (a route of the app), 404 for a missing asset or any path that would leave `root`.
 */
export function resolveStatic(root: string, urlPath: string, exists: (path: string) => boolean): StaticAnswer {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split(/[?#]/)[0] ?? '/');
  } catch {
    return { status: 404 };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { status: 404 };
  const base = normalize(root.endsWith(sep) ? root : `${root}${sep}`);
  const candidate = normalize(join(base, decoded));
  if (!candidate.startsWith(base)) return { status: 404 };
  const ext = extname(candidate);
  if (ext !== '' && exists(candidate)) {
    const type = TYPES[ext];
    return type ? { status: 200, path: candidate, type } : { status: 404 };
  }
  if (ext !== '') return { status: 404 };
  const index = join(base, 'index.html');
  return exists(index) ? { status: 200, path: index, type: TYPES['.html'] as string } : { status: 404 };
}
