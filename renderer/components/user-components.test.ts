// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import type { UserDto } from '../../server/contract/index.js';
import { createTestI18n } from '../test-support/i18n.js';
import UserBatchDialog from './UserBatchDialog.vue';
import UserFormDialog from './UserFormDialog.vue';
import UserTable from './UserTable.vue';

const HOSTILE = '<b>山田</b> 太郎 <img src=x onerror=alert(1)>';

function user(extra: Partial<UserDto> = {}): UserDto {
  return {
    id: 'u1',
    email: 'yamada@example.com',
    displayName: HOSTILE,
    locale: 'ja',
    source: 'local',
    hasPassword: true,
    mustChangePassword: true,
    disabled: false,
    createdAt: '2026-04-01T00:00:00.000Z',
    updatedAt: '2026-04-01T00:00:00.000Z',
    ...extra,
  };
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('UserTable', () => {
  it.each([false, true])('shows names that look like HTML as text (phone layout: %s)', async (phone) => {
    const wrapper = mount(UserTable, {
      props: { users: [user()], phone },
      global: { plugins: [createTestI18n('en')] },
      attachTo: document.body,
    });
    // element-plus lays the table out after mounting.
    await vi.waitFor(() => expect(wrapper.text()).toContain(HOSTILE));
    expect(wrapper.find('b').exists()).toBe(false);
    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.text()).toContain('Temporary');
    wrapper.unmount();
  });

  it('has Edit and one menu with every other action; a disabled user can only be enabled or deleted', async () => {
    const target = user({ disabled: true });
    const wrapper = mount(UserTable, {
      props: { users: [target], phone: true },
      global: { plugins: [createTestI18n('en')] },
      attachTo: document.body,
    });
    const buttons = wrapper.findAll('button');
    expect(buttons.map((b) => b.text())).toEqual(['Edit', 'Actions']);
    expect(buttons[1]?.attributes('aria-label')).toBe('Actions for yamada@example.com');
    await buttons[0]?.trigger('click');
    expect(wrapper.emitted('edit')).toEqual([[target]]);
    await buttons[1]?.trigger('click');
    await vi.waitFor(() => expect(document.querySelector('[data-testid="user-action-delete"]')).not.toBeNull());
    const item = (action: string) => document.querySelector(`[data-testid="user-action-${action}"]`) as HTMLElement;
    expect(item('toggle').textContent?.trim()).toBe('Enable');
    for (const a of ['invite', 'newPin', 'resetPassword', 'temporaryPassword'])
      expect(item(a).getAttribute('aria-disabled'), a).toBe('true');
    item('delete').click();
    await nextTick();
    expect(wrapper.emitted('action')).toEqual([['delete', target]]);
    wrapper.unmount();
  });
});

describe('a directory user', () => {
  const ldap = user({ source: 'ldap', hasPassword: false, mustChangePassword: false, displayName: 'Dir User' });

  it.each([false, true])(
    'shows the source, the network password, and no local-password actions (phone layout: %s)',
    async (phone) => {
      const wrapper = mount(UserTable, {
        props: { users: [ldap, user({ id: 'u2', email: 'local@example.com' })], phone },
        global: { plugins: [createTestI18n('en')] },
        attachTo: document.body,
      });
      await vi.waitFor(() => expect(wrapper.findAll('[data-testid="user-source"]').length).toBe(2));
      expect(wrapper.findAll('[data-testid="user-source"]').map((w) => w.text())).toEqual(['Directory', 'Local']);
      expect(wrapper.text()).toContain('Network');
      const menu = wrapper.findAll('button').find((b) => b.attributes('aria-label') === `Actions for ${ldap.email}`);
      await menu?.trigger('click');
      await vi.waitFor(() => expect(document.querySelector('[data-testid="user-action-delete"]')).not.toBeNull());
      const offered = [...document.querySelectorAll('[data-testid^="user-action-"]')].map((e) =>
        e.getAttribute('data-testid'),
      );
      expect(offered).toEqual(['user-action-invite', 'user-action-newPin', 'user-action-toggle', 'user-action-delete']);
      wrapper.unmount();
    },
  );

  it('edits only the language: email and name are read-only, no password choice', async () => {
    const wrapper = mount(UserFormDialog, {
      props: {
        open: true,
        mode: 'edit',
        user: ldap,
        defaultLocale: 'ja',
        busy: false,
        phone: false,
        fieldErrors: {},
        generalError: '',
      },
      global: { plugins: [createTestI18n('en')] },
      attachTo: document.body,
    });
    await nextTick();
    const field = (id: string) => document.querySelector(`input[data-testid="${id}"]`) as HTMLInputElement;
    expect(field('user-email').disabled).toBe(true);
    expect(field('user-display-name').disabled).toBe(true);
    expect(document.querySelector('[data-testid="password-mode"]')).toBeNull();
    expect(document.querySelector('[data-testid="user-password"]')).toBeNull();
    expect(document.querySelector('[data-testid="user-directory-note"]')?.textContent).toContain(
      'comes from the directory',
    );
    (document.querySelector('[data-testid="user-submit"]') as HTMLButtonElement).click();
    await nextTick();
    expect(wrapper.emitted('edit')?.[0]?.[0]).toMatchObject({ email: ldap.email, passwordMode: 'keep' });
    wrapper.unmount();
  });
});

