// Server-side text for pages, mails and device-facing errors, one file per language. A library: it imports no
// module of server/modules/.
import type { ErrorCode } from '../contract/errors.js';
import { en } from './en.js';
import { ja } from './ja.js';
import type { AgentOfficeCaText, AgentReminderText, DeviceErrorCode, Lang, ServerText } from './types.js';

export type * from './types.js';

/** Every server-side text, by language. */
export const TEXT: Readonly<Record<Lang, ServerText>> = Object.freeze({ ja, en });

/** The languages, the default first. */
export const LANGS: readonly Lang[] = ['ja', 'en'];

/** True when `value` names one of the languages. */
export function isLang(value: unknown): value is Lang {
  return value === 'ja' || value === 'en';
}

/** The Android agent's reminder notification, by language. */
export const AGENT_REMINDER: Readonly<Record<Lang, AgentReminderText>> = Object.freeze({
  ja: ja.agentReminder,
  en: en.agentReminder,
});

/** The Android agent's steps for installing the office CA in Settings, in `lang`. */
export function agentOfficeCaSteps(lang: Lang, ca: { name: string; sha256Start: string }): string[] {
  const t: AgentOfficeCaText = TEXT[lang].agentOfficeCa;
  return [t.intro, t.download(ca.name), t.open, t.install, t.check(ca.sha256Start)];
}

/** A refusal to show a person: the server's error (code, English message, details), or a sentence of the page's own. */
export type DeviceError = string | { code: ErrorCode; message: string; details?: Record<string, unknown> | undefined };

/**
 * A refusal in the page's language, and the server's own English words when they were translated (shown in small
 * print, so a user who asks IT for help can quote them). Without a translation the server's words are shown.
 */
export function deviceErrorText(lang: Lang, error: DeviceError): { text: string; original: string | null } {
  if (typeof error === 'string') return { text: error, original: null };
  const translate = (TEXT[lang].errors as Partial<Record<ErrorCode, ServerText['errors'][DeviceErrorCode]>>)[
    error.code
  ];
  const text = translate?.(error.details ?? {}) ?? null;
  if (text === null) return { text: error.message, original: null };
  // The server speaks English: an English page needs no second copy of its words.
  return { text, original: lang === 'en' ? null : error.message };
}
