// Per-field error messages for a form, plus one message for the form as a whole.
import { reactive, ref } from 'vue';

/** A loose check of an email address; the server makes the precise one. */
export function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}

/** The password policy as the server applies it: at least 10 characters, not the email or its name part. */
export function passwordAcceptable(password: string, email: string): boolean {
  if ([...password].length < 10) return false;
  const p = password.trim().toLowerCase();
  const e = email.trim().toLowerCase();
  return p !== e && p !== e.split('@')[0];
}

/** Field errors keyed by field name, and a general error; `clear` empties both. */
export function useFormErrors<F extends string>() {
  const fields = reactive<Partial<Record<F, string>>>({});
  const general = ref('');
  return {
    fields,
    general,
    set(field: F, message: string): void {
      (fields as Record<F, string>)[field] = message;
    },
    clear(): void {
      for (const key of Object.keys(fields)) delete (fields as Record<string, string>)[key];
      general.value = '';
    },
    any(): boolean {
      return Object.values(fields).some(Boolean);
    },
  };
}
