// DNS rebinding: a web page on evil.example whose name the attacker re-points at 127.0.0.1 makes the admin's own
// browser send requests to the admin listener with `Host: evil.example`. The listener answers only its own names
// (loopback, localhost, the configured host names and LAN addresses), so such a page reads nothing.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/server-harness.js';

let h: Harness;
let port: number;

beforeAll(async () => {
  h = await startHarness();
  port = Number(new URL(h.server.adminUrl).port);
});
afterAll(async () => {
  await h.stop();
});

function get(path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      })
      .on('error', reject);
  });
}

describe('the admin listener answers only its own names', () => {
  it.each([
    ['a rebinding name', () => 'evil.example'],
    ['a rebinding name with the port', () => `evil.example:${port}`],
    ['a name that only starts like localhost', () => `localhost.evil.example:${port}`],
    ['a loopback-looking name', () => `127.0.0.1.nip.example:${port}`],
  ])('refuses %s with 421', async (_name, host) => {
    const res = await get('/api/health', host());
    expect(res.status).toBe(421);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'MISDIRECTED_REQUEST' });
    // Not the console's files either.
    expect((await get('/', host())).status).toBe(421);
  });

  it.each([
    ['127.0.0.1 with the port', () => `127.0.0.1:${port}`],
    ['localhost', () => `localhost:${port}`],
    ['LOCALHOST with a trailing dot', () => `LOCALHOST.:${port}`],
    ['the IPv6 loopback', () => `[::1]:${port}`],
    ['a configured host name', () => `tsunagu.test:${port}`],
  ])('answers %s', async (_name, host) => {
    expect((await get('/api/health', host())).status).toBe(200);
  });
});
