import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from 'vue';
import type { InvitationDto, InvitationPage, InviteResult } from '../../server/contract/index.js';
import { API_KEY, type Api } from '../api/index.js';
import { invitationProgress, isOpenInvitation, skippedUsers, useInvitationsStore } from './invitations.js';

function invitation(n: number, extra: Partial<InvitationDto> = {}): InvitationDto {
  return {
    id: `i${n}`,
    userId: `u${n}`,
    userEmail: `user${n}@example.com`,
    userDisplayName: `User ${n}`,
    status: 'sent',
    hasPin: true,
    pinLocked: false,
    urlVersion: 1,
    expiresAt: '2026-04-15T00:00:00.000Z',
    sentAt: '2026-04-01T00:00:01.000Z',
    openedAt: null,
    pinVerifiedAt: null,
    profileDownloadedAt: null,
    enrolledAt: null,
    revokedAt: null,
    remindersSent: 0,
    mailStatus: 'sent',
    createdAt: '2026-04-01T00:00:00.000Z',
    ...extra,
  };
}

function storeWith(invitations: Partial<Api['invitations']>, users: Partial<Api['users']> = {}) {
  const api = {
    invitations: {
      list: vi.fn(),
      invite: vi.fn(),
      resend: vi.fn(),
      revoke: vi.fn(),
      newPin: vi.fn(),
      enrollmentUrl: vi.fn(),
      regenerateUrl: vi.fn(),
      ...invitations,
    },
    users,
  } as unknown as Api;
  const app = createApp({});
  app.provide(API_KEY, api);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return { api, store: useInvitationsStore() };
}

const page = (items: InvitationDto[], total = items.length): InvitationPage => ({ items, total });

describe('invitationProgress', () => {
  it.each([
    ['created', {}, 0, 'created', null],
    ['sent', {}, 1, 'sent', null],
    ['pin_verified', {}, 3, 'pin_verified', null],
    ['enrolled', {}, 5, 'enrolled', null],
    ['expired', { openedAt: '2026-04-02T00:00:00.000Z' }, 2, 'opened', 'expired'],
    ['revoked', { sentAt: null }, 0, 'created', 'revoked'],
    ['revoked', { openedAt: 'x', pinVerifiedAt: 'x', profileDownloadedAt: 'x' }, 4, 'profile_downloaded', 'revoked'],
  ] as const)('%s with %j reached step %i (%s), closed: %s', (status, extra, reached, step, closed) => {
    expect(invitationProgress(invitation(1, { status, ...extra }))).toEqual({ reached, step, closed });
  });

  it.each([
    ['created', true],
    ['sent', true],
    ['opened', true],
    ['pin_verified', true],
    ['profile_downloaded', true],
    ['enrolled', false],
    ['expired', false],
    ['revoked', false],
  ] as const)('an invitation that is %s can be acted on: %s', (status, open) => {
    expect(isOpenInvitation({ status })).toBe(open);
  });
});

describe('skippedUsers', () => {
  it('names the skipped users the admin picked, and keeps the reason code and the server’s words', () => {
    const result: InviteResult = {
      invitations: [],
      skipped: [
        { userId: 'u1', reason: 'disabled', message: 'a@example.com is disabled.' },
        { userId: 'u9', reason: 'not_found', message: 'No such user.' },
      ],
    };
    expect(skippedUsers(result, [{ id: 'u1', email: 'a@example.com', displayName: 'A' }])).toEqual([
      { userId: 'u1', label: 'A <a@example.com>', reason: 'disabled', message: 'a@example.com is disabled.' },
      { userId: 'u9', label: null, reason: 'not_found', message: 'No such user.' },
    ]);
  });
});

describe('the invitations store', () => {
  it('filters from the first page, and appends the next page by offset without repeating rows', async () => {
    const list = vi
      .fn()
      .mockResolvedValueOnce(page([invitation(1), invitation(2)], 3))
      .mockResolvedValueOnce(page([invitation(2), invitation(3)], 3));
    const { store } = storeWith({ list });
    await store.filter('sent');
    expect([store.items.length, store.total, store.hasMore]).toEqual([2, 3, true]);
    await store.loadMore();
    expect(store.items.map((i) => i.id)).toEqual(['i1', 'i2', 'i3']);
    expect(store.hasMore).toBe(false);
    expect(list.mock.calls).toEqual([
      [{ status: 'sent', limit: 50, offset: 0 }],
      [{ status: 'sent', limit: 50, offset: 2 }],
    ]);
  });

  it('replaces a row in place after resend, revoke and a new PIN', async () => {
    const { store } = storeWith({
      list: vi.fn().mockResolvedValue(page([invitation(1), invitation(2)])),
      resend: vi.fn().mockResolvedValue(invitation(1, { status: 'created' })),
      revoke: vi.fn().mockResolvedValue(invitation(2, { status: 'revoked' })),
      newPin: vi
        .fn()
        .mockResolvedValue({ invitation: invitation(1, { pinLocked: false, status: 'sent' }), pin: '123456' }),
    });
    await store.reload();
    await store.resend('i1');
    await store.revoke('i2');
    expect(store.items.map((i) => i.status)).toEqual(['created', 'revoked']);
    expect((await store.newPin('i1')).pin).toBe('123456');
    expect(store.items[0]?.status).toBe('sent');
  });

  it('reloads the list after inviting only when the list was loaded', async () => {
    const list = vi.fn().mockResolvedValue(page([]));
    const invite = vi.fn().mockResolvedValue({ invitations: [], skipped: [] });
    const { store } = storeWith({ list, invite });
    await store.invite(['u1']);
    expect(list).not.toHaveBeenCalled();
    await store.reload();
    await store.invite(['u1', 'u2']);
    expect(list).toHaveBeenCalledTimes(2);
    expect(invite).toHaveBeenLastCalledWith(['u1', 'u2']);
  });

  it('keeps the enrollment address after loading and regenerating it', async () => {
    const { store } = storeWith({
      enrollmentUrl: vi.fn().mockResolvedValue({ version: 1, url: 'https://a/e/k1/go' }),
      regenerateUrl: vi.fn().mockResolvedValue({ version: 2, url: 'https://a/e/k2/go' }),
    });
    await store.loadEnrollmentUrl();
    expect(store.enrollmentUrl?.version).toBe(1);
    await store.regenerateUrl();
    expect(store.enrollmentUrl).toEqual({ version: 2, url: 'https://a/e/k2/go' });
  });
});
