// First-run setup is open to anyone who reaches the admin listener before the admin does, so the one thing it
// trusts is the setup token that `tsunagu serve` printed. A wrong token is refused before anything costly or
// written: no argon2 hash of the (possibly huge) password, no audit row an anonymous caller could pile up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../helpers/http.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ signIn: false });
});
afterAll(async () => {
  await h.stop();
});

const auditCount = () => h.server.services.audit.list({ limit: 500 }).items.length;

describe('first-run setup with a wrong setup token', () => {
  it.each([
    ['a good password', 'a long enough password 1'],
    ['the longest password the schema allows', 'p'.repeat(1024)],
    ['a password the policy refuses', 'short'],
    ['an email that is not one', 'a long enough password 1', 'not an email'],
  ])('is refused for the token with %s, writing nothing', async (_name, password, email = 'first@example.com') => {
    const before = auditCount();
    const res = await new AdminClient(h.server.adminUrl).call('POST', '/api/setup', {
      setupToken: 'not-the-token',
      email,
      displayName: 'First',
      password,
    });
    expect([res.status, res.json().code]).toEqual([403, 'SETUP_TOKEN_INVALID']);
    expect(auditCount()).toBe(before);
    expect(h.server.services.admins.setupRequired()).toBe(true);
  });

  it('still accepts the right token afterwards', async () => {
    const res = await new AdminClient(h.server.adminUrl).call('POST', '/api/setup', {
      setupToken: h.server.setupToken,
      email: 'first@example.com',
      displayName: 'First',
      password: 'a long enough password 1',
    });
    expect(res.status, res.text).toBe(201);
  });
});
