import { describe, expect, it } from 'vitest';
import { resolveStatic } from './static-files.js';

const ROOT = '/app/dist/renderer';
const FILES = new Set([
  `${ROOT}/index.html`,
  `${ROOT}/assets/index-abc.js`,
  `${ROOT}/assets/app.css`,
  `${ROOT}/notes.txt`,
]);
const exists = (p: string) => FILES.has(p);

describe('resolveStatic', () => {
  it.each([
    ['/helper', `${ROOT}/index.html`, 'text/html; charset=utf-8'],
    ['/', `${ROOT}/index.html`, 'text/html; charset=utf-8'],
    ['/assets/index-abc.js', `${ROOT}/assets/index-abc.js`, 'text/javascript; charset=utf-8'],
    ['/assets/app.css?v=1', `${ROOT}/assets/app.css`, 'text/css; charset=utf-8'],
  ])('serves %s', (path, file, type) => {
    expect(resolveStatic(ROOT, path, exists)).toEqual({ status: 200, path: file, type });
  });

  it.each([
    ['a missing asset', '/assets/missing.js'],
    ['a file type the build never writes', '/notes.txt'],
    ['a path that climbs out', '/../../etc/passwd'],
    ['an encoded climb', '/%2e%2e/%2e%2e/etc/passwd.js'],
    ['a NUL byte', '/index.html%00.js'],
    ['a backslash', '/..\\..\\x.js'],
    ['broken percent-encoding', '/%E0%A4%A.js'],
  ])('refuses %s', (_name, path) => {
    expect(resolveStatic(ROOT, path, exists)).toEqual({ status: 404 });
  });
});
