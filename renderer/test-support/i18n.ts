// The i18n instance for the console's unit tests: both catalogues at once, synchronously (the console itself loads
// one language's catalogue on demand, renderer/i18n/index.ts loadMessages).
import type { Locale } from '../../server/contract/index.js';
import { createAppI18n, type AppI18n, type AppMessages } from '../i18n/index.js';
import messagesEn from '../i18n/messages-en.js';
import messagesJa from '../i18n/messages-ja.js';

/** Both languages' full catalogues, the helper window's messages included. */
export const allMessages: Record<Locale, AppMessages> = { ja: messagesJa, en: messagesEn };

/** An i18n instance in `locale` with both catalogues loaded (switching needs no loading). */
export function createTestI18n(locale: Locale, onMissing?: (message: string) => void): AppI18n {
  return createAppI18n(locale, allMessages, onMissing);
}
