import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from 'vue';
import { createMemoryHistory } from 'vue-router';
import type { SessionDto } from '../server/contract/index.js';
import { API_KEY, ApiError, type Api } from './api/index.js';
import { createAppRouter, redirectTarget } from './router.js';

const SESSION: SessionDto = {
  admin: {
    id: 'a1',
    email: 'admin@example.com',
    displayName: 'Admin',
    createdAt: '2026-04-01T00:00:00.000Z',
    lastLoginAt: null,
  },
  csrfToken: 'csrf',
  expiresAt: '2026-04-01T08:00:00.000Z',
};

/** A router over a fake API in one of the three states: first run, signed out, signed in. */
async function routerIn(state: 'setup' | 'signed-out' | 'signed-in') {
  const auth = {
    session: vi.fn(async () => {
      if (state === 'signed-in') return SESSION;
      throw new ApiError('AUTH_REQUIRED', 'Sign in first.', 401);
    }),
    setupStatus: vi.fn(async () => ({ setupRequired: state === 'setup' })),
  };
  const app = createApp({});
  app.provide(API_KEY, { auth } as unknown as Api);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  const router = createAppRouter(createMemoryHistory());
  app.use(router);
  return { router, auth };
}

describe('the sign-in guard', () => {
  it.each([
    ['setup', '/users', '/setup'],
    ['setup', '/login', '/setup'],
    ['setup', '/setup', '/setup'],
    ['signed-out', '/setup', '/login'],
    ['signed-out', '/users', '/login?redirect=/users'],
    ['signed-out', '/audit', '/login?redirect=/audit'],
    ['signed-out', '/login', '/login'],
    ['signed-in', '/login', '/'],
    ['signed-in', '/setup', '/users'],
    ['signed-in', '/settings/users', '/settings/users'],
    ['signed-in', '/settings', '/settings/users'],
    ['signed-in', '/invitations', '/invitations'],
    ['signed-in', '/devices', '/devices'],
    ['signed-in', '/settings/push', '/settings/push'],
    ['signed-out', '/devices', '/login?redirect=/devices'],
    ['signed-in', '/', '/'],
    ['signed-out', '/', '/login'],
    ['signed-in', '/no/such/page', '/users'],
  ] as const)('%s: %s lands on %s', async (state, from, to) => {
    const { router } = await routerIn(state);
    await router.push(from);
    expect(decodeURIComponent(router.currentRoute.value.fullPath)).toBe(to);
  });

  it('keeps the setup token fragment when sending a first visitor to setup', async () => {
    const { router } = await routerIn('setup');
    await router.push('/users#token=abc123');
    expect(router.currentRoute.value.fullPath).toBe('/setup#token=abc123');
  });

  it.each(['setup', 'signed-out', 'signed-in'] as const)(
    'opens the helper window bare when %s, without asking the admin API',
    async (state) => {
      const { router, auth } = await routerIn(state);
      await router.push('/helper');
      expect(router.currentRoute.value.name).toBe('helper');
      expect(router.currentRoute.value.meta).toMatchObject({ public: true, bare: true });
      expect(auth.session).not.toHaveBeenCalled();
      expect(auth.setupStatus).not.toHaveBeenCalled();
    },
  );

  it('asks the server only once', async () => {
    const { router, auth } = await routerIn('signed-in');
    await router.push('/users');
    await router.push('/audit');
    expect(auth.session).toHaveBeenCalledTimes(1);
  });
});

describe('redirectTarget', () => {
  it.each([
    ['/audit', '/audit'],
    ['/settings/users?x=1', '/settings/users?x=1'],
    ['https://evil.example/', '/'],
    ['//evil.example/', '/'],
    ['/login', '/'],
    [undefined, '/'],
    [['/audit'], '/'],
  ])('%j -> %s', (value, expected) => {
    expect(redirectTarget(value)).toBe(expected);
  });
});
