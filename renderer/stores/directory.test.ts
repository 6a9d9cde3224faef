import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from 'vue';
import {
  DIRECTORY_PRESETS,
  type DirectoryRunDto,
  type DirectorySettingsDto,
  type DirectoryTestResult,
} from '../../server/contract/index.js';
import { API_KEY, ApiError, type Api } from '../api/index.js';
import {
  applyPreset,
  directoryDraftFrom,
  directoryUpdate,
  useDirectoryStore,
  type DirectoryDraft,
} from './directory.js';

const SAVED: DirectorySettingsDto = {
  configured: true,
  url: 'ldaps://ldap.example.com',
  caPem: '',
  bindDn: 'cn=reader,dc=example,dc=com',
  hasBindPassword: true,
  baseDn: 'dc=example,dc=com',
  userFilter: '(objectClass=inetOrgPerson)',
  groupFilter: '',
  preset: 'openldap',
  mapping: { ...DIRECTORY_PRESETS.openldap },
  syncIntervalMinutes: 60,
  maxDisablePercent: 10,
  updatedAt: '2026-01-01T00:00:00.000Z',
};

const counts = { entries: 3, created: 3, updated: 0, linked: 0, disabled: 0, enabled: 0, unchanged: 0, skipped: 0 };
const run = (over: Partial<DirectoryRunDto> = {}): DirectoryRunDto => ({
  id: 'r1',
  kind: 'import',
  trigger: 'admin',
  startedBy: 'admin@example.com',
  status: 'succeeded',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
  counts,
  errorCode: null,
  error: null,
  ...over,
});

describe('the connector form', () => {
  it('starts from the saved settings with an empty password, and sends no password then (the saved one stays)', () => {
    const draft = directoryDraftFrom(SAVED);
    expect(draft.bindPassword).toBe('');
    const update = directoryUpdate(draft);
    expect('bindPassword' in update).toBe(false);
    expect(update).toMatchObject({ url: SAVED.url, bindDn: SAVED.bindDn, mapping: SAVED.mapping });
  });

  it.each([
    ['sends a typed password as typed', { bindPassword: ' secret ' }, ' secret '],
    ['removes the password when asked, even with text typed', { bindPassword: 'x', removeBindPassword: true }, null],
  ] as const)('%s', (_what, change, password) => {
    expect(directoryUpdate({ ...directoryDraftFrom(SAVED), ...change } as DirectoryDraft).bindPassword).toBe(password);
  });

  it('trims the text fields and the attribute names', () => {
    const draft = directoryDraftFrom(SAVED);
    Object.assign(draft, { url: ' ldap://dc1 ', baseDn: ' dc=x ', groupFilter: ' (cn=staff) ' });
    draft.mapping.email = ' userPrincipalName ';
    const update = directoryUpdate(draft);
    expect([update.url, update.baseDn, update.groupFilter, update.mapping?.email]).toEqual([
      'ldap://dc1',
      'dc=x',
      '(cn=staff)',
      'userPrincipalName',
    ]);
  });

  it('fills the Active Directory mapping and filter, keeping a filter the admin wrote', () => {
    const draft = directoryDraftFrom(SAVED);
    applyPreset(draft, 'active-directory');
    expect(draft.mapping).toEqual(DIRECTORY_PRESETS['active-directory']);
    expect(draft.mapping.disabledFlag).toBe('userAccountControl');
    expect(draft.userFilter).toBe('(&(objectCategory=person)(objectClass=user))');
    draft.mapping.login = 'cn';
    draft.userFilter = '(department=Sales)';
    applyPreset(draft, 'openldap');
    expect(draft.mapping).toEqual(DIRECTORY_PRESETS.openldap);
    expect(draft.userFilter).toBe('(department=Sales)');
    // The preset's own objects are never handed out to be edited.
    draft.mapping.email = 'other';
    expect(DIRECTORY_PRESETS.openldap.email).toBe('mail');
  });
});

