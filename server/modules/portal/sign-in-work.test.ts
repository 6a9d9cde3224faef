import { describe, expect, it } from 'vitest';
import { testFoundation, TEST_CTX } from '../../../tests/helpers/foundation.js';
import { argon2Hasher, type PasswordHasher } from '../../core/password.js';

// An unknown email and a wrong secret for a known one must cost the server the same work (one argon2 check per
// secret the input could be), or the response time tells which accounts exist. Counted with a hasher that counts.

const PASSWORD = 'a long enough password 1';

function counting(): { hasher: PasswordHasher; verifies: () => number } {
  let n = 0;
  return {
    hasher: {
      hash: (p) => argon2Hasher.hash(p),
      verify: (h, p) => {
        n += 1;
        return argon2Hasher.verify(h, p);
      },
    },
    verifies: () => {
      const v = n;
      n = 0;
      return v;
    },
  };
}

async function setup() {
  const count = counting();
  const f = testFoundation({ hasher: count.hasher });
  const { services } = f;
  await services.users.create(
    { email: 'known@example.com', displayName: 'Known', locale: 'en', password: PASSWORD },
    TEST_CTX,
  );
  const both = await services.users.create(
    { email: 'both@example.com', displayName: 'Both', locale: 'en', password: PASSWORD },
    TEST_CTX,
  );
  const pinOnly = await services.users.create({ email: 'pin@example.com', displayName: 'Pin', locale: 'en' }, TEST_CTX);
  for (const user of [both, pinOnly]) {
    const { invitations } = await services.invitations.invite([user.id], TEST_CTX);
    await services.invitations.newPin(invitations[0]?.id as string, TEST_CTX);
  }
  await services.admins.create(
    { email: 'admin@example.com', displayName: 'A', password: PASSWORD },
    { type: 'system' },
    null,
  );
  count.verifies();
  return { services, verifies: count.verifies };
}

describe('the work of a failed sign-in does not depend on the account', () => {
  it.each([
    ['a password-like secret', 'wrong password here', 'either' as const, 1],
    ['a PIN-like secret', '00000000', 'either' as const, 2],
    ['a PIN, PIN only', '00000000', 'pin' as const, 1],
    ['a password, password only', 'wrong password here', 'password' as const, 1],
  ])('portal, %s: the same argon2 checks for every email', async (_name, secret, allow, expected) => {
    const { services, verifies } = await setup();
    const counts: Record<string, number> = {};
    const codes = new Set<string>();
    for (const email of ['known@example.com', 'both@example.com', 'pin@example.com', 'nobody@example.com']) {
      await services.portal.verifyCredentials({ email, secret, allow }, `192.0.2.${Object.keys(counts).length}`).then(
        () => codes.add('ok'),
        (err: { code: string; message: string }) => codes.add(`${err.code}: ${err.message}`),
      );
      counts[email] = verifies();
    }
    expect(Object.values(counts)).toEqual([expected, expected, expected, expected]);
    expect(codes.size).toBe(1);
  });

  it('admin: an unknown email and a wrong password each cost one argon2 check, with the same answer', async () => {
    const { services, verifies } = await setup();
    const answers: string[] = [];
    for (const email of ['admin@example.com', 'nobody@example.com']) {
      await services.admins.login({ email, password: 'wrong password here' }, null).catch((err: Error) => {
        answers.push(`${(err as { code?: string }).code}: ${err.message}`);
      });
      expect(verifies()).toBe(1);
    }
    expect(answers[0]).toBe(answers[1]);
  });
});
