import { describe, expect, it } from 'vitest';
import { testFoundation } from '../../../tests/helpers/foundation.js';
import { DEFAULT_ADDRESS_LOCKOUT } from '../throttle/throttle.service.js';
import { DEFAULT_LOCKOUT, lockDuration, SESSION_IDLE_MS } from './admins.service.js';

const ADMIN = { email: 'boss@example.com', displayName: 'Boss', password: 'a very good password' };

describe('admin setup', () => {
  it('needs the one-time token, creates the first admin, signs in, and closes setup', async () => {
    const { services } = testFoundation();
    expect(services.admins.setupRequired()).toBe(true);
    const token = services.admins.issueSetupToken() as string;
    await expect(services.admins.completeSetup({ ...ADMIN, setupToken: 'wrong' }, '127.0.0.1')).rejects.toMatchObject({
      code: 'SETUP_TOKEN_INVALID',
    });
    const { session, token: cookie } = await services.admins.completeSetup(
      { ...ADMIN, setupToken: token },
      '127.0.0.1',
    );
    expect(session.admin.email).toBe('boss@example.com');
    expect(services.admins.authenticate(cookie)?.admin.id).toBe(session.admin.id);
    expect(services.admins.setupRequired()).toBe(false);
    expect(services.admins.issueSetupToken()).toBeNull();
    await expect(
      services.admins.completeSetup({ ...ADMIN, email: 'b@example.com', setupToken: token }, null),
    ).rejects.toMatchObject({ code: 'SETUP_ALREADY_DONE' });
    // A wrong token writes nothing, not even an audit row.
    expect(services.audit.list({}).items.map((e) => e.action)).toEqual(['admin.login', 'admin.setup']);
  });

  it('expires the setup token after a day', async () => {
    const { services, clock } = testFoundation();
    const token = services.admins.issueSetupToken() as string;
    clock.advance(24 * 3600_000 + 1);
    await expect(services.admins.completeSetup({ ...ADMIN, setupToken: token }, null)).rejects.toMatchObject({
      code: 'SETUP_TOKEN_INVALID',
    });
  });

  it('applies the password policy to admins', async () => {
    const { services } = testFoundation();
    await expect(
      services.admins.create({ ...ADMIN, password: 'short' }, { type: 'system' }, null),
    ).rejects.toMatchObject({ code: 'PASSWORD_POLICY' });
    await expect(
      services.admins.create({ ...ADMIN, password: 'BOSS@example.com' }, { type: 'system' }, null),
    ).rejects.toMatchObject({ code: 'PASSWORD_POLICY' });
  });
});

describe('admin sign-in', () => {
  it('signs in, slides the session, expires it when idle, and signs out', async () => {
    const { services, clock } = testFoundation();
    await services.admins.create(ADMIN, { type: 'system' }, null);
    const { token, session } = await services.admins.login(
      { email: 'BOSS@example.com', password: ADMIN.password },
      '10.0.0.5',
    );
    expect(session.csrfToken).toHaveLength(43);
    clock.advance(SESSION_IDLE_MS - 1000);
    const principal = services.admins.authenticate(token);
    expect(principal).not.toBeNull();
    clock.advance(SESSION_IDLE_MS - 1000);
    expect(services.admins.authenticate(token)).not.toBeNull();
    clock.advance(SESSION_IDLE_MS + 1);
    expect(services.admins.authenticate(token)).toBeNull();
    const again = await services.admins.login({ email: ADMIN.email, password: ADMIN.password }, null);
    const p = services.admins.authenticate(again.token);
    services.admins.logout(p as NonNullable<typeof p>, null);
    expect(services.admins.authenticate(again.token)).toBeNull();
    expect(services.admins.authenticate('forged')).toBeNull();
  });

  it('locks out with backoff after repeated failures, audits it, and a success resets', async () => {
    const { services, clock } = testFoundation();
    await services.admins.create(ADMIN, { type: 'system' }, null);
    const wrong = () => services.admins.login({ email: ADMIN.email, password: 'wrong password!' }, '10.0.0.9');
    for (let i = 0; i < DEFAULT_LOCKOUT.threshold - 1; i++)
      await expect(wrong()).rejects.toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
    await expect(wrong()).rejects.toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
    // Locked now: even the right password is refused without being checked.
    await expect(
      services.admins.login({ email: ADMIN.email, password: ADMIN.password }, '10.0.0.9'),
    ).rejects.toMatchObject({ code: 'AUTH_LOCKED', details: { retryAfterSeconds: 30 } });
    clock.advance(30_001);
    await expect(wrong()).rejects.toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
    await expect(wrong()).rejects.toMatchObject({ code: 'AUTH_LOCKED', details: { retryAfterSeconds: 60 } });
    clock.advance(60_001);
    await expect(
      services.admins.login({ email: ADMIN.email, password: ADMIN.password }, '10.0.0.9'),
    ).resolves.toBeTruthy();
    await expect(wrong()).rejects.toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
    const actions = services.audit.list({ limit: 100 }).items.map((e) => e.action);
    expect(actions.filter((a) => a === 'admin.login_failed')).toHaveLength(7);
    expect(actions.filter((a) => a === 'admin.login_locked')).toHaveLength(2);
    expect(actions.filter((a) => a === 'admin.login')).toHaveLength(1);
  });

  it('throttles an address that tries many accounts, after more tries than one account gets', async () => {
    const { services } = testFoundation();
    expect(DEFAULT_ADDRESS_LOCKOUT.threshold).toBeGreaterThan(DEFAULT_LOCKOUT.threshold * 10);
    for (let i = 0; i < DEFAULT_ADDRESS_LOCKOUT.threshold; i++) {
      await expect(
        services.admins.login({ email: `guess${i}@example.com`, password: 'x' }, '203.0.113.7'),
      ).rejects.toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
    }
    await expect(
      services.admins.login({ email: 'another@example.com', password: 'x' }, '203.0.113.7'),
    ).rejects.toMatchObject({ code: 'AUTH_LOCKED' });
    await expect(
      services.admins.login({ email: 'another@example.com', password: 'x' }, '203.0.113.8'),
    ).rejects.toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
  });

  it.each([
    [4, 0],
    [5, 30_000],
    [6, 60_000],
    [7, 120_000],
    [20, 15 * 60_000],
  ])('lock after %i failures lasts %i ms', (failures, ms) => {
    expect(lockDuration(failures, DEFAULT_LOCKOUT)).toBe(ms);
  });
});

