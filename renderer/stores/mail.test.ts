import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from 'vue';
import type { SmtpSettingsDto } from '../../server/contract/index.js';
import { API_KEY, ApiError, type Api } from '../api/index.js';
import { smtpDraftFrom, smtpUpdate, useMailStore, type SmtpDraft } from './mail.js';

const SAVED: SmtpSettingsDto = {
  configured: true,
  host: 'smtp.example.com',
  port: 587,
  security: 'starttls',
  username: 'relay',
  hasPassword: true,
  fromAddress: 'it@example.com',
  fromName: 'IT',
  allowSelfSigned: false,
};

describe('the SMTP form', () => {
  it('starts from the saved settings with an empty password', () => {
    expect(smtpDraftFrom(SAVED)).toEqual({
      host: 'smtp.example.com',
      port: 587,
      security: 'starttls',
      username: 'relay',
      password: '',
      removePassword: false,
      fromAddress: 'it@example.com',
      fromName: 'IT',
      allowSelfSigned: false,
    });
  });

  it.each([
    ['keeps the saved password when the field is empty', {}, undefined],
    ['sends a typed password', { password: 'new secret' }, 'new secret'],
    ['removes the password when asked, even with text typed', { password: 'ignored', removePassword: true }, null],
  ] as const)('%s', (_what, change, password) => {
    const update = smtpUpdate({ ...smtpDraftFrom(SAVED), ...change } as SmtpDraft);
    expect('password' in update).toBe(password !== undefined);
    expect(update.password).toBe(password);
  });

  it('trims the text fields', () => {
    const update = smtpUpdate({
      ...smtpDraftFrom(SAVED),
      host: ' smtp.example.com ',
      username: ' relay ',
      fromAddress: ' it@example.com ',
      fromName: ' IT ',
    });
    expect([update.host, update.username, update.fromAddress, update.fromName]).toEqual([
      'smtp.example.com',
      'relay',
      'it@example.com',
      'IT',
    ]);
  });
});

describe('the mail store', () => {
  function storeWith(mail: Partial<Api['mail']>) {
    const api = {
      mail: {
        smtp: vi.fn(),
        saveSmtp: vi.fn(),
        test: vi.fn(),
        outbox: vi.fn().mockResolvedValue({ items: [], counts: { queued: 0, sent: 0, failed: 0, cancelled: 0 } }),
        retry: vi.fn(),
        ...mail,
      },
    } as unknown as Api;
    const app = createApp({});
    app.provide(API_KEY, api);
    const pinia = createPinia();
    app.use(pinia);
    setActivePinia(pinia);
    return { api, store: useMailStore() };
  }

  it('keeps the SMTP server’s answer to a test, with the address', async () => {
    const { store } = storeWith({
      test: vi.fn().mockResolvedValue({ ok: false, message: 'The SMTP server did not take the message: 550 no' }),
    });
    await store.sendTest(' a@example.com ');
    expect(store.lastTest).toEqual({
      ok: false,
      message: 'The SMTP server did not take the message: 550 no',
      to: 'a@example.com',
    });
  });

  it('reloads the outbox after a retry, also when the retry is refused', async () => {
    const { api, store } = storeWith({
      retry: vi.fn().mockRejectedValue(new ApiError('VALIDATION_FAILED', 'This message is sent.', 400)),
    });
    await expect(store.retry('m1')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(api.mail.outbox).toHaveBeenCalledTimes(1);
  });
});
