// The console language: switch it (after its catalogue has loaded), remember it, and keep <html lang> and
// element-plus in step.
import { ElMessage } from 'element-plus';
import { computed, type ComputedRef } from 'vue';
import { useI18n } from 'vue-i18n';
import elEn from 'element-plus/es/locale/lang/en.mjs';
import elJa from 'element-plus/es/locale/lang/ja.mjs';
import type { Language } from 'element-plus/es/locale/index.mjs';
import type { Locale } from '../../server/contract/index.js';
import { LOCALE_STORAGE_KEY, isLocale, switchLocale } from '../i18n/index.js';

const ELEMENT_LOCALES: Record<Locale, Language> = { ja: elJa, en: elEn };

/** Applies a language to the document: `<html lang>` (which also picks the Japanese font stack). */
export function applyDocumentLocale(locale: Locale): void {
  document.documentElement.lang = locale;
}

/** What the language switch needs. */
export interface LocaleControls {
  locale: ComputedRef<Locale>;
  elementLocale: ComputedRef<Language>;
  /**
   * Loads the language's catalogue when it is not there yet, then switches to it. Never rejects: when the catalogue
   * cannot be loaded the page stays in its language and says the server could not be reached.
   */
  setLocale(locale: Locale): Promise<void>;
}

/** Options of {@link useLocale}. */
export interface LocaleOptions {
  /** Remember the choice in localStorage for the next visit (default true; the helper window does not). */
  remember?: boolean;
}

/** The current language, its element-plus locale, and a setter that (by default) remembers the choice. */
export function useLocale(options: LocaleOptions = {}): LocaleControls {
  const composer = useI18n({ useScope: 'global' });
  const { locale, t } = composer;
  const current = computed<Locale>(() => (isLocale(locale.value) ? locale.value : 'ja'));
  return {
    locale: current,
    elementLocale: computed(() => ELEMENT_LOCALES[current.value]),
    async setLocale(next) {
      try {
        if (!(await switchLocale(composer, next))) return;
      } catch (err) {
        ElMessage({ type: 'error', message: t('errors.codes.NETWORK'), showClose: true, grouping: true });
        console.warn(`Loading the ${next} messages failed:`, err);
        return;
      }
      applyDocumentLocale(next);
      if (options.remember === false) return;
      try {
        localStorage.setItem(LOCALE_STORAGE_KEY, next);
      } catch {
        // Storage can be unavailable (private windows); the choice then lasts for this page only.
      }
    },
  };
}
