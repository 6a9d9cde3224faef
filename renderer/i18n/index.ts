// vue-i18n setup: composition mode, ja and en, the language chosen once and remembered in localStorage.
// Each language's catalogue is its own chunk (messages-ja.ts, messages-en.ts), loaded when that language is first
// needed: an admin's browser downloads one language, not both. Only types are imported from the catalogues here.
import { createI18n, type I18n } from 'vue-i18n';
import type { Locale } from '../../server/contract/index.js';
import type { MessageSchema } from './en.js';
import type { HelperMessages } from './helper.en.js';

/** The languages the console speaks, in the order the switch shows them. */
export const LOCALES: readonly Locale[] = ['ja', 'en'];

/** Where the chosen language is remembered. */
export const LOCALE_STORAGE_KEY = 'tsunagu.locale';

/** One locale's messages: the console's, and the macOS helper window's under `helper`. */
export type AppMessages = MessageSchema & { helper: HelperMessages };

/** Fetches one language's catalogue (its own chunk). Rejects when the chunk cannot be loaded. */
export async function loadMessages(locale: Locale): Promise<AppMessages> {
  const loaded = locale === 'ja' ? await import('./messages-ja.js') : await import('./messages-en.js');
  return loaded.default;
}

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
 * Creates the i18n instance showing `locale`, whose catalogue must be among `messages` (the console passes the one
 * it loaded; tests pass both). A missing key logs a console error (the end-to-end test fails on any), and there is
 * no silent fallback to the other language.
 */
export function createAppI18n(
  locale: Locale,
  messages: Partial<Record<Locale, AppMessages>>,
  onMissing: (message: string) => void = (m) => console.error(m),
): AppI18n {
  if (!messages[locale]) throw new Error(`createAppI18n: no ${locale} messages`);
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: false,
    messages: messages as Record<Locale, AppMessages>,
    missingWarn: false,
    fallbackWarn: false,
    warnHtmlMessage: true,
    missing: (missingLocale, key) => {
      onMissing(`Missing ${missingLocale} translation: ${key}`);
      return key;
    },
  }) as AppI18n;
}

/** The part of the global composer a language switch uses. */
export interface LocaleTarget {
  locale: { value: string };
  availableLocales: readonly string[];
  setLocaleMessage(locale: Locale, messages: AppMessages): void;
}

let latestSwitch = 0;

/**
 * Switches `target` to `next` once its catalogue is there: loads it first when it is not (so the page never shows
 * untranslated keys), then sets the locale. When another switch was asked for meanwhile, the later one wins and
 * this resolves false without touching the locale. Rejects when the catalogue cannot be loaded (the locale stays).
 */
export async function switchLocale(target: LocaleTarget, next: Locale): Promise<boolean> {
  const ticket = ++latestSwitch;
  if (!target.availableLocales.includes(next)) {
    const loaded = await loadMessages(next);
    if (!target.availableLocales.includes(next)) target.setLocaleMessage(next, loaded);
  }
  if (ticket !== latestSwitch) return false;
  target.locale.value = next;
  return true;
}
