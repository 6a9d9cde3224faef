// The console language: switch it, remember it, and keep <html lang> and element-plus in step.
import { computed, type ComputedRef } from 'vue';
import { useI18n } from 'vue-i18n';
import elEn from 'element-plus/es/locale/lang/en.mjs';
import elJa from 'element-plus/es/locale/lang/ja.mjs';
import type { Language } from 'element-plus/es/locale/index.mjs';
import type { Locale } from '../../server/contract/index.js';
import { LOCALE_STORAGE_KEY, isLocale } from '../i18n/index.js';

const ELEMENT_LOCALES: Record<Locale, Language> = { ja: elJa, en: elEn };

/** Applies a language to the document: `<html lang>` (which also picks the Japanese font stack). */
export function applyDocumentLocale(locale: Locale): void {
  document.documentElement.lang = locale;
}

/** What the language switch needs. */
export interface LocaleControls {
  locale: ComputedRef<Locale>;
  elementLocale: ComputedRef<Language>;
  setLocale(locale: Locale): void;
}

/** The current language, its element-plus locale, and a setter that remembers the choice. */
export function useLocale(): LocaleControls {
  const { locale } = useI18n({ useScope: 'global' });
  const current = computed<Locale>(() => (isLocale(locale.value) ? locale.value : 'ja'));
  return {
    locale: current,
    elementLocale: computed(() => ELEMENT_LOCALES[current.value]),
    setLocale(next) {
      locale.value = next;
      applyDocumentLocale(next);
      try {
        localStorage.setItem(LOCALE_STORAGE_KEY, next);
      } catch {
        // Storage can be unavailable (private windows); the choice then lasts for this page only.
      }
    },
  };
}
