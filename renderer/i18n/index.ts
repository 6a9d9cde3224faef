// vue-i18n setup: composition mode, ja and en, the language chosen once and remembered in localStorage.
import { createI18n, type I18n } from 'vue-i18n';
import type { Locale } from '../../server/contract/index.js';
import en, { type MessageSchema } from './en.js';
import helperEn, { type HelperMessages } from './helper.en.js';
import helperJa from './helper.ja.js';
import ja from './ja.js';

/** The languages the console speaks, in the order the switch shows them. */
export const LOCALES: readonly Locale[] = ['ja', 'en'];

/** Where the chosen language is remembered. */
export const LOCALE_STORAGE_KEY = 'tsunagu.locale';

/** One locale's messages: the console's, and the macOS helper window's under `helper`. */
export type AppMessages = MessageSchema & { helper: HelperMessages };

/** Every locale's messages. */
export const messages: Record<Locale, AppMessages> = {
  ja: { ...ja, helper: helperJa },
  en: { ...en, helper: helperEn },
};

/** True for the two console languages. */
export function isLocale(value: unknown): value is Locale {
  return value === 'ja' || value === 'en';
}

/**
 * The starting language: the remembered choice, else English when the browser prefers English, else
 * Japanese (the product's home language).
 */
export function detectLocale(stored: string | null, browserLanguage: string | undefined): Locale {
  if (isLocale(stored)) return stored;
  return browserLanguage?.toLowerCase().startsWith('en') ? 'en' : 'ja';
}

/** Reads the remembered language, tolerating storage that is unavailable (private modes, tests). */
export function storedLocale(storage: Pick<Storage, 'getItem'> | undefined): string | null {
  try {
    return storage?.getItem(LOCALE_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

/** The console's i18n instance type. */
export type AppI18n = I18n<Record<Locale, AppMessages>, Record<string, never>, Record<string, never>, Locale, false>;

/**
 * Creates the i18n instance. A missing key logs a console error (the end-to-end test fails on any), and
 * there is no silent fallback to the other language.
 */
export function createAppI18n(locale: Locale, onMissing: (message: string) => void = (m) => console.error(m)): AppI18n {
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: false,
    messages,
    missingWarn: false,
    fallbackWarn: false,
    warnHtmlMessage: true,
    missing: (missingLocale, key) => {
      onMissing(`Missing ${missingLocale} translation: ${key}`);
      return key;
    },
  }) as AppI18n;
}
