// Dates and times in the console language.
import { useI18n } from 'vue-i18n';

const TAGS: Record<string, string> = { ja: 'ja-JP', en: 'en-GB' };

/** Formats an ISO time for `locale`; `seconds` adds the seconds (the audit trail needs them). */
export function formatDateTime(iso: string, locale: string, seconds = false): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(TAGS[locale] ?? locale, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
    hour12: false,
  }).format(date);
}

/** The date part only, e.g. 2026/04/01 (ja) or 01/04/2026 (en). */
export function formatDate(iso: string, locale: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(TAGS[locale] ?? locale, { year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    date,
  );
}

/** The time of day only, with seconds, e.g. 09:05:30. */
export function formatTime(iso: string, locale: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(TAGS[locale] ?? locale, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(date);
}

/** Date formatting bound to the current language. */
export function useFormat() {
  const { locale } = useI18n({ useScope: 'global' });
  return {
    dateTime: (iso: string, seconds = false) => formatDateTime(iso, locale.value, seconds),
    date: (iso: string) => formatDate(iso, locale.value),
    time: (iso: string) => formatTime(iso, locale.value),
  };
}
