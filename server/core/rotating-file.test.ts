import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingFileStream } from './rotating-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function write(stream: RotatingFileStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (err) => (err ? reject(err) : resolve())));
}

describe('RotatingFileStream', () => {
  it('rotates by size and keeps only the newest files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsunagu-log-'));
    dirs.push(dir);
    const path = join(dir, 'app.log');
    const stream = new RotatingFileStream(path, 100, 2);
    for (let i = 0; i < 10; i++) await write(stream, `${String(i).repeat(40)}\n`);
    await new Promise<void>((r) => stream.end(r));
    expect(statSync(path).size).toBeLessThanOrEqual(100);
    expect(readFileSync(path, 'utf8')).toContain('9'.repeat(40));
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(existsSync(`${path}.2`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
