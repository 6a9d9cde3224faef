import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { OneLinePerRequest } from './access-log.js';
import { createLogger } from './logger.js';

describe('OneLinePerRequest: one log line per request, with what the two lines used to say', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function logOf(run: (app: ReturnType<typeof Fastify>) => Promise<void>) {
    const dir = mkdtempSync(join(tmpdir(), 'tsunagu-access-log-'));
    dirs.push(dir);
    const { logger, file } = createLogger({ level: 'info', dir, console: false });
    const app = Fastify({ loggerInstance: logger, logController: new OneLinePerRequest() });
    app.get('/ok', async () => ({ ok: true }));
    app.get('/fails', async () => {
      throw new Error('broken handler');
    });
    await run(app);
    await app.close();
    file?.end();
    return readFileSync(join(dir, 'tsunagu.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  it('an answered request is one "request completed" line with method, redacted URL, status and time', async () => {
    const lines = await logOf(async (app) => {
      expect(
        (await app.inject({ method: 'GET', url: '/missing?operation=PKIOperation&message=c2VjcmV0' })).statusCode,
      ).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/ok' })).statusCode).toBe(200);
    });
    const requests = lines.filter((l) => typeof l.reqId === 'string');
    expect(requests.map((l) => l.msg)).toEqual(['request completed', 'request completed']);
    expect(requests[0]).toMatchObject({
      req: { method: 'GET', url: '/missing?operation=PKIOperation&message=[message]' },
      res: { statusCode: 404 },
    });
    expect(requests[1]).toMatchObject({ req: { method: 'GET', url: '/ok' }, res: { statusCode: 200 } });
    expect(typeof requests[1]?.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('c2VjcmV0');
  });

  it('a failed request says "request errored" with the error, and nothing logs it coming in', async () => {
    const lines = await logOf(async (app) => {
      expect((await app.inject({ method: 'GET', url: '/fails' })).statusCode).toBe(500);
    });
    expect(lines.some((l) => l.msg === 'incoming request')).toBe(false);
    const completed = lines.filter((l) => l.msg === 'request errored' || l.msg === 'request completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ req: { url: '/fails' }, res: { statusCode: 500 } });
  });
});
