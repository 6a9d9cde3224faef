import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/random.js';
import { passwordProblem } from '../../core/password.js';
import { testFoundation, TEST_CTX } from '../../../tests/helpers/foundation.js';
import { MAX_BULK } from './users.limits.js';
import { temporaryPasswordOf } from './users.service.js';

describe('temporaryPasswordOf', () => {
  it('gives four groups of four unambiguous characters that pass the password policy', () => {
    const random = new SeededRandom(7);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = temporaryPasswordOf(random);
      expect(p).toMatch(/^[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}$/);
      expect(passwordProblem(p, 'someone@example.com')).toBeNull();
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });
});

describe('user actions in the service', () => {
  it('a temporary password is hashed, must be changed, and is audited without the password', async () => {
    const { services } = testFoundation();
    const user = await services.users.create(
      { email: 'a@example.com', displayName: 'A', password: 'the old long password' },
      TEST_CTX,
    );
    const { password, user: after } = await services.users.temporaryPassword(user.id, TEST_CTX);
    expect(after).toMatchObject({ hasPassword: true, mustChangePassword: true });
    const [event] = services.audit.list({ action: 'user.temporary_password_set' }).items;
    expect(event?.details).toMatchObject({ from: 'set' });
    expect(JSON.stringify(event)).not.toContain(password);
  });

  it('clearing the password for a reset is refused for a disabled user, and changes nothing', async () => {
    const { services } = testFoundation();
    const user = await services.users.create(
      { email: 'b@example.com', displayName: 'B', password: 'the old long password' },
      TEST_CTX,
    );
    await services.users.update(user.id, { disabled: true }, TEST_CTX);
    expect(() => services.users.clearPassword(user.id, TEST_CTX)).toThrow(/enable the user/);
    expect(services.users.get(user.id)).toMatchObject({ hasPassword: true });
  });

  it.each([
    ['no ids', [] as string[]],
    ['too many ids', Array.from({ length: MAX_BULK + 1 }, (_, i) => `id-${i}`)],
  ])('a bulk action with %s is refused', (_label, ids) => {
    const { services } = testFoundation();
    expect(() => services.users.bulk('disable', ids, TEST_CTX)).toThrow(/between 1 and/);
  });

  it('a bulk action with one unknown id changes nobody; duplicates count once', async () => {
    const { services } = testFoundation();
    const a = await services.users.create({ email: 'c@example.com', displayName: 'C' }, TEST_CTX);
    expect(() => services.users.bulk('delete', [a.id, 'nope'], TEST_CTX)).toThrow(
      expect.objectContaining({ code: 'USER_NOT_FOUND' }),
    );
    expect(services.users.get(a.id).disabled).toBe(false);
    expect(services.users.bulk('disable', [a.id, a.id], TEST_CTX)).toMatchObject({ changed: 1, unchanged: 0 });
  });
});