describe('UserBatchDialog', () => {
  function mountDialog(rowErrors: Record<number, { field?: string; message: string }[]> = {}) {
    return mount(UserBatchDialog, {
      props: { open: true, busy: false, phone: false, defaultLocale: 'ja', rowErrors, generalError: '' },
      global: { plugins: [createTestI18n('en')] },
      attachTo: document.body,
    });
  }

  async function fill(index: number, testId: string, value: string): Promise<void> {
    const row = document.querySelectorAll('[data-testid="batch-row"]')[index] as HTMLElement;
    const input = row.querySelector(`input[data-testid="${testId}"]`) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event('input'));
    await nextTick();
  }

  it('submits the filled rows, skipping blank ones', async () => {
    const wrapper = mountDialog();
    await nextTick();
    await fill(0, 'batch-email', 'a@example.com');
    await fill(0, 'batch-display-name', 'A');
    await fill(2, 'batch-email', 'c@example.com');
    await fill(2, 'batch-display-name', 'C');
    await fill(2, 'batch-password', 'Welcome-2026-c');
    (document.querySelector('[data-testid="batch-submit"]') as HTMLButtonElement).click();
    await nextTick();
    const submitted = wrapper.emitted('submit')?.[0]?.[0] as { key: number; request: unknown }[];
    expect(submitted.map((r) => r.request)).toEqual([
      { email: 'a@example.com', displayName: 'A', locale: 'ja' },
      { email: 'c@example.com', displayName: 'C', locale: 'ja', password: 'Welcome-2026-c', temporaryPassword: true },
    ]);
    wrapper.unmount();
  });

  it('marks rows with missing fields itself and emits nothing', async () => {
    const wrapper = mountDialog();
    await nextTick();
    await fill(1, 'batch-email', 'not-an-email');
    (document.querySelector('[data-testid="batch-submit"]') as HTMLButtonElement).click();
    await nextTick();
    expect(wrapper.emitted('submit')).toBeUndefined();
    const rows = document.querySelectorAll('[data-testid="batch-row"]');
    expect(rows[0]?.querySelector('[data-testid="batch-row-error"]')).toBeNull();
    expect(rows[1]?.querySelector('[data-testid="batch-row-error"]')?.textContent).toContain(
      'Enter an email address such as name@example.com.',
    );
    wrapper.unmount();
  });

  it('shows server errors next to the row they belong to', async () => {
    const wrapper = mountDialog();
    await nextTick();
    // Errors are keyed by the row's stable key, not its position.
    let rows = document.querySelectorAll<HTMLElement>('[data-testid="batch-row"]');
    const key = Number(rows[1]?.dataset.rowKey);
    await wrapper.setProps({
      rowErrors: { [key]: [{ field: 'email', message: 'This email address is already used.' }] },
    });
    rows = document.querySelectorAll<HTMLElement>('[data-testid="batch-row"]');
    expect(rows[1]?.querySelector('[data-testid="batch-row-error"]')?.textContent).toBe(
      'This email address is already used.',
    );
    expect(rows[1]?.classList.contains('has-error')).toBe(true);
    expect(rows[0]?.querySelector('[data-testid="batch-row-error"]')).toBeNull();
    wrapper.unmount();
  });
});