describe('administrators managed by an administrator', () => {
  const principalOf = async (
    services: ReturnType<typeof testFoundation>['services'],
    email: string,
    password: string,
  ) => {
    const { token } = await services.admins.login({ email, password }, null);
    return services.admins.authenticate(token) as NonNullable<ReturnType<typeof services.admins.authenticate>>;
  };

  it('adds with a generated temporary password that must be changed, and audits it without the password', async () => {
    const { services } = testFoundation();
    await services.admins.create(ADMIN, { type: 'system' }, null);
    const boss = await principalOf(services, ADMIN.email, ADMIN.password);
    const added = await services.admins.add({ email: 'new@example.com', displayName: 'New' }, boss, null);
    expect(added.temporaryPassword).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    expect(added.admin.mustChangePassword).toBe(true);
    const fresh = await principalOf(services, 'new@example.com', added.temporaryPassword as string);
    expect(fresh.admin.mustChangePassword).toBe(true);
    await services.admins.changeOwnPassword(
      fresh,
      { currentPassword: added.temporaryPassword as string, newPassword: 'my very own password' },
      null,
    );
    expect(services.admins.list().find((a) => a.email === 'new@example.com')?.mustChangePassword).toBe(false);
    const created = services.audit.list({ action: 'admin.created' }).items[0];
    expect(JSON.stringify(created)).not.toContain(added.temporaryPassword);
  });

  it.each<[string, string | undefined, string]>([
    ['oneself', 'self', 'ADMIN_REMOVE_SELF'],
    ['an unknown id', 'nobody', 'ADMIN_NOT_FOUND'],
  ])('refuses to remove %s', async (_name, which, code) => {
    const { services } = testFoundation();
    await services.admins.create(ADMIN, { type: 'system' }, null);
    const boss = await principalOf(services, ADMIN.email, ADMIN.password);
    expect(() => services.admins.remove(which === 'self' ? boss.admin.id : 'nobody', boss, null)).toThrow(
      expect.objectContaining({ code }),
    );
    expect(services.admins.list()).toHaveLength(1);
  });

  it('a new password must differ and follow the policy; a change keeps only this session', async () => {
    const { services } = testFoundation();
    await services.admins.create(ADMIN, { type: 'system' }, null);
    const here = await principalOf(services, ADMIN.email, ADMIN.password);
    const { token: elsewhere } = await services.admins.login({ email: ADMIN.email, password: ADMIN.password }, null);
    await expect(
      services.admins.changeOwnPassword(here, { currentPassword: ADMIN.password, newPassword: ADMIN.password }, null),
    ).rejects.toMatchObject({ code: 'PASSWORD_POLICY' });
    await expect(
      services.admins.changeOwnPassword(here, { currentPassword: ADMIN.password, newPassword: 'short' }, null),
    ).rejects.toMatchObject({ code: 'PASSWORD_POLICY' });
    await services.admins.changeOwnPassword(
      here,
      { currentPassword: ADMIN.password, newPassword: 'a different good password' },
      null,
    );
    expect(services.admins.authenticate(elsewhere)).toBeNull();
    expect(services.admins.sessionDto(here).admin.email).toBe(ADMIN.email);
    expect(services.admins.endAllSessions()).toBe(1);
  });
});