describe('the directory store', () => {
  function storeWith(directory: Partial<Api['directory']>) {
    const api = {
      directory: {
        settings: vi.fn().mockResolvedValue(SAVED),
        save: vi.fn().mockResolvedValue(SAVED),
        test: vi.fn(),
        preview: vi.fn(),
        sync: vi.fn(),
        runs: vi.fn().mockResolvedValue({ items: [] }),
        ...directory,
      },
    } as unknown as Api;
    const app = createApp({});
    app.provide(API_KEY, api);
    const pinia = createPinia();
    app.use(pinia);
    setActivePinia(pinia);
    return { api, store: useDirectoryStore() };
  }

  it('tests the settings as typed, unsaved, and keeps the exact problem', async () => {
    const answer: DirectoryTestResult = {
      ok: false,
      steps: [{ step: 'connect', ok: false, message: 'TLS failed' }],
      problem: {
        code: 'tls',
        message: 'The certificate is not trusted.',
        certificate: { subject: 'CN=ldap', issuer: 'CN=Other', fingerprint256: 'AA:BB', validTo: 'Jan 1 2030' },
      },
    };
    const { api, store } = storeWith({ test: vi.fn().mockResolvedValue(answer) });
    const draft = { ...directoryDraftFrom(SAVED), bindPassword: 'typed' };
    await store.test(draft);
    expect(api.directory.test).toHaveBeenCalledWith(expect.objectContaining({ bindPassword: 'typed' }));
    expect(store.lastTest?.problem?.certificate?.fingerprint256).toBe('AA:BB');
  });

  it('asks for confirmation when the server stops a run, then runs it again confirming the number', async () => {
    const stopped = new ApiError('DIRECTORY_CONFIRM_REQUIRED', 'This run would disable 40 of 50 directory users', 409, {
      runId: 'r0',
      toDisable: 40,
      of: 50,
      confirmDisable: 40,
    });
    const sync = vi
      .fn()
      .mockRejectedValueOnce(stopped)
      .mockResolvedValueOnce(run({ kind: 'sync' }));
    const runs = vi
      .fn()
      .mockResolvedValueOnce({
        items: [run({ status: 'needs_confirmation', errorCode: 'DIRECTORY_CONFIRM_REQUIRED', error: 'would disable' })],
      })
      .mockResolvedValue({ items: [run({ kind: 'sync' })] });
    const { store } = storeWith({ sync, runs });
    expect(await store.sync(['u1'])).toBeNull();
    expect(store.pending).toMatchObject({ toDisable: 40, of: 50, link: ['u1'] });
    expect(store.lastProblem?.status).toBe('needs_confirmation');
    expect(await store.confirm()).toMatchObject({ status: 'succeeded' });
    expect(sync).toHaveBeenLastCalledWith({ link: ['u1'], confirmDisable: 40 });
    expect(store.pending).toBeNull();
    expect(store.lastProblem).toBeNull();
    expect(store.imported).toBe(true);
  });

  it('throws other failures and still reads the runs (a failed run is recorded)', async () => {
    const { api, store } = storeWith({
      sync: vi.fn().mockRejectedValue(new ApiError('DIRECTORY_UNAVAILABLE', 'unreachable', 503)),
      runs: vi.fn().mockResolvedValue({ items: [run({ status: 'failed', errorCode: 'unreachable' })] }),
    });
    await expect(store.sync()).rejects.toMatchObject({ code: 'DIRECTORY_UNAVAILABLE' });
    expect(api.directory.sync).toHaveBeenCalledWith({});
    expect(api.directory.runs).toHaveBeenCalledTimes(1);
    expect(store.lastProblem?.errorCode).toBe('unreachable');
    expect(store.pending).toBeNull();
  });

  it('forgets an earlier test once the settings are saved', async () => {
    const { store } = storeWith({ test: vi.fn().mockResolvedValue({ ok: true, steps: [], problem: null }) });
    await store.test(directoryDraftFrom(SAVED));
    expect(store.lastTest?.ok).toBe(true);
    await store.save(directoryDraftFrom(SAVED));
    expect(store.lastTest).toBeNull();
  });
});
